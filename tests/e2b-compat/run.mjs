// Starts a Paddock server on a free loopback port with a fresh data dir and a fixed API key,
// points E2B's SDKs at it (E2B_API_URL, E2B_SANDBOX_URL, E2B_API_KEY), runs the suite with node's
// test runner, then kills every sandbox left and stops the server. The server also serves HTTPS on a
// second port for host-name routing under a test domain, with a wildcard certificate from a CA made
// for the run; the test processes trust that CA and resolve the domain to 127.0.0.1 (lib/).
import { spawn, execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, existsSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, dirname, resolve } from 'node:path'
import { fileURLToPath, pathToFileURL } from 'node:url'
import { makeWildcardCertificate } from './lib/test-certificate.mjs'

const here = dirname(fileURLToPath(import.meta.url))
const repo = resolve(here, '../..')
const configuration = process.env.PADDOCK_CONFIGURATION ?? 'Release'
const serverDll = join(repo, 'src/Paddock.Server/bin', configuration, 'net10.0/Paddock.Server.dll')
if (!existsSync(serverDll)) {
  console.error(`${serverDll} is missing: build the solution first (dotnet build -c ${configuration})`)
  process.exit(1)
}

const freePort = () => new Promise((ok) => {
  const probe = createServer().listen(0, '127.0.0.1', () => {
    const { port } = probe.address()
    probe.close(() => ok(port))
  })
})
const port = await freePort()
const httpsPort = await freePort()
const apiKey = 'e2b_' + 'c0ffee'.repeat(7).slice(0, 40)
const dataDir = mkdtempSync(join(tmpdir(), 'paddock-e2b-'))
const url = `http://127.0.0.1:${port}`

// Sandboxes reach only the test's own "internet" (a network namespace on this machine), never the real uplink.
const internetDir = join(tmpdir(), `paddock-inet-${port}`)
const internetScript = join(repo, 'tests/internet/internet.sh')
const networkSettings = Object.fromEntries(
  execFileSync(internetScript, ['up', internetDir], { encoding: 'utf8' })
    .trim().split('\n').map((line) => line.split('=')))
const testDomain = 'paddock.test'
const tlsDir = mkdtempSync(join(tmpdir(), 'paddock-e2b-tls-'))
const tls = makeWildcardCertificate(tlsDir, testDomain)
const server = spawn('dotnet', [serverDll, '--urls', `${url};https://127.0.0.1:${httpsPort}`], {
  env: {
    ...process.env,
    PADDOCK_DOMAIN: testDomain,
    PADDOCK_TLS_CERT: tls.certificate,
    PADDOCK_TLS_KEY: tls.key,
    PADDOCK_DATA_DIR: dataDir,
    PADDOCK_TEMPLATES_DIR: process.env.PADDOCK_TEST_TEMPLATES_DIR || '/var/lib/paddock/templates',
    PADDOCK_CRUN_ROOT: `/run/paddock-test/${dataDir.split('/').pop()}`,
    PADDOCK_API_KEY: apiKey,
    PADDOCK_AGENT_PATH: join(repo, 'artifacts/agent/paddock-agent'),
    Logging__LogLevel__Default: 'Warning',
    ...networkSettings,
    PADDOCK_NETWORK_ADDRESS_POOL: '10.89.0.0/24',
  },
  stdio: ['ignore', 'inherit', 'inherit'],
})

async function api(method, path) {
  const response = await fetch(url + path, { method, headers: { 'X-API-Key': apiKey } })
  return response.status === 204 ? null : response.json()
}

let code = 1
try {
  for (let i = 0; ; i++) {
    try {
      if ((await fetch(`${url}/health`)).ok) break
    } catch {}
    if (i > 600) throw new Error('the Paddock server did not start')
    await new Promise((r) => setTimeout(r, 100))
  }

  // The first create may build the base template (a few minutes on a new machine).
  const warm = await fetch(`${url}/v2/sandboxes`, {
    method: 'POST',
    headers: { 'X-API-Key': apiKey, 'Content-Type': 'application/json' },
    body: JSON.stringify({ templateID: 'base' }),
  }).then((r) => r.json())
  await api('DELETE', `/sandboxes/${warm.sandboxID}`)

  const files = process.argv.slice(2).length ? process.argv.slice(2) : ['tests/']
  const child = spawn(process.execPath, ['--test', '--test-concurrency=1', '--test-reporter=spec', ...files], {
    cwd: here,
    env: {
      ...process.env,
      PADDOCK_TEST_INTERNET: internetDir,
      PADDOCK_TEST_NETWORK_SETTINGS: JSON.stringify(networkSettings),
      E2B_API_URL: url,
      E2B_SANDBOX_URL: url,
      E2B_API_KEY: apiKey,
      E2B_DOMAIN: '127.0.0.1',
      // Host-name routing over HTTPS: the domain (with the HTTPS port) a test gives the SDK instead of the URLs above.
      PADDOCK_TEST_TLS_DOMAIN: `${testDomain}:${httpsPort}`,
      PADDOCK_TEST_RESOLVE: testDomain,
      NODE_EXTRA_CA_CERTS: tls.ca,
      NODE_OPTIONS: `${process.env.NODE_OPTIONS ?? ''} --import=${pathToFileURL(join(here, 'lib/resolve-test-domain.mjs')).href}`.trim(),
    },
    stdio: 'inherit',
  })
  code = await new Promise((ok) => child.on('exit', (c) => ok(c ?? 1)))
} finally {
  for (const state of ['running', 'paused']) {
    for (const sandbox of (await api('GET', `/v2/sandboxes?state=${state}`).catch(() => [])) ?? []) {
      await api('DELETE', `/sandboxes/${sandbox.sandboxID}`).catch(() => {})
    }
  }
  server.kill('SIGTERM')
  await new Promise((ok) => server.on('exit', ok))
  rmSync(dataDir, { recursive: true, force: true })
  rmSync(tlsDir, { recursive: true, force: true })
  execFileSync(internetScript, ['down', internetDir])
  rmSync(`/run/paddock-test/${dataDir.split('/').pop()}`, { recursive: true, force: true })
}
process.exit(code)
