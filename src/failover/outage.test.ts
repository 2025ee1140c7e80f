// The control plane's own outage counts against no member, and a new
// leadership term finishes a cut an older term left unfinished at once.
import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { failoverEvents, members, pools } from '../db/schema'
import { testServer, type TestServer } from '../testing/harness'
import { systemActor } from '../audit/service'
import { heartbeat } from '../agent-api/service'
import { sampleHeartbeat } from '../testing/heartbeat-fixture'
import { decide, type Candidate } from './decide'
import { saveFailoverConfig } from './config'
import { evaluatePool } from './evaluator'
import { forgiveOutage, lastHeard, type Outage } from './outage'
import { deadlinesFor } from '../members/status'

// The control plane stopped hearing at T-3 s (the newest heartbeat) and listens again from T.
const T = new Date('2026-11-26T12:00:00Z')
const at = (s: number) => new Date(T.getTime() + s * 1000)
const outage: Outage = { heardUntil: at(-3), upSince: T }

/**
 * A member beating every second, last heard at `last` (seconds from T),
 * healthy for an hour, with the deadlines the start-up forgiveness gives it.
 */
const m = (id: string, last: number, delay: number, o: Outage | null = outage): Candidate => ({
  id,
  ...deadlinesFor(lastHeard(at(last), 1, o), 1, delay),
  lastHeartbeatAt: at(last),
  healthySince: at(last - 3600),
  galera: null,
})

describe('silence and the control plane outage', () => {
  test.each([
    ['a member beating when the outage began is heard at its end', -3.4, -3, 0],
    ['the same after an outage of a minute', -60.2, -60, 0],
    ['a member already silent for 9 s stays silent through the outage', -12, -3, -12],
    ['a heartbeat since the restart leaves nothing to forgive', 0.2, -3, 0.2],
  ])('%s', (_label, last, heardUntil, heard) => {
    expect(lastHeard(at(last), 1, { heardUntil: at(heardUntil), upSince: T })).toEqual(at(heard))
  })

  test('killed 0.3 s before the cut was due: the cut comes at the first tick after the restart, to the standby that beat all along', () => {
    // Active silent since -9.7 s (delay 10 s); the standby beat until the server died.
    const situation = { now: at(0.4), activeMemberId: 'a', delaySeconds: 10, autoFailback: false, failbackAfterSeconds: 300 }
    expect(decide({ ...situation, members: [m('a', -9.7, 10), m('b', -3, 10)] })).toEqual({ kind: 'cut', from: 'a', to: 'b', reason: 'active_down' })
    // Without the outage the standby looks silent for 3.4 s: the hold-back the issue saw.
    expect(decide({ ...situation, members: [m('a', -9.7, 10, null), m('b', -3, 10, null)] })).toEqual({ kind: 'blocked', from: 'a', reason: 'no_healthy_standby' })
  })

  test('a minute-long outage with both members beating when it began: no cut on restart', () => {
    const long: Outage = { heardUntil: at(-60), upSince: T }
    const members = [m('a', -60.5, 10, long), m('b', -60, 10, long)]
    expect(decide({ now: at(1), activeMemberId: 'a', members, delaySeconds: 10, autoFailback: false, failbackAfterSeconds: 300 })).toEqual({ kind: 'none' })
  })

  test('a standby already silent when the outage began is no standby after it', () => {
    const members = [m('a', -12, 10), m('b', -5, 10)]
    expect(decide({ now: at(0.4), activeMemberId: 'a', members, delaySeconds: 10, autoFailback: false, failbackAfterSeconds: 300 })).toEqual({
      kind: 'blocked',
      from: 'a',
      reason: 'no_healthy_standby',
    })
  })
})

describe('with a database', () => {
  let s: TestServer
  let poolId: string
  beforeEach(async () => {
    s = await testServer()
    poolId = (await s.api('POST', '/api/v1/pools', { name: 'Restart', preset: 'generic' })).json.id
    const now = Date.now()
    for (const id of ['mem_a', 'mem_b']) {
      await s.db.insert(members).values({ id, poolId, name: id, hostname: `${id}.example.test`, egressIps: ['127.0.0.1'], publicIpv4: '192.0.2.1', lastHeartbeatAt: new Date(now - 4000), healthySince: new Date(now - 3_600_000), summary: { interval: 1 } })
    }
  })
  afterEach(() => s.close())

  test('a heartbeat after the outage keeps the member\'s run of health', async () => {
    const [row] = await s.db.select().from(members).where(eq(members.id, 'mem_b'))
    const healthySince = row!.healthySince!
    // Back up a second ago: the agent reconnects within its slack of one and a half beats.
    const down: Outage = { heardUntil: row!.lastHeartbeatAt, upSince: new Date(Date.now() - 1000) }
    expect(await forgiveOutage(s.db, down)).toBe(2)
    await heartbeat(s.db, { ...row!, tokenHash: null } as never, { ...sampleHeartbeat(), heartbeatSeconds: 1 } as never, '127.0.0.1', new Date())
    const [after] = await s.db.select().from(members).where(eq(members.id, 'mem_b'))
    expect(after!.healthySince).toEqual(healthySince)
    // Without the outage the same 4 s gap ends the run.
    await s.db.update(members).set({ lastHeartbeatAt: new Date(Date.now() - 4000) }).where(eq(members.id, 'mem_b'))
    await heartbeat(s.db, { ...after!, lastHeartbeatAt: new Date(Date.now() - 4000) } as never, { ...sampleHeartbeat(), heartbeatSeconds: 1 } as never, '127.0.0.1', new Date())
    const [reset] = await s.db.select().from(members).where(eq(members.id, 'mem_b'))
    expect(reset!.healthySince!.getTime()).toBeGreaterThan(healthySince.getTime())
  })

  test('a cut claimed by an older term is finished at once by a newer one, and not by the same term before its lease runs out', async () => {
    await saveFailoverConfig(s.db, systemActor, poolId, { enabled: true, delaySeconds: 10, memberOrder: ['mem_a', 'mem_b'] })
    await s.db.update(pools).set({ activeMemberId: 'mem_a' }).where(eq(pools.id, poolId))
    const now = new Date()
    await s.db.insert(failoverEvents).values({
      id: 'fo_left', poolId, fromMemberId: 'mem_a', toMemberId: 'mem_b', reason: 'active_down', status: 'pending',
      detectedAt: now, attempts: 1, claimTerm: 4, dnsWriteTerm: 4, leaseUntil: new Date(now.getTime() + 30_000),
    })
    const noProbe = async () => false
    expect(await evaluatePool({ ...s.deps, leaderTerm: async () => 4 }, poolId, new Date(), noProbe)).toEqual({ kind: 'in_flight' })
    expect((await s.db.select().from(failoverEvents))[0]).toMatchObject({ status: 'pending', attempts: 1 })

    await evaluatePool({ ...s.deps, leaderTerm: async () => 5 }, poolId, new Date(), noProbe)
    const [done] = await s.db.select().from(failoverEvents)
    expect(done).toMatchObject({ status: 'done', attempts: 2, claimTerm: 5 })
    expect((await s.db.select().from(pools).where(eq(pools.id, poolId)))[0]!.activeMemberId).toBe('mem_b')
    expect(s.log.lines.join('\n')).toContain('term 5 takes over the cut term 4 left unfinished after writing DNS')
  })
})
