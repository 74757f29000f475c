// The examples of E2B's sandbox lifecycle guide, in the guide's JavaScript, each under its section's
// name, on the SDK release that has the call (betaCreate/betaPause: e2b 2.23.0; the rest: the current
// @e2b/code-interpreter over e2b 2.51.0). Each example is followed by assertions on what it did.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox, TimeoutError, SandboxNotFoundError } from '@e2b/code-interpreter'
import { Sandbox as BetaSandbox } from 'e2b-2.23'

const seconds = (info) => (info.endAt.getTime() - info.startedAt.getTime()) / 1000
const sleep = (ms) => new Promise((r) => setTimeout(r, ms))

test('Sandbox lifecycle: a sandbox lives 5 minutes unless told otherwise', async () => {
  const sandbox = await Sandbox.create()
  try {
    assert.equal(seconds(await sandbox.getInfo()), 300)
  } finally {
    await sandbox.kill()
  }
})

test('Create a sandbox with a custom timeout', async () => {
  // Create sandbox with and keep it running for 60 seconds.
  // 🚨 Note: The units are milliseconds.
  const sandbox = await Sandbox.create({
    timeoutMs: 60_000,
  })
  try {
    assert.equal(seconds(await sandbox.getInfo()), 60)
  } finally {
    await sandbox.kill()
  }
})

test('Change sandbox timeout during runtime', async () => {
  // Create sandbox with and keep it running for 60 seconds.
  const sandbox = await Sandbox.create({ timeoutMs: 60_000 })

  // Change the sandbox timeout to 30 seconds.
  // 🚨 The new timeout will be 30 seconds from now.
  await sandbox.setTimeout(30_000)

  try {
    const remaining = ((await sandbox.getInfo()).endAt.getTime() - Date.now()) / 1000
    assert.ok(remaining > 28 && remaining <= 30.5, `${remaining} s left`)
  } finally {
    await sandbox.kill()
  }
})

test('Retrieve sandbox information', async () => {
  // Create sandbox with and keep it running for 60 seconds.
  const sandbox = await Sandbox.create({ timeoutMs: 60_000 })

  // Retrieve sandbox information.
  const info = await sandbox.getInfo()

  console.log(info)
  try {
    assert.equal(info.sandboxId, sandbox.sandboxId)
    assert.equal(info.templateId, 'base')
    assert.equal(info.name, 'code-interpreter-v1') // the code interpreter SDK's template alias
    assert.deepEqual(info.metadata, {})
    assert.ok(info.startedAt instanceof Date && info.endAt instanceof Date)
    assert.equal(info.state, 'running')
  } finally {
    await sandbox.kill()
  }
})

test('Shutdown sandbox', async () => {
  // Create sandbox with and keep it running for 60 seconds.
  const sandbox = await Sandbox.create({ timeoutMs: 60_000 })

  // Shutdown the sandbox immediately.
  await sandbox.kill()

  assert.equal(await sandbox.isRunning(), false)
  await assert.rejects(() => sandbox.getInfo(), SandboxNotFoundError)
})

test('Kill a sandbox by its ID', async () => {
  const sandbox = await Sandbox.create()
  const sandboxId = sandbox.sandboxId

  // Kill the sandbox from anywhere, knowing only its ID.
  const killed = await Sandbox.kill(sandboxId)

  assert.equal(killed, true)
  assert.equal(await Sandbox.kill(sandboxId), false)
})

test('Clean up with try/finally', async () => {
  let sandboxId
  const sandbox = await Sandbox.create()
  try {
    sandboxId = sandbox.sandboxId
    await sandbox.runCode('x = 1')
  } finally {
    await sandbox.kill()
  }

  await assert.rejects(() => Sandbox.connect(sandboxId), SandboxNotFoundError)
})

