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

test('a symlink is reported as envd does: the target\'s type, its absolute resolved path, the link\'s own permissions', async () => {
  await sandbox.commands.run('mkdir -p links && echo data > links/t.txt && ln -sfn t.txt links/l.txt && ln -sfn ../tree links/dir && ln -sfn nowhere links/dangling')
  const file = await sandbox.files.getInfo('links/l.txt')
  assert.equal(file.type, 'file')
  assert.equal(file.symlinkTarget, '/home/user/links/t.txt')
  assert.equal(file.path, '/home/user/links/l.txt')
  assert.equal(file.permissions, 'Lrwxrwxrwx')
  assert.equal(file.mode, 0o644)

  const dir = await sandbox.files.getInfo('links/dir')
  assert.equal(dir.type, 'dir')
  assert.equal(dir.symlinkTarget, '/home/user/tree')

  const plain = await sandbox.files.getInfo('links/t.txt')
  assert.equal(plain.symlinkTarget, undefined)

  // A dangling link: its own path as target, no type (the SDK leaves it out of list(), as with envd).
  const dangling = await sandbox.files.getInfo('links/dangling')
  assert.equal(dangling.symlinkTarget, '/home/user/links/dangling')
  assert.deepEqual((await sandbox.files.list('links')).map((e) => [e.name, e.type]), [['dir', 'dir'], ['l.txt', 'file'], ['t.txt', 'file']])
})

test('a directory\'s size is its real size, as stat gives it', async () => {
  const info = await sandbox.files.getInfo('/home/user/tree')
  const size = Number((await sandbox.commands.run('stat -c %s /home/user/tree')).stdout.trim())
  assert.ok(size > 0)
  assert.equal(info.size, size)
})

test('list("/") works with an SDK whose protocol has no symlink type (e2b 2.23), /bin included', async () => {
  const { Sandbox: OldSandbox } = await import('e2b-2.23')
  const old = await OldSandbox.connect(sandbox.sandboxId)
  const root = await old.files.list('/')
  const bin = root.find((e) => e.name === 'bin')
  assert.equal(bin?.type, 'dir', JSON.stringify(root))
  assert.ok(root.every((e) => e.type === 'dir' || e.type === 'file'), JSON.stringify(root))
})
