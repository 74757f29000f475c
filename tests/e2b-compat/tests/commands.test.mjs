// commands.* through e2b@2.51.0: the agent's process.Process service over the sandbox proxy.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox, CommandExitError, TimeoutError } from 'e2b'

let sandbox
before(async () => {
  sandbox = await Sandbox.create({ envs: { GLOBAL_VAR: 'from-create' } })
})
after(async () => {
  await sandbox?.kill()
})

test('run: stdout, stderr and exit code', async () => {
  const result = await sandbox.commands.run('echo hello; echo oops >&2')
  assert.equal(result.exitCode, 0)
  assert.equal(result.stdout, 'hello\n')
  assert.equal(result.stderr, 'oops\n')
})

test('run: a non-zero exit is CommandExitError', async () => {
  await assert.rejects(() => sandbox.commands.run('exit 3'), (error) => {
    assert.ok(error instanceof CommandExitError)
    assert.equal(error.exitCode, 3)
    return true
  })
})

test('run: timeoutMs on a long command is TimeoutError, and the process is killed', async () => {
  await assert.rejects(() => sandbox.commands.run('sleep 30; echo never', { timeoutMs: 1_000 }), TimeoutError)
  let left = []
  for (let i = 0; i < 20; i++) {
    left = (await sandbox.commands.list()).filter((p) => p.args?.some((a) => a.includes('sleep 30')))
    if (left.length === 0) break
    await new Promise((r) => setTimeout(r, 100))
  }
  assert.deepEqual(left, [])
})

test('run: env vars (global and per command), cwd, and the user', async () => {
  assert.equal((await sandbox.commands.run('echo $GLOBAL_VAR $LOCAL_VAR', { envs: { LOCAL_VAR: 'local' } })).stdout, 'from-create local\n')
  assert.equal((await sandbox.commands.run('pwd', { cwd: '/tmp' })).stdout, '/tmp\n')
  assert.equal((await sandbox.commands.run('whoami; pwd')).stdout, 'user\n/home/user\n')
  assert.equal((await sandbox.commands.run('whoami', { user: 'root' })).stdout, 'root\n')
})

test('background command: list, sendStdin, wait, kill', async () => {
  const cat = await sandbox.commands.run('cat', { background: true, stdin: true })
  const listed = await sandbox.commands.list()
  assert.ok(listed.some((p) => p.pid === cat.pid))
  await sandbox.commands.sendStdin(cat.pid, 'through stdin\n')
  await new Promise((r) => setTimeout(r, 300))
  assert.equal(cat.stdout, 'through stdin\n')
  assert.equal(await sandbox.commands.kill(cat.pid), true)
  await assert.rejects(() => cat.wait())
  assert.equal(await sandbox.commands.kill(cat.pid), false)

  const sleeper = await sandbox.commands.run('sleep 0.2; echo done', { background: true })
  const result = await sleeper.wait()
  assert.equal(result.stdout, 'done\n')
})

test('onStdout streams output before the command ends', async () => {
  const chunks = []
  const started = Date.now()
  let firstAt = 0
  await sandbox.commands.run('for i in 1 2 3; do echo $i; sleep 0.3; done', {
    onStdout: (data) => {
      if (!firstAt) firstAt = Date.now() - started
      chunks.push(data)
    },
  })
  assert.equal(chunks.join(''), '1\n2\n3\n')
  assert.ok(firstAt < 600, `first output after ${firstAt} ms`)
})

test('pty.create: an interactive shell as user, with input, resize and exit', async () => {
  const decoder = new TextDecoder()
  let output = ''
  const terminal = await sandbox.pty.create({ cols: 90, rows: 25, onData: (data) => { output += decoder.decode(data, { stream: true }) } })
  assert.ok(terminal.pid > 0)
  await sandbox.pty.sendInput(terminal.pid, new TextEncoder().encode('stty size; whoami; tty\n'))
  for (let i = 0; i < 50 && !/\/dev\/pts\/\d+/.test(output); i++) await new Promise((r) => setTimeout(r, 100))
  await sandbox.pty.resize(terminal.pid, { cols: 132, rows: 43 })
  await sandbox.pty.sendInput(terminal.pid, new TextEncoder().encode('stty size; exit 0\n'))
  const result = await terminal.wait()
  assert.equal(result.exitCode, 0)
  assert.match(output, /25 90/)
  assert.match(output, /\buser\b/)
  assert.match(output, /\/dev\/pts\/\d+/)
  assert.match(output, /43 132/)
})

test('pty.kill ends the terminal', async () => {
  const terminal = await sandbox.pty.create({ cols: 80, rows: 24, onData: () => {} })
  assert.equal(await sandbox.pty.kill(terminal.pid), true)
  await assert.rejects(() => terminal.wait())
})

test('run: a command past its timeout is always TimeoutError, never the killed process\'s exit, and is killed', async () => {
  for (let run = 0; run < 8; run++) {
    await assert.rejects(
      () => sandbox.commands.run(`sleep 10 # deadline ${run}`, { timeoutMs: 500 }),
      (error) => {
        assert.ok(error instanceof TimeoutError, `run ${run}: ${error?.constructor?.name}: ${error?.message}`)
        return true
      })
    // The JS SDK times out on its own clock, which started before the server's (python-sdk-wire checks that the
    // server's deadline error comes with the process already gone): here the process is gone within moments.
    let left = []
    for (let i = 0; i < 10; i++) {
      left = (await sandbox.commands.list()).filter((p) => p.args?.some((a) => a.includes(`deadline ${run}`)))
      if (left.length === 0) break
      await new Promise((r) => setTimeout(r, 50))
    }
    assert.deepEqual(left, [], `run ${run}`)
  }
})

test('python is python3, and user has passwordless sudo, as in E2B\'s templates', async () => {
  assert.match((await sandbox.commands.run('python --version')).stdout, /^Python 3\./)
  const sudo = await sandbox.commands.run('sudo -n whoami && sudo -n touch /etc/made-by-sudo && ls -l /etc/made-by-sudo')
  assert.match(sudo.stdout, /^root\n/)
  assert.match(sudo.stdout, / root root .*\/etc\/made-by-sudo/)
})
