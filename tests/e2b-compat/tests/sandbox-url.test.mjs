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

test('a server started in the sandbox answers through E2B_SANDBOX_URL with the port header; after kill() the 502 body', async () => {
  const sandbox = await Sandbox.create()
  const headers = { 'E2b-Sandbox-Id': sandbox.sandboxId, 'E2b-Sandbox-Port': '8000' }
  try {
    await sandbox.files.write('site/index.html', '<h1>served from the sandbox</h1>')
    await sandbox.commands.run('python3 -m http.server 8000 --bind 127.0.0.1', { cwd: '/home/user/site', background: true })
    let response
    for (let i = 0; i < 50; i++) {
      response = await fetch(process.env.E2B_SANDBOX_URL + '/index.html', { headers })
      if (response.status === 200) break
      await new Promise((r) => setTimeout(r, 100))
    }
    assert.equal(response.status, 200)
    assert.equal(await response.text(), '<h1>served from the sandbox</h1>')
    assert.equal(sandbox.getHost(8000), `8000-${sandbox.sandboxId}.${process.env.E2B_DOMAIN}`)
  } finally {
    await sandbox.kill()
  }
  const gone = await fetch(process.env.E2B_SANDBOX_URL + '/index.html', { headers })
  assert.equal(gone.status, 502)
  assert.deepEqual(await gone.json(), { sandboxId: sandbox.sandboxId, message: 'The sandbox was not found', code: 502 })
})

test('getMetrics returns a sample of CPU, memory and disk', async () => {
  const sandbox = await Sandbox.create()
  try {
    const metrics = await sandbox.getMetrics()
    assert.equal(metrics.length, 1)
    const [sample] = metrics
    assert.ok(sample.timestamp instanceof Date)
    assert.ok(sample.cpuCount >= 1)
    assert.ok(sample.memTotal > 0 && sample.memUsed > 0 && sample.memUsed <= sample.memTotal)
    assert.ok(sample.diskTotal > 0)
  } finally {
    await sandbox.kill()
  }
})
