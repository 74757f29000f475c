// The JavaScript side of Paddock's JavaScript kernel: reads {"code"} lines on stdin, runs each in one
// persistent vm context, and writes JSON lines back: {"stream","text"} for console output as it
// happens, {"result"} for the value of the last expression, {"error"}, then {"done": true}.
// Started with --experimental-vm-modules, which Node.js needs for import() inside a vm context.
'use strict'
const vm = require('node:vm')
const util = require('node:util')
const path = require('node:path')
const readline = require('node:readline')
const { createRequire, isBuiltin } = require('node:module')
const { pathToFileURL } = require('node:url')

const protocol = process.stdout.write.bind(process.stdout)
const write = (message) => protocol(JSON.stringify(message) + '\n')
// What a cell writes to process.stdout or process.stderr itself is its output, like console's: never raw
// bytes in the protocol (stdout) or the kernel's own log (stderr).
for (const stream of ['stdout', 'stderr']) {
  process[stream].write = (chunk, encoding, callback) => {
    write({ stream, text: typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString() })
    const done = typeof encoding === 'function' ? encoding : callback
    if (typeof done === 'function') process.nextTick(done)
    return true
  }
}
// console.log returns nothing, as everywhere: a cell ending in console.log(...) has no value.
const print = (stream) => (...args) => { write({ stream, text: util.format(...args) + '\n' }) }
const sandboxConsole = { log: print('stdout'), info: print('stdout'), debug: print('stdout'), warn: print('stderr'), error: print('stderr') }

// Modules resolve from the working directory, as for a script there (what `npm install` put in ./node_modules).
const requireHere = () => createRequire(path.join(process.cwd(), 'cell.js'))
const sandboxRequire = (id) => requireHere()(id)
sandboxRequire.resolve = (id, options) => requireHere().resolve(id, options)
const importHere = async (specifier) => {
  let resolved
  try {
    resolved = isBuiltin(specifier) ? specifier : pathToFileURL(requireHere().resolve(specifier)).href
  } catch {
    // Not resolvable as CommonJS (an ES-module-only package, say): the ES module resolver's own answer.
    resolved = specifier
  }
  return import(resolved)
}
// Static imports become synchronous requires (see rewriteModuleSyntax); this gives them ES-module defaults.
const defaultOf = (exports) => exports && exports.__esModule ? exports.default : exports

const context = vm.createContext({
  console: sandboxConsole, require: sandboxRequire, module: { exports: {} }, process, Buffer, setTimeout, clearTimeout,
  setInterval, clearInterval, setImmediate, clearImmediate, queueMicrotask, fetch: globalThis.fetch, URL, URLSearchParams,
  TextEncoder, TextDecoder, AbortController, structuredClone, __paddockDefault: defaultOf,
})
context.exports = context.module.exports
const scriptOptions = { filename: 'cell.js', importModuleDynamically: (specifier) => importHere(specifier) }

let typescript = null
const ts = () => (typescript ??= require('typescript'))
const isTypescript = process.argv.includes('--typescript')

// TypeScript cells are transpiled (types stripped, no type check), their imports kept for the rewrite below.
const compile = (code) => isTypescript
  ? ts().transpileModule(code, {
    compilerOptions: { target: ts().ScriptTarget.ES2022, module: ts().ModuleKind.ESNext, isolatedModules: true, preserveValueImports: true },
  }).outputText
  : code

// A cell is a script, so its top-level `import` and `export` are rewritten: `import x, { a as b } from 'm'`
// becomes `globalThis.x = __paddockDefault(require('m')); globalThis.b = require('m').a;` (globals, so a cell
// can run again, and the names stay for the next cells even when the cell runs as an async function for its
// top-level await) and `export` is dropped. Line numbers are kept for error messages.
function rewriteModuleSyntax (code) {
  if (!/\b(import|export)\b/.test(code)) return code
  const t = ts()
  const file = t.createSourceFile('cell.js', code, t.ScriptTarget.Latest, true, t.ScriptKind.JS)
  const edits = []
  for (const statement of file.statements) {
    if (t.isImportDeclaration(statement)) {
      edits.push([statement.getStart(file), statement.end, importAsRequire(t, statement, file)])
    } else if (t.isExportDeclaration(statement)) {
      edits.push([statement.getStart(file), statement.end, ''])
    } else if (t.isExportAssignment(statement)) {
      edits.push([statement.getStart(file), statement.expression.getStart(file), ''])
    } else {
      const modifiers = (t.canHaveModifiers?.(statement) ? t.getModifiers(statement) : statement.modifiers) ?? []
      for (const modifier of modifiers) {
        if (modifier.kind === t.SyntaxKind.ExportKeyword || modifier.kind === t.SyntaxKind.DefaultKeyword) {
          edits.push([modifier.getStart(file), modifier.end, ''])
        }
      }
    }
  }
  let result = code
  for (const [start, end, text] of edits.reverse()) {
    const lines = code.slice(start, end).split('\n').length - 1
    result = result.slice(0, start) + text + '\n'.repeat(lines) + result.slice(end)
  }
  return result
}

function importAsRequire (t, statement, file) {
  const source = statement.moduleSpecifier.getText(file)
  const clause = statement.importClause
  if (!clause) return `require(${source});`
  if (clause.isTypeOnly) return ''
  const bindings = []
  if (clause.name) bindings.push(`globalThis.${clause.name.text} = __paddockDefault(require(${source}));`)
  const named = clause.namedBindings
  if (named && t.isNamespaceImport(named)) bindings.push(`globalThis.${named.name.text} = require(${source});`)
  if (named && t.isNamedImports(named)) {
    for (const element of named.elements.filter((e) => !e.isTypeOnly)) {
      bindings.push(`globalThis.${element.name.text} = require(${source})[${JSON.stringify((element.propertyName ?? element.name).text)}];`)
    }
  }
  return bindings.join(' ')
}

let queue = Promise.resolve()
readline.createInterface({ input: process.stdin }).on('line', (line) => {
  queue = queue.then(() => run(JSON.parse(line).code))
})

async function run (source) {
  try {
    const code = rewriteModuleSyntax(compile(source))
    let value
    try {
      value = new vm.Script(code, scriptOptions).runInContext(context)
    } catch (error) {
      // Top-level await: an expression is awaited for its value; statements run as an async function body.
      // Errors from the vm context belong to its realm: instanceof does not recognise them.
      if (error?.name !== 'SyntaxError' || !/await/.test(code)) throw error
      let script
      try {
        script = new vm.Script(`(async () => (\n${code}\n))()`, scriptOptions)
      } catch {
        script = new vm.Script(`(async () => {\n${code}\n})()`, scriptOptions)
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
