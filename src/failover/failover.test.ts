import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { failoverEvents, members, pools } from '../db/schema'
import { testServer, type TestServer } from '../testing/harness'
import { evaluatePool } from './evaluator'
import { saveFailoverConfig } from './config'
import { systemActor } from '../audit/service'

let s: TestServer
let poolId: string
// A minute ago, so the API (which judges by the wall clock) sees the same silence the evaluator was shown.
const T0 = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000)
const at = (seconds: number) => new Date(T0.getTime() + seconds * 1000)

/** A member heard from `lastSeen` seconds after T0, healthy since an hour before. */
async function member(id: string, lastSeen: number | null) {
  await s.db.insert(members).values({
    id,
    poolId,
    name: id,
    hostname: `${id}.example.com`,
    egressIps: ['203.0.113.1'],
    publicIpv4: '203.0.113.1',
    lastHeartbeatAt: lastSeen === null ? null : at(lastSeen),
    healthySince: lastSeen === null ? null : at(-3600),
  })
}

const heartbeat = (id: string, seconds: number) => s.db.update(members).set({ lastHeartbeatAt: at(seconds) }).where(eq(members.id, id))
const activeMember = async () => (await s.db.select().from(pools).where(eq(pools.id, poolId)))[0]!.activeMemberId
const events = () => s.db.select().from(failoverEvents).where(eq(failoverEvents.poolId, poolId))
const noProbe = async () => false

beforeEach(async () => {
  s = await testServer()
  poolId = (await s.api('POST', '/api/v1/pools', { name: 'Failover', preset: 'generic' })).json.id
  await member('mem_a', 0)
  await member('mem_b', 0)
  await saveFailoverConfig(s.db, systemActor, poolId, { enabled: true, delaySeconds: 30, memberOrder: ['mem_a', 'mem_b'] })
})
afterEach(() => s.close())

describe('the failover evaluator', () => {
  test('it makes the first healthy member active, then cuts to the standby once the active is silent past the delay', async () => {
    await evaluatePool(s.deps, poolId, at(1), noProbe)
    expect(await activeMember()).toBe('mem_a')

    await heartbeat('mem_b', 29)
    expect((await evaluatePool(s.deps, poolId, at(29), noProbe)).kind).toBe('none')
    await heartbeat('mem_b', 31)
    const decision = await evaluatePool(s.deps, poolId, at(31), noProbe)
    expect(decision).toEqual({ kind: 'cut', from: 'mem_a', to: 'mem_b', reason: 'active_down' })
    expect(await activeMember()).toBe('mem_b')
    const cut = (await events()).find((e) => e.reason === 'active_down')!
    expect(cut).toMatchObject({ status: 'done', fromMemberId: 'mem_a', toMemberId: 'mem_b' })
    expect(cut.dnsResult).toMatchObject({ provider: null })
  })

  test('one late heartbeat causes no cut', async () => {
    await evaluatePool(s.deps, poolId, at(1), noProbe)
    await heartbeat('mem_b', 20)
    for (const t of [15, 20, 25, 30]) expect((await evaluatePool(s.deps, poolId, at(t), noProbe)).kind).toBe('none')
    await heartbeat('mem_a', 30)
    expect((await evaluatePool(s.deps, poolId, at(45), noProbe)).kind).toBe('none')
    expect(await activeMember()).toBe('mem_a')
  })

  test('with no healthy standby it holds back, says so once, and does not cut', async () => {
    await evaluatePool(s.deps, poolId, at(1), noProbe)
    for (const t of [40, 41, 42]) {
      expect(await evaluatePool(s.deps, poolId, at(t), noProbe)).toEqual({ kind: 'blocked', from: 'mem_a', reason: 'no_healthy_standby' })
    }
    expect(await activeMember()).toBe('mem_a')
    const blocked = (await events()).filter((e) => e.status === 'blocked')
    expect(blocked).toHaveLength(1)
    expect((await s.api('GET', `/api/v1/pools/${poolId}/failover`)).json.state).toBe('held_back')
  })

  test('when the confirmation probe still reaches the host, it holds back instead of cutting', async () => {
    await saveFailoverConfig(s.db, systemActor, poolId, { enabled: true, delaySeconds: 30, memberOrder: ['mem_a', 'mem_b'], probe: { kind: 'tcp', port: 443 } })
    await evaluatePool(s.deps, poolId, at(1), noProbe)
    await heartbeat('mem_b', 40)
    const probed: string[] = []
    const answers = async (address: string) => (probed.push(address), true)
    expect(await evaluatePool(s.deps, poolId, at(40), answers)).toEqual({ kind: 'blocked', from: 'mem_a', reason: 'agent_silent_host_answers' })
    expect(probed).toEqual(['203.0.113.1'])
    expect(await activeMember()).toBe('mem_a')
    expect((await evaluatePool(s.deps, poolId, at(40), noProbe)).kind).toBe('cut')
  })

  test('two evaluators at once make exactly one transition, and a finished cut is never repeated', async () => {
    await evaluatePool(s.deps, poolId, at(1), noProbe)
    await heartbeat('mem_b', 40)
    await Promise.all([evaluatePool(s.deps, poolId, at(40), noProbe), evaluatePool(s.deps, poolId, at(40), noProbe)])
    await evaluatePool(s.deps, poolId, at(41), noProbe)
    const cuts = (await events()).filter((e) => e.reason === 'active_down' && e.status === 'done')
    expect(cuts).toHaveLength(1)
    expect(await activeMember()).toBe('mem_b')
  })

  test('a disabled pool is left alone', async () => {
    await saveFailoverConfig(s.db, systemActor, poolId, { enabled: false })
    expect((await evaluatePool(s.deps, poolId, at(100), noProbe)).kind).toBe('none')
    expect(await events()).toHaveLength(0)
  })
})

