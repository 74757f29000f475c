// files.watchDir through e2b@2.51.0: the agent's WatchDir stream.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox, FilesystemEventType } from 'e2b'

test('watchDir reports events with names relative to the watched directory', async () => {
  const sandbox = await Sandbox.create()
  try {
    await sandbox.files.makeDir('watched')
    const events = []
    const handle = await sandbox.files.watchDir('watched', (event) => events.push(event))
    await sandbox.files.write('watched/f.txt', 'data')
    await sandbox.commands.run('rm watched/f.txt')
    for (let i = 0; i < 30 && !events.some((e) => e.type === FilesystemEventType.REMOVE); i++) {
      await new Promise((r) => setTimeout(r, 100))
    }
    await handle.stop()
    assert.ok(events.some((e) => e.name === 'f.txt' && e.type === FilesystemEventType.CREATE), JSON.stringify(events))
    assert.ok(events.some((e) => e.name === 'f.txt' && e.type === FilesystemEventType.REMOVE), JSON.stringify(events))
  } finally {
    await sandbox.kill()
  }
})

test('one files.write of a new file is CREATE, CHMOD, WRITE, as envd reports it', async () => {
  const sandbox = await Sandbox.create()
  try {
    await sandbox.files.makeDir('w')
    const events = []
    const handle = await sandbox.files.watchDir('w', (event) => events.push(event))
    await sandbox.files.write('w/new.txt', 'content')
    for (let i = 0; i < 30 && !events.some((e) => e.type === FilesystemEventType.WRITE); i++) {
      await new Promise((r) => setTimeout(r, 50))
    }
    await new Promise((r) => setTimeout(r, 300))
    await handle.stop()
    assert.deepEqual(events.map((e) => [e.name, e.type]), [
      ['new.txt', FilesystemEventType.CREATE],
      ['new.txt', FilesystemEventType.CHMOD],
      ['new.txt', FilesystemEventType.WRITE],
    ])
  } finally {
    await sandbox.kill()
  }
})

test('a recursive watch follows directories made after it started', async () => {
  const sandbox = await Sandbox.create()
  try {
    await sandbox.files.makeDir('r')
    const events = []
    const handle = await sandbox.files.watchDir('r', (event) => events.push(event), { recursive: true })
    await sandbox.files.makeDir('r/nested')
    await sandbox.files.write('r/nested/deep.txt', 'x')
    for (let i = 0; i < 30 && !events.some((e) => e.type === FilesystemEventType.WRITE); i++) {
      await new Promise((r) => setTimeout(r, 50))
    }
    await handle.stop()
    assert.ok(events.some((e) => e.name === 'nested' && e.type === FilesystemEventType.CREATE), JSON.stringify(events))
    assert.ok(events.some((e) => e.name === 'nested/deep.txt' && e.type === FilesystemEventType.WRITE), JSON.stringify(events))
  } finally {
    await sandbox.kill()
  }
})
