// Snapshots and fork through e2b@2.51.0: createSnapshot, listSnapshots, deleteSnapshot, Sandbox.create(snapshotId),
// fork({count}). A snapshot is a read-only layer the new sandboxes stack their own writable layer on.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox, SandboxNotFoundError } from 'e2b'
import { readFileSync } from 'node:fs'
import { apiUrl, apiKey } from '../lib/raw.mjs'

async function api(method, path) {
  const response = await fetch(apiUrl + path, { method, headers: { 'X-API-Key': apiKey } })
  return { status: response.status, body: response.status === 204 ? null : await response.json() }
}

// Mounts and layers of this server's data dir: what a failure or a delete must not leave behind.
function mountsOf(id) {
  return readFileSync('/proc/self/mountinfo', 'utf8').split('\n').filter((l) => l.includes(id)).length
}

test('snapshot a running sandbox, create two sandboxes from it: the files are there, the sandboxes independent', async () => {
  const source = await Sandbox.create({ timeoutMs: 120_000 })
  const made = []
  try {
    await source.files.write('/home/user/snap.txt', 'before the snapshot')
    await source.commands.run('mkdir -p /opt/tool && echo 1.0 > /opt/tool/VERSION && rm -f /etc/motd', { user: 'root' })
    const snapshot = await source.createSnapshot()
    assert.match(snapshot.snapshotId, /^[a-z0-9]{20}:default$/)
    assert.deepEqual(snapshot.names, [])

    // The source keeps running, and what it writes now is not in the snapshot.
    assert.equal((await source.getInfo()).state, 'running')
    await source.files.write('/home/user/snap.txt', 'after the snapshot')

    for (let i = 0; i < 2; i++) made.push(await Sandbox.create(snapshot.snapshotId, { timeoutMs: 120_000 }))
    for (const sandbox of made) {
      assert.equal(await sandbox.files.read('/home/user/snap.txt'), 'before the snapshot')
      assert.equal((await sandbox.commands.run('cat /opt/tool/VERSION')).stdout.trim(), '1.0')
      assert.equal((await sandbox.commands.run('test -e /etc/motd && echo there || echo gone')).stdout.trim(), 'gone', 'a deletion is a whiteout in the layer')
      assert.equal((await sandbox.commands.run('stat -c %U:%G /home/user/snap.txt')).stdout.trim(), 'user:user')
      assert.equal((await sandbox.commands.run('echo mine > /home/user/snap.txt && cat /home/user/snap.txt')).stdout.trim(), 'mine')
    }
    await made[0].files.write('/home/user/only-in-0.txt', 'x')
    assert.equal(await made[1].files.exists('/home/user/only-in-0.txt'), false)
    assert.equal(await source.files.read('/home/user/snap.txt'), 'after the snapshot')

    // Listed on page 1, by the sandbox too; delete refused while sandboxes use it.
    const listed = await Sandbox.listSnapshots().nextItems()
    assert.ok(listed.some((s) => s.snapshotId === snapshot.snapshotId))
    assert.deepEqual((await source.listSnapshots().nextItems()).map((s) => s.snapshotId), [snapshot.snapshotId])
    await assert.rejects(() => Sandbox.deleteSnapshot(snapshot.snapshotId), /running sandboxes using it/)

    for (const sandbox of made.splice(0)) await sandbox.kill()
    assert.equal(await Sandbox.deleteSnapshot(snapshot.snapshotId), true)
    assert.equal(await Sandbox.deleteSnapshot(snapshot.snapshotId), false)
    assert.ok(!(await Sandbox.listSnapshots().nextItems()).some((s) => s.snapshotId === snapshot.snapshotId))
  } finally {
    for (const sandbox of made) await sandbox.kill()
    await source.kill()
  }
})

test('a named snapshot of a paused sandbox; a snapshot of a sandbox made from a snapshot stacks on it', async () => {
  const source = await Sandbox.create({ timeoutMs: 120_000 })
  let child
  try {
    await source.files.write('/home/user/a.txt', 'layer a')
    await source.pause({ keepMemory: false })
    const named = await Sandbox.createSnapshot(source.sandboxId, { name: 'compat-snap' })
    assert.equal(named.snapshotId, 'compat-snap:default')
    assert.deepEqual(named.names, ['compat-snap'])
    assert.equal((await source.getInfo()).state, 'paused')
    assert.deepEqual((await Sandbox.listSnapshots({ name: 'compat-snap' }).nextItems()).map((s) => s.snapshotId), ['compat-snap:default'])
    assert.deepEqual(await Sandbox.listSnapshots({ name: 'no-such-name' }).nextItems(), [])

    child = await Sandbox.create('compat-snap', { timeoutMs: 120_000 })
    await child.files.write('/home/user/b.txt', 'layer b')
    const stacked = await child.createSnapshot({ name: 'compat-snap-2:v1' })
    assert.equal(stacked.snapshotId, 'compat-snap-2:v1')
    await assert.rejects(() => Sandbox.deleteSnapshot('compat-snap'), /running sandboxes using it/)

    const grandchild = await Sandbox.create('compat-snap-2:v1', { timeoutMs: 60_000 })
    try {
      assert.equal(await grandchild.files.read('/home/user/a.txt'), 'layer a')
      assert.equal(await grandchild.files.read('/home/user/b.txt'), 'layer b')
    } finally {
      await grandchild.kill()
    }
    await child.kill()
    child = null
    await assert.rejects(() => Sandbox.deleteSnapshot('compat-snap'), /other snapshots are built on it/)
    assert.equal(await Sandbox.deleteSnapshot('compat-snap-2:v1'), true)
    assert.equal(await Sandbox.deleteSnapshot('compat-snap'), true)
  } finally {
    await child?.kill()
    await source.kill()
  }
})

