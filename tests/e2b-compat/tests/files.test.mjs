// files.* through e2b@2.51.0 that go over filesystem.Filesystem (the /files transfers are not built yet).
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox, FileNotFoundError } from 'e2b'

let sandbox
before(async () => {
  sandbox = await Sandbox.create()
  await sandbox.commands.run('mkdir -p /home/user/tree/sub && echo hi > /home/user/tree/a.txt && echo deep > /home/user/tree/sub/b.txt')
})
after(async () => {
  await sandbox?.kill()
})

test('exists, getInfo (mode 0o644, owner user), list with depth', async () => {
  assert.equal(await sandbox.files.exists('/home/user/tree/a.txt'), true)
  assert.equal(await sandbox.files.exists('tree/missing.txt'), false)

  const info = await sandbox.files.getInfo('tree/a.txt')
  assert.equal(info.name, 'a.txt')
  assert.equal(info.type, 'file')
  assert.equal(info.path, '/home/user/tree/a.txt')
  assert.equal(info.size, 3)
  assert.equal(info.mode, 0o644)
  assert.equal(info.permissions, '-rw-r--r--')
  assert.equal(info.owner, 'user')
  assert.equal(info.group, 'user')
  assert.ok(info.modifiedTime instanceof Date)
  await assert.rejects(() => sandbox.files.getInfo('tree/missing.txt'), FileNotFoundError)

  assert.deepEqual((await sandbox.files.list('/home/user/tree')).map((e) => e.name), ['a.txt', 'sub'])
  assert.deepEqual((await sandbox.files.list('/home/user/tree', { depth: 2 })).map((e) => e.name), ['a.txt', 'sub', 'b.txt'])
})

test('makeDir (existing -> false), rename, remove', async () => {
  assert.equal(await sandbox.files.makeDir('made/inner'), true)
  assert.equal(await sandbox.files.makeDir('made/inner'), false)
  const owner = await sandbox.commands.run('stat -c %U /home/user/made/inner')
  assert.equal(owner.stdout, 'user\n')

  const renamed = await sandbox.files.rename('tree/a.txt', 'made/moved.txt')
  assert.equal(renamed.path, '/home/user/made/moved.txt')
  assert.equal((await sandbox.commands.run('cat made/moved.txt')).stdout, 'hi\n')
  await assert.rejects(() => sandbox.files.rename('tree/a.txt', 'x.txt'), FileNotFoundError)

  await sandbox.files.remove('made')
  assert.equal(await sandbox.files.exists('made'), false)
  await sandbox.files.remove('made')
})
