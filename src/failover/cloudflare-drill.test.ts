// The failover drill on the Cloudflare stand-in: compiled agents heartbeating
// every second to the app on a loopback socket (PGlite, or PostgreSQL with
// TEST_DATABASE_URL), a Cloudflare provider whose SDK talks to the stand-in,
// and the name imported from it: www.dual.test, proxied, with A and AAAA.
// The active agent stops: the cut moves A and AAAA to the standby and the
// records stay proxied. Then the new active agent stops while Cloudflare rate
// limits the account: the cut waits the Retry-After, says so, and finishes.
// testServer() runs no scheduler, so the test ticks the evaluator itself at
// every whole second, as the scheduler's cron would.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { start as startCloudflare, type CloudflareStandin } from '../testing/standins/cloudflare'
import { testServer, type TestServer } from '../testing/harness'
import { ok, secs, setupDrill, startTicker, waitFor, type Drill, type DrillAgent, type FailoverEventJson } from '../testing/drill'
import { evaluateAll } from './evaluator'

const DELAY = 10
/** How long Cloudflare rate limits the account during the second outage. */
const LIMIT = 8
const TOKEN = 'cf-drill-token-wxyz'
const ZONE = 'dual.test'
const NAME = 'www.dual.test'
const MEMBERS = [
  { name: 'a', publicIpv4: '192.0.2.10', publicIpv6: '2001:db8::a' },
  { name: 'b', publicIpv4: '192.0.2.20', publicIpv6: '2001:db8::b' },
  { name: 'c', publicIpv4: '192.0.2.30', publicIpv6: '2001:db8::c' },
]

let cf: CloudflareStandin
let s: TestServer
let stopTicks: (() => Promise<void>) | null = null
let drill: Drill | null = null

beforeAll(async () => {
  cf = await startCloudflare()
  cf.state.tokens = new Set([TOKEN])
  cf.state.addZone(ZONE)
  cf.state.addRecord(ZONE, { name: NAME, type: 'A', content: '192.0.2.10', ttl: 1, proxied: true })
  cf.state.addRecord(ZONE, { name: NAME, type: 'AAAA', content: '2001:db8::a', ttl: 1, proxied: true })
  s = await testServer({ env: { CLOUDFLARE_API_URL: cf.url } })
})

afterAll(async () => {
  // Each step on its own, so one failing cannot leave processes behind.
  await stopTicks?.().catch(() => {})
  await drill?.cleanup().catch(() => {})
  await s?.close().catch(() => {})
  await cf?.stop().catch(() => {})
})

/** What the stand-in holds at the name, by type. */
function records() {
  const at = (type: string) => cf.state.find(ZONE, NAME, type).map((r) => ({ content: r.content, proxied: r.proxied }))
  return { A: at('A'), AAAA: at('AAAA') }
}

const pointsAt = (m: (typeof MEMBERS)[number]) => ({ A: [{ content: m.publicIpv4, proxied: true }], AAAA: [{ content: m.publicIpv6, proxied: true }] })

/**
 * The next request to the stand-in, whichever it is, starts a rate limit of
 * `seconds` and is itself refused with Retry-After: `seconds`. The stand-in
 * notes each request before it checks the limit.
 */
function rateLimitFromNextRequest(seconds: number) {
  const requests = cf.state.requests
  const push = requests.push.bind(requests)
  requests.push = (...items) => {
    requests.push = push
    cf.state.rateLimitFor(seconds)
    return push(...items)
  }
}

function failoverLog() {
  return s.log.lines.filter((l) => l.includes('[failover.')).join('\n')
}

/** Waits for the newest active_down event to be done and answers it (and every active_down event). */
async function waitCut(d: Drill, to: DrillAgent, timeoutMs: number): Promise<FailoverEventJson & { summary: string }> {
  return waitFor(
    async () => {
      const [latest] = (await d.events()).filter((e) => e.reason === 'active_down' && e.toMemberId === to.id)
      return latest?.status === 'done' ? (latest as FailoverEventJson & { summary: string }) : null
    },
    timeoutMs,
    `the cut to ${to.name}`,
    100,
  ).catch((err) => {
    throw new Error(`${err.message}\n--- failover log ---\n${failoverLog()}`)
  })
}