test('snapshot of an unknown sandbox is SandboxNotFoundError; list errors are 400', async () => {
  await assert.rejects(() => Sandbox.createSnapshot('iaaaaaaaaaaaaaaaaaaaa'), SandboxNotFoundError)
  assert.equal((await api('GET', '/snapshots?nextToken=%%%')).status, 400)
  assert.equal((await api('GET', '/snapshots?limit=0')).status, 400)
})

test('fork 3: three running sandboxes with the parent\'s files; writes stay in each; the parent keeps running', async () => {
  const parent = await Sandbox.create({ timeoutMs: 120_000, metadata: { role: 'parent' } })
  let forks = []
  try {
    await parent.files.write('/home/user/parent.txt', 'from the parent')
    const sleeper = await parent.commands.run('sleep 3600', { background: true })
    forks = await parent.fork({ count: 3, timeoutMs: 60_000 })
    assert.equal(forks.length, 3)
    assert.equal(new Set(forks.map((f) => f.sandboxId)).size, 3)
    for (const [i, fork] of forks.entries()) {
      assert.ok(fork instanceof Sandbox, String(fork))
      assert.notEqual(fork.sandboxId, parent.sandboxId)
      assert.equal(await fork.files.read('/home/user/parent.txt'), 'from the parent')
      assert.deepEqual((await fork.getInfo()).metadata, { role: 'parent' })
      assert.equal((await fork.commands.run('pgrep -x sleep || echo none')).stdout.trim(), 'none', 'processes are not copied')
      await fork.files.write('/home/user/fork.txt', `fork ${i}`)
    }
    for (const [i, fork] of forks.entries()) assert.equal(await fork.files.read('/home/user/fork.txt'), `fork ${i}`)
    assert.equal(await parent.files.exists('/home/user/fork.txt'), false)
    assert.equal((await parent.getInfo()).state, 'running')
    assert.ok((await parent.commands.list()).some((p) => p.pid === sleeper.pid), 'the parent is untouched')

    const logs = (await api('GET', `/v2/sandboxes/${forks[0].sandboxId}/logs`)).body.logs
    assert.ok(logs.some((l) => /forked from .*processes started fresh/.test(l.message)))

    // A fork's snapshot is not listed, and goes with the last fork.
    assert.deepEqual(await parent.listSnapshots().nextItems(), [])
  } finally {
    for (const fork of forks) if (fork instanceof Sandbox) await fork.kill()
    await parent.kill()
  }
  await assert.rejects(() => parent.fork(), SandboxNotFoundError)
})

test('fork of a paused sandbox is a conflict, and count is checked', async () => {
  const parent = await Sandbox.create({ timeoutMs: 60_000 })
  try {
    await parent.pause()
    await assert.rejects(() => parent.fork(), /paused and cannot be forked/)
    await parent.connect()
    const response = await fetch(`${apiUrl}/sandboxes/${parent.sandboxId}/fork`, {
      method: 'POST',
      headers: { 'X-API-Key': apiKey, 'Content-Type': 'application/json' },
      body: JSON.stringify({ count: 101 }),
    })
    assert.equal(response.status, 400)
    assert.match((await response.json()).message, /Count cannot be greater than 100/)
  } finally {
    await parent.kill()
  }
})

test('a create from a snapshot that fails leaves no sandbox, mount or layer behind', async () => {
  const source = await Sandbox.create({ timeoutMs: 60_000 })
  try {
    const snapshot = await source.createSnapshot({ name: 'compat-fail' })
    const before = (await api('GET', '/v2/sandboxes?state=killed')).body.length
    // A timeout past the maximum fails the create before anything is built.
    await assert.rejects(() => Sandbox.create(snapshot.snapshotId, { timeoutMs: 48 * 3600_000 }))
    assert.equal((await api('GET', '/v2/sandboxes?state=killed')).body.length, before)
    assert.equal(await Sandbox.deleteSnapshot(snapshot.snapshotId), true)
    assert.equal(mountsOf('compat-fail'), 0)
  } finally {
    await source.kill()
  }
})
