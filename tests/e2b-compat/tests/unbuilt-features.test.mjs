// What E2B offers and Paddock does not do yet, through e2b@2.51.0: refused in words (a 501 naming the
// feature, a 400 naming the option), never read as "sandbox not found" and never accepted and dropped.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox, Template, SandboxError, SandboxNotFoundError, InvalidArgumentError } from 'e2b'

let sandbox
before(async () => {
  sandbox = await Sandbox.create()
})
after(async () => {
  await sandbox?.kill()
})

function notSupported(feature) {
  return (error) => {
    assert.ok(error instanceof SandboxError, `${error?.name}: ${error?.message}`)
    assert.ok(!(error instanceof SandboxNotFoundError), `${error?.name}: ${error?.message}`)
    assert.match(error.message, /501/)
    assert.match(error.message, new RegExp(`${feature}.*not supported`))
    return true
  }
}

test('network updates are "not supported", not "sandbox not found"', async () => {
  await assert.rejects(() => sandbox.updateNetwork({ denyOut: ['0.0.0.0/0'] }), notSupported("Updating a sandbox's network rules"))
  assert.equal((await sandbox.getInfo()).state, 'running')
})

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
  await refused({ secure: true, network: { allowPublicTraffic: false } }, 'network.allowPublicTraffic')
  await refused({ network: { allowOut: ['example.com'] } }, 'network.allowOut')
  await refused({ network: { maskRequestHost: 'localhost:${PORT}' } }, 'network.maskRequestHost')
})
