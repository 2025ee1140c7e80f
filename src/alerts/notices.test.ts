// Alert emails as transitions (issue 16): the evaluation writes a notice with
// the state change, the send step claims and sends it. What an operator sees:
// the emails arriving at a real SMTP server, and the alert history.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { alertHistory, alertNotices, alertStates, failoverEvents, members, outbox } from '../db/schema'
import { testServer, type TestServer } from '../testing/harness'
import { sampleHeartbeat } from '../testing/heartbeat-fixture'
import { systemActor } from '../audit/service'
import { evaluateAlerts } from './engine'
import { KEEP_DONE_DAYS, LEASE_SECONDS, MAX_ATTEMPTS, pruneSentNotices, sendAlertNotices } from './send'
import { saveMemberAlerts, savePoolAlerts } from './settings'
import { transmit } from '../mail'
import * as store from './store'
import { startSmtpSink } from '../testing/smtp-sink'

let s: TestServer
let smtp: Awaited<ReturnType<typeof startSmtpSink>>
let poolId: string
const T0 = Date.now() - 3_600_000
const at = (sec: number) => new Date(T0 + sec * 1000)
const later = (sec: number) => () => new Date(Date.now() + sec * 1000)

async function heartbeat(id: string, sec: number) {
  const { hostname: _h, agentVersion, os, stacks, apps, ...hostState } = sampleHeartbeat()
  await s.db.update(members).set({ lastHeartbeatAt: at(sec), agentVersion, os, stacks, apps, hostState }).where(eq(members.id, id))
}
const history = async () => (await s.db.select().from(alertHistory).orderBy(alertHistory.id)).map((h) => [h.kind, h.event, h.delivery])
const subjects = () => smtp.messages.map((m) => m.subject)

beforeAll(async () => {
  smtp = await startSmtpSink()
  s = await testServer({ env: { SMTP_URL: smtp.url, MAIL_FROM: 'alerts@example.com', PUBLIC_URL: 'https://ctl.example.com' } })
  poolId = (await s.api('POST', '/api/v1/pools', { name: 'Outbox', preset: 'generic' })).json.id
})
afterAll(async () => {
  smtp.answer()
  await s.close()
  await smtp.stop()
})
beforeEach(async () => {
  smtp.answer()
  smtp.refuse(0)
  smtp.messages.length = 0
  for (const t of [alertNotices, alertStates, alertHistory, outbox, failoverEvents, members]) await s.db.delete(t)
  await s.db.insert(members).values({ id: 'mem_o', poolId, name: 'web-1', hostname: 'web-1.example.com', egressIps: ['203.0.113.5'] })
  await saveMemberAlerts(s.db, systemActor, { id: 'mem_o', poolId, name: 'web-1' }, { recipients: ['ops@example.com'], notifyAccount: false, heartbeat: { enabled: true, afterSeconds: 60 } })
  await savePoolAlerts(s.db, systemActor, poolId, { anySilent: { enabled: false, afterSeconds: 120 }, outdatedAgents: { enabled: false }, notifyAccount: false, failoverRecipients: ['dns@example.com'] })
  await heartbeat('mem_o', 0)
})

