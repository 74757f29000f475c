// A certificate authority made for one test run, and a wildcard server certificate for *.<domain> signed by it
// (what an operator gets from their CA for host-name routing). Clients trust it through NODE_EXTRA_CA_CERTS.
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'

export function makeWildcardCertificate(dir, domain) {
  const file = (name) => join(dir, name)
  const openssl = (...args) => execFileSync('openssl', args, { stdio: ['ignore', 'ignore', 'pipe'] })
  const p256 = ['-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:P-256', '-nodes']
  openssl('req', '-x509', ...p256, '-keyout', file('ca.key'), '-out', file('ca.crt'), '-days', '2',
    '-subj', '/CN=Paddock test CA', '-addext', 'basicConstraints=critical,CA:TRUE', '-addext', 'keyUsage=critical,keyCertSign')
  openssl('req', ...p256, '-keyout', file('server.key'), '-out', file('server.csr'), '-subj', `/CN=*.${domain}`)
  writeFileSync(file('server.ext'), `subjectAltName=DNS:*.${domain}\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n`)
  openssl('x509', '-req', '-in', file('server.csr'), '-CA', file('ca.crt'), '-CAkey', file('ca.key'), '-CAcreateserial',
    '-out', file('server.crt'), '-days', '2', '-extfile', file('server.ext'))
  return { ca: file('ca.crt'), certificate: file('server.crt'), key: file('server.key') }
}
