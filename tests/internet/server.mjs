// The test internet's web servers: HTTP on port 80 and HTTPS on port 443 of every address of the
// namespace, answering with what they saw (the Host header, the TLS server name, the address that was
// called) so a test can tell which way a connection went. GET /bytes?n=N sends N bytes (the benchmark).
import { createServer as createHttp } from 'node:http'
import { createServer as createHttps } from 'node:https'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'

const dir = process.argv[2]

function handle(request, response) {
  const url = new URL(request.url, 'http://x')
  if (url.pathname === '/bytes') {
    let left = Number(url.searchParams.get('n') ?? 0)
    response.writeHead(200, { 'content-type': 'application/octet-stream', 'content-length': String(left) })
    const chunk = Buffer.alloc(64 * 1024, 120)
    const write = () => {
      while (left > 0) {
        const part = left >= chunk.length ? chunk : chunk.subarray(0, left)
        left -= part.length
        if (!response.write(part)) return response.once('drain', write)
      }
      response.end()
    }
    return write()
  }
  response.writeHead(200, { 'content-type': 'application/json' })
  response.end(JSON.stringify({
    host: request.headers.host ?? null,
    servername: request.socket.servername ?? null,
    address: request.socket.localAddress,
  }))
}

createHttp(handle).listen(80, '0.0.0.0')
createHttps({ key: readFileSync(join(dir, 'server.key')), cert: readFileSync(join(dir, 'server.pem')) }, handle).listen(443, '0.0.0.0')
