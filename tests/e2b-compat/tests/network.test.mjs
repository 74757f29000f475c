// Sandbox networking through E2B's SDK: internet access, allowOut / denyOut with E2B's precedence, domains
// judged by what a connection really asks for (TLS SNI, HTTP Host), updateNetwork on a running sandbox, and
// the addresses no rule opens. The "internet" is a network namespace on this machine (tests/internet):
// api.test and other.test are 203.0.113.10, *.wild.test 203.0.113.11, files.test 203.0.113.12; decoys at
// 10.99.0.10 (private) and 169.254.169.254 (metadata) answer too, so a rule that failed would show.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { createSocket } from 'node:dgram'
import { join } from 'node:path'
import { networkInterfaces } from 'node:os'
import { Sandbox } from 'e2b'

const internet = process.env.PADDOCK_TEST_INTERNET
const ca = readFileSync(join(internet, 'ca.pem'), 'utf8')

// What curl in the sandbox got: the server's JSON (it answered), or null (blocked or no answer).
async function fetchFrom(sandbox, url, extra = '') {
  const result = await sandbox.commands.run(
    `curl -sS --cacert /tmp/test-ca.pem --connect-timeout 2 --max-time 4 ${extra} '${url}' || true`,
    { timeoutMs: 15_000 })
  try {
    return JSON.parse(result.stdout)
  } catch {
    return null
  }
}

async function create(options = {}) {
  const sandbox = await Sandbox.create(options)
  await sandbox.files.write('/tmp/test-ca.pem', ca)
  return sandbox
}

// A listener on every address of the host: reaching it from a sandbox would mean reaching the host.
let hostListener
let hostPort
before(async () => {
  hostListener = createServer((socket) => socket.end('host\n'))
  await new Promise((ok) => hostListener.listen(0, '0.0.0.0', ok))
  hostPort = hostListener.address().port
})
after(() => hostListener.close())

test('internet by default: a test domain over HTTP and HTTPS, names resolved by the sandbox', async () => {
  const sandbox = await create()
  try {
    const info = await sandbox.getInfo()
    assert.equal(info.allowInternetAccess, true)
    assert.deepEqual(await fetchFrom(sandbox, 'http://api.test/'), { host: 'api.test', servername: null, address: '203.0.113.10' })
    assert.deepEqual(await fetchFrom(sandbox, 'https://api.test/'), { host: 'api.test', servername: 'api.test', address: '203.0.113.10' })
    const download = await sandbox.commands.run('curl -sS --cacert /tmp/test-ca.pem https://files.test/bytes?n=5000000 | wc -c')
    assert.equal(download.stdout.trim(), '5000000')
  } finally {
    await sandbox.kill()
  }
})

test('allowInternetAccess: false blocks everything, names included', async () => {
  const sandbox = await create({ allowInternetAccess: false })
  try {
    assert.equal((await sandbox.getInfo()).allowInternetAccess, false)
    assert.equal(await fetchFrom(sandbox, 'http://203.0.113.10/'), null)
    assert.equal(await fetchFrom(sandbox, 'https://api.test/'), null)
    const resolved = await sandbox.commands.run('getent hosts api.test || echo unresolved')
    assert.match(resolved.stdout, /unresolved/)
  } finally {
    await sandbox.kill()
  }
})

test('denyOut all + allowOut a domain: that name only, by name, not by its address or another name for it', async () => {
  const sandbox = await create({ network: { denyOut: ['0.0.0.0/0'], allowOut: ['api.test'] } })
  try {
    assert.equal((await fetchFrom(sandbox, 'https://api.test/'))?.servername, 'api.test')
    assert.equal((await fetchFrom(sandbox, 'http://api.test/'))?.host, 'api.test')
    // other.test is the same address: its name is not allowed.
    assert.equal(await fetchFrom(sandbox, 'https://other.test/'), null)
    // The address itself, with no name (no SNI) or with its own Host header.
    assert.equal(await fetchFrom(sandbox, 'https://203.0.113.10/', '-k'), null)
    assert.equal(await fetchFrom(sandbox, 'http://203.0.113.10/'), null)
    // Not a web port: addresses only, and every address is denied.
    assert.equal(await fetchFrom(sandbox, 'http://api.test:8080/'), null)
    // A forged resolution: the allowed name pointed at another server is dialled at the name's real address.
    const forged = await fetchFrom(sandbox, 'https://api.test/', '--resolve api.test:443:203.0.113.12')
    assert.equal(forged?.address, '203.0.113.10')
    // Only the allowed names resolve.
    assert.match((await sandbox.commands.run('getent hosts other.test || echo unresolved')).stdout, /unresolved/)
    assert.match((await sandbox.commands.run('getent hosts api.test')).stdout, /203\.0\.113\.10/)
  } finally {
    await sandbox.kill()
  }
})

