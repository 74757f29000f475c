// An idle sandbox's agent sleeps (Paddock's own behaviour, invisible to E2B's SDK): after AgentSleepAfter with no
// connection, no process and no watch, pid 1 is a two-task poll over the agent's listeners, and the next request
// wakes it with its state. A server of its own, with agents that sleep after 1 s.
import { test, before, after } from 'node:test'
import assert from 'node:assert/strict'
import { readFileSync, readdirSync } from 'node:fs'
import { Sandbox } from 'e2b'
import { startOwnServer } from '../lib/own-server.mjs'

const sleep = (ms) => new Promise((r) => setTimeout(r, ms))
let server
before(async () => {
  server = await startOwnServer({ PADDOCK_AGENT_SLEEP_AFTER: '00:00:01' })
})
after(async () => {
  await server?.dispose()
})

// What the host sees of a sandbox's pid 1.
function agentOf(sandbox) {
  const pid = Number(readFileSync(`${server.dataDir}/sandboxes/${sandbox.sandboxId}/init.pid`, 'utf8').trim())
  const status = readFileSync(`/proc/${pid}/status`, 'utf8')
  return {
    pid,
    asleep: readFileSync(`/proc/${pid}/cmdline`, 'utf8').split('\0').includes('--asleep'),
    threads: Number(/^Threads:\s+(\d+)/m.exec(status)[1]),
  }
}

async function waitAsleep(sandbox, withinMs = 20_000) {
  for (const start = Date.now(); Date.now() - start < withinMs; await sleep(200)) {
    if (agentOf(sandbox).asleep) return
  }
  assert.fail(`the agent of ${sandbox.sandboxId} did not sleep within ${withinMs} ms`)
}

function zombiesUnder(pid) {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).filter((d) => {
    try {
      const stat = readFileSync(`/proc/${d}/stat`, 'utf8')
      const [state, ppid] = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
      return state === 'Z' && Number(ppid) === pid
    } catch {
      return false
    }
  })
}

test('an idle agent sleeps as two host tasks and wakes with its env vars and access token', async () => {
  const sandbox = await Sandbox.create({ ...server.opts, envs: { GREETING: 'hello from before' }, secure: true })
  try {
    await waitAsleep(sandbox)
    assert.equal(agentOf(sandbox).threads, 2)

    // The first request wakes it; the access token it was given still guards it.
    const headers = { 'E2b-Sandbox-Id': sandbox.sandboxId, 'E2b-Sandbox-Port': '49983' }
    const refused = await fetch(server.url + '/envs', { headers: { ...headers, 'X-Access-Token': 'wrong' } })
    assert.equal(refused.status, 401)
    assert.equal(agentOf(sandbox).asleep, false)

    const result = await sandbox.commands.run('echo "$GREETING"; cat /proc/1/cmdline | tr "\\0" " "')
    assert.match(result.stdout, /^hello from before\n.*--woken/)

    // And it sleeps again once the host's pooled connections to it have closed.
    await waitAsleep(sandbox)
    assert.equal((await sandbox.commands.run('echo again')).stdout, 'again\n')
  } finally {
    await sandbox.kill()
  }
})

test('a process it started keeps it awake; orphans that end while it sleeps are reaped', async () => {
  const sandbox = await Sandbox.create({ ...server.opts })
  try {
    const running = await sandbox.commands.run('sleep 12', { background: true })
    await running.disconnect()
    await sleep(9_000)
    assert.equal(agentOf(sandbox).asleep, false, 'asleep with a process of a caller still running')
    await waitAsleep(sandbox)

    // An orphan (its parent exits at once) is pid 1's child: the sleeping agent must reap it when it ends.
    await sandbox.commands.run('sh -c "sleep 9 & exit 0"')
    await waitAsleep(sandbox)
    const { pid } = agentOf(sandbox)
    for (let i = 0; i < 60 && readdirSync('/proc').some((d) => /^\d+$/.test(d) && readProcess(d, pid) === 'sleep'); i++) await sleep(250)
    assert.equal(agentOf(sandbox).asleep, true, 'the orphan must have ended while the agent slept')
    assert.deepEqual(zombiesUnder(pid), [])
  } finally {
    await sandbox.kill()
  }
})

// The command name of process d when it is a child of pid, else null.
function readProcess(d, pid) {
  try {
    const stat = readFileSync(`/proc/${d}/stat`, 'utf8')
    const ppid = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
    return ppid === pid ? stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')')) : null
  } catch {
    return null
  }
}
