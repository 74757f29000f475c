// The disk quota of a sandbox made from a snapshot, through e2b@2.51.0 on a server of its own with a small
// quota: the sandbox's own writes count against it as in any sandbox; the snapshot's files it stands on do not.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox } from 'e2b'
import { startOwnServer } from '../lib/own-server.mjs'

let server
before(async () => {
  server = await startOwnServer({ PADDOCK_DISK_SIZE_MB: '160' })
})
after(async () => {
  await server?.dispose()
})

test('a sandbox from a snapshot has the quota of any sandbox, over its own writes', async () => {
  const opts = server.opts
  const source = await Sandbox.create({ ...opts, timeoutMs: 120_000 })
  let child
  try {
    await source.commands.run('head -c 100M /dev/zero > /home/user/big.bin && sync')
    const snapshot = await source.createSnapshot()
    const listed = (await server.api('GET', '/snapshots')).body
    assert.ok(listed[0].sizeBytes >= 100 * 1024 * 1024, `the snapshot says what its layer holds: ${listed[0].sizeBytes}`)

    child = await Sandbox.create(snapshot.snapshotId, { ...opts, timeoutMs: 120_000 })
    assert.equal((await child.commands.run('stat -c %s /home/user/big.bin')).stdout.trim(), String(100 * 1024 * 1024))
    // 100 MB more fits: the snapshot's 100 MB are not its own.
    await child.commands.run('head -c 100M /dev/zero > /home/user/more.bin && sync')
    // Past its own 160 MB the writes fail, as in any sandbox.
    const over = await child.commands.run('head -c 100M /dev/zero > /home/user/over.bin; echo "exit=$?"', { timeoutMs: 60_000 })
    assert.equal(over.stdout.trim(), 'exit=1')
    assert.match(over.stderr, /Disk quota exceeded/)
    const metrics = await child.getMetrics()
    assert.ok(metrics[0].diskTotal <= 160 * 1024 * 1024 + 1, `quota ${metrics[0].diskTotal}`)
  } finally {
    await child?.kill()
    await source.kill()
  }
})
