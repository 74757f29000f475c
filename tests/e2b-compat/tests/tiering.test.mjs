// The tiering policy through e2b@2.51.0: a sandbox frozen longer than FreezeFor is moved to disk (its memory
// freed, its files kept), with a log entry saying why; connect then boots it cold.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox } from 'e2b'
import { startOwnServer } from '../lib/own-server.mjs'

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

let server
before(async () => {
  server = await startOwnServer({ PADDOCK_FREEZE_FOR: '00:00:03' })
})
after(async () => {
  await server?.dispose()
})

test('FreezeFor: a frozen sandbox keeps its processes until then, and is on disk after', async () => {
  const opts = server.opts
  const sandbox = await Sandbox.create({ ...opts, timeoutMs: 120_000 })
  try {
    await sandbox.files.write('/home/user/tier.txt', 'kept on disk')
    await sandbox.commands.run('sleep 3600', { background: true })
    await sandbox.pause()
    assert.equal((await server.api('GET', `/sandboxes/${sandbox.sandboxId}`)).body.pausedAs, 'memory')

    await sleep(5_000)
    const detail = (await server.api('GET', `/sandboxes/${sandbox.sandboxId}`)).body
    assert.deepEqual([detail.state, detail.pausedAs], ['paused', 'filesystem'])
    const logs = (await server.api('GET', `/v2/sandboxes/${sandbox.sandboxId}/logs`)).body.logs
    assert.ok(logs.some((l) => /moved to disk: it stayed frozen for 00:00:03 \(FreezeFor\)/.test(l.message)), JSON.stringify(logs.map((l) => l.message)))

    const back = await Sandbox.connect(sandbox.sandboxId, { ...opts, timeoutMs: 60_000 })
    assert.equal(await back.files.read('/home/user/tier.txt'), 'kept on disk')
    assert.equal((await back.commands.run('pgrep -x sleep || echo none')).stdout.trim(), 'none')
  } finally {
    await Sandbox.kill(sandbox.sandboxId, opts)
  }
})