test('wildcard domains match subdomains, not the apex', async () => {
  const sandbox = await create({ network: { denyOut: ['0.0.0.0/0'], allowOut: ['*.wild.test'] } })
  try {
    assert.equal((await fetchFrom(sandbox, 'https://www.wild.test/'))?.servername, 'www.wild.test')
    assert.equal(await fetchFrom(sandbox, 'https://wild.test/'), null)
    assert.equal(await fetchFrom(sandbox, 'https://api.test/'), null)
  } finally {
    await sandbox.kill()
  }
})

test('CIDR rules: allow beats deny; a denied address alone is blocked', async () => {
  const allowOne = await create({ network: { denyOut: ['0.0.0.0/0'], allowOut: ['203.0.113.11/32'] } })
  const denyOne = await create({ network: { denyOut: ['203.0.113.10'] } })
  try {
    assert.equal((await fetchFrom(allowOne, 'http://203.0.113.11/'))?.address, '203.0.113.11')
    assert.equal(await fetchFrom(allowOne, 'http://203.0.113.12/'), null)
    assert.equal(await fetchFrom(denyOne, 'http://203.0.113.10/'), null)
    assert.equal((await fetchFrom(denyOne, 'http://203.0.113.12/'))?.address, '203.0.113.12')
  } finally {
    await allowOne.kill()
    await denyOne.kill()
  }
})

test('updateNetwork flips a running sandbox at once, open connections included', async () => {
  const sandbox = await create()
  try {
    assert.equal((await fetchFrom(sandbox, 'http://203.0.113.10/'))?.address, '203.0.113.10')
    // A download that stays open across the update (about 20 s at 5 MB/s).
    const slow = await sandbox.commands.run(
      "curl -sS --limit-rate 5M --speed-time 3 --speed-limit 1000 -o /dev/null -w '%{size_download}' http://203.0.113.12/bytes?n=100000000; echo \" exit=$?\"",
      { background: true })
    await new Promise((r) => setTimeout(r, 1000))
    const started = Date.now()
    await sandbox.updateNetwork({ denyOut: ['0.0.0.0/0'], allowOut: ['203.0.113.11'] })
    assert.ok(Date.now() - started < 1000, 'the update took longer than a second')
    assert.equal(await fetchFrom(sandbox, 'http://203.0.113.10/'), null)
    assert.equal((await fetchFrom(sandbox, 'http://203.0.113.11/'))?.address, '203.0.113.11')
    const info = await sandbox.getInfo()
    assert.deepEqual(info.network?.denyOut, ['0.0.0.0/0'])
    // The open download stops getting bytes: curl gives up with its speed limit.
    const ended = await sandbox.commands.run(`for i in $(seq 1 40); do kill -0 ${slow.pid} 2>/dev/null || exit 0; sleep 0.5; done; kill ${slow.pid}`)
    assert.equal(ended.exitCode, 0)
    const received = Number(slow.stdout?.trim().split(' ')[0] || 0)
    assert.ok(received < 100_000_000, `the open download went on to ${received} bytes`)

    await sandbox.updateNetwork({})
    assert.equal((await fetchFrom(sandbox, 'http://203.0.113.10/'))?.address, '203.0.113.10')
  } finally {
    await sandbox.kill()
  }
})

test('never reachable under any rules: private and metadata addresses, the host, other sandboxes, IPv6', async () => {
  const open = await create({ network: { allowOut: ['10.0.0.0/8', '169.254.0.0/16', '0.0.0.0/0'] } })
  const other = await create()
  try {
    const otherAddress = (await other.commands.run('hostname -I')).stdout.trim()
    assert.match(otherAddress, /^10\.89\.0\.\d+$/)
    await other.commands.run('python3 -m http.server 8000', { background: true })
    await new Promise((r) => setTimeout(r, 500))
    for (const url of ['http://10.99.0.10/', 'http://169.254.169.254/', 'http://private.test/', 'http://metadata.test/',
      `http://198.51.100.1:${hostPort}/`, `http://10.89.0.1:${hostPort}/`, `http://${otherAddress}:8000/`]) {
      const result = await open.commands.run(`curl -sS --connect-timeout 2 --max-time 3 -o /dev/null -w '%{http_code}' '${url}' || true`)
      assert.equal(result.stdout.trim(), '000', `${url} answered ${result.stdout}`)
    }

    // Root in the sandbox cannot give itself another address (no CAP_NET_ADMIN); IPv6 is off.
    const spoof = await open.commands.run('python3 -c "import fcntl,socket,struct; s=socket.socket(); fcntl.ioctl(s, 0x8916, struct.pack(\'16sH2s4s8s\', b\'eth0\', 2, b\'\\0\\0\', socket.inet_aton(\'10.89.0.200\'), b\'\'))" 2>&1 || true', { user: 'root' })
    assert.match(spoof.stdout, /Operation not permitted/)
    const ipv6 = await open.commands.run('cat /proc/sys/net/ipv6/conf/all/disable_ipv6')
    assert.equal(ipv6.stdout.trim(), '1')
  } finally {
    await open.kill()
    await other.kill()
  }
})

