// Enrolment attempts are limited per client address, counted before the
// secret is looked at; a successful enrolment takes its attempt back.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { eq, sql } from 'drizzle-orm'
import { loginFailures } from '../db/schema'
import { testServer, type TestServer } from '../testing/harness'
import { ENROLL_ATTEMPTS, enrollAttemptKey } from './service'

let s: TestServer
let base: string
let poolId: string
beforeAll(async () => {
  // Behind a proxy on loopback, so each test can speak from an address of its own.
  s = await testServer({ env: { TRUST_PROXY: '127.0.0.1' } })
  base = s.serve()
  poolId = (await s.api('POST', '/api/v1/pools', { name: 'Limits', preset: 'generic' })).json.id
})
afterAll(() => s.close())
beforeEach(() => s.db.delete(loginFailures))

const os = { id: 'ubuntu', versionId: '22.04', family: 'debian', prettyName: 'Ubuntu 22.04.4 LTS' }

async function addMember(name: string, egress: string) {
  const res = await s.api('POST', `/api/v1/pools/${poolId}/members`, { name, hostname: `${name}.example.com`, egressIps: [egress] })
  return { id: res.json.id as string, secret: res.json.enrollment.secret as string, hostname: `${name}.example.com` }
}

async function enroll(from: string, secret: string, hostname: string) {
  const res = await fetch(`${base}/api/v1/agent/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'x-forwarded-for': from },
    body: JSON.stringify({ secret, hostname, agentVersion: '0.1.0', os }),
  })
  return { status: res.status, headers: res.headers, json: (await res.json().catch(() => null)) as any }
}

/** Moves the address's window into the past, as if its 15 minutes had gone by. */
async function windowPasses(address: string) {
  const past = new Date(Date.now() - ENROLL_ATTEMPTS.windowMs - 1000).toISOString()
  await s.db.update(loginFailures).set({ windowStartedAt: sql`${past}::timestamptz` }).where(eq(loginFailures.key, enrollAttemptKey(address)))
}

describe('enrolment attempt limit', () => {
  test('it answers 429 with Retry-After once an address has used its attempts, even for a valid secret, until the window passes', async () => {
    const from = '198.51.100.7'
    const m = await addMember('nat-1', from)
    for (let i = 0; i < ENROLL_ATTEMPTS.limit; i++) {
      expect((await enroll(from, `${m.id}.guess-${i}-xxxxxxxx`, m.hostname)).status).toBe(401)
    }
    const limited = await enroll(from, m.secret, m.hostname)
    expect(limited.status).toBe(429)
    expect(limited.json.error).toEqual({ code: 'too_many_attempts', message: 'Too many enrolment attempts from this address. Try again in 15 minutes.' })
    const retryAfter = Number(limited.headers.get('retry-after'))
    expect(retryAfter).toBeGreaterThan(14 * 60)
    expect(retryAfter).toBeLessThanOrEqual(15 * 60)
    expect((await s.api('GET', `/api/v1/members/${m.id}`)).json.status).toBe('pending')

    // Another address is not held back by this one's guesses.
    const other = await addMember('elsewhere', '198.51.100.8')
    expect((await enroll('198.51.100.8', other.secret, other.hostname)).status).toBe(201)

    await windowPasses(from)
    const enrolled = await enroll(from, m.secret, m.hostname)
    expect(enrolled.status).toBe(201)
    expect(enrolled.json.memberId).toBe(m.id)
  })

  test('a fleet behind one address enrols more servers than the limit, since each success takes its attempt back', async () => {
    const from = '198.51.100.20'
    const fleet = []
    for (let i = 0; i < ENROLL_ATTEMPTS.limit + 10; i++) fleet.push(await addMember(`fleet-${i}`, from))
    for (const m of fleet) expect((await enroll(from, m.secret, m.hostname)).status).toBe(201)
  }, 60_000)

  test('refusals of a real secret still count, and are still noted on the member', async () => {
    const from = '198.51.100.30'
    const m = await addMember('used-1', from)
    expect((await enroll(from, m.secret, m.hostname)).status).toBe(201)
    for (let i = 0; i < ENROLL_ATTEMPTS.limit; i++) expect((await enroll(from, m.secret, m.hostname)).json.error.code).toBe('secret_used')
    expect((await enroll(from, m.secret, m.hostname)).status).toBe(429)
    const { memberEvents } = await import('../db/schema')
    const kinds = (await s.db.select({ kind: memberEvents.kind }).from(memberEvents).where(eq(memberEvents.memberId, m.id))).map((e) => e.kind)
    expect(kinds.filter((k) => k === 'enroll.secret_used')).toHaveLength(ENROLL_ATTEMPTS.limit)
  })
})
