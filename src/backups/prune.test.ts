import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { and, eq, sql } from 'drizzle-orm'
import { backupChunks, snapshots } from '../db/schema'
import { HttpError } from '../http/errors'
import { checkChunks, commitSnapshot } from './agent-service'
import { chunkKey } from './keys'
import { pruneChunks } from './prune'
import { backupKit, fakeChunk, type Chunk, type Kit } from './test-kit'

let k: Kit
let m: Awaited<ReturnType<Kit['member']>>
beforeAll(async () => {
  k = await backupKit()
  m = await k.member(await k.pool('Prune'), 'db-1')
})
afterAll(() => k.close())

const HOUR = 3600_000
const age = (ids: string[], ms: number) =>
  k.s.db
    .update(backupChunks)
    .set({ touchedAt: new Date(Date.now() - ms) })
    .where(sql`${backupChunks.id} in (${sql.join(ids.map((id) => sql`${id}`), sql`, `)})`)
const exists = async (c: Chunk) => (await k.s.deps.storage.head(chunkKey(m.poolId, c.id))) !== null
const row = async (c: Chunk) => (await k.s.db.select().from(backupChunks).where(and(eq(backupChunks.poolId, m.poolId), eq(backupChunks.id, c.id))))[0]

/** One backup as an agent runs it, through the service calls; a 409 "chunk missing" is answered by checking again. */
async function backUp(chunks: Chunk[]): Promise<string> {
  const job = await k.runningJob(m, 'backup.config')
  for (let attempt = 0; attempt < 200; attempt++) {
    const { upload } = await checkChunks(k.s.deps, m.id, job.id, chunks.map(({ id, size }) => ({ id, size })))
    for (const u of upload) {
      const c = chunks.find((x) => x.id === u.id)!
      await k.s.deps.storage.put(chunkKey(m.poolId, c.id), c.bytes)
    }
    try {
      const body = { kind: 'config' as const, source: 'config', sizeBytes: 1, sha256: 'a'.repeat(64), chunks: chunks.map((c) => c.id), tables: null, uploadedBytes: 0 }
      return (await commitSnapshot(k.s.deps, m.id, job.id, body)).snapshotId
    } catch (err) {
      if (!(err instanceof HttpError) || err.code !== 'chunk_missing') throw err
    }
  }
  throw new Error('the backup never committed')
}

describe('prune', () => {
  test('it removes unreferenced chunks past the grace, rows and objects; it keeps referenced and recent ones', async () => {
    const referenced = fakeChunk(100)
    const orphan = fakeChunk(200)
    const recent = fakeChunk(300)
    const neverStored = fakeChunk(400)
    await backUp([referenced])
    const job = await k.runningJob(m, 'backup.config')
    await checkChunks(k.s.deps, m.id, job.id, [orphan, recent, neverStored].map(({ id, size }) => ({ id, size })))
    await k.s.deps.storage.put(chunkKey(m.poolId, orphan.id), orphan.bytes)
    await checkChunks(k.s.deps, m.id, job.id, [{ id: orphan.id, size: orphan.size }]) // now flagged stored
    // An upload that landed after its row was given up on: its object goes too.
    await k.s.deps.storage.put(chunkKey(m.poolId, neverStored.id), neverStored.bytes)
    await age([referenced.id, orphan.id, neverStored.id], 7 * HOUR)

    const result = await pruneChunks(k.s.deps)
    expect(result).toEqual({ deleted: 2, bytes: 600, failed: 0 })
    expect(await row(orphan)).toBeUndefined()
    expect(await exists(orphan)).toBe(false)
    expect(await row(neverStored)).toBeUndefined()
    expect(await exists(neverStored)).toBe(false)
    expect(await exists(referenced)).toBe(true)
    expect((await row(recent))?.stored).toBe(false)
    // Within a shorter grace the recent one goes as well.
    expect((await pruneChunks(k.s.deps, { graceMs: 0 })).deleted).toBe(1)
  })

  test("deleting a snapshot frees its chunks for prune, except those another snapshot holds", async () => {
    const shared = fakeChunk(50)
    const own = fakeChunk(60)
    const first = await backUp([shared, own])
    await backUp([shared])
    expect((await k.s.api('DELETE', `/api/v1/snapshots/${first}`)).status).toBe(204)
    await age([shared.id, own.id], 7 * HOUR)
    await pruneChunks(k.s.deps)
    expect(await exists(own)).toBe(false)
    expect(await exists(shared)).toBe(true)
  })

  test('prune never deletes a referenced chunk while backups run concurrently', async () => {
    // A pool of chunks that backups share; with a grace of 100 ms prune wants
    // each one soon after no snapshot holds it, often while a backup between
    // its check and its commit counts on it. (With no grace at all, a
    // tight prune loop can starve a backup: the grace is what lets one finish.)
    const pool = Array.from({ length: 24 }, () => fakeChunk(64))
    let stop = false
    let prunes = 0
    const pruner = (async () => {
      while (!stop) {
        await pruneChunks(k.s.deps, { graceMs: 100 })
        prunes++
        await Bun.sleep(5)
      }
    })()
    const backups = Array.from({ length: 4 }, async (_, w) => {
      for (let i = 0; i < 6; i++) {
        const pick = pool.filter((_, j) => (j + i + w) % 3 === 0)
        const id = await backUp(pick)
        // Every commit that succeeded names chunks whose objects are there.
        for (const c of pick) expect(await exists(c)).toBe(true)
        if (i % 2 === 0) await k.s.api('DELETE', `/api/v1/snapshots/${id}`)
      }
    })
    await Promise.all(backups)
    stop = true
    await pruner
    expect(prunes).toBeGreaterThan(1)
    await pruneChunks(k.s.deps, { graceMs: 0 })
    for (const snap of await k.s.db.select().from(snapshots).where(eq(snapshots.poolId, m.poolId))) {
      for (const id of snap.chunkIds) {
        const c = pool.find((x) => x.id === id) ?? ({ id } as Chunk)
        expect((await row(c))?.stored).toBe(true)
        expect(await exists(c)).toBe(true)
      }
    }
  }, 120_000)
})
