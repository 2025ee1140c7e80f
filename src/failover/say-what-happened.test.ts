// Issue 11, "Say only what happened": after a cut, the pool banner, the
// failover log, the email (subject and body), the pool's alert history, both
// members' activity and the API say the same true thing about DNS.
import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { alertHistory, members, outbox } from '../db/schema'
import { testServer, visibleText, type Browser, type TestServer } from '../testing/harness'
import { systemActor } from '../audit/service'
import { evaluateAlerts } from '../alerts/engine'
import { sendAlertNotices } from '../alerts/send'
import { saveFailoverConfig } from './config'
import { evaluatePool } from './evaluator'

let s: TestServer
let b: Browser
let poolId: string
const noProbe = async () => false

beforeEach(async () => {
  s = await testServer()
  b = await s.browser().signIn()
  poolId = (await s.api('POST', '/api/v1/pools', { name: 'Web', preset: 'generic' })).json.id
  const now = Date.now()
  for (const [id, name, ip] of [['mem_a', 'web-1', '192.0.2.10'], ['mem_b', 'web-2', '192.0.2.20']] as const) {
    await s.db.insert(members).values({ id, poolId, name, hostname: `${name}.example.test`, egressIps: ['127.0.0.1'], publicIpv4: ip, lastHeartbeatAt: new Date(now), healthySince: new Date(now - 3_600_000) })
  }
})
afterEach(() => s.close())

/** web-1 active, then silent for a minute: the evaluator cuts to web-2, and the alert tick sends its email. */
async function failOverToWeb2() {
  await evaluatePool(s.deps, poolId, new Date(), noProbe)
  await s.db.update(members).set({ lastHeartbeatAt: new Date(Date.now() - 60_000) }).where(eq(members.id, 'mem_a'))
  await evaluatePool(s.deps, poolId, new Date(), noProbe)
  await evaluateAlerts(s.deps)
  await sendAlertNotices(s.deps)
}

const text = async (path: string) => visibleText((await b.get(path)).text)
const activity = (memberId: string) => text(`/pools/${poolId}/members/${memberId}/status`)
// The silent member's own alert may be in the outbox too, in either order.
const failoverMail = async () => (await s.db.select().from(outbox)).find((m) => m.subject.includes('FAILOVER'))

describe('a cut with no DNS provider', () => {
  test('it says DNS was not touched, on every surface', async () => {
    await saveFailoverConfig(s.db, systemActor, poolId, { enabled: true, delaySeconds: 30, memberOrder: ['mem_a', 'mem_b'] })
    await failOverToWeb2()
    const said = 'Active member changed from web-1 to web-2; DNS not touched: this pool has no DNS provider.'

    const overview = await text(`/pools/${poolId}`)
    expect(overview).toContain(`Failover active since`)
    expect(overview).toContain(said)
    expect(overview).not.toContain('DNS moved')

    const settings = await text(`/pools/${poolId}/settings`)
    expect(settings).toContain('active member down')
    expect(settings).toContain('Not touched: this pool has no DNS provider.')
    expect(settings).not.toContain('DNS moved')

    const mail = await failoverMail()
    expect(mail!.subject).toBe(`[serversctl] FAILOVER: Web: ${said}`)
    expect(mail!.text).toContain('Why: web-1 stopped reporting for longer than the failover delay.')
    expect(mail!.text).toContain('DNS: Not touched: this pool has no DNS provider.')
    for (const raw of ['Reason:', 'active_down', '{', 'DNS moved']) expect(mail!.text).not.toContain(raw)
    expect(mail!.html).not.toContain('{&quot;')

    const monitoring = await text(`/pools/${poolId}/monitoring`)
    expect(monitoring).toContain(`FAILOVER: Web: ${said}`)
    expect(monitoring).not.toContain('DNS moved')

    const [event] = (await s.api('GET', `/api/v1/pools/${poolId}/failover/events`)).json
    expect(event).toMatchObject({ reason: 'active_down', status: 'done', summary: said, dnsSummary: 'Not touched: this pool has no DNS provider.' })
    expect(event.dnsResult).toMatchObject({ outcome: 'untouched', why: 'no_provider', provider: null })

    for (const id of ['mem_a', 'mem_b']) expect(await activity(id)).toContain(said)
  })

  test('with a provider but no address to write, it says so instead of "moved"', async () => {
    const provider = (await s.api('POST', `/api/v1/pools/${poolId}/dns-providers`, { kind: 'powerdns', name: 'Office PowerDNS', apiUrl: 'http://127.0.0.1:9', apiKey: 'never-called-1234' })).json
    // Neither member has an address: no record can be written, and the provider (nothing listens on port 9) is never called.
    await s.db.update(members).set({ publicIpv4: null, egressIps: [] })
    await saveFailoverConfig(s.db, systemActor, poolId, { enabled: true, delaySeconds: 30, memberOrder: ['mem_a', 'mem_b'], providerId: provider.id, zone: 'example.test', hostname: 'www.example.test' })
    await failOverToWeb2()
    const said = 'Active member changed from web-1 to web-2; DNS not touched: web-2 has no public IPv4 address to point the failover hostnames at.'
    expect(await text(`/pools/${poolId}`)).toContain(said)
    expect((await failoverMail())!.subject).toBe(`[serversctl] FAILOVER: Web: ${said}`)
  })
})

