// E2B's ingress settings through e2b@2.51.0 and @e2b/code-interpreter@2.8.0: allowPublicTraffic:false gives the
// sandbox a traffic access token its ports (not envd's) ask for, and maskRequestHost is the Host its servers see.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox, SandboxError } from 'e2b'
import { Sandbox as CodeInterpreter } from '@e2b/code-interpreter'

// A server in the sandbox that answers each GET with the Host header it was sent.
const echoHost = `
import http.server
class Echo(http.server.BaseHTTPRequestHandler):
    def do_GET(self):
        body = (self.headers.get('Host') or '').encode()
        self.send_response(200)
        self.send_header('Content-Length', str(len(body)))
        self.end_headers()
        self.wfile.write(body)
http.server.ThreadingHTTPServer(('127.0.0.1', 8080), Echo).serve_forever()
`

async function startEcho(sandbox) {
  await sandbox.files.write('/tmp/echo_host.py', echoHost)
  await sandbox.commands.run('python3 /tmp/echo_host.py', { background: true })
}

function toPort(sandbox, port, headers = {}) {
  return fetch(process.env.E2B_SANDBOX_URL + '/', {
    headers: { 'E2b-Sandbox-Id': sandbox.sandboxId, 'E2b-Sandbox-Port': String(port), ...headers },
  })
}

// The first answer that is not "port is not open" (the server may still be starting).
async function untilListening(send) {
  for (let i = 0; ; i++) {
    const response = await send()
    if (response.status !== 502 || i > 100) return response
    await response.body?.cancel()
    await new Promise((r) => setTimeout(r, 100))
  }
}

test('allowPublicTraffic:false: a port answers 403 without the token, 403 with a wrong one, 200 with it; envd needs none', async () => {
  const sandbox = await Sandbox.create({ network: { allowPublicTraffic: false } })
  try {
    assert.match(sandbox.trafficAccessToken, /^[0-9a-f]{64}$/)
    await startEcho(sandbox) // commands and files: envd's port takes no traffic token

    const missing = await untilListening(() => toPort(sandbox, 8080))
    assert.equal(missing.status, 403)
    assert.deepEqual(await missing.json(), {
      sandboxId: sandbox.sandboxId,
      message: "Sandbox is secured with traffic access token. Token header 'e2b-traffic-access-token' is missing",
      code: 403,
    })
    const wrong = await toPort(sandbox, 8080, { 'e2b-traffic-access-token': 'f'.repeat(64) })
    assert.equal(wrong.status, 403)
    assert.equal((await wrong.json()).message, "Sandbox is secured with traffic access token. Provided token in header 'e2b-traffic-access-token' is invalid")

    const allowed = await untilListening(() => toPort(sandbox, 8080, { 'e2b-traffic-access-token': sandbox.trafficAccessToken }))
    assert.equal(allowed.status, 200)
    await allowed.text()

    const info = await sandbox.getInfo()
    assert.equal(info.network.allowPublicTraffic, false)

    // Stable across pause and resume.
    await sandbox.pause()
    const resumed = await Sandbox.connect(sandbox.sandboxId)
    assert.equal(resumed.trafficAccessToken, sandbox.trafficAccessToken)
    const again = await untilListening(() => toPort(sandbox, 8080, { 'e2b-traffic-access-token': sandbox.trafficAccessToken }))
    assert.equal(again.status, 200)
    await again.text()
  } finally {
    await sandbox.kill()
  }
})

test('allowPublicTraffic:true (the default): a port answers 200 without any token', async () => {
  const sandbox = await Sandbox.create({ network: { allowPublicTraffic: true } })
  try {
    assert.equal(sandbox.trafficAccessToken, undefined)
    await startEcho(sandbox)
    const response = await untilListening(() => toPort(sandbox, 8080))
    assert.equal(response.status, 200)
    await response.text()
  } finally {
    await sandbox.kill()
  }
})

test('maskRequestHost: the server in the sandbox sees the mask as Host, ${PORT} replaced', async () => {
  const sandbox = await Sandbox.create({ network: { maskRequestHost: 'custom-host.example.com:${PORT}' } })
  try {
    await startEcho(sandbox)
    const response = await untilListening(() => toPort(sandbox, 8080))
    assert.equal(response.status, 200)
    assert.equal(await response.text(), 'custom-host.example.com:8080')
    assert.equal((await sandbox.getInfo()).network.maskRequestHost, 'custom-host.example.com:${PORT}')
  } finally {
    await sandbox.kill()
  }
})

test('the code interpreter sends the token to its port: runCode works on a private sandbox', async () => {
  const sandbox = await CodeInterpreter.create({ network: { allowPublicTraffic: false } })
  try {
    assert.ok(sandbox.trafficAccessToken)
    const execution = await sandbox.runCode('6 * 7')
    assert.equal(execution.text, '42')

    // Without the token, the interpreter's port refuses.
    const refused = await toPort(sandbox, 49999)
    assert.equal(refused.status, 403)
  } finally {
    await sandbox.kill()
  }
})

