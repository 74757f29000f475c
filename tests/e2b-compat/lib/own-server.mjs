// A Paddock server of a test's own (its own data dir, crun root and port), for tests that must stop, wipe
// and restart a server: E2B's SDK reaches it through per-call options ({ apiUrl, sandboxUrl, apiKey }).
import { spawn, execFileSync } from 'node:child_process'
import { mkdtempSync, rmSync, readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join, dirname, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'

const repo = resolve(dirname(fileURLToPath(import.meta.url)), '../../..')
const configuration = process.env.PADDOCK_CONFIGURATION ?? 'Release'
const serverDll = join(repo, 'src/Paddock.Server/bin', configuration, 'net10.0/Paddock.Server.dll')

async function freePort() {
  return new Promise((ok) => {
    const probe = createServer().listen(0, '127.0.0.1', () => {
      const { port } = probe.address()
      probe.close(() => ok(port))
    })
  })
}

export async function startOwnServer(env = {}) {
  const port = await freePort()
  const apiKey = 'e2b_' + 'beef00'.repeat(7).slice(0, 40)
  const dataDir = mkdtempSync(join(tmpdir(), 'paddock-own-'))
  const crunRoot = `/run/paddock-test/${dataDir.split('/').pop()}`
  const url = `http://127.0.0.1:${port}`
  let process_ = null

  async function start() {
    process_ = spawn('dotnet', [serverDll, '--urls', url], {
      env: {
        ...process.env,
        PADDOCK_DATA_DIR: dataDir,
        PADDOCK_TEMPLATES_DIR: process.env.PADDOCK_TEST_TEMPLATES_DIR || '/var/lib/paddock/templates',
        PADDOCK_CRUN_ROOT: crunRoot,
        PADDOCK_API_KEY: apiKey,
        PADDOCK_AGENT_PATH: join(repo, 'artifacts/agent/paddock-agent'),
        Logging__LogLevel__Default: 'Warning',
        // Sandboxes reach only the suite's private internet, from an address pool of this server's own.
        ...JSON.parse(process.env.PADDOCK_TEST_NETWORK_SETTINGS ?? '{"PADDOCK_NETWORK_ENABLED":"false"}'),
        PADDOCK_NETWORK_ADDRESS_POOL: `10.89.${1 + (port % 200)}.0/24`,
        ...env,
      },
      stdio: ['ignore', 'inherit', 'inherit'],
    })
    for (let i = 0; ; i++) {
      try {
        if ((await fetch(`${url}/health`)).ok) return
      } catch {}
      if (i > 600) throw new Error('the Paddock server did not start')
      await new Promise((r) => setTimeout(r, 100))
    }
  }

  async function stop(signal = 'SIGTERM') {
    if (!process_) return
    const exited = new Promise((ok) => process_.on('exit', ok))
    process_.kill(signal)
    await exited
    process_ = null
  }

  const mountPoints = () => readFileSync('/proc/self/mountinfo', 'utf8').split('\n')
    .map((line) => line.split(' ')[4]).filter((m) => m && m.startsWith(dataDir + '/'))
    .sort((a, b) => b.length - a.length)

  // What a host reboot does to a server's sandboxes: every process ends, every mount goes (the sandbox
  // volume included), crun's state (on tmpfs) is gone. Only the data dir's files stay.
  function reboot() {
    let ids = []
    try {
      ids = JSON.parse(execFileSync('crun', ['--root', crunRoot, 'list', '--format', 'json']).toString() || '[]').map((c) => c.id)
    } catch {}
    for (const id of ids) execFileSync('crun', ['--root', crunRoot, 'delete', '-f', id])
    for (const mountPoint of mountPoints()) execFileSync('umount', ['-l', mountPoint])
    rmSync(crunRoot, { recursive: true, force: true })
    return ids.length
  }

  async function api(method, path, body) {
    const response = await fetch(url + path, {
      method,
      headers: { 'X-API-Key': apiKey, 'Content-Type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    return { status: response.status, body: response.status === 204 ? null : await response.json() }
  }

  async function dispose() {
    for (const state of ['running', 'paused']) {
      for (const sandbox of (await api('GET', `/v2/sandboxes?state=${state}`).catch(() => ({ body: [] }))).body ?? []) {
        await api('DELETE', `/sandboxes/${sandbox.sandboxID}`).catch(() => {})
      }
    }
    await stop()
    for (const mountPoint of mountPoints()) execFileSync('umount', ['-l', mountPoint])
    rmSync(dataDir, { recursive: true, force: true })
    rmSync(crunRoot, { recursive: true, force: true })
  }

  await start()
  return { url, apiKey, dataDir, crunRoot, opts: { apiUrl: url, sandboxUrl: url, apiKey }, start, stop, reboot, api, dispose, mountPoints }
}
