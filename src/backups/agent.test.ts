import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { backupChunks, outbox, snapshots } from '../db/schema'
import { findJob } from '../jobs/store'
import { chunkKey } from './keys'
import { backupKit, fakeChunk, type Kit } from './test-kit'

let k: Kit
let poolId: string
let web: Awaited<ReturnType<Kit['member']>>
let other: Awaited<ReturnType<Kit['member']>>
beforeAll(async () => {
  k = await backupKit()
  poolId = await k.pool('Backups')
  web = await k.member(poolId, 'web-1')
  other = await k.member(poolId, 'web-2')
})
afterAll(() => k.close())

const snapshotRows = async () => k.s.db.select().from(snapshots)

describe('start', () => {
  test("it hands a running backup job the pool's one data key, and no manifest", async () => {
    const a = await k.runningJob(web, 'backup.database', { database: 'shop_wp' })
    const b = await k.runningJob(other, 'backup.config')
    const first = await k.call(web, a.id, 'start', {})
    expect(first.status).toBe(200)
    expect(Buffer.from(first.json.dataKey, 'base64')).toHaveLength(32)
    expect(first.json.snapshot).toBeNull()
    expect((await k.call(other, b.id, 'start', {})).json.dataKey).toBe(first.json.dataKey)
  })

  test('only the own agent, only while the job runs, only backup jobs', async () => {
    const job = await k.runningJob(web, 'backup.config')
    expect((await k.call(other, job.id, 'start', {})).status).toBe(404)
    expect((await k.call(web, 'job_nope', 'start', {})).status).toBe(404)
    const done = await k.runningJob(web, 'backup.config', {}, { status: 'succeeded' })
    expect((await k.call(web, done.id, 'start', {})).status).toBe(409)
    const reboot = await k.runningJob(web, 'system.reboot')
    const refused = await k.call(web, reboot.id, 'start', {})
    expect(refused.status).toBe(409)
    expect((await k.agentCall('sctl_wrong', `/api/v1/agent/backups/${job.id}/start`, {})).status).toBe(401)
    expect((await k.call(web, job.id, 'start', { extra: 1 })).status).toBe(422)
  })
})

