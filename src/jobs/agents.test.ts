// Compiled agents running real jobs against a real server. The package
// manager is a script placed first on the agent's PATH, so a job can print
// slowly, start children, and be cut short, without touching this machine.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Subprocess } from 'bun'
import { testServer, type TestServer } from '../testing/harness'
import { ensureAgentBinary } from '../testing/agent-binary'
import { waitFor } from '../testing/drill'
import { LEASE_SECONDS, sweepJobs } from './service'

let s: TestServer
let base: string
let bin: string
let poolId: string
const dir = mkdtempSync(join(tmpdir(), 'sctl-jobs-'))
const fakeBin = join(dir, 'bin')
const running: Subprocess[] = []

const FAKE_APT = `#!/bin/sh
# apt-get as the agent's jobs see it in these tests.
case "$1" in
  update)
    if [ -n "$FAKE_APT_CHILD_PIDFILE" ]; then sleep 300 & echo $! > "$FAKE_APT_CHILD_PIDFILE"; fi
    i=1
    while [ $i -le "\${FAKE_APT_LINES:-3}" ]; do
      echo "Get:$i http://deb.example.org/debian bookworm/main Packages"
      sleep "\${FAKE_APT_DELAY:-0.05}"
      i=$((i+1))
    done
    echo "Reading package lists..."
    ;;
  -s)
    echo "Inst libfoo1 [1.0] (1.1 Debian:12.5/stable [amd64])"
    echo "Inst openssl [3.0.1] (3.0.2 Debian-Security:12/stable-security [amd64])"
    ;;
esac
`

beforeAll(async () => {
  bin = ensureAgentBinary()
  s = await testServer()
  base = s.serve()
  poolId = (await s.api('POST', '/api/v1/pools', { name: 'Job fleet', preset: 'generic' })).json.id
  const { mkdirSync } = await import('node:fs')
  mkdirSync(fakeBin)
  writeFileSync(join(fakeBin, 'apt-get'), FAKE_APT)
  chmodSync(join(fakeBin, 'apt-get'), 0o755)
})
afterAll(async () => {
  for (const p of running) p.kill('SIGKILL')
  await s.close()
  rmSync(dir, { recursive: true, force: true })
})

type Agent = { id: string; config: string; env: Record<string, string | undefined> }

async function enrolAgent(name: string, fake: Record<string, string> = {}): Promise<Agent> {
  const hostname = `${name}.example.com`
  const res = await s.api('POST', `/api/v1/pools/${poolId}/members`, { name, hostname, egressIps: ['127.0.0.1'] })
  const config = join(dir, `${name}.json`)
  const env = { ...process.env, ...fake, PATH: `${fakeBin}:${process.env.PATH}`, BALCTL_HOSTNAME: hostname, SERVERSCTL_HEARTBEAT_SECONDS: '2' }
  // Not spawnSync: the server answering it runs in this very process.
  const enrol = Bun.spawn([bin, 'enroll', '--server', base, '--secret', res.json.enrollment.secret, '--config', config], { env, stderr: 'pipe' })
  expect(await enrol.exited).toBe(0)
  return { id: res.json.id as string, config, env }
}

function start(agent: Agent, env: Record<string, string> = {}) {
  const proc = Bun.spawn([bin, 'run', '--config', agent.config], { env: { ...agent.env, ...env }, stdout: 'pipe', stderr: 'pipe' })
  running.push(proc)
  return proc
}

// Polled more often than waitFor's default: the streaming test counts the
// lines it sees part-way, and queued → running is timed to the poll.
const POLL_MS = 50

const queue = async (memberId: string, name = 'system.updates.check') => (await s.api('POST', `/api/v1/members/${memberId}/jobs`, { name, params: {} })).json.id as string
const job = async (id: string) => (await s.api('GET', `/api/v1/jobs/${id}`)).json
const jobIs = (id: string, ...statuses: string[]) => async () => {
  const j = await job(id)
  return statuses.includes(j.status) ? j : null
}
const alive = (pid: number) => {
  try {
    process.kill(pid, 0)
    return true
  } catch {
    return false
  }
}