test('Auto-pause (beta): the sandbox pauses instead of dying at its timeout', async () => {
  // Create a sandbox that pauses, rather than being killed, when its timeout passes.
  const sandbox = await BetaSandbox.betaCreate({
    autoPause: true, // Auto-pause after the sandbox times out
    timeoutMs: 2_000,
  })
  try {
    await sandbox.files.write('/home/user/kept.txt', 'still here')
    let state = 'running'
    for (let i = 0; i < 50 && state !== 'paused'; i++) {
      await sleep(200)
      state = (await sandbox.getInfo()).state
    }
    assert.equal(state, 'paused')

    // Connect to the sandbox: a paused one is resumed.
    const sameSandbox = await BetaSandbox.connect(sandbox.sandboxId)
    assert.equal(await sameSandbox.files.read('/home/user/kept.txt'), 'still here')
  } finally {
    await sandbox.kill()
  }
})

test('Pause a sandbox', async () => {
  const sandbox = await BetaSandbox.create()
  try {
    console.log('Sandbox created', sandbox.sandboxId)

    // Pause the sandbox
    // You can save the sandbox ID in your database to resume the sandbox later
    const paused = await sandbox.betaPause()
    console.log('Sandbox paused', sandbox.sandboxId)

    assert.equal(paused, true)
    assert.equal((await sandbox.getInfo()).state, 'paused')
    assert.equal(await sandbox.betaPause(), false)
  } finally {
    await sandbox.kill()
  }
})

test('Connect to a sandbox (resumes a paused one, keeps its state)', async () => {
  const sandbox = await Sandbox.create()
  try {
    await sandbox.runCode('answer = 42')
    await sandbox.pause()

    // Connect to the sandbox by its ID
    const sameSandbox = await Sandbox.connect(sandbox.sandboxId)

    assert.equal((await sameSandbox.getInfo()).state, 'running')
    assert.equal((await sameSandbox.runCode('answer')).text, '42')
  } finally {
    await sandbox.kill()
  }
})

test('List running sandboxes', async () => {
  const mine = await Sandbox.create({ metadata: { guide: 'list' } })
  try {
    // List running sandboxes (paginated)
    const paginator = Sandbox.list({ query: { state: ['running'] } })
    const sandboxes = await paginator.nextItems()

    const found = sandboxes.find((s) => s.sandboxId === mine.sandboxId)
    assert.ok(found)
    assert.equal(found.state, 'running')
    assert.deepEqual(found.metadata, { guide: 'list' })
    assert.ok(sandboxes.every((s) => s.state === 'running'))
  } finally {
    await mine.kill()
  }
})

test('Run code', async () => {
  const sandbox = await Sandbox.create()
  try {
    const execution = await sandbox.runCode('print("hello world")\n1 + 1')
    console.log(execution.logs)
    console.log(execution.text)

    assert.deepEqual(execution.logs.stdout, ['hello world\n'])
    assert.equal(execution.text, '2')
  } finally {
    await sandbox.kill()
  }
})

test('Write files', async () => {
  const sandbox = await Sandbox.create()
  try {
    await sandbox.files.write('/home/user/my-file.txt', 'file content')

    assert.equal(await sandbox.files.read('/home/user/my-file.txt'), 'file content')
    assert.equal((await sandbox.commands.run('cat /home/user/my-file.txt')).stdout, 'file content')
  } finally {
    await sandbox.kill()
  }
})

test('Handle timeouts', async () => {
  const sandbox = await Sandbox.create({ timeoutMs: 60_000 })
  try {
    try {
      await sandbox.runCode('import time; time.sleep(10)', { timeoutMs: 1_000 })
      assert.fail('the execution should have timed out')
    } catch (error) {
      if (!(error instanceof TimeoutError)) throw error
      console.log('Execution timed out:', error.message)
    }

    // The sandbox is still there, and the interrupted kernel takes the next execution at once.
    assert.equal((await sandbox.runCode('"ok"')).text, 'ok')
  } finally {
    await sandbox.kill()
  }
})
