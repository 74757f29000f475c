// Errors as E2B's SDK surfaces them from Paddock's answers.
import { test } from 'node:test'
import assert from 'node:assert/strict'
import { Sandbox, AuthenticationError, SandboxError } from 'e2b'

test('a wrong API key is AuthenticationError', async () => {
  await assert.rejects(() => Sandbox.create({ apiKey: 'e2b_' + '0'.repeat(40) }), AuthenticationError)
  await assert.rejects(() => Sandbox.list({ apiKey: 'e2b_' + '0'.repeat(40) }).nextItems(), AuthenticationError)
})

// On create the SDK does not map 404 to a class of its own: it raises SandboxError("404: <message>").
test('an unknown template is the SDK not-found error', async () => {
  await assert.rejects(() => Sandbox.create('no-such-template'), (error) => {
    assert.ok(error instanceof SandboxError, `got ${error?.constructor?.name}`)
    assert.match(error.message, /^404: template 'no-such-template' not found/)
    return true
  })
})

test("an invalid timeout is the SDK's error with the server's message", async () => {
  await assert.rejects(() => Sandbox.create({ timeoutMs: 48 * 3600 * 1000 }), (error) => {
    assert.ok(error instanceof SandboxError, `got ${error?.constructor?.name}`)
    assert.match(error.message, /Timeout cannot be greater than 24 hours/)
    return true
  })
})
