// e2b@2.50.0 calls the v1 endpoints: POST /sandboxes (secure by default) and POST /sandboxes/{id}/connect.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox, SandboxNotFoundError } from 'e2b-2.50'

test('v1 create, getInfo, connect and kill', async () => {
  const sandbox = await Sandbox.create({ timeoutMs: 30_000, metadata: { sdk: '2.50' } })
  try {
    const info = await sandbox.getInfo()
    assert.equal(info.endAt.getTime() - info.startedAt.getTime(), 30_000)
    assert.deepEqual(info.metadata, { sdk: '2.50' })

    const connected = await Sandbox.connect(sandbox.sandboxId, { timeoutMs: 60_000 })
    assert.equal(connected.sandboxId, sandbox.sandboxId)
    const extended = await sandbox.getInfo()
    assert.ok(extended.endAt.getTime() - Date.now() > 50_000)

    assert.equal(await sandbox.betaPause(), true)
    await Sandbox.connect(sandbox.sandboxId, { timeoutMs: 60_000 })
    assert.equal((await sandbox.getInfo()).state, 'running')
  } finally {
    assert.equal(await sandbox.kill(), true)
  }
  await assert.rejects(() => Sandbox.connect(sandbox.sandboxId, { timeoutMs: 10_000 }), SandboxNotFoundError)
})
