// files.write / files.read / upload and download URLs through e2b@2.51.0: the agent's /files endpoint over the sandbox proxy.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { Sandbox, FileNotFoundError } from 'e2b'

let sandbox
before(async () => {
  sandbox = await Sandbox.create()
})
after(async () => {
  await sandbox?.kill()
})

test('write and read text, overwrite, parent dirs, empty file, owner user', async () => {
  const info = await sandbox.files.write('notes/deep/hello.txt', 'hello world')
  assert.equal(info.path, '/home/user/notes/deep/hello.txt')
  assert.equal(await sandbox.files.read('notes/deep/hello.txt'), 'hello world')
  await sandbox.files.write('notes/deep/hello.txt', 'second')
  assert.equal(await sandbox.files.read('/home/user/notes/deep/hello.txt'), 'second')
  await sandbox.files.write('empty.txt', '')
  assert.equal(await sandbox.files.read('empty.txt'), '')
  const stat = await sandbox.commands.run('stat -c "%U %a" notes/deep/hello.txt notes')
  assert.equal(stat.stdout, 'user 644\nuser 755\n')
  await assert.rejects(() => sandbox.files.read('nope.txt'), FileNotFoundError)
})

test('write many files at once, read bytes and blob', async () => {
  const infos = await sandbox.files.write([
    { path: 'many/a.txt', data: 'A' },
    { path: 'many/b.bin', data: new Uint8Array([0, 1, 2, 255]).buffer },
  ])
  assert.deepEqual(infos.map((i) => i.name), ['a.txt', 'b.bin'])
  assert.deepEqual([...await sandbox.files.read('many/b.bin', { format: 'bytes' })], [0, 1, 2, 255])
  const blob = await sandbox.files.read('many/a.txt', { format: 'blob' })
  assert.equal(await blob.text(), 'A')
})

test('a 20 MB file round-trips', async () => {
  const data = new Uint8Array(20 * 1024 * 1024)
  for (let i = 0; i < data.length; i += 4096) data[i] = i % 251
  await sandbox.files.write('big.bin', data.buffer)
  const back = await sandbox.files.read('big.bin', { format: 'bytes' })
  assert.equal(back.length, data.length)
  assert.ok(Buffer.from(back).equals(Buffer.from(data)))
})

test('a 50 MB ReadableStream is written over octet-stream and read back as a stream', async () => {
  const chunk = 1024 * 1024
  const expected = createHash('sha256')
  let sent = 0
  const source = new ReadableStream({
    pull(controller) {
      if (sent === 50) return controller.close()
      const bytes = new Uint8Array(chunk).fill(sent * 5 % 256)
      bytes[0] = sent
      expected.update(bytes)
      controller.enqueue(bytes)
      sent++
    },
  })
  const info = await sandbox.files.write('stream/big.bin', source)
  assert.equal(info.path, '/home/user/stream/big.bin')
  assert.equal((await sandbox.files.getInfo('stream/big.bin')).size, 50 * chunk)

  const actual = createHash('sha256')
  for await (const part of await sandbox.files.read('stream/big.bin', { format: 'stream' })) actual.update(part)
  assert.equal(actual.digest('hex'), expected.digest('hex'))
})

test('gzip write, and metadata surfaced by getInfo, list and rename, cleared on overwrite', async () => {
  await sandbox.files.write('meta/report.csv', 'a,b\n1,2\n', { gzip: true, metadata: { owner: 'data-team', rev: '3' } })
  assert.equal(await sandbox.files.read('meta/report.csv', { gzip: true }), 'a,b\n1,2\n')
  assert.deepEqual((await sandbox.files.getInfo('meta/report.csv')).metadata, { owner: 'data-team', rev: '3' })
  assert.deepEqual((await sandbox.files.list('meta')).find((e) => e.name === 'report.csv').metadata, { owner: 'data-team', rev: '3' })
  const moved = await sandbox.files.rename('meta/report.csv', 'meta/final.csv')
  assert.deepEqual(moved.metadata, { owner: 'data-team', rev: '3' })
  await sandbox.files.write('meta/final.csv', 'new')
  assert.equal((await sandbox.files.getInfo('meta/final.csv')).metadata, undefined)
})

test('uploadUrl and downloadUrl on a secure sandbox: signed URLs work, unsigned and expired ones are 401', async () => {
  const headers = { 'E2b-Sandbox-Id': sandbox.sandboxId, 'E2b-Sandbox-Port': '49983' }
  const form = () => {
    const body = new FormData()
    body.append('file', new Blob(['signed upload']), 'signed.txt')
    return body
  }
  const upload = await sandbox.uploadUrl('signed/file.txt')
  assert.ok(new URL(upload).searchParams.get('signature').startsWith('v1_'))
  assert.equal((await fetch(upload, { method: 'POST', body: form(), headers })).status, 200)

  const download = await sandbox.downloadUrl('signed/file.txt', { useSignatureExpiration: 60 })
  const got = await fetch(download, { headers })
  assert.equal(got.status, 200)
  assert.equal(await got.text(), 'signed upload')

  const unsigned = new URL(download)
  unsigned.searchParams.delete('signature')
  unsigned.searchParams.delete('signature_expiration')
  assert.equal((await fetch(unsigned, { headers })).status, 401)

  const expired = new URL(download)
  expired.searchParams.set('signature_expiration', String(Math.floor(Date.now() / 1000) - 10))
  assert.equal((await fetch(expired, { headers })).status, 401)
})

test('signed URLs work as the SDK builds them, with no routing headers; a stale one says it expired', async () => {
  const upload = await sandbox.uploadUrl('bare/file.txt')
  const body = new FormData()
  body.append('file', new Blob(['no headers']), 'file.txt')
  const uploaded = await fetch(upload, { method: 'POST', body })
  assert.equal(uploaded.status, 200, await uploaded.clone().text())

  const download = await sandbox.downloadUrl('bare/file.txt')
  const got = await fetch(download)
  assert.equal(got.status, 200)
  assert.equal(await got.text(), 'no headers')

  const tampered = new URL(download)
  tampered.searchParams.set('path', 'bare/other.txt')
  const refused = await fetch(tampered)
  assert.equal(refused.status, 401)
  assert.equal((await refused.json()).message, 'invalid signature')

  const stale = await sandbox.downloadUrl('bare/file.txt', { useSignatureExpiration: 1 })
  await new Promise((r) => setTimeout(r, 2100))
  const expired = await fetch(stale)
  assert.equal(expired.status, 401)
  assert.deepEqual(await expired.json(), { code: 401, message: 'signature is already expired' })
})
