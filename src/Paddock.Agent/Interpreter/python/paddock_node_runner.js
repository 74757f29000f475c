// The JavaScript side of Paddock's JavaScript kernel: reads {"code"} lines on stdin, runs each in one
// persistent vm context, and writes JSON lines back: {"stream","text"} for console output as it
// happens, {"result"} for the value of the last expression, {"error"}, then {"done": true}.
'use strict'
const vm = require('node:vm')
const util = require('node:util')
const readline = require('node:readline')

const write = (message) => process.stdout.write(JSON.stringify(message) + '\n')
const print = (stream) => (...args) => write({ stream, text: util.format(...args) + '\n' })
const sandboxConsole = { log: print('stdout'), info: print('stdout'), debug: print('stdout'), warn: print('stderr'), error: print('stderr') }
const context = vm.createContext({ console: sandboxConsole, require, process, Buffer, setTimeout, clearTimeout, setInterval, clearInterval, fetch: globalThis.fetch, URL, TextEncoder, TextDecoder })

// TypeScript cells are transpiled (types stripped, no type check) and then run as JavaScript.
const typescript = process.argv.includes('--typescript') ? require('typescript') : null
const compile = (code) => typescript
  ? typescript.transpileModule(code, { compilerOptions: { target: typescript.ScriptTarget.ES2022, module: typescript.ModuleKind.None } }).outputText
  : code

let queue = Promise.resolve()
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  queue = queue.then(() => run(JSON.parse(line).code))
})

async function run (source) {
  try {
    const code = compile(source)
    let value
    try {
      value = vm.runInContext(code, context, { filename: 'cell.js' })
    } catch (error) {
      // Top-level await: an expression is awaited for its value; statements run as an async function body.
      // Errors from the vm context belong to its realm: instanceof does not recognise them.
      if (error?.name !== 'SyntaxError' || !/await/.test(code)) throw error
      let script
      try {
        script = new vm.Script(`(async () => (\n${code}\n))()`, { filename: 'cell.js' })
      } catch {
        script = new vm.Script(`(async () => {\n${code}\n})()`, { filename: 'cell.js' })
      }
      value = await script.runInContext(context)
    }
    if (value && typeof value.then === 'function') value = await value
    if (value !== undefined) write({ result: util.inspect(value) })
  } catch (error) {
    const e = error && typeof error === 'object' && 'message' in error ? error : new Error(String(error))
    write({ error: { name: e.name || 'Error', message: String(e.message), stack: e.stack || String(e) } })
  }
  write({ done: true })
}