describe('the send step', () => {
  test('it takes the notice while SMTP hangs and the evaluation returns at once; the email arrives once SMTP answers', async () => {
    await evaluateAlerts(s.deps, at(61))
    const [notice] = await s.db.select().from(alertNotices)
    expect(notice).toMatchObject({ kind: 'heartbeat', event: 'fired', subject: '[serversctl] ALERT: web-1 (Outbox): no heartbeat for 61 s', doneAt: null })

    smtp.hang()
    const sending = sendAlertNotices(s.deps)
    await Bun.sleep(300) // the send is in the SMTP conversation, waiting for the server's answer
    const started = performance.now()
    await evaluateAlerts(s.deps, at(70))
    await evaluateAlerts(s.deps, at(75))
    const evaluateMs = performance.now() - started
    expect(evaluateMs).toBeLessThan(1_000)
    expect(smtp.messages).toHaveLength(0)
    expect(await history()).toEqual([])

    smtp.answer()
    expect(await sending).toEqual({ sent: 1, retrying: 0, failed: 0 })
    expect(subjects()).toEqual(['[serversctl] ALERT: web-1 (Outbox): no heartbeat for 61 s'])
    expect(smtp.messages[0]!.to).toEqual(['ops@example.com'])
    expect(await history()).toEqual([['heartbeat', 'fired', 'sent']])
    expect(await sendAlertNotices(s.deps)).toEqual({ sent: 0, retrying: 0, failed: 0 })
    expect(smtp.messages).toHaveLength(1)
    console.log(`[notices] two evaluations took ${evaluateMs.toFixed(0)} ms while the SMTP server held the send`)
  })

  test('a sender that stopped after sending: once its lease ends the notice is sent again under the same Message-ID, and once marked never again', async () => {
    await evaluateAlerts(s.deps, at(61))
    // The sender that "crashes": claims, sends, and never marks.
    const claimed = (await store.claimNotice(s.db, new Date(), LEASE_SECONDS))!
    await transmit(s.deps, { to: claimed.recipients, subject: claimed.subject, text: claimed.text, html: claimed.html }, claimed.messageId)
    expect(smtp.messages).toHaveLength(1)
    expect(smtp.messages[0]!.messageId).toBe(claimed.messageId)
    expect(claimed.messageId).toMatch(/^<ntc_[0-9a-z]{16}@ctl\.example\.com>$/)

    // While its lease holds, no other sender takes it.
    expect(await sendAlertNotices(s.deps)).toEqual({ sent: 0, retrying: 0, failed: 0 })
    expect(await sendAlertNotices(s.deps, { clock: later(LEASE_SECONDS - 5) })).toEqual({ sent: 0, retrying: 0, failed: 0 })
    // Past it, the next sender sends the same message again and marks it.
    expect(await sendAlertNotices(s.deps, { clock: later(LEASE_SECONDS + 1) })).toEqual({ sent: 1, retrying: 0, failed: 0 })
    expect(smtp.messages.map((m) => [m.subject, m.messageId])).toEqual([
      [claimed.subject, claimed.messageId],
      [claimed.subject, claimed.messageId],
    ])
    expect(await history()).toEqual([['heartbeat', 'fired', 'sent']])

    // Marked: never sent again, whatever the time, and the stopped sender's late mark writes nothing twice.
    for (const sec of [0, LEASE_SECONDS * 2, 86_400]) await sendAlertNotices(s.deps, { clock: later(sec) })
    expect(await store.finishNotice(s.db, claimed, 'sent', null, new Date())).toBe(false)
    expect(smtp.messages).toHaveLength(2)
    expect(await history()).toEqual([['heartbeat', 'fired', 'sent']])
    expect(await s.db.select().from(outbox)).toHaveLength(1)
  })

  test('a refused send is tried again after a wait, and recorded as failed with the error after its last try', async () => {
    smtp.refuse(100)
    await evaluateAlerts(s.deps, at(61))
    expect(await sendAlertNotices(s.deps)).toEqual({ sent: 0, retrying: 1, failed: 0 })
    // Not before its wait is over.
    expect(await sendAlertNotices(s.deps)).toEqual({ sent: 0, retrying: 0, failed: 0 })
    const [waiting] = await s.db.select().from(alertNotices)
    expect(waiting).toMatchObject({ attempts: 1, doneAt: null })
    expect(waiting!.lastError).toContain('mailbox busy, try later')
    expect(s.log.lines.some((l) => l.includes('[alerts.send]') && l.includes(`try 1 of ${MAX_ATTEMPTS} failed`))).toBe(true)

    let sec = 0
    for (let i = 2; i <= MAX_ATTEMPTS; i++) await sendAlertNotices(s.deps, { clock: later((sec += 400)) })
    expect(await history()).toEqual([['heartbeat', 'fired', 'failed']])
    const [kept] = await s.db.select().from(outbox)
    expect(kept).toMatchObject({ status: 'failed', subject: '[serversctl] ALERT: web-1 (Outbox): no heartbeat for 61 s' })
    expect(kept!.error).toContain('mailbox busy, try later')
    const [done] = await s.db.select().from(alertNotices)
    expect(done).toMatchObject({ attempts: MAX_ATTEMPTS, delivery: 'failed' })
    expect(await sendAlertNotices(s.deps, { clock: later(86_400) })).toEqual({ sent: 0, retrying: 0, failed: 0 })
    expect(smtp.messages).toHaveLength(0)

    // A mail server that refuses only once: the second try delivers.
    smtp.refuse(1)
    await heartbeat('mem_o', 100)
    for (const t of [100, 105, 125]) await evaluateAlerts(s.deps, at(t))
    expect(await sendAlertNotices(s.deps)).toEqual({ sent: 0, retrying: 1, failed: 0 })
    expect(await sendAlertNotices(s.deps, { clock: later(16) })).toEqual({ sent: 1, retrying: 0, failed: 0 })
    expect(subjects()).toEqual(['[serversctl] RESOLVED: web-1 (Outbox): heartbeat back to normal'])
  })

  test('sent notices are forgotten after their days, waiting ones never; the history stays', async () => {
    await evaluateAlerts(s.deps, at(61))
    await sendAlertNotices(s.deps)
    smtp.refuse(1)
    await heartbeat('mem_o', 100)
    for (const t of [100, 125]) await evaluateAlerts(s.deps, at(t))
    expect(await sendAlertNotices(s.deps)).toEqual({ sent: 0, retrying: 1, failed: 0 })
    const day = 86_400_000
    expect(await pruneSentNotices(s.deps, new Date(Date.now() + (KEEP_DONE_DAYS - 1) * day))).toBe(0)
    expect(await pruneSentNotices(s.deps, new Date(Date.now() + (KEEP_DONE_DAYS + 1) * day))).toBe(1)
    expect((await s.db.select().from(alertNotices)).map((n) => [n.event, n.doneAt])).toEqual([['resolved', null]])
    expect(await history()).toEqual([['heartbeat', 'fired', 'sent']])
  })
})

