// Preloaded (--import) into the test processes: every name under PADDOCK_TEST_RESOLVE resolves to 127.0.0.1,
// as wildcard DNS (*.sandbox.example.com) would point it at the Paddock server, without touching the machine's
// resolver. Node's fetch connects through dns.lookup, so wrapping it is enough.
import dns from 'node:dns'

const suffix = process.env.PADDOCK_TEST_RESOLVE && '.' + process.env.PADDOCK_TEST_RESOLVE.toLowerCase()
if (suffix) {
  const lookup = dns.lookup
  dns.lookup = function (hostname, options, callback) {
    if (typeof options === 'function') {
      callback = options
      options = {}
    } else if (typeof options === 'number') {
      options = { family: options }
    }
    if (typeof hostname === 'string' && hostname.toLowerCase().endsWith(suffix)) {
      const answer = { address: '127.0.0.1', family: 4 }
      return options?.all ? process.nextTick(callback, null, [answer]) : process.nextTick(callback, null, answer.address, answer.family)
    }
    return lookup.call(this, hostname, options, callback)
  }
}
