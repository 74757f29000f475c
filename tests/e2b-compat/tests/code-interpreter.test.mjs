// runCode and code contexts through @e2b/code-interpreter@2.8.0: the agent's code interpreter on port
// 49999 of the sandbox, speaking to real Jupyter kernels.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox } from '@e2b/code-interpreter'
import { TimeoutError } from 'e2b'

let sandbox
before(async () => {
  sandbox = await Sandbox.create({ envs: { SANDBOX_WIDE: 'everywhere' } })
})
after(async () => {
  await sandbox?.kill()
})

test('a fresh sandbox lists the default python and javascript contexts before first use, and runCode uses them', async () => {
  const contexts = await sandbox.listCodeContexts()
  assert.deepEqual(contexts.map((c) => [c.language, c.cwd]), [['python', '/home/user'], ['javascript', '/home/user']])
  await sandbox.runCode('1')
  await sandbox.runCode('1', { language: 'js' })
  assert.deepEqual((await sandbox.listCodeContexts()).map((c) => c.id), contexts.map((c) => c.id))
})

test("runCode('1+1') is the text '2', and state is kept across executions", async () => {
  const execution = await sandbox.runCode('1+1')
  assert.equal(execution.text, '2')
  assert.equal(execution.results[0].isMainResult, true)
  await sandbox.runCode('counter = 41')
  assert.equal((await sandbox.runCode('counter + 1')).text, '42')
})

test('stdout streams before the execution ends', async () => {
  const started = Date.now()
  const arrivals = []
  const execution = await sandbox.runCode('import time\nfor i in range(3):\n    print(i, flush=True)\n    time.sleep(0.4)', {
    onStdout: (out) => arrivals.push([out.line, Date.now() - started]),
  })
  assert.deepEqual(execution.logs.stdout, ['0\n', '1\n', '2\n'])
  assert.equal(arrivals[0][0], '0\n')
  assert.ok(arrivals[0][1] < 700, `first line after ${arrivals[0][1]} ms`)
})

test('an exception is an error with its traceback, and the next execution is fine', async () => {
  const failed = await sandbox.runCode('def boom():\n    return 1 / 0\nboom()')
  assert.equal(failed.error.name, 'ZeroDivisionError')
  assert.equal(failed.error.value, 'division by zero')
  assert.match(failed.error.traceback, /boom/)
  assert.equal((await sandbox.runCode('"still here"')).text, 'still here')
})

test('a matplotlib figure comes back as a PNG result', async () => {
  const execution = await sandbox.runCode('import matplotlib.pyplot as plt\nplt.plot([1, 2, 3], [4, 1, 9])\nplt.show()')
  const png = execution.results.find((r) => r.png)
  assert.ok(png, `results: ${JSON.stringify(execution.results.map((r) => r.formats()))}`)
  assert.deepEqual([...Buffer.from(png.png, 'base64').subarray(0, 8)], [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a])
})

