// Sandbox traffic through E2B_SANDBOX_URL (the API's own address, routed by E2B's headers).
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox } from 'e2b'

test('isRunning() is true while the sandbox runs, false once paused or killed', async () => {
  const sandbox = await Sandbox.create()
  try {
    assert.equal(await sandbox.isRunning(), true)
    await sandbox.pause()
    assert.equal(await sandbox.isRunning(), false)
    const resumed = await Sandbox.connect(sandbox.sandboxId)
    assert.equal(await resumed.isRunning(), true)
  } finally {
    await sandbox.kill()
  }
  assert.equal(await sandbox.isRunning(), false)
})

test('after kill() a request to a sandbox port gets the 502 body', async () => {
  const sandbox = await Sandbox.create()
  await sandbox.kill()
  const response = await fetch(process.env.E2B_SANDBOX_URL + '/', {
    headers: { 'E2b-Sandbox-Id': sandbox.sandboxId, 'E2b-Sandbox-Port': '8000' },
  })
  assert.equal(response.status, 502)
  assert.deepEqual(await response.json(), { sandboxId: sandbox.sandboxId, message: 'The sandbox was not found', code: 502 })
})