// Root in a sandbox has CAP_NET_RAW: a hand-made frame from 0.0.0.0 to the broadcast address passes reverse-path
// filtering, so only the firewall's interface rules keep it from the host's UDP services.
const rawBroadcast = (port) => `python3 - <<'EOF'
import socket, struct
def checksum(b):
    s = sum(struct.unpack('!%dH' % (len(b) // 2), b))
    s = (s >> 16) + (s & 0xffff); s += s >> 16
    return ~s & 0xffff
payload = b'from-the-sandbox'
udp = struct.pack('!HHHH', 68, ${port}, 8 + len(payload), 0) + payload
ip = struct.pack('!BBHHHBBH4s4s', 0x45, 0, 20 + len(udp), 1, 0, 64, 17, 0, bytes(4), bytes([255] * 4))
ip = ip[:10] + struct.pack('!H', checksum(ip)) + ip[12:]
mac = open('/sys/class/net/eth0/address').read().strip().replace(':', '')
frame = b'\\xff' * 6 + bytes.fromhex(mac) + b'\\x08\\x00' + ip + udp
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW)
s.bind(('eth0', 0))
for _ in range(5):
    s.send(frame)
print('sent')
EOF`

test('a raw broadcast from 0.0.0.0 does not reach the host', async () => {
  const received = []
  const udp = createSocket('udp4')
  udp.on('message', (message) => received.push(message.toString()))
  await new Promise((ok) => udp.bind(0, '0.0.0.0', ok))
  const sandbox = await create()
  try {
    const result = await sandbox.commands.run(rawBroadcast(udp.address().port), { user: 'root' })
    assert.match(result.stdout, /sent/)
    await new Promise((r) => setTimeout(r, 1000))
    assert.deepEqual(received, [])
  } finally {
    udp.close()
    await sandbox.kill()
  }
})

// Asks "who has X?" on the sandbox's link for each address given, from its own address, and prints the
// addresses that answered within 1.5 s.
const arpProbe = (targets) => `python3 - <<'EOF'
import socket, struct, time
probe = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
probe.connect(('203.0.113.10', 80))
own = socket.inet_aton(probe.getsockname()[0])
mac = bytes.fromhex(open('/sys/class/net/eth0/address').read().strip().replace(':', ''))
s = socket.socket(socket.AF_PACKET, socket.SOCK_RAW, socket.htons(0x0806))
s.bind(('eth0', 0x0806))
for target in ${JSON.stringify(targets)}:
    arp = struct.pack('!HHBBH6s4s6s4s', 1, 0x0800, 6, 4, 1, mac, own, bytes(6), socket.inet_aton(target))
    s.send(b'\\xff' * 6 + mac + b'\\x08\\x06' + arp)
answered = set()
s.settimeout(0.1)
end = time.time() + 1.5
while time.time() < end:
    try:
        frame = s.recv(2048)
    except socket.timeout:
        continue
    if len(frame) >= 42 and frame[12:14] == b'\\x08\\x06' and frame[20:22] == b'\\x00\\x02':
        answered.add(socket.inet_ntoa(frame[28:32]))
print('answered:', ' '.join(sorted(answered)))
EOF`

test('the host answers no ARP on a sandbox\'s link: its addresses cannot be listed from inside', async () => {
  const hostAddresses = Object.values(networkInterfaces()).flat()
    .filter((a) => a.family === 'IPv4' && !a.internal).map((a) => a.address)
  assert.ok(hostAddresses.includes('198.51.100.1'), 'the uplink address is one of the host\'s')
  const sandbox = await create()
  try {
    const result = await sandbox.commands.run(arpProbe([...hostAddresses, '10.89.0.1', '127.0.0.1']), { user: 'root' })
    assert.equal(result.stdout.trim(), 'answered:')
    // Its way out still works: the gateway's address is known without asking.
    assert.equal((await sandbox.commands.run('curl -s -m 5 http://api.test/')).exitCode, 0)
  } finally {
    await sandbox.kill()
  }
})

test('bad rules get one 400 naming each bad entry', async () => {
  const response = await fetch(process.env.E2B_API_URL + '/sandboxes', {
    method: 'POST',
    headers: { 'X-API-Key': process.env.E2B_API_KEY, 'Content-Type': 'application/json' },
    body: JSON.stringify({ templateID: 'base', network: { denyOut: ['example.com', '10.0.0.0/33'], allowOut: ['300.1.1.1', 'api.test'] } }),
  })
  assert.equal(response.status, 400)
  const body = await response.json()
  for (const part of ['invalid denied CIDR example.com', 'invalid denied CIDR 10.0.0.0/33', 'invalid allowed address 300.1.1.1', "include 'ALL_TRAFFIC' in deny out"]) {
    assert.ok(body.message.includes(part), `${body.message} does not say ${part}`)
  }
})