describe('a backup', () => {
  test('uploads only what the pool lacks, commits, and the job result names the snapshot', async () => {
    const chunks = [fakeChunk(2000), fakeChunk(3000), fakeChunk(1500)]
    const job = await k.runningJob(web, 'backup.database', { database: 'shop_wp' })
    const res = await k.backUp(web, job.id, { kind: 'database', source: 'shop_wp', chunks: [...chunks, chunks[0]!], tables: { 'shop_wp.wp_posts': '12345', 'shop_wp.wp_options': null } })
    expect(res.status).toBe(201)
    const snap = (await k.s.api('GET', `/api/v1/snapshots/${res.json.snapshotId}`)).json
    expect(snap).toMatchObject({ memberId: web.id, memberName: 'web-1', kind: 'database', source: 'shop_wp', sizeBytes: 8500, storedBytes: 6500, uploadedBytes: 6500, chunkCount: 4, verifiedAt: null, provenAt: null, jobId: job.id, scheduleId: null })
    expect((await findJob(k.s.db, job.id))!.result).toEqual({ snapshotId: res.json.snapshotId })
    // Stored sealed, as uploaded, under the pool's chunk key.
    for (const c of chunks) expect(await k.s.deps.storage.head(chunkKey(poolId, c.id))).toEqual({ size: c.size })

    // The second backup of the same data uploads nothing.
    const again = await k.runningJob(web, 'backup.database', { database: 'shop_wp' })
    const check = await k.call(web, again.id, 'chunks', { chunks: chunks.map(({ id, size }) => ({ id, size })) })
    expect(check.json.upload).toEqual([])
    // A commit repeated after a lost answer gets the same snapshot, not a second one.
    const second = await k.backUp(web, again.id, { kind: 'database', source: 'shop_wp', chunks })
    expect(second.status).toBe(201)
    const repeat = await k.backUp(web, again.id, { kind: 'database', source: 'shop_wp', chunks })
    expect(repeat.json.snapshotId).toBe(second.json.snapshotId)
    expect((await k.s.api('GET', `/api/v1/snapshots/${second.json.snapshotId}`)).json.uploadedBytes).toBe(0)
  })

  test("an upload that landed before its job was cut off is not asked for again", async () => {
    const c = fakeChunk(4096)
    const killed = await k.runningJob(web, 'backup.files', { path: '/var/www/shop' })
    const check = await k.call(web, killed.id, 'chunks', { chunks: [{ id: c.id, size: c.size }] })
    expect(check.json.upload.map((u: any) => u.id)).toEqual([c.id])
    expect((await fetch(check.json.upload[0].url, { method: 'PUT', body: c.bytes })).status).toBeLessThan(300)
    // The agent died here; the retry asks again.
    const retry = await k.runningJob(web, 'backup.files', { path: '/var/www/shop' })
    expect((await k.call(web, retry.id, 'chunks', { chunks: [{ id: c.id, size: c.size }] })).json.upload).toEqual([])
    const [row] = await k.s.db.select().from(backupChunks).where(eq(backupChunks.id, c.id))
    expect(row!.stored).toBe(true)
  })

  test('a commit naming a chunk not stored is refused with its id, and nothing is written', async () => {
    const stored = fakeChunk(100)
    const missing = fakeChunk(200)
    const job = await k.runningJob(web, 'backup.config')
    const check = await k.call(web, job.id, 'chunks', { chunks: [stored, missing].map(({ id, size }) => ({ id, size })) })
    await fetch(check.json.upload.find((u: any) => u.id === stored.id).url, { method: 'PUT', body: stored.bytes })
    const before = (await snapshotRows()).length
    const res = await k.call(web, job.id, 'snapshot', { kind: 'config', source: 'config', sizeBytes: 300, sha256: 'a'.repeat(64), chunks: [stored.id, missing.id], tables: null, uploadedBytes: 100 })
    expect(res.status).toBe(409)
    expect(res.json.error.message).toContain(missing.id)
    const never = fakeChunk(10)
    const unknown = await k.call(web, job.id, 'snapshot', { kind: 'config', source: 'config', sizeBytes: 10, sha256: 'a'.repeat(64), chunks: [never.id], tables: null, uploadedBytes: 0 })
    expect(unknown.status).toBe(409)
    expect((await snapshotRows()).length).toBe(before)
  })

  test('bad input gets a clear 4xx and changes nothing', async () => {
    const job = await k.runningJob(web, 'backup.database', { database: 'shop_wp' })
    const c = fakeChunk(10)
    const cases: [string, unknown][] = [
      ['chunks', { chunks: [{ id: 'ABC', size: 10 }] }],
      ['chunks', { chunks: [{ id: c.id.toUpperCase(), size: 10 }] }],
      ['chunks', { chunks: [{ id: c.id, size: 0 }] }],
      ['chunks', { chunks: [{ id: c.id, size: 10, extra: true }] }],
      ['chunks', { chunks: [] }],
      ['chunks', { chunks: Array.from({ length: 501 }, () => ({ id: c.id, size: 10 })) }],
      ['chunks', { chunks: [{ id: c.id, size: 10 }, { id: c.id, size: 11 }] }],
      ['snapshot', { kind: 'database', source: 'shop_wp', sizeBytes: -1, sha256: 'a'.repeat(64), chunks: [], tables: null, uploadedBytes: 0 }],
      ['snapshot', { kind: 'database', source: 'other_db', sizeBytes: 0, sha256: 'a'.repeat(64), chunks: [], tables: null, uploadedBytes: 0 }],
      ['snapshot', { kind: 'files', source: 'shop_wp', sizeBytes: 0, sha256: 'a'.repeat(64), chunks: [], tables: null, uploadedBytes: 0 }],
      ['snapshot', { kind: 'database', source: 'shop_wp', sizeBytes: 0, sha256: 'nothex', chunks: [], tables: null, uploadedBytes: 0 }],
      ['read', { ids: [c.id] }],
      ['outcome', { verify: { ok: true } }],
    ]
    const chunkRows = (await k.s.db.select().from(backupChunks)).length
    const snaps = (await snapshotRows()).length
    for (const [what, body] of cases) {
      const res = await k.call(web, job.id, what, body)
      expect([409, 422]).toContain(res.status)
      expect(res.json.error.message).toBeString()
    }
    expect((await k.s.db.select().from(backupChunks)).length).toBe(chunkRows)
    expect((await snapshotRows()).length).toBe(snaps)
  })
})

