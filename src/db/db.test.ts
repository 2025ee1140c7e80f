import { afterAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { sql } from 'drizzle-orm'
import { openPglite, openPostgres } from '.'
import { pools } from './schema'
import { DataDirLocked, lockDataDir } from '../server/data-dir-lock'
import { describeNeeding, missingPostgres, TEST_POSTGRES_URL } from '../testing/needs'

const dirs: string[] = []
const tempDir = () => {
  const d = mkdtempSync(join(tmpdir(), 'sctl-db-'))
  dirs.push(d)
  return d
}
afterAll(() => dirs.forEach((d) => rmSync(d, { recursive: true, force: true })))

const rows = (result: unknown) => ((result as { rows?: unknown[] }).rows ?? (result as unknown[])) as Record<string, unknown>[]

describe('the embedded database', () => {
  test('it keeps its data across a restart, with durable writes on', async () => {
    const dir = tempDir()
    const first = await openPglite(dir)
    await first.db.insert(pools).values({ id: 'pool_keep', name: 'Kept', preset: 'generic' })
    expect(rows(await first.db.execute(sql`show fsync`))[0]!.fsync).toBe('on')
    await first.close()

    const second = await openPglite(dir)
    expect(await second.db.select().from(pools)).toEqual([expect.objectContaining({ id: 'pool_keep', name: 'Kept' })])
    await second.close()
  })
})

describe('the data directory lock', () => {
  test('a second server on the same DATA_DIR is refused while the first runs', () => {
    const dir = tempDir()
    const release = lockDataDir(dir)
    writeFileSync(join(dir, 'server.lock'), String(process.ppid))
    expect(() => lockDataDir(dir)).toThrow(DataDirLocked)
    writeFileSync(join(dir, 'server.lock'), String(process.pid))
    release()
    expect(() => lockDataDir(dir)()).not.toThrow()
  })

  test('a lock left by a dead server is taken over', () => {
    const dir = tempDir()
    const file = join(dir, 'server.lock')
    writeFileSync(file, '999999')
    const release = lockDataDir(dir)
    expect(readFileSync(file, 'utf8')).toBe(String(process.pid))
    release()
    expect(existsSync(file)).toBe(false)
  })
})

describeNeeding(await missingPostgres())('PostgreSQL', () => {
  test('two servers starting together migrate once and both work', async () => {
    const admin = (await import('postgres')).default(TEST_POSTGRES_URL, { max: 1, onnotice: () => {} })
    const name = `sctl_mig_${process.pid}`
    await admin.unsafe(`drop database if exists ${name} with (force)`)
    await admin.unsafe(`create database ${name}`)
    const url = new URL(TEST_POSTGRES_URL)
    url.pathname = `/${name}`
    const [a, b] = await Promise.all([openPostgres(url.toString()), openPostgres(url.toString())])
    await a.db.insert(pools).values({ id: 'pool_pg', name: 'PG', preset: 'generic' })
    expect(await b.db.select().from(pools)).toHaveLength(1)
    await a.close()
    await b.close()
    await admin.unsafe(`drop database ${name} with (force)`)
    await admin.end()
  })
})
