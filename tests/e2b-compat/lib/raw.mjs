// Raw HTTP the way a given SDK release sends it, for behaviour an SDK of today no longer shows.
// Connect streams: an envelope is one flag byte, a 4-byte big-endian length, then JSON.

export const apiUrl = process.env.E2B_API_URL
export const apiKey = process.env.E2B_API_KEY

export function envelope(message, flags = 0) {
  const json = Buffer.from(JSON.stringify(message))
  const header = Buffer.alloc(5)
  header.writeUInt8(flags, 0)
  header.writeUInt32BE(json.length, 1)
  return Buffer.concat([header, json])
}

/** Splits a Connect stream body into envelopes, each with the time its last byte arrived. */
export function parseEnvelopes(chunks) {
  const envelopes = []
  let buffer = Buffer.alloc(0)
  for (const { bytes, at } of chunks) {
    buffer = Buffer.concat([buffer, bytes])
    while (buffer.length >= 5 && buffer.length >= 5 + buffer.readUInt32BE(1)) {
      const length = buffer.readUInt32BE(1)
      envelopes.push({ flags: buffer[0], message: JSON.parse(buffer.subarray(5, 5 + length).toString()), at })
      buffer = buffer.subarray(5 + length)
    }
  }
  return envelopes
}

/**
 * Reads a streaming response the way httpx does with a read timeout: the timer restarts with every chunk, and
 * the read fails if no byte comes for `readTimeoutMs` (E2B's Python SDK 2.15.3 – 2.26 sets it to the command's
 * timeout). Returns the chunks with their arrival times, or throws 'ReadTimeout'.
 */
export async function readWithInactivityTimeout(response, readTimeoutMs) {
  const reader = response.body.getReader()
  const chunks = []
  while (true) {
    let timer
    const timeout = new Promise((_, reject) => {
      timer = setTimeout(() => reject(new Error(`ReadTimeout: no byte for ${readTimeoutMs} ms`)), readTimeoutMs)
    })
    try {
      const { done, value } = await Promise.race([reader.read(), timeout])
      if (done) return chunks
      chunks.push({ bytes: Buffer.from(value), at: performance.now() })
    } catch (error) {
      await reader.cancel().catch(() => {})
      throw error
    } finally {
      clearTimeout(timer)
    }
  }
}

/** Headers E2B's Python SDK 2.7 – 2.26 sends on envd's Connect RPCs. */
export function pythonEnvdHeaders(sandbox, extra = {}) {
  return {
    'User-Agent': 'e2b-python-sdk/2.22.0',
    'E2b-Sandbox-Id': sandbox.sandboxId,
    'E2b-Sandbox-Port': '49983',
    ...(sandbox.envdAccessToken ? { 'X-Access-Token': sandbox.envdAccessToken } : {}),
    Authorization: 'Basic ' + Buffer.from('user:').toString('base64'),
    'connect-protocol-version': '1',
    'content-type': 'application/connect+json',
    'connect-content-encoding': 'identity',
    'Keepalive-Ping-Interval': '50',
    ...extra,
  }
}
