import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { alertHistory, alertStates, members, outbox } from '../db/schema'
import { testServer, ADMIN, type TestServer } from '../testing/harness'
import { startSmtpSink } from '../testing/smtp-sink'
import { sampleHeartbeat } from '../testing/heartbeat-fixture'
import { evaluateAlerts } from './engine'
import { listHistory } from './store'
import { sendAlertNotices } from './send'
import { saveMemberAlerts, savePoolAlerts } from './settings'
import { systemActor } from '../audit/service'

let s: TestServer
let sink: Awaited<ReturnType<typeof startSmtpSink>>
let poolId: string
const T0 = Date.parse('2026-11-26T12:00:00Z')
const at = (sec: number) => new Date(T0 + sec * 1000)

async function report(id: string, sec: number, hb = sampleHeartbeat()) {
  const { hostname: _h, agentVersion, os, stacks, apps, ...hostState } = hb
  await s.db.update(members).set({ lastHeartbeatAt: at(sec), agentVersion, os, stacks, apps, hostState }).where(eq(members.id, id))
}

beforeAll(async () => {
  sink = await startSmtpSink()
  s = await testServer({ env: { SMTP_URL: sink.url, MAIL_FROM: 'alerts@example.com', PUBLIC_URL: 'https://ctl.example.com' } })
  poolId = (await s.api('POST', '/api/v1/pools', { name: 'Alerting', preset: 'generic' })).json.id
})
afterAll(async () => {
  await s.close()
  await sink.stop()
})
beforeEach(async () => {
  sink.messages.length = 0
  await s.db.delete(alertStates)
  await s.db.delete(alertHistory)
  await s.db.delete(members)
  await s.db.insert(members).values({ id: 'mem_w', poolId, name: 'web-1', hostname: 'web-1.example.com', egressIps: ['203.0.113.5'] })
  await saveMemberAlerts(s.db, systemActor, { id: 'mem_w', poolId, name: 'web-1' }, { recipients: ['ops@example.com'], heartbeat: { enabled: true, afterSeconds: 60 } })
  // The pool-wide "any member silent" preset is tested on its own below.
  await savePoolAlerts(s.db, systemActor, poolId, { anySilent: { enabled: false, afterSeconds: 120 } })
})

const subjects = () => sink.messages.map((m) => m.subject)
/** One evaluation at `sec`, then the send step, as the two ticks do. */
async function tick(sec: number) {
  await evaluateAlerts(s.deps, at(sec))
  await sendAlertNotices(s.deps)
}
const settle = () => Bun.sleep(100)

describe('heartbeat-miss alerts', () => {
  test('silence past the delay emails once; heartbeats again email the recovery once', async () => {
    await report('mem_w', 0)
    for (const sec of [5, 30, 60]) await tick(sec)
    expect(sink.messages).toHaveLength(0)
    for (const sec of [61, 65, 70, 120, 300]) await tick(sec)
    await settle()
    expect(subjects()).toEqual(['[serversctl] ALERT: web-1 (Alerting): no heartbeat for 61 s'])
    const fired = sink.messages[0]!
    expect(fired.to.sort()).toEqual([ADMIN.email, 'ops@example.com'].sort())
    expect(fired.raw).toContain('https://ctl.example.com/pools/')
    expect(fired.raw).toContain('text/html')

    const beat = async (sec: number) => {
      await report('mem_w', sec)
      await tick(sec)
    }
    for (const sec of [310, 320, 329]) await beat(sec)
    expect(sink.messages).toHaveLength(1)
    for (const sec of [331, 340, 350]) await beat(sec)
    await settle()
    expect(subjects()[1]).toBe('[serversctl] RESOLVED: web-1 (Alerting): heartbeat back to normal')
    expect(sink.messages).toHaveLength(2)

    // In the order written: a table read without ORDER BY may come back in any order (on PostgreSQL, as soon as freed space is reused).
    const history = (await s.db.select().from(alertHistory).orderBy(alertHistory.id)).map((h) => [h.kind, h.event, h.delivery])
    expect(history).toEqual([['heartbeat', 'fired', 'sent'], ['heartbeat', 'resolved', 'sent']])
  })

  test('a member flapping every few seconds sends no more than one pair', async () => {
    let sec = 0
    await report('mem_w', 0)
    // Silent for 70 s: fires once.
    for (sec = 0; sec <= 70; sec += 5) await tick(sec)
    // Then flaps: a heartbeat every few seconds, gaps of up to 15 s.
    for (let i = 0; i < 20; i++) {
      sec += i % 2 ? 3 : 15
      if (i % 2) await report('mem_w', sec)
      await tick(sec)
    }
    // Then steady.
    for (let i = 0; i < 10; i++) {
      sec += 5
      await report('mem_w', sec)
      await tick(sec)
    }
    await settle()
    expect(sink.messages.length).toBeLessThanOrEqual(2)
    expect(subjects()[0]).toContain('ALERT')
  })
})

