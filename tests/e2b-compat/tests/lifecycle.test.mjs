// Sandbox lifecycle through e2b@2.51.0 (the v2 create and connect endpoints), public API only.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox, SandboxNotFoundError } from 'e2b'

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

test('create with the default timeout: endAt - startedAt is 300 s', async () => {
  const sandbox = await Sandbox.create()
  try {
    assert.match(sandbox.sandboxId, /^i[a-z0-9]{20}$/)
    const info = await sandbox.getInfo()
    assert.equal(info.endAt.getTime() - info.startedAt.getTime(), 300_000)
  } finally {
    await sandbox.kill()
  }
})

test('create with timeoutMs, metadata and a template alias; getInfo fields', async () => {
  const sandbox = await Sandbox.create('code-interpreter-v1', { timeoutMs: 60_000, metadata: { owner: 'compat', 'user id': 'a&b=c' } })
  try {
    const info = await sandbox.getInfo()
    assert.equal(info.sandboxId, sandbox.sandboxId)
    assert.equal(info.templateId, 'base')
    assert.equal(info.name, 'code-interpreter-v1')
    assert.deepEqual(info.metadata, { owner: 'compat', 'user id': 'a&b=c' })
    assert.equal(info.state, 'running')
    assert.ok(info.startedAt instanceof Date)
    assert.equal(info.endAt.getTime() - info.startedAt.getTime(), 60_000)
    assert.equal(info.cpuCount, 2)
    assert.equal(info.memoryMB, 512)
    assert.match(info.envdVersion, /^\d+\.\d+\.\d+$/)
  } finally {
    await sandbox.kill()
  }
})

test('setTimeout shortens: the sandbox is gone after it', async () => {
  const sandbox = await Sandbox.create({ timeoutMs: 300_000 })
  await sandbox.setTimeout(1_000)
  const info = await sandbox.getInfo()
  assert.ok(info.endAt.getTime() - Date.now() <= 1_500)
  await sleep(2_500)
  await assert.rejects(() => sandbox.getInfo(), SandboxNotFoundError)
  assert.equal(await Sandbox.kill(sandbox.sandboxId), false)
})

test('setTimeout(0) ends the sandbox now, the way its timeout would (paused with auto-pause)', async () => {
  const sandbox = await Sandbox.create({ timeoutMs: 300_000 })
  await sandbox.setTimeout(0)
  let gone = false
  for (let i = 0; i < 30 && !gone; i++) {
    gone = await sandbox.getInfo().then(() => false, (e) => e instanceof SandboxNotFoundError)
    if (!gone) await sleep(100)
  }
  assert.ok(gone, 'the sandbox still exists')

  const pausing = await Sandbox.create({ timeoutMs: 300_000, lifecycle: { onTimeout: 'pause' } })
  try {
    await pausing.setTimeout(0)
    let state
    for (let i = 0; i < 30 && state !== 'paused'; i++) {
      state = (await pausing.getInfo()).state
      if (state !== 'paused') await sleep(100)
    }
    assert.equal(state, 'paused')
  } finally {
    await pausing.kill()
  }
})

test('setTimeout extends from now', async () => {
  const sandbox = await Sandbox.create({ timeoutMs: 5_000 })
  try {
    await sandbox.setTimeout(120_000)
    const info = await sandbox.getInfo()
    const remaining = info.endAt.getTime() - Date.now()
    assert.ok(remaining > 110_000 && remaining <= 120_500, `remaining ${remaining} ms`)
  } finally {
    await sandbox.kill()
  }
})

test('kill() and Sandbox.kill(id): true, then false for a gone id', async () => {
  const a = await Sandbox.create()
  const b = await Sandbox.create()
  assert.equal(await a.kill(), true)
  assert.equal(await Sandbox.kill(b.sandboxId), true)
  assert.equal(await Sandbox.kill(b.sandboxId), false)
  assert.equal(await a.kill(), false)
  await assert.rejects(() => Sandbox.getInfo(a.sandboxId), SandboxNotFoundError)
})

test('connect to a running sandbox never shortens endAt', async () => {
  const sandbox = await Sandbox.create({ timeoutMs: 600_000 })
  try {
    const before = (await sandbox.getInfo()).endAt.getTime()
    const connected = await Sandbox.connect(sandbox.sandboxId, { timeoutMs: 10_000 })
    assert.equal(connected.sandboxId, sandbox.sandboxId)
    assert.equal((await sandbox.getInfo()).endAt.getTime(), before)

    await Sandbox.connect(sandbox.sandboxId, { timeoutMs: 1_200_000 })
    assert.ok((await sandbox.getInfo()).endAt.getTime() > before)
  } finally {
    await sandbox.kill()
  }
})

test('connect to a paused sandbox resumes it', async () => {
  const sandbox = await Sandbox.create()
  try {
    assert.equal(await sandbox.betaPause(), true)
    assert.equal(await sandbox.betaPause(), false)
    assert.equal((await sandbox.getInfo()).state, 'paused')

    const resumed = await Sandbox.connect(sandbox.sandboxId)
    assert.equal(resumed.sandboxId, sandbox.sandboxId)
    assert.equal((await sandbox.getInfo()).state, 'running')
  } finally {
    await sandbox.kill()
  }
})

test('connect to a killed sandbox is SandboxNotFoundError', async () => {
  const sandbox = await Sandbox.create()
  await sandbox.kill()
  await assert.rejects(() => Sandbox.connect(sandbox.sandboxId), SandboxNotFoundError)
})

test("create({lifecycle: {onTimeout: 'pause'}}) pauses on timeout, getInfo shows it, connect resumes", async () => {
  const sandbox = await Sandbox.create({ timeoutMs: 2_000, lifecycle: { onTimeout: 'pause' } })
  try {
    const info = await sandbox.getInfo()
    assert.equal(info.lifecycle?.onTimeout, 'pause')
    let state = info.state
    for (let i = 0; i < 50 && state !== 'paused'; i++) {
      await sleep(200)
      state = (await sandbox.getInfo()).state
    }
    assert.equal(state, 'paused')
    await Sandbox.connect(sandbox.sandboxId, { timeoutMs: 60_000 })
    assert.equal((await sandbox.getInfo()).state, 'running')
  } finally {
    await sandbox.kill()
  }
})

test('Sandbox.pause(id) and the paused state in list', async () => {
  const sandbox = await Sandbox.create({ metadata: { suite: 'pause-list' } })
  try {
    assert.equal(await Sandbox.pause(sandbox.sandboxId), true)
    const paused = await Sandbox.list({ query: { state: ['paused'], metadata: { suite: 'pause-list' } } }).nextItems()
    assert.deepEqual(paused.map((s) => s.sandboxId), [sandbox.sandboxId])
    const running = await Sandbox.list({ query: { state: ['running'], metadata: { suite: 'pause-list' } } }).nextItems()
    assert.deepEqual(running, [])
  } finally {
    await sandbox.kill()
  }
})