test('bad ingress values are a 400 naming the bad entry, and nothing is created', async () => {
  const refused = async (network, message) => {
    const before = (await Sandbox.list().nextItems()).length
    await assert.rejects(() => Sandbox.create({ network, timeoutMs: 30_000 }), (error) => {
      assert.ok(error instanceof SandboxError, `${error?.name}: ${error?.message}`)
      assert.match(error.message, /400/)
      assert.ok(error.message.includes(message), error.message)
      return true
    })
    assert.equal((await Sandbox.list().nextItems()).length, before)
  }
  await refused({ maskRequestHost: 'a:b:c' }, 'mask request host is not valid: a:b:c')
  await refused({ maskRequestHost: 'bücher.example.com:${PORT}' }, "mask request host 'bücher.example.com' is not ASCII. Please use ASCII characters only.")
  await refused({ allowPublicTraffic: 'no', maskRequestHost: 'bad_host' }, "'network.allowPublicTraffic' must be a boolean")
  await refused({ allowPublicTraffic: 'no', maskRequestHost: 'bad_host' }, 'mask request host is not valid: bad_host')
  await refused({ httpsPorts: [49983, 0, 70000] }, "'network.httpsPorts' cannot list the envd port 49983")
  await refused({ httpsPorts: [49983, 0, 70000] }, "'network.httpsPorts' entry 0 is not a port number (1-65535)")
  await refused({ httpsPorts: [49983, 0, 70000] }, "'network.httpsPorts' entry 70000 is not a port number (1-65535)")
})

test('httpsPorts: the proxy reaches a port whose server speaks HTTPS (self-signed) over TLS; other ports stay plain HTTP', async () => {
  const sandbox = await Sandbox.create({ network: { httpsPorts: [8443] } })
  try {
    assert.deepEqual((await sandbox.getInfo()).network.httpsPorts, [8443])
    await sandbox.commands.run(
      "openssl req -x509 -newkey rsa:2048 -nodes -days 1 -subj '/CN=localhost' -keyout /tmp/key.pem -out /tmp/cert.pem 2>/dev/null")
    await sandbox.files.write('/tmp/tls_echo.py', [
      'import http.server, ssl',
      'class Echo(http.server.BaseHTTPRequestHandler):',
      '    def do_GET(self):',
      "        body = ('tls ' + (self.headers.get('Host') or '')).encode()",
      '        self.send_response(200)',
      "        self.send_header('Content-Length', str(len(body)))",
      '        self.end_headers()',
      '        self.wfile.write(body)',
      "server = http.server.ThreadingHTTPServer(('127.0.0.1', 8443), Echo)",
      'context = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)',
      "context.load_cert_chain('/tmp/cert.pem', '/tmp/key.pem')",
      'server.socket = context.wrap_socket(server.socket, server_side=True)',
      'server.serve_forever()',
    ].join('\n'))
    await sandbox.commands.run('python3 /tmp/tls_echo.py', { background: true })
    await startEcho(sandbox)

    const secure = await untilListening(() => toPort(sandbox, 8443))
    assert.equal(secure.status, 200)
    assert.equal(await secure.text(), `tls ${new URL(process.env.E2B_SANDBOX_URL).host}`)
    const plain = await untilListening(() => toPort(sandbox, 8080))
    assert.equal(plain.status, 200)
    await plain.text()
  } finally {
    await sandbox.kill()
  }

  // A sandbox created without the setting reports none.
  const unlisted = await Sandbox.create()
  try {
    assert.equal((await unlisted.getInfo()).network?.httpsPorts, undefined)
  } finally {
    await unlisted.kill()
  }
})

test('a kept-alive server that answers in two writes (Python\'s http.server) is not held up by delayed ACKs', async () => {
  // Headers, then body, with Nagle on: the body waits for the ACK of the headers, which the kernel would delay
  // by up to 40 ms on a kept-alive connection unless the tunnel asks for quick ACKs.
  const sandbox = await Sandbox.create()
  try {
    await sandbox.files.write('/tmp/two_writes.py', [
      'import http.server',
      'class Hello(http.server.BaseHTTPRequestHandler):',
      "    protocol_version = 'HTTP/1.1'",
      '    def do_GET(self):',
      '        self.send_response(200)',
      "        self.send_header('Content-Length', '2')",
      '        self.end_headers()',
      "        self.wfile.write(b'hi')",
      '    def log_message(self, *args):',
      '        pass',
      "http.server.ThreadingHTTPServer(('127.0.0.1', 8080), Hello).serve_forever()",
    ].join('\n'))
    await sandbox.commands.run('python3 /tmp/two_writes.py', { background: true })
    const first = await untilListening(() => toPort(sandbox, 8080))
    assert.equal(await first.text(), 'hi')
    const times = []
    for (let i = 0; i < 40; i++) {
      const start = performance.now()
      const response = await toPort(sandbox, 8080)
      assert.equal(await response.text(), 'hi')
      times.push(performance.now() - start)
    }
    times.sort((a, b) => a - b)
    assert.ok(times[20] < 20, `median ${times[20].toFixed(1)} ms`)
  } finally {
    await sandbox.kill()
  }
})
