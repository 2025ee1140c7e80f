import { afterAll, beforeAll, describe, expect, setSystemTime, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { members } from '../db/schema'
import { testServer, type TestServer } from '../testing/harness'
import { systemActor } from '../audit/service'
import { claimWithin, LEASE_SECONDS, queueJob, sweepJobs } from './service'

let s: TestServer
let base: string
let poolId: string
beforeAll(async () => {
  s = await testServer()
  base = s.serve()
  poolId = (await s.api('POST', '/api/v1/pools', { name: 'Jobs', preset: 'generic' })).json.id
})
afterAll(() => s.close())

const os = { id: 'debian', versionId: '12', family: 'debian', prettyName: 'Debian GNU/Linux 12' }

async function agentCall(path: string, body: unknown, token: string) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: JSON.stringify(body),
  })
  return { status: res.status, json: (await res.json().catch(() => null)) as any }
}

/** A member enrolled from 127.0.0.1, with its agent token. */
async function enrolledMember(name: string) {
  const added = await s.api('POST', `/api/v1/pools/${poolId}/members`, { name, hostname: `${name}.example.com`, egressIps: ['127.0.0.1'] })
  const res = await fetch(`${base}/api/v1/agent/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ secret: added.json.enrollment.secret, hostname: `${name}.example.com`, agentVersion: '0.1.0', os }),
  })
  const { token } = (await res.json()) as { token: string }
  // Checked in, as after its first heartbeat: a reboot is refused before that.
  await s.db.update(members).set({ lastHeartbeatAt: new Date() }).where(eq(members.id, added.json.id))
  return { id: added.json.id as string, token }
}

const queue = (memberId: string, name: string, params: unknown = {}) => s.api('POST', `/api/v1/members/${memberId}/jobs`, { name, params })
const claim = (token: string, waitSeconds = 0) => agentCall('/api/v1/agent/jobs/claim', { waitSeconds }, token)
const job = async (id: string) => (await s.api('GET', `/api/v1/jobs/${id}`)).json

describe('queueing', () => {
  test('a good job is queued with its steps; the contract answer is {id, name, status}', async () => {
    const m = await enrolledMember('q1')
    const res = await queue(m.id, 'system.updates.install')
    expect(res.status).toBe(201)
    expect(res.json).toEqual({ id: expect.stringMatching(/^job_/), name: 'system.updates.install', status: 'queued' })
    const j = await job(res.json.id)
    expect(j).toMatchObject({ status: 'queued', progress: 0, output: '', exitCode: null, startedAt: null, finishedAt: null, requestedBy: 'admin@example.com (token "ADMIN_API_TOKEN")' })
    expect(j.steps.map((x: any) => x.title)).toEqual(['Refresh package lists', 'Install updates'])
  })

  test('bad input is refused with a clear 4xx and queues nothing', async () => {
    const m = await enrolledMember('q2')
    const cases: [string, unknown, number, RegExp][] = [
      ['rm.rf', {}, 422, /There is no job called "rm.rf"/],
      ['system.reboot', { now: true }, 422, /Bad parameters for system.reboot/],
    ]
    for (const [name, params, status, message] of cases) {
      const res = await queue(m.id, name, params)
      expect(res.status).toBe(status)
      expect(res.json.error.message).toMatch(message)
    }
    expect((await s.api('POST', `/api/v1/members/${m.id}/jobs`, { name: 'system.reboot', params: {}, shell: 'id' })).status).toBe(422)
    expect((await queue('mem_nope', 'system.reboot')).status).toBe(404)
    expect((await s.api('GET', `/api/v1/members/${m.id}/jobs`)).json).toEqual([])
  })

  test('without a token nothing is queued', async () => {
    const m = await enrolledMember('q3')
    expect((await s.api('POST', `/api/v1/members/${m.id}/jobs`, { name: 'system.reboot' }, null)).status).toBe(401)
  })
})

describe('claiming', () => {
  test("an agent takes its own member's oldest job, once; another member's agent never sees it", async () => {
    const a = await enrolledMember('c1')
    const b = await enrolledMember('c2')
    const first = (await queue(a.id, 'system.updates.check')).json.id
    const second = (await queue(a.id, 'system.updates.install')).json.id
    expect((await claim(b.token)).json.job).toBeNull()
    const got = (await claim(a.token)).json.job
    expect(got).toMatchObject({ id: first, name: 'system.updates.check', params: {}, attempt: 1, leaseSeconds: LEASE_SECONDS })
    expect((await claim(a.token)).json.job.id).toBe(second)
    expect((await claim(a.token)).json.job).toBeNull()
    expect((await job(first)).status).toBe('running')
  })

  test('many claims at once for one job: exactly one gets it', async () => {
    const a = await enrolledMember('c3')
    const id = (await queue(a.id, 'system.updates.check')).json.id
    const answers = await Promise.all(Array.from({ length: 8 }, () => claim(a.token)))
    const winners = answers.filter((r) => r.json.job?.id === id)
    expect(winners).toHaveLength(1)
    expect((await job(id)).attempts).toBe(1)
  })

  test('a waiting claim gets a job queued while it waits, within a second', async () => {
    const a = await enrolledMember('c4')
    const started = Date.now()
    const waiting = claim(a.token, 10)
    await Bun.sleep(200)
    const id = (await queue(a.id, 'system.updates.check')).json.id
    const got = (await waiting).json.job
    expect(got.id).toBe(id)
    expect(Date.now() - started).toBeLessThan(1500)
  })

  test('jobs queued within one millisecond are taken in the order they were queued', async () => {
    const a = await enrolledMember('c6')
    const ids: string[] = []
    setSystemTime(new Date())
    try {
      for (let i = 0; i < 6; i++) ids.push((await queueJob(s.db, systemActor, a.id, 'system.updates.check', {})).id)
    } finally {
      setSystemTime()
    }
    for (const id of ids) expect((await claim(a.token)).json.job.id).toBe(id)
  })

  test('a job queued just after the claim looked and before it waits still wakes it', async () => {
    const a = await enrolledMember('c5')
    let queued: string | null = null
    // The database answers the claim's look, then the job is queued (and its wake sent) before the claim goes on.
    const db = new Proxy(s.db, {
      get: (target, key) =>
        key === 'transaction'
          ? async (fn: Parameters<typeof s.db.transaction>[0]) => {
              const found = await target.transaction(fn)
              queued ??= (await queueJob(s.db, systemActor, a.id, 'system.updates.check', {})).id
              return found
            }
          : Reflect.get(target, key),
    })
    const started = Date.now()
    const got = await claimWithin(db, a.id, 10_000, false)
    expect(got?.id).toBe(queued!)
    expect(Date.now() - started).toBeLessThan(5_000)
  })

  test('an agent token from a foreign address is refused', async () => {
    const { id, token } = await enrolledMember('far')
    await s.api('PATCH', `/api/v1/members/${id}`, { egressIps: ['203.0.113.9'] })
    await queue(id, 'system.updates.check')
    const refused = await claim(token)
    expect(refused.status).toBe(403)
    expect(refused.json.error.message).toContain('203.0.113.9')
    expect((await s.api('GET', `/api/v1/members/${id}/jobs`)).json[0].status).toBe('queued')
  })
})

describe('reporting, finishing, cancelling', () => {
  test('output and steps stream in; finish records the status and exit code; a repeat of the finish changes nothing', async () => {
    const a = await enrolledMember('r1')
    const id = (await queue(a.id, 'system.updates.install')).json.id
    await claim(a.token)
    const r1 = await agentCall(`/api/v1/agent/jobs/${id}/report`, { lines: [{ stream: 'stdout', line: 'Reading package lists...' }], step: 1 }, a.token)
    expect(r1.json).toEqual({ cancel: false })
    let j = await job(id)
    expect(j.output).toContain('Reading package lists...')
    expect(j.steps.map((x: any) => x.state)).toEqual(['done', 'running'])
    expect(j.progress).toBe(50)
    const fin = { status: 'succeeded', exitCode: 0, lines: [{ stream: 'stdout', line: '0 upgraded' }] }
    expect((await agentCall(`/api/v1/agent/jobs/${id}/finish`, fin, a.token)).status).toBe(200)
    expect((await agentCall(`/api/v1/agent/jobs/${id}/finish`, fin, a.token)).status).toBe(200)
    j = await job(id)
    expect(j).toMatchObject({ status: 'succeeded', exitCode: 0, progress: 100 })
    expect(j.output.split('\n').filter((l: string) => l === '0 upgraded')).toHaveLength(1)
    expect(j.steps.map((x: any) => x.state)).toEqual(['done', 'done'])
    // A finished job takes no more reports and cannot be cancelled.
    expect((await agentCall(`/api/v1/agent/jobs/${id}/report`, { lines: [] }, a.token)).status).toBe(409)
    expect((await s.api('POST', `/api/v1/jobs/${id}/cancel`)).status).toBe(409)
  })

  test("another member's agent cannot report on a job", async () => {
    const a = await enrolledMember('r2')
    const b = await enrolledMember('r3')
    const id = (await queue(a.id, 'system.updates.check')).json.id
    await claim(a.token)
    expect((await agentCall(`/api/v1/agent/jobs/${id}/finish`, { status: 'succeeded', exitCode: 0 }, b.token)).status).toBe(404)
    expect((await job(id)).status).toBe('running')
  })

  test('cancel: a queued job ends at once; a running one is told at its next report', async () => {
    const a = await enrolledMember('r4')
    const queued = (await queue(a.id, 'system.updates.check')).json.id
    expect((await s.api('POST', `/api/v1/jobs/${queued}/cancel`)).json.status).toBe('cancelled')
    expect((await claim(a.token)).json.job).toBeNull()

    const running = (await queue(a.id, 'system.updates.check')).json.id
    await claim(a.token)
    const c = await s.api('POST', `/api/v1/jobs/${running}/cancel`)
    expect(c.json).toMatchObject({ status: 'running', cancelRequested: true })
    expect((await agentCall(`/api/v1/agent/jobs/${running}/report`, {}, a.token)).json).toEqual({ cancel: true })
    await agentCall(`/api/v1/agent/jobs/${running}/finish`, { status: 'cancelled', exitCode: null }, a.token)
    expect((await job(running)).status).toBe('cancelled')
  })
})

describe('lost agents', () => {
  test('when the lease runs out, a job safe to repeat is queued again and one that is not is failed', async () => {
    const a = await enrolledMember('l1')
    const safe = (await queue(a.id, 'system.updates.check')).json.id
    const unsafe = (await queue(a.id, 'system.reboot')).json.id
    await claim(a.token)
    await claim(a.token)
    const later = new Date(Date.now() + (LEASE_SECONDS + 1) * 1000)
    // Other tests' running jobs are swept too; these two are what this test checks.
    expect((await sweepJobs(s.db, later)).lost).toBeGreaterThanOrEqual(2)
    const retried = await job(safe)
    expect(retried).toMatchObject({ status: 'queued', attempts: 1 })
    expect(retried.output).toContain('queued again (attempt 2 of 3)')
    const failed = await job(unsafe)
    expect(failed).toMatchObject({ status: 'failed', error: expect.stringContaining('stopped answering') })
    expect(failed.output).toContain('not safe to repeat')
    expect((await claim(a.token)).json.job).toMatchObject({ id: safe, attempt: 2 })
    // A second sweep at the same moment finds nothing more to do.
    expect(await sweepJobs(s.db, new Date())).toEqual({ lost: 0, timedOut: 0, expired: 0 })
  })

  test('a report renews the lease', async () => {
    const a = await enrolledMember('l2')
    const id = (await queue(a.id, 'system.updates.check')).json.id
    await claim(a.token)
    await Bun.sleep(50)
    await agentCall(`/api/v1/agent/jobs/${id}/report`, {}, a.token)
    // The claim's lease would have run out by now; the report's has not.
    expect(await sweepJobs(s.db, new Date(Date.now() + (LEASE_SECONDS - 1) * 1000))).toEqual({ lost: 0, timedOut: 0, expired: 0 })
    expect((await job(id)).status).toBe('running')
  })

  test('an agent that stops mid-job hands it back', async () => {
    const a = await enrolledMember('l3')
    const id = (await queue(a.id, 'system.updates.check')).json.id
    await claim(a.token)
    const res = await agentCall(`/api/v1/agent/jobs/${id}/release`, { reason: 'The agent was stopped while the job ran' }, a.token)
    expect(res.json).toEqual({ status: 'queued' })
  })
})

describe('fleet-wide runs', () => {
  test('one job on several members: a row each, a refusal row for one that cannot take it', async () => {
    const a = await enrolledMember('f1')
    const b = await enrolledMember('f2')
    const res = await s.api('POST', `/api/v1/pools/${poolId}/runs`, { name: 'system.updates.install', params: {}, memberIds: [a.id, b.id] })
    expect(res.status).toBe(201)
    expect(res.json.rows).toHaveLength(2)
    expect(res.json.rows.every((r: any) => r.status === 'queued' && r.jobId)).toBe(true)
    const run = (await s.api('GET', `/api/v1/runs/${res.json.id}`)).json
    expect(run.rows.map((r: any) => r.memberName).sort()).toEqual(['f1', 'f2'])
  })

  test('bad parameters or a stranger refuse the whole run and queue nothing', async () => {
    const a = await enrolledMember('f3')
    const before = (await s.api('GET', `/api/v1/members/${a.id}/jobs`)).json.length
    expect((await s.api('POST', `/api/v1/pools/${poolId}/runs`, { name: 'system.reboot', params: { x: 1 }, memberIds: [a.id] })).status).toBe(422)
    expect((await s.api('POST', `/api/v1/pools/${poolId}/runs`, { name: 'system.reboot', params: {}, memberIds: [a.id, 'mem_elsewhere'] })).status).toBe(422)
    expect((await s.api('POST', `/api/v1/pools/${poolId}/runs`, { name: 'system.reboot', params: {}, memberIds: [] })).status).toBe(422)
    expect((await s.api('GET', `/api/v1/members/${a.id}/jobs`)).json.length).toBe(before)
  })
})
