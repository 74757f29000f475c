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