describe('make active', () => {
  test('it moves the active member by hand, refuses an unhealthy one, and refuses the current one', async () => {
    const now = Date.now()
    await s.db.update(members).set({ lastHeartbeatAt: new Date(now), healthySince: new Date(now - 3_600_000) })
    const first = await s.api('POST', `/api/v1/pools/${poolId}/failover/make-active`, { memberId: 'mem_b' })
    expect(first.status).toBe(200)
    expect(first.json).toMatchObject({ fromMemberId: null, toMemberId: 'mem_b', reason: 'manual', status: 'done' })
    expect((await s.api('GET', `/api/v1/pools/${poolId}/failover`)).json.activeMemberId).toBe('mem_b')

    const again = await s.api('POST', `/api/v1/pools/${poolId}/failover/make-active`, { memberId: 'mem_b' })
    expect(again.status).toBe(409)
    await s.db.update(members).set({ lastHeartbeatAt: new Date(now - 60_000) }).where(eq(members.id, 'mem_a'))
    const down = await s.api('POST', `/api/v1/pools/${poolId}/failover/make-active`, { memberId: 'mem_a' })
    expect(down.status).toBe(409)
    expect(down.json.error.message).toContain('only a healthy member can be made active')
    expect((await s.api('POST', `/api/v1/pools/${poolId}/failover/make-active`, { memberId: 'mem_zz' })).status).toBe(404)

    const log = (await s.api('GET', `/api/v1/pools/${poolId}/failover/events`)).json
    expect(log).toHaveLength(1)
    expect(log[0]).toMatchObject({ toMemberId: 'mem_b', reason: 'manual', completedAt: expect.any(String) })
  })
})

describe('failover settings API', () => {
  test('it saves and answers the settings with the state', async () => {
    const res = await s.api('PUT', `/api/v1/pools/${poolId}/failover`, {
      enabled: true, hostname: 'www.example.com', zone: 'example.com', providerId: null, delaySeconds: 20, ttl: 300, memberOrder: ['mem_b', 'mem_a'], autoFailback: false,
    })
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({ enabled: true, hostname: 'www.example.com', zone: 'example.com', delaySeconds: 20, ttl: 300, memberOrder: ['mem_b', 'mem_a'], state: 'no_active_member' })
    expect(res.json.warnings.join(' ')).toContain('A TTL of 300 s')
  })

  test.each([
    ['a delay under 10 s', { enabled: true, delaySeconds: 5 }, 'The failover delay must be a whole number from 10 to 120'],
    ['a delay over 120 s', { enabled: true, delaySeconds: 121 }, 'from 10 to 120'],
    ['a hostname outside its zone', { enabled: true, hostname: 'www.other.org', zone: 'example.com' }, 'www.other.org is not in the zone example.com'],
    ['a stranger in the member order', { enabled: true, memberOrder: ['mem_x'] }, 'mem_x is not a member of this pool'],
    ['a bad MX value', { enabled: true, zone: 'example.com', extraRecords: [{ type: 'MX', name: 'example.com', values: { mem_a: 'mail.example.com' } }] }, 'must be "<preference> <mail host>"'],
    ['an unknown field', { enabled: true, colour: 'blue' }, 'colour'],
  ])('it refuses %s with 422 and keeps the old settings', async (_l, body, message) => {
    const before = (await s.api('GET', `/api/v1/pools/${poolId}/failover`)).json
    const res = await s.api('PUT', `/api/v1/pools/${poolId}/failover`, body)
    expect(res.status).toBe(422)
    expect(res.json.error.message).toContain(message)
    expect((await s.api('GET', `/api/v1/pools/${poolId}/failover`)).json).toEqual(before)
  })

  test('a provider of another pool is not found', async () => {
    const res = await s.api('PUT', `/api/v1/pools/${poolId}/failover`, { enabled: true, providerId: 'dns_elsewhere' })
    expect(res.status).toBe(404)
  })
})
