// Sandbox.list through e2b@2.51.0: state and metadata filters, pagination, order.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox } from 'e2b'

test('list filters by state and by metadata that needs encoding, and pages with limit', async () => {
  const run = Math.random().toString(36).slice(2, 10)
  const tricky = { 'user id': 'a&b=c/ü %', run }
  const created = []
  try {
    for (let i = 0; i < 3; i++) created.push(await Sandbox.create({ metadata: { run, i: String(i) } }))
    const special = await Sandbox.create({ metadata: tricky })
    created.push(special)
    await created[1].betaPause()

    const matching = await Sandbox.list({ query: { metadata: tricky } }).nextItems()
    assert.deepEqual(matching.map((s) => s.sandboxId), [special.sandboxId])
    assert.deepEqual(matching[0].metadata, tricky)

    const running = await Sandbox.list({ query: { state: ['running'], metadata: { run } } }).nextItems()
    assert.equal(running.length, 3)
    assert.ok(running.every((s) => s.state === 'running'))
    const paused = await Sandbox.list({ query: { state: ['paused'], metadata: { run } } }).nextItems()
    assert.deepEqual(paused.map((s) => s.sandboxId), [created[1].sandboxId])

    // Pages of one, newest first, across all four.
    const paginator = Sandbox.list({ query: { metadata: { run } }, limit: 1 })
    const seen = []
    while (paginator.hasNext) {
      const page = await paginator.nextItems()
      assert.ok(page.length <= 1)
      seen.push(...page.map((s) => s.sandboxId))
    }
    assert.deepEqual(seen, created.map((s) => s.sandboxId).reverse())
  } finally {
    for (const sandbox of created) await sandbox.kill()
  }
})
