// LOG_FORMAT=json and the request id: what a log collector reads, and how a
// line is matched with the request an operator saw answered.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { ADMIN, testServer, type TestServer } from '../testing/harness'
import { reportHeartbeat } from '../jobs/tab-fixture'
import { formatLine } from './log'

let pools = 0
async function poolWithHealthyMember(s: TestServer) {
  const poolId = (await s.api('POST', '/api/v1/pools', { name: `Logs ${++pools}`, preset: 'generic' })).json.id as string
  const memberId = (await s.api('POST', `/api/v1/pools/${poolId}/members`, { name: 'web-1', hostname: 'web-1.example.com', egressIps: ['203.0.113.9'] })).json.id as string
  await reportHeartbeat(s, memberId)
  return { poolId, memberId }
}

/** "Make active" writes a failover.cut line while it handles the request. */
async function makeActive(s: TestServer, requestId?: string) {
  const { poolId, memberId } = await poolWithHealthyMember(s)
  const body = JSON.stringify({ memberId })
  const res = await s.handle(`/api/v1/pools/${poolId}/failover/make-active`, {
    method: 'POST',
    headers: { authorization: `Bearer ${ADMIN.token}`, 'content-type': 'application/json', 'content-length': String(body.length), ...(requestId ? { 'x-request-id': requestId } : {}) },
    body,
  })
  expect(res.status).toBe(200)
  return res.headers.get('x-request-id')
}

describe('LOG_FORMAT=json', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await testServer({ env: { LOG_FORMAT: 'json' } })
  })
  afterAll(() => s.close())

  test('each line is one JSON object, and a line written for a request carries the id the response header names', async () => {
    const id = await makeActive(s)
    expect(id).toMatch(/^[0-9a-f-]{36}$/)
    const lines = s.log.lines.map((l) => JSON.parse(l) as Record<string, unknown>)
    const cut = lines.find((l) => l.scope === 'failover.cut')
    expect(cut).toEqual({ time: expect.stringMatching(/^\d{4}-\d\d-\d\dT/), level: 'info', scope: 'failover.cut', message: expect.stringContaining('(manual)'), requestId: id })
    // Written at start, outside any request.
    expect(lines.find((l) => l.scope !== 'failover.cut')).not.toHaveProperty('requestId')
  })

  test("a caller's own short, safe x-request-id is kept; anything else is replaced", async () => {
    expect(await makeActive(s, 'lb-7f3a.91_x')).toBe('lb-7f3a.91_x')
    const last = JSON.parse(s.log.lines.findLast((l) => l.includes('failover.cut'))!)
    expect(last.requestId).toBe('lb-7f3a.91_x')
    for (const bad of ['a b', 'x'.repeat(129), 'id"},{"level":"error"']) {
      const res = await s.handle('/healthz', { headers: { 'x-request-id': bad } })
      expect(res.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/)
    }
  })
})

describe('text logs', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await testServer()
  })
  afterAll(() => s.close())

  test('a line written for a request ends with req=<id>', async () => {
    const id = await makeActive(s, 'req-42')
    expect(id).toBe('req-42')
    expect(s.log.lines.find((l) => l.includes('[failover.cut]'))).toMatch(/^\S+ INFO \[failover\.cut\] .* req=req-42$/)
  })
})

test('an error is written with its message and stack, as JSON or after the text line', () => {
  const err = new Error('the disk is full')
  const json = JSON.parse(formatLine('json', 'ERROR', 'backups.put', 'could not store a chunk', err))
  expect(json).toMatchObject({ level: 'error', scope: 'backups.put', message: 'could not store a chunk', error: { message: 'the disk is full', stack: expect.stringContaining('log.test.ts') } })
  expect(formatLine('text', 'ERROR', 'backups.put', 'could not store a chunk', err)).toMatch(/ERROR \[backups\.put\] could not store a chunk \nError: the disk is full\n\s+at /)
})
