// What E2B offers and Paddock does not do yet, through e2b@2.51.0: refused in words (a 501 naming the
// feature, a 400 naming the option), never read as "sandbox not found" and never accepted and dropped.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox, Template, SandboxError } from 'e2b'

test('Template.exists knows the templates this server has', async () => {
  assert.equal(await Template.exists('base'), true)
  assert.equal(await Template.exists('code-interpreter-v1'), true)
  assert.equal(await Template.exists('no-such-template-here'), false)
})

test('options whose promise would not be kept are refused with the option named', async () => {
  const refused = async (opts, option) => {
    const before = (await Sandbox.list().nextItems()).length
    await assert.rejects(() => Sandbox.create({ ...opts, timeoutMs: 30_000 }), (error) => {
      assert.ok(error instanceof SandboxError, `${error?.name}: ${error?.message}`)
      assert.match(error.message, /400/)
      assert.ok(error.message.includes(option), error.message)
      return true
    })
    assert.equal((await Sandbox.list().nextItems()).length, before)
  }
  await refused({ network: { rules: { 'api.example.com': [{ transform: { headers: { 'X-Test': 'value' } } }] } } }, 'network.rules')
})
