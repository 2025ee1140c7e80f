// Input PostgreSQL cannot store is refused with a 4xx before it reaches the
// database: each case here answered 500 before (security review, finding 12).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { desc, eq } from 'drizzle-orm'
import { memberMetrics } from '../db/schema'
import { ADMIN, testServer, type TestServer } from '../testing/harness'
import { sampleHeartbeat } from '../testing/heartbeat-fixture'
import { findUnstorable, MAX_DEPTH } from './input-guard'

let s: TestServer
let base: string
let poolId: string
let member: { id: string; token: string }

const os = { id: 'debian', versionId: '12', family: 'debian', prettyName: 'Debian GNU/Linux 12' }
const nested = (depth: number) => JSON.parse('['.repeat(depth) + ']'.repeat(depth))

/** Over a real socket: agent routes check the client address. */
async function post(path: string, body: unknown, token: string | null = member.token) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  })
  return { status: res.status, json: (await res.json().catch(() => null)) as any }
}

const heartbeat = (overrides: Record<string, unknown>) => post('/api/v1/agent/heartbeat', { ...sampleHeartbeat({ hostname: 'guard.example.com' }), ...overrides })

async function runningJob() {
  await s.api('POST', `/api/v1/members/${member.id}/jobs`, { name: 'system.reboot', params: {} })
  return (await post('/api/v1/agent/jobs/claim', { waitSeconds: 0 })).json.job.id as string
}

beforeAll(async () => {
  s = await testServer()
  base = s.serve()
  poolId = (await s.api('POST', '/api/v1/pools', { name: 'Guard', preset: 'generic' })).json.id
  const added = await s.api('POST', `/api/v1/pools/${poolId}/members`, { name: 'guard', hostname: 'guard.example.com', egressIps: ['127.0.0.1'] })
  const enrolled = await post('/api/v1/agent/enroll', { secret: added.json.enrollment.secret, hostname: 'guard.example.com', agentVersion: '0.1.0', os }, null)
  member = { id: added.json.id, token: enrolled.json.token }
  expect((await heartbeat({})).status).toBe(200)
})
afterAll(() => s.close())

const badInput = (where: string) => ({ error: { code: 'bad_input', message: expect.stringContaining(where) } })

describe('strings PostgreSQL cannot store', () => {
  test('a NUL in any heartbeat string is refused with 400, and nothing is stored', async () => {
    const before = (await s.api('GET', `/api/v1/members/${member.id}`)).json.lastHeartbeatAt
    const res = await heartbeat({ os: { ...os, prettyName: 'Debian\u0000' } })
    expect(res.status).toBe(400)
    expect(res.json).toEqual(badInput('body.os.prettyName holds a NUL character'))
    const deep = await heartbeat({ certificates: [{ domain: 'a.example.com', path: '/etc/ssl/a\u0000.pem', notAfter: null, issuer: null }] })
    expect(deep.json).toEqual(badInput('body.certificates[0].path holds a NUL character'))
    expect((await s.api('GET', `/api/v1/members/${member.id}`)).json.lastHeartbeatAt).toBe(before)
  })

  test('half of a surrogate pair, which jsonb refuses, is refused too; a whole emoji is fine', async () => {
    expect((await heartbeat({ os: { ...os, versionId: '\ud800' } })).json).toEqual(badInput('half of a Unicode surrogate pair'))
    expect((await heartbeat({ os: { ...os, prettyName: 'Debian 💥' } })).status).toBe(200)
  })

  test('a NUL in a failover providerId, a field name, a path or a query is refused with 400', async () => {
    const put = await s.api('PUT', `/api/v1/pools/${poolId}/failover`, { enabled: false, providerId: '\u0000' })
    expect(put.status).toBe(400)
    expect(put.json).toEqual(badInput('body.providerId'))
    expect((await s.api('POST', '/api/v1/pools', { name: 'x', preset: 'generic', 'a\u0000': 1 })).json).toEqual(badInput('has a field name holding a NUL'))
    expect((await s.api('GET', '/api/v1/pools/pool%00')).json).toEqual(badInput('path.poolId'))
    expect((await s.api('GET', `/api/v1/members/${member.id}/jobs?x=%00`)).json).toEqual(badInput('query.x'))
    // Agent routes are served over a socket, where path params reach the check in another shape.
    expect((await post('/api/v1/agent/jobs/a%00/report', {})).json).toEqual(badInput('path.jobId'))
  })
})

