// Failover drills with real parts: the app on a loopback socket (PGlite, or
// PostgreSQL with TEST_DATABASE_URL), compiled agents heartbeating every
// second, a real PowerDNS, and `dig` as the judge of where the name points.
// testServer() runs no scheduler, so each test ticks the evaluator itself at
// every whole second, as the scheduler's cron would.
import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { createServer, type Server } from 'node:net'
import { eq } from 'drizzle-orm'
import { members } from '../db/schema'
import { testServer, type TestServer } from '../testing/harness'
import { secs, setupDrill, sleep, startTicker, waitFor, type Drill, type DrillAgent } from '../testing/drill'
import { evaluateAll } from './evaluator'
import { decide, orderMembers } from './decide'

const DELAY = 10

let s: TestServer
let base: string
let stopTicks: () => Promise<void>
let drill: Drill | null = null

beforeEach(async () => {
  s = await testServer()
  base = s.serve()
  stopTicks = startTicker(() => evaluateAll(s.deps))
})

afterEach(async () => {
  // Each step on its own, so one failing cannot leave processes behind.
  await stopTicks().catch(() => {})
  await drill?.cleanup().catch(() => {})
  drill = null
  await s.close().catch(() => {})
})

async function memberRow(agent: DrillAgent) {
  const [row] = await s.db.select().from(members).where(eq(members.id, agent.id))
  return row!
}

/** Waits until the evaluator would take this member as a standby: fresh and healthy for the delay. */
async function waitEligible(agent: DrillAgent, timeoutMs = 30_000) {
  await waitFor(
    async () => {
      const m = await memberRow(agent)
      const now = Date.now()
      return (
        !!m.lastHeartbeatAt &&
        !!m.healthySince &&
        now - m.lastHeartbeatAt.getTime() <= 3000 &&
        now - m.healthySince.getTime() >= DELAY * 1000 + 500
      )
    },
    timeoutMs,
    `${agent.name} to be eligible as a standby`,
    200,
  )
}

/** The initial activation: the first member in order becomes active and DNS points at it. */
async function waitInitial(d: Drill, agent: DrillAgent) {
  await waitFor(async () => (await d.failover()).activeMemberId === agent.id, 15_000, `${agent.name} to be made active`, 100).catch(async (err) => {
    const rows = await s.db.select().from(members).where(eq(members.poolId, d.poolId))
    const state = rows.map((m) => `${m.name}: last ${m.lastHeartbeatAt?.toISOString()} healthy since ${m.healthySince?.toISOString()}`).join('\n')
    throw new Error(`${err.message} at ${new Date().toISOString()}\n${state}\n${JSON.stringify(await d.failover())}\n--- server log ---\n${s.log.lines.join('\n')}`)
  })
  await d.waitForDns(agent.publicIpv4, 5000)
  const events = await d.events()
  expect(events).toHaveLength(1)
  expect(events[0]).toMatchObject({ reason: 'initial', status: 'done', fromMemberId: null, toMemberId: agent.id })
  expect(events[0]!.dnsResult).toMatchObject({ verified: true })
}

function failoverLog() {
  return s.log.lines.filter((l) => l.includes('[failover.')).join('\n')
}

