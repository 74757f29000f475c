// autoResume through e2b@2.51.0: a request to a paused sandbox's port resumes it and is served; without
// autoResume the 502 stays; without the credentials the running sandbox would ask for, the 403, and it stays paused.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox } from 'e2b'

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

async function serve(sandbox) {
  await sandbox.files.write('site/index.html', `<h1>${sandbox.sandboxId}</h1>`)
  await sandbox.commands.run('python3 -m http.server 8000 --bind 127.0.0.1', { cwd: '/home/user/site', background: true })
  const headers = { 'E2b-Sandbox-Id': sandbox.sandboxId, 'E2b-Sandbox-Port': '8000' }
  for (let i = 0; i < 50; i++) {
    if ((await fetch(process.env.E2B_SANDBOX_URL + '/index.html', { headers })).status === 200) return headers
    await sleep(100)
  }
  throw new Error('the server in the sandbox did not answer')
}

test('autoResume: true — a request to a paused sandbox\'s HTTP server resumes it and is served', async () => {
  const sandbox = await Sandbox.create({ timeoutMs: 3_000, lifecycle: { onTimeout: 'pause', autoResume: true } })
  try {
    const headers = await serve(sandbox)
    await sleep(5_000)
    assert.equal((await sandbox.getInfo()).state, 'paused')

    const response = await fetch(process.env.E2B_SANDBOX_URL + '/index.html', { headers })
    assert.equal(response.status, 200)
    assert.equal(await response.text(), `<h1>${sandbox.sandboxId}</h1>`)
    const info = await sandbox.getInfo()
    assert.equal(info.state, 'running')
    assert.equal(info.endAt.getTime() - info.startedAt.getTime(), 300_000, 'E2B resumes for at least five minutes')
    const detail = await fetch(`${process.env.E2B_API_URL}/sandboxes/${sandbox.sandboxId}`, { headers: { 'X-API-Key': process.env.E2B_API_KEY } })
    assert.deepEqual((await detail.json()).lifecycle, { autoResume: true, onTimeout: 'pause' })
  } finally {
    await sandbox.kill()
  }
})

test('autoResume: a paused sandbox moved to disk is booted cold by a request to its agent', async () => {
  const sandbox = await Sandbox.create({ timeoutMs: 60_000, lifecycle: { onTimeout: 'pause', autoResume: true } })
  try {
    await sandbox.files.write('/home/user/note.txt', 'on disk')
    // Paused on disk, as the tiering policy or a restart leaves a frozen sandbox.
    await sandbox.pause({ keepMemory: false })
    assert.equal((await sandbox.getInfo()).state, 'paused')
    // The SDK's own handle goes through the proxy to the agent: the request wakes the sandbox.
    assert.equal(await sandbox.files.read('/home/user/note.txt'), 'on disk')
    assert.equal((await sandbox.getInfo()).state, 'running')
  } finally {
    await sandbox.kill()
  }
})

test('without autoResume a request to a paused sandbox still gets the 502', async () => {
  const sandbox = await Sandbox.create({ timeoutMs: 60_000 })
  try {
    const headers = await serve(sandbox)
    await sandbox.pause()
    const response = await fetch(process.env.E2B_SANDBOX_URL + '/index.html', { headers })
    assert.equal(response.status, 502)
    assert.equal((await sandbox.getInfo()).state, 'paused')
  } finally {
    await sandbox.kill()
  }
})

test('autoResume on a secure sandbox\'s agent port needs its access token', async () => {
  const sandbox = await Sandbox.create({ timeoutMs: 60_000, secure: true, lifecycle: { onTimeout: 'pause', autoResume: true } })
  try {
    await sandbox.pause()
    const response = await fetch(process.env.E2B_SANDBOX_URL + '/health', {
      headers: { 'E2b-Sandbox-Id': sandbox.sandboxId, 'E2b-Sandbox-Port': '49983', 'X-Access-Token': 'wrong' },
    })
    assert.equal(response.status, 403)
    assert.match((await response.json()).message, /can't be resumed with the credentials provided/)
    assert.equal((await sandbox.getInfo()).state, 'paused')
  } finally {
    await sandbox.kill()
  }
})

test('autoResume on a private port: a request without the traffic token is refused and wakes nothing', async () => {
  const sandbox = await Sandbox.create({ timeoutMs: 60_000, network: { allowPublicTraffic: false }, lifecycle: { onTimeout: 'pause', autoResume: true } })
  try {
    await sandbox.files.write('site/index.html', 'private')
    await sandbox.commands.run('python3 -m http.server 8000 --bind 127.0.0.1', { cwd: '/home/user/site', background: true })
    const headers = { 'E2b-Sandbox-Id': sandbox.sandboxId, 'E2b-Sandbox-Port': '8000' }
    const withToken = { ...headers, 'e2b-traffic-access-token': sandbox.trafficAccessToken }
    for (let i = 0; i < 50 && (await fetch(process.env.E2B_SANDBOX_URL + '/index.html', { headers: withToken })).status !== 200; i++) await sleep(100)
    await sandbox.pause()

    for (const token of [undefined, 'f'.repeat(64)]) {
      const response = await fetch(process.env.E2B_SANDBOX_URL + '/index.html', { headers: token ? { ...headers, 'e2b-traffic-access-token': token } : headers })
      assert.equal(response.status, 403)
      assert.match((await response.json()).message, /can't be resumed with the credentials provided/)
      assert.equal((await sandbox.getInfo()).state, 'paused', 'a refused request must not resume the sandbox')
    }

    const response = await fetch(process.env.E2B_SANDBOX_URL + '/index.html', { headers: withToken })
    assert.equal(response.status, 200)
    assert.equal(await response.text(), 'private')
    assert.equal((await sandbox.getInfo()).state, 'running')
  } finally {
    await sandbox.kill()
  }
})
