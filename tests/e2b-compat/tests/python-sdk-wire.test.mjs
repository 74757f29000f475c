// What E2B's Python SDK 2.7 – 2.26 sends, byte for byte where it differs from today's JS SDK: the routing
// headers on connect, and a read timeout equal to the command's timeout on a process stream.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox } from 'e2b'
import { apiUrl, apiKey, envelope, parseEnvelopes, readWithInactivityTimeout, pythonEnvdHeaders } from '../lib/raw.mjs'

let sandbox
before(async () => {
  sandbox = await Sandbox.create()
})
after(async () => {
  await sandbox?.kill()
})

// Python's Sandbox.connect(id): POST /sandboxes/{id}/connect with the API key *and* the sandbox headers.
async function pythonConnect(id, timeout = 120) {
  return fetch(`${apiUrl}/sandboxes/${id}/connect`, {
    method: 'POST',
    headers: {
      'X-API-KEY': apiKey,
      'E2b-Sandbox-Id': id,
      'E2b-Sandbox-Port': '49983',
      'User-Agent': 'e2b-python-sdk/2.22.0',
      lang: 'python',
      publisher: 'e2b',
      'Content-Type': 'application/json',
    },
    body: JSON.stringify({ timeout }),
  })
}

test('Python 2.7-2.26 connect (sandbox headers on an API call) reaches the API: running 200, paused 201', async () => {
  const running = await pythonConnect(sandbox.sandboxId)
  assert.equal(running.status, 200, await running.clone().text())
  assert.equal((await running.json()).sandboxID, sandbox.sandboxId)

  await sandbox.pause()
  const resumed = await pythonConnect(sandbox.sandboxId)
  assert.equal(resumed.status, 201, await resumed.clone().text())
  assert.equal((await sandbox.getInfo()).state, 'running')
  assert.equal((await sandbox.commands.run('echo back')).stdout, 'back\n')

  const unknown = await pythonConnect('iunknown00000000000000')
  assert.equal(unknown.status, 404)
  assert.equal((await unknown.json()).code, 404)
})

test('a process stream delivers deadline_exceeded at the deadline, to a reader whose read timeout is the command timeout', async () => {
  const timeoutMs = 1000
  for (let run = 0; run < 10; run++) {
    const response = await fetch(`${apiUrl}/process.Process/Start`, {
      method: 'POST',
      headers: pythonEnvdHeaders(sandbox, { 'connect-timeout-ms': String(timeoutMs) }),
      body: envelope({ process: { cmd: '/bin/bash', args: ['-l', '-c', `sleep 10 # run ${run}`], envs: {} } }),
    })
    assert.equal(response.status, 200)
    // Throws 'ReadTimeout' (Python's raw httpcore.ReadTimeout) if the deadline error comes later than a read timeout.
    const envelopes = parseEnvelopes(await readWithInactivityTimeout(response, timeoutMs))
    const last = envelopes.at(-1)
    assert.equal(last.flags, 2, `run ${run}: ${JSON.stringify(envelopes)}`)
    assert.equal(last.message.error?.code, 'deadline_exceeded', `run ${run}: ${JSON.stringify(envelopes)}`)
    assert.ok(!envelopes.some((e) => e.message.result?.event?.end), `run ${run}: an end event came: ${JSON.stringify(envelopes)}`)

    // And the process is already gone: a list right after the error does not show it.
    const listed = await sandbox.commands.list()
    assert.deepEqual(listed.filter((p) => p.args?.some((a) => a.includes(`run ${run}`))), [])
  }
})
