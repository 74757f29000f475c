// Filesystem-only pause and cold resume through e2b@2.51.0: pause({keepMemory:false}), the filesystem-only
// auto-pause, and connect booting the sandbox cold over its kept files.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox } from 'e2b'
import { apiUrl, apiKey } from '../lib/raw.mjs'

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

// When the sandbox's init (the agent) started, in clock ticks since the host booted: a cold boot changes it.
async function initStart(sandbox) {
  const { stdout } = await sandbox.commands.run("awk '{print $22}' /proc/1/stat")
  return stdout.trim()
}

async function detail(sandboxId) {
  const response = await fetch(`${apiUrl}/sandboxes/${sandboxId}`, { headers: { 'X-API-Key': apiKey } })
  return response.json()
}

test('pause({keepMemory:false}) then connect: files kept, processes gone, a cold boot', async () => {
  const sandbox = await Sandbox.create({ timeoutMs: 120_000 })
  try {
    await sandbox.files.write('/home/user/kept.txt', 'written before the pause')
    await sandbox.commands.run('mkdir -p /opt/pkg && echo installed > /opt/pkg/VERSION', { user: 'root' })
    const sleeper = await sandbox.commands.run('sleep 3600', { background: true })
    const bootBefore = await initStart(sandbox)

    await sandbox.pause({ keepMemory: false })
    const info = await sandbox.getInfo()
    assert.equal(info.state, 'paused')
    assert.equal((await detail(sandbox.sandboxId)).pausedAs, 'filesystem')
    assert.equal(await sandbox.isRunning(), false)

    const resumed = await Sandbox.connect(sandbox.sandboxId, { timeoutMs: 120_000 })
    assert.equal(resumed.sandboxId, sandbox.sandboxId)
    assert.equal((await resumed.getInfo()).state, 'running')
    assert.equal(await resumed.files.read('/home/user/kept.txt'), 'written before the pause')
    assert.equal((await resumed.commands.run('cat /opt/pkg/VERSION')).stdout.trim(), 'installed')
    assert.equal((await resumed.commands.run('stat -c %U:%G /home/user/kept.txt /opt/pkg/VERSION')).stdout.trim(), 'user:user\nroot:root')
    assert.equal((await resumed.commands.run('touch /home/user/after && echo ok')).stdout.trim(), 'ok')

    const processes = await resumed.commands.list()
    assert.ok(!processes.some((p) => p.pid === sleeper.pid && p.cmd === 'sleep'), 'the process started before the pause is gone')
    assert.equal((await resumed.commands.run('pgrep -x sleep || echo none')).stdout.trim(), 'none')
    assert.notEqual(await initStart(resumed), bootBefore, 'the agent started anew')

    // The sandbox's own handle keeps working (same id, same access token).
    assert.equal(await sandbox.files.read('/home/user/kept.txt'), 'written before the pause')
  } finally {
    await sandbox.kill()
  }
})

test('a filesystem-only pause of a paused sandbox is a conflict; a memory pause still keeps processes', async () => {
  const sandbox = await Sandbox.create({ timeoutMs: 120_000 })
  try {
    await sandbox.commands.run('sleep 3600', { background: true })
    await sandbox.pause()
    assert.equal((await detail(sandbox.sandboxId)).pausedAs, 'memory')
    assert.equal(await sandbox.pause({ keepMemory: false }), false, 'already paused: the SDK reads the 409 as false')
    assert.equal((await detail(sandbox.sandboxId)).pausedAs, 'memory')
    const resumed = await Sandbox.connect(sandbox.sandboxId)
    assert.notEqual((await resumed.commands.run('pgrep -x sleep || echo none')).stdout.trim(), 'none')
  } finally {
    await sandbox.kill()
  }
})

test('auto-pause without memory: the timeout stops the sandbox, connect boots it cold with its files', async () => {
  const sandbox = await Sandbox.create({ timeoutMs: 3_000, lifecycle: { onTimeout: { action: 'pause', keepMemory: false } } })
  try {
    await sandbox.files.write('/home/user/auto.txt', 'kept across the auto-pause')
    const bootBefore = await initStart(sandbox)
    await sleep(5_000)
    assert.equal((await sandbox.getInfo()).state, 'paused')
    assert.equal((await detail(sandbox.sandboxId)).pausedAs, 'filesystem')

    const resumed = await Sandbox.connect(sandbox.sandboxId, { timeoutMs: 60_000 })
    assert.equal(await resumed.files.read('/home/user/auto.txt'), 'kept across the auto-pause')
    assert.notEqual(await initStart(resumed), bootBefore)
  } finally {
    await sandbox.kill()
  }
})

test('autoResume with keepMemory:false is refused by the SDK, and autoPauseMemory:false without autoPause by the server', async () => {
  await assert.rejects(
    () => Sandbox.create({ lifecycle: { onTimeout: { action: 'pause', keepMemory: false }, autoResume: true } }),
    /filesystem-only snapshot cannot be auto-resumed/)
  const response = await fetch(`${apiUrl}/v2/sandboxes`, {
    method: 'POST',
    headers: { 'X-API-Key': apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({ templateID: 'base', autoPauseMemory: false }),
  })
  assert.equal(response.status, 400)
  assert.match((await response.json()).message, /autoPauseMemory=false only applies when autoPause is true/)
})
