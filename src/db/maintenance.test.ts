// The embedded database has no autovacuum: the scheduler's db.maintain tick
// gives it one, so freed room is used again and the planner knows the sizes.
import { afterAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { inArray, sql } from 'drizzle-orm'
import { openPglite, openPostgres, type Db } from '.'
import { pools } from './schema'
import { maintainEmbedded } from './maintenance'
import { describeNeeding, missingPostgres, TEST_POSTGRES_URL } from '../testing/needs'

const dir = mkdtempSync(join(tmpdir(), 'sctl-maintain-'))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

const first = (result: unknown) => ((result as { rows?: Record<string, unknown>[] }).rows ?? (result as Record<string, unknown>[]))[0]!
const pagesOf = async (db: Db) => Number(first(await db.execute(sql`select pg_relation_size('pools') / 8192 as pages`)).pages)
const plannedRows = async (db: Db) => Number(first(await db.execute(sql`select reltuples from pg_class where relname = 'pools'`)).reltuples)

const ids = (from: number) => Array.from({ length: 3000 }, (_, i) => `pool_m${from + i}`)
const addPools = (db: Db, from: number) => db.insert(pools).values(ids(from).map((id) => ({ id, name: id, preset: 'generic' as const })))

describe('maintaining the embedded database', () => {
  test('room freed by deleted rows is used again, and the planner learns how many rows a table has', async () => {
    const { db, close } = await openPglite(join(dir, 'db'))
    try {
      await addPools(db, 0)
      const full = await pagesOf(db)
      await db.delete(pools).where(inArray(pools.id, ids(0)))

      const done = await maintainEmbedded(db)
      expect(done!.tables).toBeGreaterThan(20)
      expect(done!.slowest).not.toBeNull()

      // Without the pass the same rows again would need as many new pages.
      await addPools(db, 10_000)
      expect(await pagesOf(db)).toBeLessThanOrEqual(full + 1)
      await maintainEmbedded(db)
      expect(await plannedRows(db)).toBe(3000)
    } finally {
      await close()
    }
  })
})

describeNeeding(await missingPostgres())('maintaining on PostgreSQL', () => {
  test('it leaves the work to PostgreSQL autovacuum and does nothing', async () => {
    const { db, close } = await openPostgres(TEST_POSTGRES_URL)
    try {
      expect(await maintainEmbedded(db)).toBeNull()
    } finally {
      await close()
    }
  })
})