describe('numbers the columns cannot hold', () => {
  test.each([
    ['a fractional memory size', { memory: { totalBytes: 1.5, usedBytes: 1, availableBytes: 0 } }, 'memory'],
    ['a memory size past a bigint', { memory: { totalBytes: 1e308, usedBytes: 1, availableBytes: 0 } }, 'memory'],
    ['a negative disk size', { disks: [{ mount: '/', fsType: 'ext4', totalBytes: -1, usedBytes: 0 }] }, 'disks.0.totalBytes'],
    ['a disk size past exact integers', { disks: [{ mount: '/', fsType: 'ext4', totalBytes: 2 ** 63, usedBytes: 0 }] }, 'disks.0.totalBytes'],
    ['a load past a real', { load: [1e308, 0, 0] }, 'load'],
  ])('a heartbeat with %s is refused with 422', async (_l, overrides, field) => {
    const res = await heartbeat(overrides)
    expect(res.status).toBe(422)
    expect(res.json.error).toEqual({ code: 'invalid_input', message: expect.stringContaining(field) })
  })

  test('a CPU or load figure too small for a real column is stored as 0, not refused', async () => {
    expect((await heartbeat({ cpuPercent: 1e-300, load: [1e-300, 0.5, 0.25] })).status).toBe(200)
    const [point] = await s.db.select().from(memberMetrics).where(eq(memberMetrics.memberId, member.id)).orderBy(desc(memberMetrics.minute)).limit(1)
    expect(point).toMatchObject({ cpuPercent: 0, load1: 0 })
  })

  test('an exit code, an output position or an audit page past its integer column is refused with 422', async () => {
    const job = await runningJob()
    expect((await post(`/api/v1/agent/jobs/${job}/finish`, { status: 'failed', exitCode: 2 ** 31 })).status).toBe(422)
    expect((await post(`/api/v1/agent/jobs/${job}/finish`, { status: 'failed', exitCode: 1e308 })).status).toBe(422)
    expect((await s.api('GET', `/api/v1/jobs/${job}/output?after=1e308`)).status).toBe(422)
    const browser = await s.browser().signIn()
    expect((await browser.get(`/pools/${poolId}/members/${member.id}/jobs/${job}/live?after=1e308`)).status).toBe(422)
    for (const before of ['1e308', '1.5', '99999999999999999999']) expect((await s.api('GET', `/api/v1/audit?before=${before}`)).status).toBe(422)
    expect((await post(`/api/v1/agent/jobs/${job}/finish`, { status: 'failed', exitCode: 137 })).json).toEqual({ status: 'failed' })
  })
})

describe('nesting', () => {
  test(`a body nested deeper than ${MAX_DEPTH} levels is refused with 400, not a 500 from the schema check`, async () => {
    const pool = await s.api('POST', '/api/v1/pools', { name: nested(5000), preset: 'generic' })
    expect(pool.status).toBe(400)
    expect(pool.json).toEqual(badInput(`nested deeper than ${MAX_DEPTH} levels`))
    // A job result is any JSON: this one, stored as jsonb, left the embedded database answering no rows.
    const job = await runningJob()
    expect((await post(`/api/v1/agent/jobs/${job}/report`, { result: nested(5000) })).json).toEqual(badInput('body.result'))
    expect((await post(`/api/v1/agent/jobs/${job}/report`, { result: nested(MAX_DEPTH - 1) })).json).toEqual({ cancel: false })
  })

  test('the check walks a value as deep as the body limit allows without running out of stack', () => {
    expect(findUnstorable(nested(200_000), 'body')).toEqual({ where: 'body' + '[0]'.repeat(MAX_DEPTH), problem: `is nested deeper than ${MAX_DEPTH} levels` })
    expect(findUnstorable({ a: [{ b: 'ok' }, 'fine'], c: 1 }, 'body')).toBeNull()
  })
})

test('the server is well after all of it: a valid heartbeat and API call work', async () => {
  expect((await heartbeat({})).status).toBe(200)
  expect((await s.api('GET', `/api/v1/members/${member.id}`, undefined, ADMIN.token)).json.status).toBe('healthy')
})
