// e2b@2.23.0 is the last release with Sandbox.betaCreate({autoPause}), the API of E2B's lifecycle guide.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox } from 'e2b-2.23'

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

test('betaCreate({autoPause: true, timeoutMs}) pauses on timeout, connect resumes', async () => {
  const sandbox = await Sandbox.betaCreate({ autoPause: true, timeoutMs: 2_000 })
  try {
    let state = (await sandbox.getInfo()).state
    assert.equal(state, 'running')
    for (let i = 0; i < 50 && state !== 'paused'; i++) {
      await sleep(200)
      state = (await sandbox.getInfo()).state
    }
    assert.equal(state, 'paused')

    const resumed = await Sandbox.connect(sandbox.sandboxId)
    assert.equal(resumed.sandboxId, sandbox.sandboxId)
    assert.equal((await sandbox.getInfo()).state, 'running')
    assert.equal(await sandbox.betaPause(), true)
    assert.equal(await sandbox.betaPause(), false)
  } finally {
    await sandbox.kill()
  }
})
