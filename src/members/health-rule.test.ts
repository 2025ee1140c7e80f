// The one health rule: the deadlines the database sets when a heartbeat is
// stored are those deadlinesFor computes, every reader reads the same status
// off them, and a pool's new failover delay moves them at once.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { failoverConfigs, members } from '../db/schema'
import { testServer, type TestServer } from '../testing/harness'
import { systemActor } from '../audit/service'
import { saveFailoverConfig } from '../failover/config'
import { decide, isDown, isFresh } from '../failover/decide'
import { fleetCards } from './cards'
import { deadlinesFor, memberStatus } from './status'

let s: TestServer
let poolId: string
beforeAll(async () => {
  s = await testServer()
  poolId = (await s.api('POST', '/api/v1/pools', { name: 'Rule', preset: 'generic' })).json.id
})
afterAll(() => s.close())

const NOW = new Date('2026-12-07T12:00:00.000Z')
const ago = (ms: number) => new Date(NOW.getTime() - ms)

describe('one health rule', () => {
  // (interval, failover delay, silence): the status every reader must show.
  test.each([
    [10, 30, 0, 'healthy'],
    [10, 30, 15_000, 'healthy'],
    [10, 30, 15_001, 'late'],
    [10, 30, 30_000, 'late'],
    [10, 30, 30_001, 'down'],
    [2, 30, 3_001, 'late'],
    [60, 120, 89_000, 'healthy'],
    [60, 120, 121_000, 'down'],
    // A delay shorter than the slack ends health too: never healthy and past the delay at once.
    [10, 10, 10_000, 'healthy'],
    [10, 10, 10_001, 'down'],
    [10, 10, 15_001, 'down'],
  ] as const)('interval %i s, delay %i s, silent %i ms: %s', async (interval, delay, silentMs, expected) => {
    const id = `mem_rule_${interval}_${delay}_${silentMs}`
    const pool = (await s.api('POST', '/api/v1/pools', { name: `Rule ${id}`, preset: 'generic' })).json.id
    await s.db.insert(failoverConfigs).values({ poolId: pool, delaySeconds: delay })
    const [row] = await s.db
      .insert(members)
      .values({ id, poolId: pool, name: 'm', hostname: 'm.example.test', lastHeartbeatAt: ago(silentMs), summary: { interval } })
      .returning()
    // The database's deadlines are exactly the pure rule's.
    expect({ lateAt: row!.lateAt, downAt: row!.downAt }).toEqual({ lateAt: deadlinesFor(ago(silentMs), interval, delay).lateAt, downAt: deadlinesFor(ago(silentMs), interval, delay).downAt })
    // The badge, the Overview's SQL and the failover decision agree.
    expect(memberStatus(row!, NOW)).toBe(expected)
    const fleet = await fleetCards(s.db, pool, { now: NOW })
    expect(fleet.tiles.map((c) => c.status)).toEqual([expected])
    expect(fleet.status.healthy).toBe(expected === 'healthy' ? 1 : 0)
    const candidate = { ...row!, galera: null }
    expect(isFresh(candidate, NOW)).toBe(expected === 'healthy')
    expect(isDown(candidate, NOW)).toBe(expected === 'down')
  })

  test('a member never heard from is pending, with no deadlines, and never a failover target', async () => {
    const [row] = await s.db.insert(members).values({ id: 'mem_rule_pending', poolId, name: 'p', hostname: 'p.example.test' }).returning()
    expect([row!.lateAt, row!.downAt]).toEqual([null, null])
    expect(memberStatus(row!, NOW)).toBe('pending')
    const situation = { now: NOW, activeMemberId: null, members: [{ ...row!, galera: null }], delaySeconds: 30, autoFailback: false, failbackAfterSeconds: 300 }
    expect(decide(situation)).toEqual({ kind: 'none' })
  })

  test("a pool's new failover delay moves its members' down deadlines at once, and only theirs", async () => {
    const other = (await s.api('POST', '/api/v1/pools', { name: 'Other rule', preset: 'generic' })).json.id
    const beat = new Date(Date.now() - 40_000)
    await s.db.insert(members).values([
      { id: 'mem_rule_delay', poolId, name: 'd', hostname: 'd.example.test', lastHeartbeatAt: beat, summary: { interval: 10 } },
      { id: 'mem_rule_elsewhere', poolId: other, name: 'e', hostname: 'e.example.test', lastHeartbeatAt: beat, summary: { interval: 10 } },
    ])
    const statusOf = async (id: string) => memberStatus((await s.db.select().from(members).where(eq(members.id, id)))[0]!, new Date())
    expect(await statusOf('mem_rule_delay')).toBe('down')
    await saveFailoverConfig(s.db, systemActor, poolId, { delaySeconds: 60 })
    expect(await statusOf('mem_rule_delay')).toBe('late')
    expect(await statusOf('mem_rule_elsewhere')).toBe('down')
    await saveFailoverConfig(s.db, systemActor, poolId, { delaySeconds: 20 })
    expect(await statusOf('mem_rule_delay')).toBe('down')
    const [row] = await s.db.select().from(members).where(eq(members.id, 'mem_rule_delay'))
    expect(row!.downAt).toEqual(new Date(beat.getTime() + 20_000))
  })
})
