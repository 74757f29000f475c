// A host reboot (or the runtime's state wiped) through e2b@2.51.0: every sandbox keeps its files and comes back
// paused on disk; nothing is reported killed that was not killed; connect boots each one cold.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox } from 'e2b'
import { startOwnServer } from '../lib/own-server.mjs'

let server
before(async () => {
  server = await startOwnServer()
})
after(async () => {
  await server?.dispose()
})

test('reboot: running, frozen and disk-paused sandboxes come back paused with their files; the killed one stays killed', async () => {
  const opts = server.opts
  const running = await Sandbox.create({ ...opts, timeoutMs: 600_000, metadata: { role: 'running' } })
  const frozen = await Sandbox.create({ ...opts, timeoutMs: 600_000, metadata: { role: 'frozen' } })
  const onDisk = await Sandbox.create({ ...opts, timeoutMs: 600_000, metadata: { role: 'on-disk' } })
  const killed = await Sandbox.create({ ...opts, timeoutMs: 600_000, metadata: { role: 'killed' } })
  const all = [running, frozen, onDisk]
  for (const sandbox of [...all, killed]) {
    await sandbox.files.write('/home/user/mine.txt', `files of ${sandbox.sandboxId}`)
    await sandbox.commands.run(`echo ${sandbox.sandboxId} > /etc/which`, { user: 'root' })
  }
  const snapshot = await running.createSnapshot({ name: 'before-reboot' })
  await frozen.pause()
  await onDisk.pause({ keepMemory: false })
  await killed.kill()

  // The server crashes, then the host reboots: containers, mounts and crun's state are gone.
  await server.stop('SIGKILL')
  assert.equal(server.reboot(), 2, 'the running and the frozen sandbox had containers')
  assert.deepEqual(server.mountPoints(), [])
  await server.start()

  const paused = await Sandbox.list({ ...opts, query: { state: ['paused'] } }).nextItems()
  assert.deepEqual(paused.map((s) => s.sandboxId).sort(), all.map((s) => s.sandboxId).sort())
  assert.deepEqual((await Sandbox.list({ ...opts, query: { state: ['running'] } }).nextItems()), [])
  const killedNow = (await server.api('GET', '/v2/sandboxes?state=killed')).body
  assert.deepEqual(killedNow.map((s) => [s.sandboxID, s.killReason]), [[killed.sandboxId, 'request']])
  for (const sandbox of all) {
    assert.equal((await server.api('GET', `/sandboxes/${sandbox.sandboxId}`)).body.pausedAs, 'filesystem')
  }

  // The log of one that was running says why it is paused.
  const logs = (await server.api('GET', `/v2/sandboxes/${running.sandboxId}/logs`)).body.logs
  assert.ok(logs.some((l) => /processes lost at restart/.test(l.message)), JSON.stringify(logs.map((l) => l.message)))

  for (const sandbox of all) {
    const back = await Sandbox.connect(sandbox.sandboxId, { ...opts, timeoutMs: 60_000 })
    assert.equal(await back.files.read('/home/user/mine.txt'), `files of ${sandbox.sandboxId}`)
    assert.equal((await back.commands.run('cat /etc/which')).stdout.trim(), sandbox.sandboxId)
    assert.equal((await back.commands.run('stat -c %U /home/user/mine.txt')).stdout.trim(), 'user')
    assert.equal((await back.getInfo()).state, 'running')
  }

  // The snapshot survived too: a sandbox made from it has the files.
  assert.deepEqual((await Sandbox.listSnapshots(opts).nextItems()).map((s) => s.snapshotId), [snapshot.snapshotId])
  const fromSnapshot = await Sandbox.create(snapshot.snapshotId, { ...opts, timeoutMs: 60_000 })
  assert.equal(await fromSnapshot.files.read('/home/user/mine.txt'), `files of ${running.sandboxId}`)
  await fromSnapshot.kill()
  assert.equal(await Sandbox.deleteSnapshot(snapshot.snapshotId, opts), true)

  // And they end for good only when killed.
  for (const sandbox of all) {
    await Sandbox.kill(sandbox.sandboxId, opts)
  }
  assert.deepEqual((await Sandbox.list({ ...opts, query: { state: ['running', 'paused'] } }).nextItems()), [])
})

test('a restart with nothing wiped finds every sandbox as it was', async () => {
  const opts = server.opts
  const sandbox = await Sandbox.create({ ...opts, timeoutMs: 600_000 })
  try {
    await sandbox.commands.run('sleep 3600', { background: true })
    await server.stop('SIGKILL')
    await server.start()
    const back = await Sandbox.connect(sandbox.sandboxId, opts)
    assert.notEqual((await back.commands.run('pgrep -x sleep || echo none')).stdout.trim(), 'none', 'still the same processes')
  } finally {
    await Sandbox.kill(sandbox.sandboxId, opts)
  }
})