describe('failover drill on Cloudflare (compiled agents, Cloudflare stand-in)', () => {
  test('a proxied name stays proxied, AAAA moves with A, and a 429 with Retry-After delays the cut by that long and the log says so', async () => {
    const base = s.serve()
    stopTicks = startTicker(() => evaluateAll(s.deps))
    const browser = await s.browser().signIn()
    const failover: Record<string, unknown> = {}
    drill = await setupDrill({
      api: s.api,
      serverUrl: base,
      delaySeconds: DELAY,
      zone: ZONE,
      hostname: NAME,
      // Cloudflare's floor on a Free zone: 1 is "automatic".
      ttl: 1,
      members: MEMBERS.map(({ name, publicIpv4 }) => ({ name, publicIpv4 })),
      failover,
      beforeFailover: async (d) => {
        for (const [i, agent] of d.agents.entries()) {
          ok(await s.api('PATCH', `/api/v1/members/${agent.id}`, { publicIpv6: MEMBERS[i]!.publicIpv6 }), `publicIpv6 of ${agent.name}`)
        }
        failover.providerId = ok(
          await s.api('POST', `/api/v1/pools/${d.poolId}/dns-providers`, { kind: 'cloudflare', name: 'CF', apiToken: TOKEN, global: true }),
          'add the Cloudflare provider',
        ).id
        const settings = `/pools/${d.poolId}/settings`
        await browser.get(settings)
        expect((await browser.post(`/pools/${d.poolId}/dns/import-cloudflare`, { back: settings })).status).toBe(303)
        const imported = await d.failover()
        expect(imported.hostnames).toEqual([NAME])
        expect(imported.hostnameRecords).toEqual({ [NAME]: { proxied: true, aaaa: true } })
      },
    })
    const started = Date.now()
    const [a, b, c] = drill.agents as [DrillAgent, DrillAgent, DrillAgent]
    const config = await drill.failover()
    expect(config).toMatchObject({ providerId: failover.providerId, zone: ZONE, hostnames: [NAME], hostnameRecords: { [NAME]: { proxied: true, aaaa: true } } })

    // The initial activation: a, first in order; the records already named it.
    await waitFor(async () => (await drill!.failover()).activeMemberId === a.id, 15_000, 'a to be made active')
    const [initial] = await drill.events()
    expect(initial).toMatchObject({ reason: 'initial', status: 'done', toMemberId: a.id, dnsResult: { outcome: 'moved', verified: true } })
    expect(records()).toEqual(pointsAt(MEMBERS[0]!))

    // First outage. Someone deleted the proxied records by hand: the cut recreates them, proxied.
    cf.state.records = cf.state.records.filter((r) => r.name !== NAME)
    expect(await a.stop('SIGTERM')).toBe(0)
    const aLast = (await drill.lastHeartbeat(a))!
    const first = await waitCut(drill, b, DELAY * 1000 + 10_000)
    console.log(`[cf-drill] cut to b ${secs(Date.parse(first.completedAt!) - aLast.getTime())} s after a's last heartbeat`)
    expect(Date.parse(first.completedAt!) - aLast.getTime()).toBeGreaterThan(DELAY * 1000)
    expect(Date.parse(first.completedAt!) - aLast.getTime()).toBeLessThanOrEqual((DELAY + 3) * 1000)
    expect(first).toMatchObject({ status: 'done', fromMemberId: a.id, toMemberId: b.id, attempts: 1, dnsResult: { outcome: 'moved', verified: true } })
    expect((first.dnsResult as any).records).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ name: NAME, type: 'A', values: [b.publicIpv4] }),
        expect.objectContaining({ name: NAME, type: 'AAAA', values: [MEMBERS[1]!.publicIpv6] }),
      ]),
    )
    expect(first.summary).toBe('Active member changed from a to b; DNS moved and verified.')
    expect(records()).toEqual(pointsAt(MEMBERS[1]!))
    expect((await drill.failover()).activeMemberId).toBe(b.id)

    // Second outage, under a rate limit: the first request of the cut starts it.
    rateLimitFromNextRequest(LIMIT)
    expect(await b.stop('SIGTERM')).toBe(0)
    const pending = await waitFor(
      async () => (await drill!.events()).find((e) => e.reason === 'active_down' && e.toMemberId === c.id && e.attempts >= 1 && e.lastError),
      DELAY * 1000 + 10_000,
      'the first, rate-limited try of the cut to c',
    )
    const firstTry = Date.now()
    expect(pending).toMatchObject({ status: 'pending', fromMemberId: b.id, toMemberId: c.id, attempts: 1 })
    const dns = pending.dnsResult as { retryAfterSeconds: number; nextTryAt: string; askedBy: string }
    expect(dns).toMatchObject({ outcome: 'failed', askedBy: 'Cloudflare', retryAfterSeconds: LIMIT })
    const next = new Date(dns.nextTryAt)
    const wait = `Cloudflare asked to wait ${LIMIT} s; next try at ${next.toISOString().slice(11, 19)} UTC.`
    expect((pending as any).summary).toContain(wait)
    expect((pending as any).summary).toStartWith('b is still the active member: moving DNS to c failed (try 1): Cloudflare is rate limiting this account (429)')
    expect(failoverLog()).toContain(`try 1 failed: Cloudflare is rate limiting this account (429) and asked to wait ${LIMIT} s`)
    // Nothing written while the limit holds: the records still name b.
    expect(records()).toEqual(pointsAt(MEMBERS[1]!))

    const second = await waitCut(drill, c, LIMIT * 1000 + 10_000)
    const done = Date.parse(second.completedAt!)
    // When Cloudflare refused the first try: nextTryAt is that plus the Retry-After.
    const triedAt = next.getTime() - LIMIT * 1000
    console.log(`[cf-drill] rate-limited cut to c done ${secs(done - triedAt)} s after its first try (Retry-After ${LIMIT} s)`)
    expect(second.id).toBe(pending.id)
    // attempts 2: the try after the wait went through; none went out while the limit held.
    expect(second).toMatchObject({ status: 'done', fromMemberId: b.id, toMemberId: c.id, attempts: 2, dnsResult: { outcome: 'moved', verified: true } })
    expect(done).toBeGreaterThanOrEqual(next.getTime())
    expect(done - triedAt).toBeGreaterThanOrEqual(LIMIT * 1000)
    expect(done - triedAt).toBeLessThanOrEqual((LIMIT + 3) * 1000)
    expect(second.summary).toBe('Active member changed from b to c; DNS moved and verified.')
    expect(records()).toEqual(pointsAt(MEMBERS[2]!))
    expect((await drill.failover()).activeMemberId).toBe(c.id)
    console.log(`[cf-drill] ${secs(Date.now() - started)} s from failover on; first try seen ${secs(firstTry - triedAt)} s after it ran`)
  }, 120_000)
})