describe('a cut whose DNS write fails', () => {
  test("it says the old member is still active, with the provider's error, and sends no email", async () => {
    const provider = (await s.api('POST', `/api/v1/pools/${poolId}/dns-providers`, { kind: 'powerdns', name: 'Office PowerDNS', apiUrl: 'http://127.0.0.1:9', apiKey: 'refused-1234' })).json
    await saveFailoverConfig(s.db, systemActor, poolId, { enabled: true, delaySeconds: 30, memberOrder: ['mem_a', 'mem_b'], providerId: provider.id, zone: 'example.test', hostname: 'www.example.test' })
    await evaluatePool(s.deps, poolId, new Date(), noProbe)
    await evaluateAlerts(s.deps)
    await sendAlertNotices(s.deps)

    const [event] = (await s.api('GET', `/api/v1/pools/${poolId}/failover/events`)).json
    expect(event).toMatchObject({ status: 'pending', attempts: 1 })
    expect(event.lastError).toStartWith('could not reach PowerDNS at http://127.0.0.1:9')
    expect(event.summary).toBe(`No member is active yet: moving DNS to web-1 failed (try 1): ${event.lastError}. Retrying.`)
    expect(event.dnsSummary).toBe(`Failed (try 1): ${event.lastError}.`)
    expect(event.dnsResult).toMatchObject({ outcome: 'failed', provider: 'Office PowerDNS', error: event.lastError })
    const overview = await text(`/pools/${poolId}`)
    expect(overview).toContain(`Cut in progress. ${event.summary}`)
    expect(await text(`/pools/${poolId}/settings`)).toContain(`Failed (try 1): ${event.lastError}.`)
    for (const page of [overview, await text(`/pools/${poolId}/monitoring`), await activity('mem_a')]) {
      expect(page).not.toContain('DNS moved')
      expect(page).not.toContain('became the active member')
    }
    expect(await s.db.select().from(outbox)).toHaveLength(0)
  })

  test('a cut made by hand with automatic failover off is shown while it tries, and tried again', async () => {
    const provider = (await s.api('POST', `/api/v1/pools/${poolId}/dns-providers`, { kind: 'powerdns', name: 'Office PowerDNS', apiUrl: 'http://127.0.0.1:9', apiKey: 'refused-1234' })).json
    await saveFailoverConfig(s.db, systemActor, poolId, { enabled: false, providerId: provider.id, zone: 'example.test', hostname: 'www.example.test' })
    await b.get(`/pools/${poolId}/settings`)
    const made = await b.post(`/pools/${poolId}/failover/make-active`, { back: `/pools/${poolId}/settings`, memberId: 'mem_a' })
    expect(made.status).toBe(303)
    const page = await text(`/pools/${poolId}/settings`)
    expect(page).toContain('No member is active yet: moving DNS to web-1 failed (try 1): could not reach PowerDNS at http://127.0.0.1:9')
    expect(page).toContain('Cut in progress.')
    const { evaluateAll } = await import('./evaluator')
    await evaluateAll(s.deps, new Date(Date.now() + 60_000), noProbe)
    const [event] = (await s.api('GET', `/api/v1/pools/${poolId}/failover/events`)).json
    expect(event).toMatchObject({ status: 'pending', attempts: 2 })
  })
})

describe('make active', () => {
  test("the first one files its email under the pool, and every cut is in both members' activity", async () => {
    const first = await b.get(`/pools/${poolId}/settings`)
    expect(first.text).toContain('hx-confirm="Make this member active now? No DNS provider is set, so no DNS record changes."')
    const made = await b.post(`/pools/${poolId}/failover/make-active`, { back: `/pools/${poolId}/settings`, memberId: 'mem_a' })
    expect(made.status).toBe(303)
    const firstSaid = 'web-1 became the active member; DNS not touched: this pool has no DNS provider.'
    expect(await text(`/pools/${poolId}/settings`)).toContain(firstSaid)
    await evaluateAlerts(s.deps)
    await sendAlertNotices(s.deps)

    const history = await s.db.select().from(alertHistory)
    expect(history.map((h) => [h.memberId, h.summary])).toEqual([[null, `[serversctl] FAILOVER: Web: ${firstSaid}`]])
    expect(await text(`/pools/${poolId}/monitoring`)).toContain(firstSaid)
    const memberMonitoring = await text(`/pools/${poolId}/members/mem_a/monitoring`)
    expect(memberMonitoring).not.toContain(firstSaid)
    expect(memberMonitoring).not.toContain('from none')
    const mail = (await failoverMail())!
    expect(mail.text).toContain('Why: made active by hand by admin@example.com.')
    expect(await activity('mem_a')).toContain(firstSaid)

    await b.get(`/pools/${poolId}/settings`)
    expect((await b.post(`/pools/${poolId}/failover/make-active`, { back: `/pools/${poolId}/settings`, memberId: 'mem_b' })).status).toBe(303)
    const said = 'Active member changed from web-1 to web-2; DNS not touched: this pool has no DNS provider.'
    for (const id of ['mem_a', 'mem_b']) expect(await activity(id)).toContain(said)
  })
})
