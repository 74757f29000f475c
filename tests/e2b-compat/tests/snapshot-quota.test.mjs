// The disk quota of a sandbox made from a snapshot, through e2b@2.51.0 on a server of its own with a small
// quota: the sandbox's own writes count against it as in any sandbox; the snapshot's files it stands on do not.
// Paused on disk, it and the snapshot still count in its metrics, the listing and the server's /metrics.
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

    // Paused on disk, it still holds its layer: its metrics, the listing and the server's figures say so.
    await child.pause({ keepMemory: false })
    const paused = await child.getMetrics()
    assert.equal(paused.length, 1)
    assert.ok(paused[0].diskUsed >= 100 * 1024 * 1024, `a paused sandbox reports its layer: ${paused[0].diskUsed}`)
    assert.equal(paused[0].diskTotal, metrics[0].diskTotal)
    assert.equal(paused[0].cpuUsedPct, 0)
    assert.equal((await server.api('GET', `/sandboxes/${child.sandboxId}`)).body.diskSizeMB, 160)
    const host = await (await fetch(`${server.url}/metrics`, { headers: { 'X-API-Key': server.apiKey } })).text()
    const figure = (name) => Number(host.split('\n').find((l) => l.startsWith(name + ' ')).split(' ')[1])
    assert.ok(figure('paddock_sandbox_disk_bytes{state="paused",paused_as="filesystem"}') >= 100 * 1024 * 1024, host)
    assert.ok(figure('paddock_snapshot_disk_bytes') >= 100 * 1024 * 1024, host)
    assert.equal(figure('paddock_snapshots'), 1)
    assert.equal(figure('paddock_sandboxes{state="paused",paused_as="filesystem"}'), 1)

    // Booted cold, its quota is the same: a write past it still fails.
    await child.connect()
    const again = await child.commands.run('head -c 100M /dev/zero > /home/user/over2.bin; echo "exit=$?"', { timeoutMs: 60_000 })
    assert.equal(again.stdout.trim(), 'exit=1')
  } finally {
    await child?.kill()
    await source.kill()
  }
})
