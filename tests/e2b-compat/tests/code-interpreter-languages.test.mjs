// R and Java through @e2b/code-interpreter@2.8.0, with the checks of E2B's own SDK tests for them: state
// across cells, the sandbox's env vars and per-execution ones (set, then put back), the working directory.
// R is in the default template (IRkernel); Java (JShell) is in `code-interpreter-full`, built from it on first use.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox } from '@e2b/code-interpreter'

let base
let full
before(async () => {
  base = await Sandbox.create({ envs: { TEST_ENV_VAR: 'supertest' } })
  // The first use of the template builds it (a copy of base and a JDK: about a minute on a new machine).
  full = await Sandbox.create('code-interpreter-full', { envs: { TEST_ENV_VAR: 'supertest' }, requestTimeoutMs: 15 * 60_000 })
})
after(async () => {
  await base?.kill()
  await full?.kill()
})

const text = (execution) => {
  assert.equal(execution.error, undefined, execution.error?.traceback)
  return execution.results[0]?.text.trim()
}

test('r: state across cells, printed output, errors, the working directory', async () => {
  assert.equal(text(await base.runCode('x <- 41', { language: 'r' })), undefined)
  assert.equal(text(await base.runCode('x + 1', { language: 'r' })), '[1] 42')
  assert.deepEqual((await base.runCode('cat("hi from R\\n")', { language: 'r' })).logs.stdout, ['hi from R\n'])
  const failed = await base.runCode('stop("no such thing")', { language: 'r' })
  assert.match(failed.error.value, /no such thing/)
  assert.equal(text(await base.runCode('getwd()', { language: 'r' })), '[1] "/home/user"')
})

test('r: the sandbox env vars, per-execution ones set and then put back', async () => {
  assert.equal(text(await base.runCode('Sys.getenv("TEST_ENV_VAR")', { language: 'r' })), '[1] "supertest"')
  assert.equal(text(await base.runCode('Sys.getenv("FOO")', { language: 'r', envs: { FOO: 'bar' } })), '[1] "bar"')
  assert.equal(text(await base.runCode('Sys.getenv("FOO", unset = "default")', { language: 'r' })), '[1] "default"')
  assert.equal(text(await base.runCode('Sys.getenv("TEST_ENV_VAR")', { language: 'r', envs: { TEST_ENV_VAR: 'overwrite' } })), '[1] "overwrite"')
  assert.equal(text(await base.runCode('Sys.getenv("TEST_ENV_VAR")', { language: 'r' })), '[1] "supertest"')
})

test('java: state across cells, System.out, the last expression as the result, errors, the working directory', async () => {
  assert.equal(text(await full.runCode('int x = 41;\nString greet(String who) { return "hello " + who; }', { language: 'java' })), undefined)
  assert.equal(text(await full.runCode('x + 1', { language: 'java' })), '42')
  const printed = await full.runCode('System.out.println(greet("java"));\ngreet("again")', { language: 'java' })
  assert.deepEqual(printed.logs.stdout, ['hello java\n'])
  assert.equal(printed.text, 'hello again')
  const failed = await full.runCode('int y = 1 / 0;', { language: 'java' })
  assert.deepEqual([failed.error.name, failed.error.value], ['ArithmeticException', '/ by zero'])
  assert.equal((await full.runCode('int z = "text";', { language: 'java' })).error.name, 'CompilationException')
  assert.equal(text(await full.runCode('System.getProperty("user.dir")', { language: 'java' })), '/home/user')
})

test('java: the sandbox env vars and per-execution ones as system properties, set and then put back', async () => {
  assert.equal(text(await full.runCode('System.getProperty("TEST_ENV_VAR")', { language: 'java' })), 'supertest')
  assert.equal(text(await full.runCode('System.getenv("TEST_ENV_VAR")', { language: 'java' })), 'supertest')
  assert.equal(text(await full.runCode('System.getProperty("FOO")', { language: 'java', envs: { FOO: 'bar' } })), 'bar')
  assert.equal(text(await full.runCode('System.getProperty("FOO", "default")', { language: 'java' })), 'default')
  assert.equal(text(await full.runCode('System.getProperty("TEST_ENV_VAR")', { language: 'java', envs: { TEST_ENV_VAR: 'overwrite' } })), 'overwrite')
  assert.equal(text(await full.runCode('System.getProperty("TEST_ENV_VAR")', { language: 'java' })), 'supertest')
})

test('java: a long-running cell is interrupted on timeout and its state is kept', async () => {
  await full.runCode('int kept = 7;', { language: 'java' })
  await assert.rejects(() => full.runCode('while (true) { }', { language: 'java', timeoutMs: 2000 }))
  assert.equal(text(await full.runCode('kept', { language: 'java' })), '7')
})

test('java is not in the default template: 400, and the answer says which languages it has', async () => {
  await assert.rejects(() => base.runCode('1', { language: 'java' }), /400/)
  // The SDK keeps the body to itself (outside its CI mode): it is read here as the SDK would send the request.
  const response = await fetch(`${process.env.E2B_SANDBOX_URL}/contexts`, {
    method: 'POST',
    headers: { 'E2b-Sandbox-Id': base.sandboxId, 'E2b-Sandbox-Port': '49999', 'Content-Type': 'application/json' },
    body: JSON.stringify({ language: 'java' }),
  })
  assert.equal(response.status, 400)
  assert.equal(await response.text(),
    "No kernel for language 'java' in this sandbox: its template has no /usr/bin/jshell (Paddock's code-interpreter-full template has every language); available: python, javascript, typescript, bash, r")
})