describe('restore, verify and drill jobs', () => {
  async function snapshotOf(source: string) {
    const chunks = [fakeChunk(500), fakeChunk(700)]
    const job = await k.runningJob(web, 'backup.database', { database: source })
    const res = await k.backUp(web, job.id, { kind: 'database', source, chunks, tables: { [`${source}.t1`]: '111', [`${source}.t2`]: '222' } })
    expect(res.status).toBe(201)
    return { id: res.json.snapshotId as string, chunks }
  }

  test('start hands the manifest; read hands a URL per chunk that reads the stored bytes', async () => {
    const snap = await snapshotOf('shop_wp')
    const job = await k.runningJob(other, 'restore.database', { snapshotId: snap.id, database: 'shop_copy' })
    const start = await k.call(other, job.id, 'start', {})
    expect(start.json.snapshot).toMatchObject({ id: snap.id, kind: 'database', source: 'shop_wp', sizeBytes: 1200, chunks: snap.chunks.map(({ id, size }) => ({ id, size })), tables: { 'shop_wp.t1': '111', 'shop_wp.t2': '222' } })
    const read = await k.call(other, job.id, 'read', { ids: snap.chunks.map((c) => c.id) })
    expect(read.status).toBe(200)
    for (const [i, u] of (read.json.urls as { id: string; url: string }[]).entries()) {
      expect(u.id).toBe(snap.chunks[i]!.id)
      expect(new Uint8Array(await (await fetch(u.url)).arrayBuffer())).toEqual(snap.chunks[i]!.bytes)
    }
    const absent = fakeChunk(5)
    const res = await k.call(other, job.id, 'read', { ids: [snap.chunks[0]!.id, absent.id] })
    expect(res.status).toBe(404)
    expect(res.json.error.message).toContain(absent.id)
    // A restore commits no snapshot and checks no chunks in.
    expect((await k.call(other, job.id, 'chunks', { chunks: [{ id: absent.id, size: 5 }] })).status).toBe(409)
  })

  test("a snapshot of another pool is not a restore job's to read", async () => {
    const snap = await snapshotOf('shop_wp')
    const pool2 = await k.pool('Elsewhere')
    const stranger = await k.member(pool2, 'far-1')
    const job = await k.runningJob(stranger, 'restore.database', { snapshotId: snap.id, database: 'x' })
    expect((await k.call(stranger, job.id, 'start', {})).status).toBe(404)
    expect((await k.call(stranger, job.id, 'read', { ids: [snap.chunks[0]!.id] })).status).toBe(404)
  })

  test('verify marks the snapshot verified, or failed with the problem', async () => {
    const snap = await snapshotOf('shop_wp')
    const ok = await k.runningJob(web, 'snapshot.verify', { snapshotId: snap.id })
    expect((await k.call(web, ok.id, 'outcome', { verify: { ok: true } })).json).toEqual({ ok: true })
    expect((await k.s.api('GET', `/api/v1/snapshots/${snap.id}`)).json.verifiedAt).toBeString()
    const bad = await k.runningJob(web, 'snapshot.verify', { snapshotId: snap.id })
    expect((await k.call(web, bad.id, 'outcome', { drill: { ok: true, tables: 2 } })).status).toBe(409)
    await k.call(web, bad.id, 'outcome', { verify: { ok: false, problem: 'chunk 00ab… does not decrypt' } })
    expect((await k.s.api('GET', `/api/v1/snapshots/${snap.id}`)).json).toMatchObject({ verifiedAt: null, verifyFailedAt: expect.any(String), verifyProblem: 'chunk 00ab… does not decrypt' })
  })

  test('a drill proves the snapshot; a failed drill sends one alert email naming member, database and tables', async () => {
    const snap = await snapshotOf('shop_wp')
    const ok = await k.runningJob(web, 'snapshot.drill', { snapshotId: snap.id })
    await k.call(web, ok.id, 'outcome', { drill: { ok: true, tables: 2 } })
    expect((await k.s.api('GET', `/api/v1/snapshots/${snap.id}`)).json.provenAt).toBeString()

    const mails = (await k.s.db.select().from(outbox)).length
    const bad = await k.runningJob(web, 'snapshot.drill', { snapshotId: snap.id })
    await k.call(web, bad.id, 'outcome', { drill: { ok: false, problem: 'CHECKSUM TABLE differs', mismatched: ['shop_wp.t2'] } })
    const after = await k.s.db.select().from(outbox)
    expect(after.length).toBe(mails + 1)
    const mail = after.at(-1)!
    expect(mail.subject).toContain('restore drill failed')
    expect(mail.text).toContain('web-1')
    expect(mail.text).toContain('shop_wp')
    expect(mail.text).toContain('shop_wp.t1, shop_wp.t2')
    expect(mail.text).toContain('shop_wp.t2)')
    expect((await k.s.api('GET', `/api/v1/snapshots/${snap.id}`)).json).toMatchObject({ provenAt: null, drillFailedAt: expect.any(String) })
  })
})
