import { afterAll, beforeAll, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { jobs, snapshots } from '../db/schema'
import { queueDueDrills } from './drills'
import { setDrillInterval } from './store'
import { backupKit, seedSnapshot, type Kit } from './test-kit'

let k: Kit
beforeAll(async () => {
  k = await backupKit()
})
afterAll(() => k.close())

test('a database with backups gets one drill of its latest snapshot per interval, on a member with MariaDB', async () => {
  const poolId = await k.pool('Drills')
  const m = await k.member(poolId, 'db-1')
  const bare = await k.member(poolId, 'bare-1', { ...(await import('../testing/heartbeat-fixture')).sampleHeartbeat().stacks, mariadb: null })
  const older = await seedSnapshot(k.s.db, poolId, m.id)
  await k.s.db.update(snapshots).set({ createdAt: new Date(Date.now() - 86_400_000) }).where(eq(snapshots.id, older))
  const latest = await seedSnapshot(k.s.db, poolId, m.id)
  await seedSnapshot(k.s.db, poolId, bare.id)
  await seedSnapshot(k.s.db, poolId, m.id, 'files', '/var/www')

  expect(await queueDueDrills(k.s.db)).toEqual({ queued: 1, refused: 0 })
  const drills = await k.s.db.select().from(jobs).where(eq(jobs.name, 'snapshot.drill'))
  expect(drills.map((j) => [j.memberId, j.params])).toEqual([[m.id, { snapshotId: latest }]])
  // Queued already: not again.
  expect((await queueDueDrills(k.s.db)).queued).toBe(0)
  // Proven within the interval: not due; with drills off: never.
  await k.s.db.delete(jobs).where(eq(jobs.name, 'snapshot.drill'))
  await k.s.db.update(snapshots).set({ provenAt: new Date(Date.now() - 3 * 86_400_000) }).where(eq(snapshots.id, older))
  expect((await queueDueDrills(k.s.db)).queued).toBe(0)
  await k.s.db.update(snapshots).set({ provenAt: new Date(Date.now() - 8 * 86_400_000) }).where(eq(snapshots.id, older))
  await setDrillInterval(k.s.db, poolId, 0)
  expect((await queueDueDrills(k.s.db)).queued).toBe(0)
  await setDrillInterval(k.s.db, poolId, 7)
  expect((await queueDueDrills(k.s.db)).queued).toBe(1)
})