describe('jobs on compiled agents', () => {
  test("a job's output reaches the server while it runs, and the job ends with its result", async () => {
    const agent = await enrolAgent('stream', { FAKE_APT_LINES: '15', FAKE_APT_DELAY: '0.2' })
    start(agent)
    // Let the agent's first claim be waiting, as an idle agent's is.
    await Bun.sleep(1500)
    const queuedAt = Date.now()
    const id = await queue(agent.id)
    await waitFor(jobIs(id, 'running', 'succeeded'), 10_000, 'the job to start', POLL_MS)
    console.log(`[jobs] queued → running in ${Date.now() - queuedAt} ms on an idle agent`)
    const seen: number[] = []
    const done = await waitFor(async () => {
      const j = await job(id)
      if (j.status === 'running') seen.push(j.output.split('\n').filter((l: string) => l.startsWith('Get:')).length)
      return j.status === 'running' ? null : j
    }, 20_000, 'the job to end', POLL_MS)
    // Seen part-way at least twice with different counts: it streamed, not arrived at the end.
    expect(new Set(seen.filter((n) => n > 0 && n < 15)).size).toBeGreaterThanOrEqual(2)
    expect(done).toMatchObject({ status: 'succeeded', exitCode: 0, progress: 100, result: { upgradable: 2, security: 1 } })
    expect(done.output).toContain('Reading package lists...')
    expect(done.steps.every((x: { state: string }) => x.state === 'done')).toBe(true)
  }, 60_000)

  test('cancel stops the job and every process it started', async () => {
    const pidFile = join(dir, 'child.pid')
    const agent = await enrolAgent('cancel', { FAKE_APT_LINES: '1000', FAKE_APT_DELAY: '0.2', FAKE_APT_CHILD_PIDFILE: pidFile })
    start(agent)
    const id = await queue(agent.id)
    await waitFor(async () => (await job(id)).output.includes('Get:2'), 15_000, 'the job to print its second line', POLL_MS)
    const child = Number(readFileSync(pidFile, 'utf8'))
    expect(alive(child)).toBe(true)
    expect((await s.api('POST', `/api/v1/jobs/${id}/cancel`)).status).toBe(200)
    const ended = await waitFor(jobIs(id, 'cancelled', 'failed', 'succeeded'), 10_000, 'the job to end', POLL_MS)
    expect(ended.status).toBe('cancelled')
    // The grandchild went with its group.
    await waitFor(async () => !alive(child), 5000, 'the grandchild to exit', POLL_MS)
  }, 60_000)

  test('an agent killed mid-job: the lease runs out, the job is queued again, and the restarted agent finishes it', async () => {
    const agent = await enrolAgent('killed', { FAKE_APT_LINES: '1000', FAKE_APT_DELAY: '0.1' })
    const first = start(agent)
    const id = await queue(agent.id)
    await waitFor(async () => (await job(id)).output.includes('Get:2'), 15_000, 'the job to print its second line', POLL_MS)
    first.kill('SIGKILL')
    await first.exited
    expect((await job(id)).status).toBe('running')
    expect((await sweepJobs(s.db, new Date(Date.now() + (LEASE_SECONDS + 1) * 1000))).lost).toBeGreaterThanOrEqual(1)
    expect((await job(id)).status).toBe('queued')
    start(agent, { FAKE_APT_LINES: '2', FAKE_APT_DELAY: '0.01' })
    const done = await waitFor(jobIs(id, 'succeeded', 'failed'), 20_000, 'the job to end', POLL_MS)
    expect(done).toMatchObject({ status: 'succeeded', attempts: 2 })
    expect(done.output).toContain('queued again (attempt 2 of 3)')
  }, 60_000)

  test('an agent stopped with SIGTERM mid-job hands the job back at once and exits cleanly', async () => {
    const agent = await enrolAgent('termed', { FAKE_APT_LINES: '1000', FAKE_APT_DELAY: '0.1' })
    const proc = start(agent)
    const id = await queue(agent.id)
    await waitFor(async () => (await job(id)).output.includes('Get:2'), 15_000, 'the job to print its second line', POLL_MS)
    proc.kill('SIGTERM')
    expect(await proc.exited).toBe(0)
    const j = await job(id)
    expect(j.status).toBe('queued')
    expect(j.output).toContain('The agent was stopped while the job ran; queued again')
  }, 60_000)

  test('two agents on one member never take the same job', async () => {
    const agent = await enrolAgent('twins', { FAKE_APT_LINES: '2', FAKE_APT_DELAY: '0.05' })
    start(agent)
    start(agent)
    await Bun.sleep(1000)
    const ids = await Promise.all(Array.from({ length: 12 }, () => queue(agent.id)))
    const done = await Promise.all(ids.map((id) => waitFor(jobIs(id, 'succeeded', 'failed', 'cancelled', 'timed_out'), 60_000, `job ${id} to end`, POLL_MS)))
    for (const j of done) {
      expect(j).toMatchObject({ status: 'succeeded', attempts: 1 })
      expect(j.output.match(/started on attempt/g)).toHaveLength(1)
      expect(j.output.match(/Reading package lists/g)).toHaveLength(1)
    }
  }, 90_000)
})