describe('threshold alerts', () => {
  test('disk over the threshold for the duration fires from a real heartbeat payload', async () => {
    await saveMemberAlerts(s.db, systemActor, { id: 'mem_w', poolId, name: 'web-1' }, { disk: { enabled: true, percent: 90, minutes: 5 }, recipients: ['ops@example.com'] })
    const full = sampleHeartbeat({ disks: [{ mount: '/', fsType: 'ext4', totalBytes: 100 * 2 ** 30, usedBytes: 95 * 2 ** 30 }] })
    for (let sec = 0; sec < 300; sec += 30) {
      await report('mem_w', sec, full)
      await tick(sec)
    }
    expect(sink.messages).toHaveLength(0)
    await report('mem_w', 300, full)
    await tick(300)
    await settle()
    expect(subjects()).toEqual(['[serversctl] ALERT: web-1 (Alerting): disk 95 % (limit 90 % for 5 min)'])
  })
})

describe('pool alerts', () => {
  test('"any member silent" tells the pool recipients, and a finished failover cut sends the failover email once', async () => {
    await savePoolAlerts(s.db, systemActor, poolId, { anySilent: { enabled: true, afterSeconds: 90 }, recipients: ['noc@example.com'], notifyAccount: false, failoverRecipients: ['dns@example.com'] })
    await saveMemberAlerts(s.db, systemActor, { id: 'mem_w', poolId, name: 'web-1' }, { heartbeat: { enabled: false, afterSeconds: 60 } })
    await report('mem_w', 0)
    for (const sec of [60, 91, 100]) await tick(sec)
    await Bun.sleep(100)
    expect(sink.messages.map((m) => [m.subject, m.to])).toEqual([['[serversctl] ALERT: pool Alerting: 1 member silent: web-1', ['noc@example.com']]])

    const { failoverEvents } = await import('../db/schema')
    await s.db.insert(failoverEvents).values({ id: 'fo_mail', poolId, fromMemberId: 'mem_w', toMemberId: 'mem_w', reason: 'active_down', status: 'done', detectedAt: at(95), completedAt: at(96) })
    await tick(101)
    await tick(102)
    await Bun.sleep(100)
    const failover = sink.messages.filter((m) => m.subject.includes('FAILOVER'))
    expect(failover).toHaveLength(1)
    expect(failover[0]!.to).toEqual(['dns@example.com'])
    expect(failover[0]!.subject).toBe('[serversctl] FAILOVER: Alerting: Active member changed from web-1 to web-1; no DNS result was recorded.')
  })
  test('two cuts told in one pass are emailed, and listed newest first, in the order they happened, dated when each finished', async () => {
    await savePoolAlerts(s.db, systemActor, poolId, { notifyAccount: false, failoverRecipients: ['dns@example.com'] })
    await s.db.insert(members).values({ id: 'mem_x', poolId, name: 'web-2', hostname: 'web-2.example.com', egressIps: ['203.0.113.7'] })
    const { failoverEvents } = await import('../db/schema')
    // Ids chosen so that id order is the opposite of the order they happened in.
    await s.db.insert(failoverEvents).values([
      { id: 'fo_b_first', poolId, fromMemberId: null, toMemberId: 'mem_w', reason: 'manual', status: 'done', detectedAt: at(10), completedAt: at(11) },
      { id: 'fo_a_second', poolId, fromMemberId: 'mem_w', toMemberId: 'mem_x', reason: 'manual', status: 'done', detectedAt: at(12), completedAt: at(13) },
    ])
    await tick(20)
    await settle()
    const failover = sink.messages.filter((m) => m.subject.includes('FAILOVER')).map((m) => m.subject)
    expect(failover).toEqual(['[serversctl] FAILOVER: Alerting: web-1 became the active member; no DNS result was recorded.', '[serversctl] FAILOVER: Alerting: Active member changed from web-1 to web-2; no DNS result was recorded.'])
    const history = await listHistory(s.db, { poolId })
    expect(history.map((h) => [h.summary, h.at.toISOString()])).toEqual([
      [failover[1], at(13).toISOString()],
      [failover[0], at(11).toISOString()],
    ])
  })
})

describe('without SMTP', () => {
  test('alerts land in the Outbox page and the log', async () => {
    const local = await testServer()
    try {
      const pool = (await local.api('POST', '/api/v1/pools', { name: 'Quiet', preset: 'generic' })).json.id
      await local.db.insert(members).values({ id: 'mem_q', poolId: pool, name: 'q', hostname: 'q.example.com', egressIps: ['203.0.113.6'], lastHeartbeatAt: at(0) })
      await evaluateAlerts(local.deps, at(120))
      await sendAlertNotices(local.deps)
      const [mail] = await local.db.select().from(outbox)
      expect(mail).toMatchObject({ status: 'outbox', to: [ADMIN.email] })
      expect(local.log.lines.some((l) => l.includes('[mail.outbox]') && l.includes('no heartbeat'))).toBe(true)
      const b = await local.browser().signIn()
      const page = await b.get('/outbox')
      expect(page.status).toBe(200)
      expect(page.text).toContain('no heartbeat for 120 s')
    } finally {
      await local.close()
    }
  })
})