describe('failover drills (compiled agents, PowerDNS, dig)', () => {
  test('the active agent stops: DNS moves to the standby within the delay + 2 s, once, and does not move back', async () => {
    drill = await setupDrill({ api: s.api, serverUrl: base, delaySeconds: DELAY, failover: { failbackAfterSeconds: 60 } })
    const [a, b] = drill.agents as [DrillAgent, DrillAgent]
    await waitInitial(drill, a)
    expect(await drill.dig()).toEqual([a.publicIpv4])
    await waitEligible(b)

    expect(await a.stop('SIGTERM')).toBe(0)
    const lastHeartbeat = (await drill.lastHeartbeat(a))!
    const ranOut = lastHeartbeat.getTime() + DELAY * 1000
    // Generous bound for the wait; the assertion below is the real one.
    const seenAt = await drill.waitForDns(b.publicIpv4, Math.max(1000, ranOut + 10_000 - Date.now()))
    const cut = (await drill.events()).filter((e) => e.reason === 'active_down')
    const completedAt = cut[0]?.completedAt ? Date.parse(cut[0].completedAt) : NaN
    console.log(
      `[drill] cut after the delay ran out: dig ${secs(seenAt - ranOut)} s, completedAt ${secs(completedAt - ranOut)} s ` +
        `(${secs(seenAt - lastHeartbeat.getTime())} s after A's last heartbeat)`,
    )
    expect(seenAt - lastHeartbeat.getTime()).toBeLessThanOrEqual((DELAY + 2) * 1000)
    expect(seenAt).toBeGreaterThan(ranOut)

    expect(cut).toHaveLength(1)
    expect(cut[0]).toMatchObject({ status: 'done', fromMemberId: a.id, toMemberId: b.id, completedAt: expect.any(String) })
    expect(cut[0]!.dnsResult).toMatchObject({ verified: true, records: [{ name: drill.hostname, type: 'A', values: [b.publicIpv4] }] })
    expect(Date.parse(cut[0]!.detectedAt)).toBeGreaterThan(ranOut)
    expect(completedAt - lastHeartbeat.getTime()).toBeLessThanOrEqual((DELAY + 2) * 1000)
    expect((await drill.failover()).activeMemberId).toBe(b.id)

    // A comes back. With automatic failback off, DNS stays with B, however long A stays healthy.
    const restarted = new Date()
    a.start()
    await drill.waitHeartbeat(a, 30_000, restarted)
    await waitFor(async () => (await drill!.member(a.id)).status === 'healthy', 15_000, 'A to be healthy again')
    const config = await drill.failover()
    const window = Math.max(DELAY, config.failbackAfterSeconds) * 1000
    // Past the moment a failback would happen if it were on (healthy for the window since healthySince).
    const since = (await memberRow(a)).healthySince!.getTime()
    console.log(`[drill] A restarted after ${secs(restarted.getTime() - lastHeartbeat.getTime())} s of silence; its healthySince is ${secs(since - restarted.getTime())} s from the restart`)
    await sleep(Math.max(0, since + window + 3000 - Date.now()))

    expect(await drill.dig()).toEqual([b.publicIpv4])
    const after = await drill.events()
    expect(after.map((e) => e.reason)).toEqual(['active_down', 'initial'])
    expect((await drill.failover()).activeMemberId).toBe(b.id)
    expect((await drill.member(a.id)).status).toBe('healthy')
    // The control: with failback on, the same pool would now move back to A,
    // so the wait above really covered the failback window.
    const rows = orderMembers(await s.db.select().from(members).where(eq(members.poolId, drill.poolId)), config.memberOrder)
    const wouldBe = decide({
      now: new Date(),
      activeMemberId: b.id,
      members: rows.map((m) => ({ id: m.id, lastHeartbeatAt: m.lastHeartbeatAt, lateAt: m.lateAt, downAt: m.downAt, healthySince: m.healthySince, galera: null })),
      delaySeconds: DELAY,
      autoFailback: true,
      failbackAfterSeconds: config.failbackAfterSeconds,
    })
    expect(wouldBe).toEqual({ kind: 'cut', from: b.id, to: a.id, reason: 'failback' })
  }, 120_000)

  // Fails against the app as it is: decide.ts counts a standby as fresh for 15 s
  // (HEARTBEAT_SECONDS * 1.5) whatever the delay, so with a 10 s delay two silent
  // members are each other's "eligible" standby and DNS flips between them every
  // second until both pass 15 s.
  test('no cut when the standby is silent too (both stop at once): DNS stays, one "no_healthy_standby" note', async () => {
    drill = await setupDrill({ api: s.api, serverUrl: base, delaySeconds: DELAY })
    const [a, b] = drill.agents as [DrillAgent, DrillAgent]
    await waitInitial(drill, a)
    await waitEligible(b)

    await Promise.all([a.stop('SIGTERM'), b.stop('SIGTERM')])
    const lastA = (await drill.lastHeartbeat(a))!.getTime()
    const lastB = (await drill.lastHeartbeat(b))!.getTime()
    await sleep(Math.max(0, lastA + (DELAY + 5) * 1000 - Date.now()))

    const events = await drill.events()
    const said = events.map((e) => `${e.reason}:${e.status} at +${secs(Date.parse(e.detectedAt) - lastA)} s`).join(', ')
    console.log(`[drill] both stopped (B's last heartbeat ${secs(lastB - lastA)} s after A's); events since A's last heartbeat: ${said}`)
    expect(await drill.dig()).toEqual([a.publicIpv4])
    expect((await drill.failover()).activeMemberId).toBe(a.id)
    expect(events.filter((e) => e.reason === 'active_down')).toHaveLength(0)
    const blocked = events.filter((e) => e.status === 'blocked')
    expect(blocked).toHaveLength(1)
    expect(blocked[0]).toMatchObject({ reason: 'no_healthy_standby', fromMemberId: a.id, toMemberId: null })
    expect(Date.parse(blocked[0]!.detectedAt)).toBeGreaterThan(lastA + DELAY * 1000)
    expect(events).toHaveLength(2)
  }, 90_000)

  test('no cut when the standby went silent first: DNS stays, one "no_healthy_standby" note', async () => {
    drill = await setupDrill({ api: s.api, serverUrl: base, delaySeconds: DELAY })
    const [a, b] = drill.agents as [DrillAgent, DrillAgent]
    await waitInitial(drill, a)

    // B stops 6 s before A: when A is down, B has been silent past the 15 s "fresh" line.
    await b.stop('SIGTERM')
    await sleep(6000)
    await a.stop('SIGTERM')
    const lastA = (await drill.lastHeartbeat(a))!.getTime()
    // Past delay + 5 s, and past the 15 s after which the status line says "down" rather than "healthy".
    await sleep(Math.max(0, lastA + (DELAY + 6) * 1000 - Date.now()))

    const events = await drill.events()
    expect(await drill.dig()).toEqual([a.publicIpv4])
    expect((await drill.failover()).activeMemberId).toBe(a.id)
    expect(events.map((e) => `${e.reason}:${e.status}`)).toEqual(['no_healthy_standby:blocked', 'initial:done'])
    expect(events[0]).toMatchObject({ fromMemberId: a.id, toMemberId: null })
    expect(Date.parse(events[0]!.detectedAt)).toBeGreaterThan(lastA + DELAY * 1000)
    expect((await drill.failover()).state).toBe('held_back')
  }, 90_000)

  test('no cut on one late heartbeat: the active agent frozen for less than the delay', async () => {
    drill = await setupDrill({ api: s.api, serverUrl: base, delaySeconds: DELAY })
    const [a, b] = drill.agents as [DrillAgent, DrillAgent]
    await waitInitial(drill, a)
    await waitEligible(b)

    const frozenAt = Date.now()
    a.pause()
    await sleep((DELAY - 4) * 1000)
    a.resume()
    const resumedAt = new Date()
    await drill.waitHeartbeat(a, 10_000, resumedAt)
    // Watch until well past the moment a cut would have come.
    await sleep(Math.max(0, frozenAt + (DELAY + 3) * 1000 - Date.now()))

    expect(await drill.dig()).toEqual([a.publicIpv4])
    expect((await drill.events()).map((e) => e.reason)).toEqual(['initial'])
    expect((await drill.failover()).activeMemberId).toBe(a.id)
    expect((await drill.member(a.id)).status).toBe('healthy')
  }, 90_000)

  test('no cut while the confirmation probe still reaches the host; the cut follows once it does not', async () => {
    const listener: Server = createServer((socket) => socket.destroy())
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve))
    const port = (listener.address() as { port: number }).port
    let listening = true
    const closeListener = () =>
      new Promise<void>((resolve) => {
        if (!listening) return resolve()
        listening = false
        listener.close(() => resolve())
      })
    try {
      drill = await setupDrill({
        api: s.api,
        serverUrl: base,
        delaySeconds: DELAY,
        failover: { probe: { kind: 'tcp', port } },
        // The probe asks the active member's public address: make that this machine.
        beforeFailover: async (d) => {
          const res = await d.api('PATCH', `/api/v1/members/${d.agents[0]!.id}`, { publicIpv4: '127.0.0.1' })
          expect(res.status).toBe(200)
          expect(res.json.publicIpv4).toBe('127.0.0.1')
        },
      })
      const [a, b] = drill.agents as [DrillAgent, DrillAgent]
      expect((await drill.failover()).probe).toEqual({ kind: 'tcp', port })
      await waitFor(async () => (await drill!.failover()).activeMemberId === a.id, 30_000, 'A to be made active')
      await drill.waitForDns('127.0.0.1', 5000)
      await waitEligible(b)

      expect(await a.stop('SIGTERM')).toBe(0)
      const lastA = (await drill.lastHeartbeat(a))!.getTime()
      const blocked = await waitFor(
        async () => (await drill!.events()).find((e) => e.status === 'blocked'),
        DELAY * 1000 + 10_000,
        'a "held back" event',
      )
      expect(blocked).toMatchObject({ reason: 'agent_silent_host_answers', fromMemberId: a.id, toMemberId: null })
      expect(Date.parse(blocked.detectedAt)).toBeGreaterThan(lastA + DELAY * 1000)
      // Held back, and said once, for as long as the host answers.
      await sleep(4000)
      expect(await drill.dig()).toEqual(['127.0.0.1'])
      expect((await drill.events()).map((e) => `${e.reason}:${e.status}`)).toEqual(['agent_silent_host_answers:blocked', 'initial:done'])
      expect((await drill.failover()).activeMemberId).toBe(a.id)

      const closedAt = Date.now()
      await closeListener()
      const seenAt = await drill.waitForDns(b.publicIpv4, 10_000)
      console.log(`[drill] probe stopped answering: DNS on the standby ${secs(seenAt - closedAt)} s later`)
      expect(seenAt - closedAt).toBeLessThan(5000)
      const events = await drill.events()
      expect(events.map((e) => `${e.reason}:${e.status}`)).toEqual(['active_down:done', 'agent_silent_host_answers:blocked', 'initial:done'])
      expect(events[0]).toMatchObject({ fromMemberId: a.id, toMemberId: b.id, completedAt: expect.any(String) })
      expect(events[0]!.dnsResult).toMatchObject({ verified: true })
    } catch (err) {
      throw new Error(`${(err as Error).message}\n--- failover log ---\n${failoverLog()}`)
    } finally {
      await closeListener()
    }
  }, 90_000)
})
