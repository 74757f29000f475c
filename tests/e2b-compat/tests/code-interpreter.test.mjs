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

test('matplotlib charts come back as chart objects: line, bar, scatter, pie, box, and a superchart', async () => {
  const line = (await sandbox.runCode(`
import matplotlib.pyplot as plt
plt.figure()
plt.plot([1, 2, 3], [2, 4, 8], label="growth")
plt.title("Line"); plt.xlabel("day"); plt.ylabel("value")
plt.show()`)).results.find((r) => r.chart).chart
  assert.equal(line.type, 'line')
  assert.equal(line.title, 'Line')
  assert.equal(line.x_label, 'day')
  assert.equal(line.y_label, 'value')
  assert.deepEqual(line.elements[0], { label: 'growth', points: [[1, 2], [2, 4], [3, 8]] })

  const bar = (await sandbox.runCode(`
plt.figure()
plt.bar(["a", "b", "c"], [3, 5, 2], label="sales")
plt.title("Bar")
plt.show()`)).results.find((r) => r.chart).chart
  assert.equal(bar.type, 'bar')
  assert.deepEqual(bar.elements.map((e) => [e.label, e.value, e.group]), [['a', '3', 'sales'], ['b', '5', 'sales'], ['c', '2', 'sales']])

  const scatter = (await sandbox.runCode('plt.figure()\nplt.scatter([1, 2], [3, 4], label="pts")\nplt.show()')).results.find((r) => r.chart).chart
  assert.equal(scatter.type, 'scatter')
  assert.deepEqual(scatter.elements[0].points, [[1, 3], [2, 4]])

  const pie = (await sandbox.runCode('plt.figure()\nplt.pie([1, 3], labels=["x", "y"])\nplt.show()')).results.find((r) => r.chart).chart
  assert.equal(pie.type, 'pie')
  assert.deepEqual(pie.elements.map((e) => [e.label, Math.round(e.angle)]), [['x', 90], ['y', 270]])

  const box = (await sandbox.runCode('plt.figure()\nplt.boxplot([[1, 2, 3, 4, 5]], labels=["five"])\nplt.show()')).results.find((r) => r.chart).chart
  assert.equal(box.type, 'box_and_whisker')
  assert.deepEqual(box.elements[0], { label: 'five', min: 1, first_quartile: 2, median: 3, third_quartile: 4, max: 5, outliers: [] })

  const superchart = (await sandbox.runCode('fig, (a, b) = plt.subplots(1, 2)\na.plot([1, 2], [1, 2])\nb.bar(["q"], [1])\nplt.show()')).results.find((r) => r.chart).chart
  assert.equal(superchart.type, 'superchart')
  assert.deepEqual(superchart.elements.map((e) => e.type), ['line', 'bar'])
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