describe('exactly one email per transition', () => {
  test('a fired alert and its recovery each produce one email, however often the ticks run', async () => {
    const both = async (sec: number) => {
      await evaluateAlerts(s.deps, at(sec))
      // Two senders at once (a replica taking over), and again.
      await Promise.all([sendAlertNotices(s.deps), sendAlertNotices(s.deps)])
      await sendAlertNotices(s.deps)
    }
    for (const sec of [30, 60, 61, 62, 90, 200]) await both(sec)
    await heartbeat('mem_o', 205)
    for (const sec of [205, 210, 224, 226, 240]) {
      await heartbeat('mem_o', sec)
      await both(sec)
    }
    expect(subjects()).toEqual(['[serversctl] ALERT: web-1 (Outbox): no heartbeat for 61 s', '[serversctl] RESOLVED: web-1 (Outbox): heartbeat back to normal'])
    expect(new Set(smtp.messages.map((m) => m.messageId)).size).toBe(2)
    expect(await history()).toEqual([['heartbeat', 'fired', 'sent'], ['heartbeat', 'resolved', 'sent']])
    expect(await s.db.select().from(alertNotices)).toHaveLength(2)
  })

  test("a finished failover cut's email goes through the outbox exactly once, even when the process stops before sending", async () => {
    await s.db.insert(failoverEvents).values({ id: 'fo_once', poolId, fromMemberId: 'mem_o', toMemberId: null, reason: 'manual', status: 'done', detectedAt: at(10), completedAt: at(11) })
    await evaluateAlerts(s.deps, at(20))
    await evaluateAlerts(s.deps, at(25))
    // Marked told and its email written together; nothing sent yet (the process "stopped" here).
    const [cut] = await s.db.select().from(failoverEvents)
    expect(cut!.notifiedAt).not.toBeNull()
    const notices = await s.db.select().from(alertNotices)
    expect(notices.map((n) => [n.kind, n.event, n.memberId, n.recipients])).toEqual([['failover', 'failover', null, ['dns@example.com']]])
    expect(smtp.messages).toHaveLength(0)

    // The next process's send step.
    await sendAlertNotices(s.deps)
    await evaluateAlerts(s.deps, at(30))
    await sendAlertNotices(s.deps, { clock: later(LEASE_SECONDS * 2) })
    expect(smtp.messages.map((m) => [m.subject, m.to, m.messageId])).toEqual([[notices[0]!.subject, ['dns@example.com'], notices[0]!.messageId]])
    expect(notices[0]!.subject).toStartWith('[serversctl] FAILOVER: Outbox: ')
    expect(await history()).toEqual([['failover', 'failover', 'sent']])
    const page = await (await s.browser().signIn()).get(`/pools/${poolId}/monitoring`)
    expect(page.text).toContain(smtp.messages[0]!.subject.replace('[serversctl] ', ''))
  })
})

