// Host-name routing over HTTPS through e2b@2.51.0 configured with a domain only, as against E2B's cloud: the API at
// https://api.<domain>, envd at https://49983-<id>.<domain>, sandbox.getHost(port) at https://<port>-<id>.<domain>.
// The server presents the run's wildcard certificate (trusted through NODE_EXTRA_CA_CERTS) and the test domain
// resolves to 127.0.0.1 (lib/resolve-test-domain.mjs); the domain carries the HTTPS port the run listens on.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { connect } from 'node:tls'
import { Sandbox } from 'e2b'

const domain = process.env.PADDOCK_TEST_TLS_DOMAIN
assert.ok(domain, 'PADDOCK_TEST_TLS_DOMAIN is set by run.mjs')
const [testDomain, httpsPort] = domain.split(':')
delete process.env.E2B_API_URL
delete process.env.E2B_SANDBOX_URL
process.env.E2B_DOMAIN = domain

async function untilListening(send) {
  for (let i = 0; ; i++) {
    const response = await send()
    if (response.status !== 502 || i > 100) return response
    await response.body?.cancel()
    await new Promise((r) => setTimeout(r, 100))
  }
}

test('the server presents the wildcard certificate for the domain', async () => {
  const certificate = await new Promise((ok, fail) => {
    const socket = connect({ host: `api.${testDomain}`, port: Number(httpsPort), servername: `api.${testDomain}` }, () => {
      ok(socket.getPeerCertificate())
      socket.end()
    })
    socket.on('error', fail)
  })
  assert.equal(certificate.subjectaltname, `DNS:*.${testDomain}`)
})

test('create, commands, files and getHost() over HTTPS, with no URL but the domain', async () => {
  const sandbox = await Sandbox.create()
  try {
    assert.equal(sandbox.envdApiUrl, `https://49983-${sandbox.sandboxId}.${domain}`)
    const hello = await sandbox.commands.run('echo hello over tls')
    assert.equal(hello.stdout, 'hello over tls\n')

    await sandbox.files.write('/home/user/site/index.html', '<h1>served over https</h1>')
    assert.equal(await sandbox.files.read('/home/user/site/index.html'), '<h1>served over https</h1>')
    await sandbox.commands.run('python3 -m http.server 8080 --bind 127.0.0.1', { cwd: '/home/user/site', background: true })

    const host = sandbox.getHost(8080)
    assert.equal(host, `8080-${sandbox.sandboxId}.${domain}`)
    const response = await untilListening(() => fetch(`https://${host}/index.html`))
    assert.equal(response.status, 200)
    assert.equal(await response.text(), '<h1>served over https</h1>')

    assert.equal((await Sandbox.getInfo(sandbox.sandboxId)).state, 'running')
  } finally {
    await sandbox.kill()
  }

  // Once killed, E2B's 502 body on the same host.
  const gone = await fetch(`https://${sandbox.getHost(8080)}/index.html`)
  assert.equal(gone.status, 502)
  assert.deepEqual(await gone.json(), { sandboxId: sandbox.sandboxId, message: 'The sandbox was not found', code: 502 })
})

test('a private sandbox over getHost(): 403 without the token, 200 with it (E2B\'s own check)', async () => {
  const sandbox = await Sandbox.create({ network: { allowPublicTraffic: false } })
  try {
    await sandbox.commands.run('python3 -m http.server 8080 --bind 127.0.0.1', { cwd: '/tmp', background: true })
    const url = `https://${sandbox.getHost(8080)}/`
    const refused = await untilListening(() => fetch(url))
    assert.equal(refused.status, 403)
    assert.equal((await refused.json()).message, "Sandbox is secured with traffic access token. Token header 'e2b-traffic-access-token' is missing")
    const allowed = await untilListening(() => fetch(url, { headers: { 'e2b-traffic-access-token': sandbox.trafficAccessToken } }))
    assert.equal(allowed.status, 200)
    await allowed.text()
  } finally {
    await sandbox.kill()
  }
})

test('a server in the sandbox sees the host name the caller used, as behind E2B\'s proxy', async () => {
  const sandbox = await Sandbox.create()
  try {
    await sandbox.files.write('/tmp/echo_host.py', [
      'import http.server',
      'class Echo(http.server.BaseHTTPRequestHandler):',
      '    def do_GET(self):',
      "        body = (self.headers.get('Host') or '').encode()",
      '        self.send_response(200)',
      "        self.send_header('Content-Length', str(len(body)))",
      '        self.end_headers()',
      '        self.wfile.write(body)',
      "http.server.ThreadingHTTPServer(('127.0.0.1', 8080), Echo).serve_forever()",
    ].join('\n'))
    await sandbox.commands.run('python3 /tmp/echo_host.py', { background: true })
    const response = await untilListening(() => fetch(`https://${sandbox.getHost(8080)}/`))
    assert.equal(response.status, 200)
    assert.equal(await response.text(), sandbox.getHost(8080))
  } finally {
    await sandbox.kill()
  }
})

test('a host under the domain that names no sandbox port is the API', async () => {
  const health = await fetch(`https://api.${domain}/health`)
  assert.equal(health.status, 200)
  const bad = await fetch(`https://99999-${'i'.padEnd(21, 'a')}.${domain}/`)
  assert.equal(bad.status, 400)
  assert.match((await bad.json()).message, /invalid sandbox port/)
})
