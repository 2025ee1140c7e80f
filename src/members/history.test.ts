import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { memberMetrics, members, pools } from '../db/schema'
import { testServer, type TestServer } from '../testing/harness'
import { pruneHistory, recentHistory } from './history'

let s: TestServer
beforeAll(async () => {
  s = await testServer()
  await s.db.insert(pools).values({ id: 'pool_h', name: 'H', preset: 'generic' })
  await s.db.insert(members).values({ id: 'mem_h', poolId: 'pool_h', name: 'h', hostname: 'h.example.com' })
})
afterAll(() => s.close())

describe('metric history', () => {
  test('it keeps 30 days and drops what is older', async () => {
    const now = new Date('2026-11-26T12:00:00Z')
    const day = 86_400_000
    await s.db.insert(memberMetrics).values(
      [1, 29, 31, 45].map((d) => ({ memberId: 'mem_h', minute: new Date(now.getTime() - d * day), cpuPercent: d })),
    )
    expect(await pruneHistory(s.db, now)).toBe(2)
    const left = await recentHistory(s.db, 'mem_h', 24 * 40, now)
    expect(left.map((p) => p.cpuPercent)).toEqual([29, 1])
  })
})