describe('what the evaluation reads', () => {
  test('of 200 healthy members and a few in trouble, it reads only the ones in trouble', async () => {
    const now = new Date()
    const fresh = new Date(now.getTime() - 2_000)
    const { hostname: _h, agentVersion, os, stacks, apps, ...hostState } = sampleHeartbeat()
    const healthy = Array.from({ length: 200 }, (_, i) => ({
      id: `mem_h${i}`, poolId, name: `ok-${i}`, hostname: `ok-${i}.example.com`, egressIps: ['203.0.113.9'], agentVersion, os, stacks, apps, hostState, summary: { interval: 10 }, lastHeartbeatAt: fresh,
    }))
    const trouble = (id: string, patch: Record<string, unknown>) => ({ ...healthy[0]!, id, name: id, hostname: `${id}.example.com`, ...patch })
    await s.db.delete(members)
    await s.db.insert(members).values([
      ...healthy,
      // Silent five minutes: past its late deadline.
      trouble('silent', { lastHeartbeatAt: new Date(now.getTime() - 300_000) }),
      // Beating, but its disk is over the default 90 %.
      trouble('full', { hostState: { ...hostState, disks: [{ mount: '/', fsType: 'ext4', totalBytes: 100, usedBytes: 93 }] } }),
      trouble('svc', { hostState: { ...hostState, services: [{ unit: 'mariadb', stack: 'mariadb', state: 'failed' }] } }),
      trouble('cert', { hostState: { ...hostState, certificates: [{ domain: 'a.example.com', path: '/x', notAfter: new Date(now.getTime() + 3 * 86_400_000).toISOString(), issuer: null }] } }),
      // Over its own threshold (40 %), not the default's.
      trouble('busy', { hostState: { ...hostState, cpuPercent: 50 } }),
      // Healthy now, but an alert still resolving.
      trouble('resolving', {}),
    ])
    await saveMemberAlerts(s.db, systemActor, { id: 'busy', poolId, name: 'busy' }, { cpu: { enabled: true, percent: 40, minutes: 1 } })
    // Over the default CPU threshold with CPU alerts switched off: nothing to judge.
    await s.db.insert(members).values(trouble('cpu-off', { hostState: { ...hostState, cpuPercent: 99 } }))
    await saveMemberAlerts(s.db, systemActor, { id: 'cpu-off', poolId, name: 'cpu-off' }, { cpu: { enabled: false, percent: 95, minutes: 10 } })
    await s.db.insert(alertStates).values({ key: 'resolving:heartbeat', poolId, memberId: 'resolving', kind: 'heartbeat', state: 'resolving', since: fresh, firedAt: new Date(now.getTime() - 600_000) })

    const { MEMBER_DEFAULTS } = await import('./settings')
    const judged = await store.membersToJudge(s.db, now, MEMBER_DEFAULTS)
    expect(judged.map((m) => m.id).sort()).toEqual(['busy', 'cert', 'full', 'resolving', 'silent', 'svc'])
    expect(judged.find((m) => m.id === 'busy')!.settings).toMatchObject({ cpu: { percent: 40 } })

    // And the evaluation acts on them alone: one state row per condition that moved, none for the 200.
    const started = performance.now()
    expect(await evaluateAlerts(s.deps, now)).toEqual({ members: 6 })
    const ms = performance.now() - started
    const states = await s.db.select({ memberId: alertStates.memberId, kind: alertStates.kind, state: alertStates.state }).from(alertStates)
    expect(states.filter((r) => r.memberId?.startsWith('mem_h'))).toEqual([])
    expect(states.map((r) => `${r.memberId}:${r.kind}:${r.state}`).sort()).toEqual([
      'busy:cpu:pending', 'cert:tls:firing', 'full:disk:pending', 'resolving:heartbeat:resolving', 'silent:heartbeat:firing', 'svc:services:pending',
    ])
    console.log(`[notices] evaluation of 207 members (6 judged) took ${ms.toFixed(0)} ms`)
  })

  test('pool-wide: the members behind on their agent are named, from the versions the pool runs', async () => {
    await savePoolAlerts(s.db, systemActor, poolId, { outdatedAgents: { enabled: true }, anySilent: { enabled: false, afterSeconds: 120 }, notifyAccount: false, recipients: ['noc@example.com'] })
    const fresh = new Date(Date.now() - 1000)
    await s.db.delete(members)
    await s.db.insert(members).values(
      [['old-b', '0.0.9'], ['old-a', '0.0.9'], ['older', '0.0.1'], ['current', '0.1.0'], ['dev', 'dev']].map(([name, agentVersion]) => ({ id: `mem_${name}`, poolId, name: name!, hostname: `${name}.example.com`, egressIps: ['203.0.113.9'], agentVersion, lastHeartbeatAt: fresh })),
    )
    await evaluateAlerts(s.deps, new Date())
    await sendAlertNotices(s.deps)
    expect(smtp.messages.map((m) => [m.subject, m.to])).toEqual([['[serversctl] ALERT: pool Outbox: outdated agents on old-a, old-b, older', ['noc@example.com']]])
    expect(smtp.messages[0]!.raw).toContain('older: agent 0.0.1')
  })
})