test("formats of E2B's template: a DataFrame's data, a dict's or list's json, a saved PIL image, no colour in tracebacks", async () => {
  const frame = await sandbox.runCode(`
import pandas as pd
pd.DataFrame({"a": [1, 2, 3], "b": [0.5, None, 2.5], "when": pd.to_datetime(["2024-01-01", "2024-01-02", "2024-01-03 12:30"])})`)
  assert.deepEqual(frame.results[0].data, {
    a: [1, 2, 3],
    b: [0.5, null, 2.5],
    when: ['2024-01-01T00:00:00', '2024-01-02T00:00:00', '2024-01-03T12:30:00'],
  })
  assert.ok(frame.results[0].html.includes('<table'))

  const dict = await sandbox.runCode('import numpy as np\n{"name": "x", "values": [1, 2.5, None], "n": np.int64(3), 1: True}')
  assert.deepEqual(dict.results[0].json, { name: 'x', values: [1, 2.5, null], n: 3, 1: true })
  assert.equal(dict.text, "{'name': 'x', 'values': [1, 2.5, None], 'n': 3, 1: True}")
  assert.deepEqual((await sandbox.runCode('[1, "two", [3]]')).results[0].json, [1, 'two', [3]])
  const long = (await sandbox.runCode('list(range(2000))')).text
  assert.ok(long.endsWith('1998,\n 1999]') && !long.includes('...'), 'a long list is shown whole, as in E2B')

  const saved = await sandbox.runCode(`
import numpy
from PIL import Image
image = Image.fromarray((numpy.ones((16, 16, 3)) * 200).astype('uint8')).convert('RGBA')
image.save("saved.png")
image.show()
print("done")`)
  assert.equal(saved.error, undefined, saved.error?.traceback)
  assert.equal(saved.results.length, 2, 'save, then show, each display the image')
  assert.ok(saved.results.every((r) => Buffer.from(r.png, 'base64').subarray(1, 4).toString() === 'PNG'))
  assert.equal(Buffer.from(await sandbox.files.read('/home/user/saved.png', { format: 'bytes' })).subarray(1, 4).toString(), 'PNG')

  const failed = await sandbox.runCode('def boom():\n    return 1 / 0\nboom()')
  assert.match(failed.error.traceback, /ZeroDivisionError/)
  assert.doesNotMatch(failed.error.traceback, /\x1b\[/)
})

test('env vars: per execution (set, then reset) and the sandbox-wide ones', async () => {
  assert.equal((await sandbox.runCode('import os; os.environ.get("PER_RUN")', { envs: { PER_RUN: 'only now' } })).text, 'only now')
  assert.equal((await sandbox.runCode('import os; str(os.environ.get("PER_RUN"))')).text, 'None')
  assert.equal((await sandbox.runCode('import os; os.environ["SANDBOX_WIDE"]')).text, 'everywhere')
})

test('timeoutMs is TimeoutError, the kernel is interrupted, and the next execution runs at once', async () => {
  await assert.rejects(() => sandbox.runCode('import time\ntime.sleep(30)', { timeoutMs: 1000 }), TimeoutError)
  const started = Date.now()
  assert.equal((await sandbox.runCode('"after the timeout"')).text, 'after the timeout')
  assert.ok(Date.now() - started < 5000, `took ${Date.now() - started} ms`)
})

test('contexts: create, list, run in, restart, remove; independent of the default one', async () => {
  const context = await sandbox.createCodeContext({ cwd: '/tmp' })
  assert.equal(context.language, 'python')
  assert.equal(context.cwd, '/tmp')
  assert.ok((await sandbox.listCodeContexts()).some((c) => c.id === context.id))

  assert.equal((await sandbox.runCode('import os; os.getcwd()', { context })).text, '/tmp')
  await sandbox.runCode('private = 1', { context })
  assert.equal((await sandbox.runCode('"private" in dir()')).text, 'False')

  await sandbox.restartCodeContext(context)
  assert.equal((await sandbox.runCode('"private" in dir()', { context })).text, 'False')

  await sandbox.removeCodeContext(context)
  assert.ok(!(await sandbox.listCodeContexts()).some((c) => c.id === context.id))
})

test('bash: state across executions, streamed output, exit status as an error, env vars', async () => {
  const first = await sandbox.runCode('cd /tmp && GREETING=hello && echo "$GREETING from $(pwd)"', { language: 'bash' })
  assert.equal(first.logs.stdout.join(''), 'hello from /tmp\n')
  assert.equal((await sandbox.runCode('echo "$GREETING again in $(pwd)"', { language: 'bash' })).logs.stdout.join(''), 'hello again in /tmp\n')
  const failed = await sandbox.runCode('false', { language: 'bash' })
  assert.equal(failed.error.value, 'exit status 1')
  assert.equal((await sandbox.runCode('echo "$PER_RUN"', { language: 'bash', envs: { PER_RUN: "it's set" } })).logs.stdout.join(''), "it's set\n")
  assert.equal((await sandbox.runCode('echo "[${PER_RUN-unset}] $SANDBOX_WIDE"', { language: 'bash' })).logs.stdout.join(''), '[unset] everywhere\n')
})

test('javascript: console output, the last value as the result, state, await, errors', async () => {
  const execution = await sandbox.runCode('console.log("hi from node"); 40 + 2', { language: 'js' })
  assert.deepEqual(execution.logs.stdout, ['hi from node\n'])
  assert.equal(execution.text, '42')
  await sandbox.runCode('var total = 10', { language: 'javascript' })
  assert.equal((await sandbox.runCode('total * 3', { language: 'javascript' })).text, '30')
  assert.equal((await sandbox.runCode('await new Promise((r) => setTimeout(() => r("waited"), 50))', { language: 'javascript' })).text, 'waited')
  const failed = await sandbox.runCode('null.property', { language: 'javascript' })
  assert.equal(failed.error.name, 'TypeError')
  assert.equal((await sandbox.runCode('process.env.PER_RUN', { language: 'javascript', envs: { PER_RUN: 'js env' } })).text, 'js env')
  assert.equal((await sandbox.runCode('String(process.env.PER_RUN)', { language: 'javascript' })).text, 'undefined')
})

test('javascript and typescript: a cell ending in console.log has no result, process.stdout is output; ES module imports work and their names stay', async () => {
  for (const language of ['js', 'ts']) {
    const logged = await sandbox.runCode('console.log("only output")', { language })
    assert.deepEqual([logged.logs.stdout, logged.results], [['only output\n'], []], language)
  }

  const raw = await sandbox.runCode('process.stdout.write("raw\\n"); 1', { language: 'js' })
  assert.deepEqual([raw.logs.stdout, raw.text], [['raw\n'], '1'])

  const named = await sandbox.runCode("import { readFileSync } from 'fs'\nconsole.log(typeof readFileSync)", { language: 'js' })
  assert.equal(named.error, undefined, named.error?.traceback)
  assert.deepEqual(named.logs.stdout, ['function\n'])
  assert.equal((await sandbox.runCode('typeof readFileSync', { language: 'js' })).text, 'function')
  const other = await sandbox.runCode("import path, * as pathModule from 'node:path'\nimport { sep as separator } from 'path'\n[path.join('a', 'b'), typeof pathModule.join, separator].join(' ')", { language: 'js' })
  assert.equal(other.text, 'a/b function /')
  const awaited = await sandbox.runCode("import { setTimeout as sleep } from 'timers/promises'\nawait sleep(1)", { language: 'js' })
  assert.equal(awaited.error, undefined, awaited.error?.traceback)
  assert.equal((await sandbox.runCode('typeof sleep', { language: 'js' })).text, 'function')

  const typed = await sandbox.runCode("import { join } from 'path'\nimport type { ParsedPath } from 'path'\nconst joined: string = join('x', 'y')\nexport const shown: ParsedPath | string = joined\nshown", { language: 'ts' })
  assert.equal(typed.error, undefined, typed.error?.traceback)
  assert.equal(typed.text, 'x/y')
})

test('typescript: types are stripped and the code runs, with state of its own', async () => {
  const execution = await sandbox.runCode('const double = (n: number): number => n * 2\nconsole.log(double(4))\ndouble(21)', { language: 'ts' })
  assert.deepEqual(execution.logs.stdout, ['8\n'])
  assert.equal(execution.text, '42')
  assert.equal((await sandbox.runCode('typeof double', { language: 'typescript' })).text, 'function')
  assert.equal((await sandbox.runCode('typeof double', { language: 'javascript' })).text, 'undefined')
})

test('a kernel that dies is reported as an error, and the next execution gets a new one', async () => {
  const context = await sandbox.createCodeContext()
  await sandbox.runCode('before = 1', { context })
  const died = await sandbox.runCode('import os\nos._exit(3)', { context })
  assert.equal(died.error.name, 'KernelDied')
  assert.match(died.error.value, /exited/)
  assert.equal((await sandbox.runCode('"before" in dir()', { context })).text, 'False')
  await sandbox.removeCodeContext(context)
})

test('pause and resume keep a variable defined before the pause', async () => {
  await sandbox.runCode('kept = "across pause"')
  await sandbox.pause()
  const resumed = await Sandbox.connect(sandbox.sandboxId)
  assert.equal((await resumed.runCode('kept')).text, 'across pause')
})
