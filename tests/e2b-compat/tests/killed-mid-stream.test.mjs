// A sandbox killed or paused while a client streams from it: the SDKs must hear "the sandbox ended" at once,
// not a reset, and never wait for a paused sandbox to come back.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox as CodeSandbox } from '@e2b/code-interpreter'
import { Sandbox, TimeoutError, SandboxError } from 'e2b'
import { Sandbox as Sandbox223 } from 'e2b-2.23'

async function killSoon(sandbox, ms = 700) {
  await new Promise((r) => setTimeout(r, ms))
  await Sandbox.kill(sandbox.sandboxId)
}

test('commands.run on a sandbox killed mid-command raises the SDK\'s sandbox-ended TimeoutError', async () => {
  for (const SandboxClass of [Sandbox, Sandbox223]) {
    const sandbox = await SandboxClass.create()
    const killed = killSoon(sandbox)
    const error = await sandbox.commands.run('sleep 30').then(() => null, (e) => e)
    await killed
    assert.ok(error instanceof Error && error.name === 'TimeoutError', `${SandboxClass === Sandbox ? "e2b" : "e2b-2.23"}: ${error?.name}: ${error?.message}`)
    assert.match(error.message, /sandbox/i)
  }
})

test('watchDir on a sandbox killed while watching ends with the SDK\'s sandbox-ended error', async () => {
  const sandbox = await Sandbox.create()
  let exited
  const ended = new Promise((r) => { exited = r })
  await sandbox.files.watchDir('/home/user', () => {}, { onExit: (err) => exited(err ?? null) })
  await killSoon(sandbox, 300)
  const error = await Promise.race([ended, new Promise((r) => setTimeout(() => r('no exit'), 5000))])
  assert.ok(error instanceof TimeoutError, `${error?.name}: ${error?.message ?? error}`)
})

test('runCode on a sandbox killed mid-execution raises TimeoutError saying it was killed', async () => {
  const sandbox = await CodeSandbox.create()
  await sandbox.runCode('1')
  const killed = killSoon(sandbox)
  const error = await sandbox.runCode('import time; time.sleep(30)').then((execution) => execution, (e) => e)
  await killed
  assert.ok(error instanceof Error && error.name === 'TimeoutError', `${error?.name}: ${error?.message ?? JSON.stringify(error)}`)
  assert.match(error.message, /killed/)
})

test('a pause during commands.run or runCode ends the call at once with TimeoutError; the sandbox stays paused', async () => {
  const sandbox = await CodeSandbox.create()
  try {
    await sandbox.runCode('1')
    const pauseSoon = async () => {
      await new Promise((r) => setTimeout(r, 700))
      const at = Date.now()
      await Sandbox.pause(sandbox.sandboxId)
      return at
    }

    let pausing = pauseSoon()
    const command = await sandbox.commands.run('sleep 30', { timeoutMs: 60_000 }).then(() => null, (e) => [e, Date.now()])
    let pausedAt = await pausing
    assert.ok(command && command[0].name === 'TimeoutError', `${command?.[0]?.name}: ${command?.[0]?.message}`)
    assert.ok(command[1] - pausedAt < 1000, `the command call ended ${command[1] - pausedAt} ms after the pause`)
    assert.equal((await sandbox.getInfo()).state, 'paused')

    await Sandbox.connect(sandbox.sandboxId)
    pausing = pauseSoon()
    const code = await sandbox.runCode('import time; time.sleep(30)').then(() => null, (e) => [e, Date.now()])
    pausedAt = await pausing
    assert.ok(code && code[0].name === 'TimeoutError', `${code?.[0]?.name}: ${code?.[0]?.message}`)
    assert.ok(code[1] - pausedAt < 1000, `runCode ended ${code[1] - pausedAt} ms after the pause`)
    assert.equal((await sandbox.getInfo()).state, 'paused')
  } finally {
    await sandbox.kill()
  }
})
