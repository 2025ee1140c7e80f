// A stopping server gives leadership up: another replica on the same
// PostgreSQL leads at its very next try, not once a dead connection is noticed.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import postgres from 'postgres'
import { openPostgres, type Database } from '.'
import { describeNeeding, missingPostgres, TEST_POSTGRES_URL } from '../testing/needs'

describeNeeding(await missingPostgres())('leadership on PostgreSQL', () => {
  const name = `sctl_lead_${process.pid}_${Math.random().toString(36).slice(2, 8)}`
  const admin = postgres(TEST_POSTGRES_URL, { max: 1, onnotice: () => {} })
  let a: Database
  let b: Database
  beforeAll(async () => {
    await admin.unsafe(`create database ${name}`)
    const url = new URL(TEST_POSTGRES_URL)
    url.pathname = `/${name}`
    a = await openPostgres(url.toString())
    b = await openPostgres(url.toString())
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
})
