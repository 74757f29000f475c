// files.write / files.read through e2b@2.51.0: the agent's /files endpoint over the sandbox proxy.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
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
