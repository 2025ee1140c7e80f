// A stopping server gives leadership up: another replica on the same
// PostgreSQL leads at its very next try, not once a dead connection is noticed.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import postgres from 'postgres'
import { sql } from 'drizzle-orm'
import { openPostgres, type Database } from '.'
import { describeNeeding, missingPostgres, TEST_POSTGRES_URL } from '../testing/needs'

describeNeeding(await missingPostgres())('leadership on PostgreSQL', () => {
  const name = `sctl_lead_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
  const admin = postgres(TEST_POSTGRES_URL, { max: 1, onnotice: () => {} })
  let a: Database
  let b: Database
  let url = ''
  beforeAll(async () => {
    await admin.unsafe(`create database ${name}`)
    const u = new URL(TEST_POSTGRES_URL)
    u.pathname = `/${name}`
    url = u.toString()
    a = await openPostgres(url)
    b = await openPostgres(url)
  }, 60_000)
  afterAll(async () => {
    await a?.close()
    await b?.close()
    await admin.unsafe(`drop database if exists ${name} with (force)`)
    await admin.end()
  })

  test('the leader releases it, the other replica takes it at its next try with a new term, and the old one never takes it back', async () => {
    expect(await a.isLeader()).toBe(true)
    const first = await a.leaderTerm()
    expect(await b.isLeader()).toBe(false)
    await a.releaseLeadership()
    expect(await b.isLeader()).toBe(true)
    expect(await b.leaderTerm()).toBeGreaterThan(first!)
    expect(await a.isLeader()).toBe(false)
    expect(await a.leaderTerm()).toBeNull()
  })

  test('ticks asking at the same moment make one term, and a release lets the lock go at once', async () => {
    const c = await openPostgres(url)
    const d = await openPostgres(url)
    try {
      await b.releaseLeadership()
      const answers = await Promise.all(Array.from({ length: 6 }, () => c.isLeader()))
      expect(answers).toEqual([true, true, true, true, true, true])
      const term = (await c.leaderTerm())!
      const terms = await c.db.execute(sql`select term from leader_terms where term >= ${term}`)
      expect(((terms as { rows?: unknown[] }).rows ?? (terms as unknown[])).length).toBe(1)
      // Taken once, released once: the next replica leads at its next try.
      await c.releaseLeadership()
      expect(await d.isLeader()).toBe(true)
    } finally {
      await c.close()
      await d.close()
    }
  })
})
