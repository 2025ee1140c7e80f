// A member's history is complete: outages and recoveries, failovers that
// involved it, alerts fired and resolved, and its jobs, besides enrolment;
// newest first, a page at a time, on the Control panel and the Status tab.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq, sql } from 'drizzle-orm'
import { failoverEvents, memberEvents, members } from '../db/schema'
import { visibleText, type Browser, type TestServer } from '../testing/harness'
import { sampleHeartbeat } from '../testing/heartbeat-fixture'
import { evaluateAlerts } from '../alerts/engine'
import { sendAlertNotices } from '../alerts/send'
import { memberWith, reportHeartbeat, signedInWithPool } from '../jobs/tab-fixture'
import { recordOutages } from './outages'

let s: TestServer
let b: Browser
let poolId: string
beforeAll(async () => ({ s, b, poolId } = await signedInWithPool('History')))
afterAll(() => s.close())

const MIN = 60_000
let n = 0
const name = () => `hist-${++n}`
const linesOf = (html: string) => [...html.matchAll(/<li class="activity-[a-z]+" data-source="([a-z]+)">([\s\S]*?)<\/li>/g)].map((m) => `${m[1]}: ${visibleText(m[2]!).trim()}`)
const card = (html: string) => {
  const start = html.indexOf('id="member-activity-card"')
  return start < 0 ? '' : html.slice(start, html.indexOf('</section>', start))
}
const heartbeatAt = (memberId: string, at: Date, healthySince: Date) => s.db.update(members).set({ lastHeartbeatAt: at, healthySince }).where(eq(members.id, memberId))

describe("a member's activity", () => {
  test('it tells outages and recoveries, failovers that involved it, alerts fired and resolved and its jobs, newest first, on the Control panel and Status', async () => {
    const m = await memberWith(s, poolId, name(), sampleHeartbeat())
    const t0 = new Date(Date.now() - 60 * MIN)
    await s.db.insert(memberEvents).values({ memberId: m.id, kind: 'enrolled', level: 'info', message: 'Agent 0.1.0 enrolled from 203.0.113.9.', at: new Date(t0.getTime() - 20 * MIN) })
    // Silent since five minutes before t0: down, and the heartbeat alert fires.
    const last = new Date(t0.getTime() - 5 * MIN)
    await heartbeatAt(m.id, last, new Date(t0.getTime() - 15 * MIN))
    expect(await recordOutages(s.db, t0)).toEqual({ outages: 1, recoveries: 0 })
    await evaluateAlerts(s.deps, t0)
    await sendAlertNotices(s.deps)
    // Failover held back while it was down (not in its events: read from the failover table).
    await s.db.insert(failoverEvents).values({ id: 'fo_held', poolId, fromMemberId: m.id, reason: 'no_healthy_standby', status: 'blocked', detectedAt: new Date(t0.getTime() + 1000) })
    // Back ten seconds after t0; the alert resolves after its 20 s.
    const back = new Date(t0.getTime() + 10_000)
    await heartbeatAt(m.id, back, back)
    expect(await recordOutages(s.db, new Date(t0.getTime() + 15_000))).toEqual({ outages: 0, recoveries: 1 })
    await evaluateAlerts(s.deps, new Date(t0.getTime() + 15_000))
    await sendAlertNotices(s.deps)
    await heartbeatAt(m.id, new Date(t0.getTime() + 40_000), back)
    await evaluateAlerts(s.deps, new Date(t0.getTime() + 41_000))
    await sendAlertNotices(s.deps)
    // A finished cut, written to its activity by failover: told once, not again from the table.
    const cutAt = new Date(t0.getTime() + 2 * MIN)
    await s.db.insert(failoverEvents).values({ id: 'fo_cut', poolId, fromMemberId: null, toMemberId: m.id, reason: 'initial', status: 'done', detectedAt: cutAt, completedAt: cutAt, dnsResult: { outcome: 'untouched', why: 'no_provider', provider: null } })
    await s.db.insert(memberEvents).values({ memberId: m.id, kind: 'failover.cut', level: 'info', message: `${m.name} became the active member; DNS not touched: this pool has no DNS provider. Why: it is the first healthy member in the failover order.`, at: cutAt })
    await heartbeatAt(m.id, new Date(), back)
    const job = (await s.api('POST', `/api/v1/members/${m.id}/jobs`, { name: 'system.updates.check' })).json.id as string

    for (const tab of ['control', 'status']) {
      const lines = linesOf(card((await b.get(m.tab(tab))).text))
      expect({ tab, lines }).toEqual({
        tab,
        lines: [
          expect.stringMatching(new RegExp(`^job: \\d{4}-\\d\\d-\\d\\d \\d\\d:\\d\\d UTC Job Check for updates queued queued by admin@example\\.com \\(token "ADMIN_API_TOKEN"\\)$`)),
          expect.stringContaining(`member: ${utc(cutAt)} Failover ${m.name} became the active member; DNS not touched`),
          expect.stringMatching(/^alert: .* Alert resolved .*: heartbeat back to normal \(email kept in the Outbox \(no SMTP server set\)\)$/),
          `member: ${utc(back)} Back Heartbeats resumed after 5 min 10 s of silence.`,
          expect.stringMatching(new RegExp(`^failover: ${utc(new Date(t0.getTime() + 1000))} Failover ${m.name} stopped reporting and failover held back: no standby is healthy\\. DNS not touched\\. Why: `)),
          expect.stringMatching(new RegExp(`^alert: ${utc(t0)} Alert fired .*no heartbeat for 300 s`)),
          `member: ${utc(new Date(last.getTime() + 30_000))} Down No heartbeat for 30 s, the pool's failover delay: down. The last one came at ${last.toISOString().slice(0, 19).replace('T', ' ')} UTC.`,
          `member: ${utc(new Date(t0.getTime() - 20 * MIN))} Agent 0.1.0 enrolled from 203.0.113.9.`,
        ],
      })
    }
    const html = card((await b.get(m.tab('control'))).text)
    expect(html).toContain(`href="/pools/${poolId}/members/${m.id}/jobs/${job}"`)
    expect(html).not.toContain('Newer')
    expect(html).not.toContain('Older')
  })

  test('the outage tick writes each outage and recovery once, and never for a member not heard from yet', async () => {
    const m = await memberWith(s, poolId, name(), sampleHeartbeat())
    const silent = await memberWith(s, poolId, name())
    const now = new Date()
    await heartbeatAt(m.id, new Date(now.getTime() - 2 * MIN), new Date(now.getTime() - 10 * MIN))
    await recordOutages(s.db, now)
    expect(await recordOutages(s.db, now)).toEqual({ outages: 0, recoveries: 0 })
    const kinds = async (id: string) => (await s.db.select().from(memberEvents).where(eq(memberEvents.memberId, id))).map((e) => e.kind)
    expect(await kinds(m.id)).toEqual(['outage'])
    // A restart now does not end it: only a heartbeat does.
    await recordOutages(s.db, new Date(now.getTime() + 1000), now)
    expect(await kinds(m.id)).toEqual(['outage'])
    expect(await kinds(silent.id)).toEqual([])
    // Its Settings tab lists refusals only, not the outage.
    expect(visibleText((await b.get(m.tab('settings'))).text)).not.toContain('No heartbeat for')
  })

  test('after the control plane itself was stopped, silence counts from its start: no one is written down for it', async () => {
    const beating = await memberWith(s, poolId, name(), sampleHeartbeat())
    const dead = await memberWith(s, poolId, name(), sampleHeartbeat())
    const started = new Date()
    // Both last heard an hour ago, while no server ran; the first comes back 10 s after the start.
    await heartbeatAt(beating.id, new Date(started.getTime() - 60 * MIN), new Date(started.getTime() - 120 * MIN))
    await heartbeatAt(dead.id, new Date(started.getTime() - 60 * MIN), new Date(started.getTime() - 120 * MIN))
    const eventsOf = (id: string) => s.db.select().from(memberEvents).where(eq(memberEvents.memberId, id))
    await recordOutages(s.db, new Date(started.getTime() + 5000), started)
    expect(await eventsOf(dead.id)).toEqual([])
    await heartbeatAt(beating.id, new Date(started.getTime() + 10_000), new Date(started.getTime() + 10_000))
    await recordOutages(s.db, new Date(started.getTime() + 35_000), started)
    const events = await eventsOf(dead.id)
    expect(events.map((e) => [e.kind, e.at.toISOString()])).toEqual([['outage', new Date(started.getTime() + 30_000).toISOString()]])
    expect(events[0]!.message).toContain(`The last one came at ${new Date(started.getTime() - 60 * MIN).toISOString().slice(0, 19).replace('T', ' ')} UTC.`)
    expect(await eventsOf(beating.id)).toEqual([])
  })

  test('events written in one instant are listed newest first, across a power of ten in their ids', async () => {
    const m = await memberWith(s, poolId, name())
    const at = new Date(Date.now() - 200 * MIN)
    // Ids far past the sequence, so nothing else takes them: as text, '99999999' sorts above '100000000'.
    for (const [id, message] of [[99_999_999, 'written first'], [100_000_000, 'written second']] as const) {
      await s.db.execute(sql`insert into member_events (id, member_id, kind, level, message, at) overriding system value values (${id}, ${m.id}, 'note', 'info', ${message}, ${at.toISOString()}::timestamptz)`)
    }
    const lines = linesOf(card((await b.get(m.tab('status'))).text)).filter((l) => l.includes('written'))
    expect(lines.map((l) => l.replace(/^member: \S+ \S+ UTC /, ''))).toEqual(['written second', 'written first'])
  })

  test('it pages newest first: ?page=2 shows older lines, as a whole page and as the card alone, with Newer and Older', async () => {
    const m = await memberWith(s, poolId, name())
    const start = Date.now() - 100 * MIN
    await s.db.insert(memberEvents).values(Array.from({ length: 25 }, (_, i) => ({ memberId: m.id, kind: 'note', level: 'info' as const, message: `line ${i + 1}`, at: new Date(start + i * MIN) })))
    const first = card((await b.get(m.tab('status'))).text)
    const texts = (html: string) => linesOf(html).map((l) => l.replace(/^member: \S+ \S+ UTC /, ''))
    expect(texts(first)).toEqual(Array.from({ length: 20 }, (_, i) => `line ${25 - i}`))
    expect(first).toContain(`<a href="/pools/${poolId}/members/${m.id}/status?page=2" rel="next"`)
    expect(first).toContain('hx-target="#member-activity-card" hx-swap="outerHTML" hx-push-url="true"')
    expect(first).not.toContain('rel="prev"')

    const full = await b.get(`${m.tab('status')}?page=2`)
    expect(full.text).toContain('<html')
    expect(texts(card(full.text))).toEqual(['line 5', 'line 4', 'line 3', 'line 2', 'line 1'])
    expect(card(full.text)).toContain(`<a href="/pools/${poolId}/members/${m.id}/status" rel="prev"`)
    expect(card(full.text)).not.toContain('rel="next"')
    const part = await b.get(`${m.tab('status')}?page=2`, { 'hx-request': 'true', 'hx-target': 'section#member-activity-card' })
    expect(part.status).toBe(200)
    expect(part.text).not.toContain('<html')
    expect(part.text).not.toContain('id="member-tab-bar"')
    expect(texts(part.text)).toEqual(['line 5', 'line 4', 'line 3', 'line 2', 'line 1'])
    // The Control panel pages the same way, at its own address.
    expect(card((await b.get(`${m.tab('control')}?page=2`)).text)).toContain(`<a href="/pools/${poolId}/members/${m.id}/" rel="prev"`)
    expect(visibleText(card((await b.get(`${m.tab('status')}?page=3`)).text))).toContain('Nothing older')
    for (const bad of ['0', 'x', '1.5', '501']) expect((await b.get(`${m.tab('status')}?page=${bad}`)).status).toBe(422)
  })
})

function utc(d: Date) {
  return `${d.toISOString().slice(0, 16).replace('T', ' ')} UTC`
}
