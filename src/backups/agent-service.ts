// The server's side of agent/backup/protocol.ts: what a running backup,
// restore, verify or drill job may ask for, and the snapshot it commits.
import type { Deps } from '../server/deps'
import type { Db } from '../db'
import { newId } from '../crypto/tokens'
import { badInput, conflict, HttpError, notFound } from '../http/errors'
import { getMember } from '../members/service'
import * as jobStore from '../jobs/store'
import type { Job } from '../jobs/service'
import type { ObjectStore } from '../storage/types'
import type { ChunkCheckAnswer, ChunkReadAnswer, ChunkRef, Outcome, SnapshotCommit, SnapshotManifest, StartAnswer } from '../../agent/backup/protocol'
import { chunkKey, poolDataKey } from './keys'
import { notifyDrillFailures } from './notify'
import { applyRetention } from './retention'
import * as store from './store'

/** Under prune's grace period (6 h by default): a URL must not land an object after its row was swept. */
export const UPLOAD_URL_SECONDS = 3 * 3600
export const DOWNLOAD_URL_SECONDS = 6 * 3600
/** HEAD requests in flight at once for one call. */
const HEADS_AT_ONCE = 16

const BACKUP_JOBS = ['backup.database', 'backup.files', 'backup.config', 'backup.cpanel_account'] as const
const READING_JOBS = ['restore.database', 'restore.files', 'restore.cpanel_account', 'snapshot.verify', 'snapshot.drill'] as const
const ALL_JOBS: readonly string[] = [...BACKUP_JOBS, ...READING_JOBS]

/** The job, when it is running on this member and is one of `names`; 404 or 409 otherwise. */
export async function backupJobOf(db: Db, memberId: string, jobId: string, names: readonly string[] = ALL_JOBS): Promise<Job> {
  const job = await jobStore.findJob(db, jobId)
  if (!job || job.memberId !== memberId) throw notFound('Job')
  if (job.status !== 'running') throw new HttpError(409, 'job_not_running', `This job is ${job.status.replace('_', ' ')}; stop working on it.`)
  if (!names.includes(job.name)) throw conflict(`${job.name} does not ${names === BACKUP_JOBS ? 'make snapshots' : names === READING_JOBS ? 'read snapshots' : 'take part in backups'}.`)
  return job
}

async function readSnapshotOf(db: Db, job: Job) {
  const id = (job.params as { snapshotId?: unknown }).snapshotId
  const snap = typeof id === 'string' ? await store.findSnapshot(db, id) : undefined
  if (!snap || snap.poolId !== job.poolId) throw notFound('Snapshot')
  return snap
}

export async function manifestOf(db: Db, snap: store.Snapshot): Promise<SnapshotManifest> {
  const sizes = new Map((await store.findChunks(db, snap.poolId, snap.chunkIds)).map((c) => [c.id, c.size]))
  return {
    id: snap.id,
    kind: snap.kind,
    source: snap.source,
    sizeBytes: snap.sizeBytes,
    sha256: snap.sha256,
    // A chunk row cannot go while a snapshot references it (foreign key), so every size is there.
    chunks: snap.chunkIds.map((id) => ({ id, size: sizes.get(id) ?? 0 })),
    tables: snap.tables ?? null,
  }
}

export async function startBackupJob(deps: Deps, memberId: string, jobId: string): Promise<StartAnswer> {
  const job = await backupJobOf(deps.db, memberId, jobId)
  const snapshot = (READING_JOBS as readonly string[]).includes(job.name) ? await manifestOf(deps.db, await readSnapshotOf(deps.db, job)) : null
  const key = await poolDataKey(deps.db, deps.secrets, job.poolId)
  return { dataKey: key.toString('base64'), snapshot }
}

async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

/**
 * Which of `chunks` are not stored yet. An object found where a row said
 * "not stored" is an upload that landed before its job was cut off: it is
 * marked stored and not asked for again.
 */
async function landedUploads(db: Db, storage: ObjectStore, poolId: string, chunks: store.Chunk[]): Promise<Set<string>> {
  const landed: store.Chunk[] = []
  await eachLimited(chunks, HEADS_AT_ONCE, async (c) => {
    const head = await storage.head(chunkKey(poolId, c.id))
    if (head && head.size === c.size) landed.push(c)
  })
  if (landed.length) await store.markStored(db, poolId, landed)
  return new Set(landed.map((c) => c.id))
}

function checkRefs(refs: ChunkRef[]) {
  const sizes = new Map<string, number>()
  for (const r of refs) {
    const seen = sizes.get(r.id)
    if (seen !== undefined && seen !== r.size) throw badInput(`Chunk ${r.id} is listed twice with different sizes.`, 'chunks')
    sizes.set(r.id, r.size)
  }
}

export async function checkChunks(deps: Deps, memberId: string, jobId: string, refs: ChunkRef[], now = new Date()): Promise<ChunkCheckAnswer> {
  const job = await backupJobOf(deps.db, memberId, jobId, BACKUP_JOBS)
  checkRefs(refs)
  const rows = await store.touchChunks(deps.db, job.poolId, refs, now)
  const missing = rows.filter((r) => !r.stored)
  // A row this check made has no upload behind it yet: only older ones are worth a HEAD.
  const older = missing.filter((r) => r.createdAt.getTime() !== now.getTime())
  const landed = await landedUploads(deps.db, deps.storage, job.poolId, older)
  const upload: ChunkCheckAnswer['upload'] = []
  for (const c of missing.filter((r) => !landed.has(r.id))) {
    const { url } = await deps.storage.presignPut(chunkKey(job.poolId, c.id), { expiresIn: UPLOAD_URL_SECONDS, contentLength: c.size })
    upload.push({ id: c.id, url })
  }
  return { upload }
}

export async function readChunks(deps: Deps, memberId: string, jobId: string, ids: string[]): Promise<ChunkReadAnswer> {
  const job = await backupJobOf(deps.db, memberId, jobId, READING_JOBS)
  const found = new Set((await store.findChunks(deps.db, job.poolId, ids)).map((c) => c.id))
  const absent = ids.find((id) => !found.has(id))
  if (absent) throw new HttpError(404, 'not_found', `Chunk ${absent} is not in this pool`)
  const urls: ChunkReadAnswer['urls'] = []
  for (const id of ids) urls.push({ id, url: (await deps.storage.presignGet(chunkKey(job.poolId, id), { expiresIn: DOWNLOAD_URL_SECONDS })).url })
  return { urls }
}

/** What the job was asked to back up, which the manifest must name. */
function expectedSource(job: Job): { kind: SnapshotCommit['kind']; source: string } {
  const p = job.params as { database?: string; path?: string; user?: string }
  if (job.name === 'backup.database') return { kind: 'database', source: p.database! }
  if (job.name === 'backup.files') return { kind: 'files', source: p.path! }
  if (job.name === 'backup.cpanel_account') return { kind: 'cpanel_account', source: p.user! }
  return { kind: 'config', source: 'config' }
}

/**
 * Commits the manifest once every chunk it names is stored. Chunks are
 * touched and row-locked in the same transaction as the snapshot and its
 * references are written, so prune either passes them by or, if it got
 * there first, the commit sees them gone and answers 409.
 */
export async function commitSnapshot(deps: Deps, memberId: string, jobId: string, body: SnapshotCommit, now = new Date()): Promise<{ snapshotId: string; created: boolean }> {
  const { db } = deps
  const job = await backupJobOf(db, memberId, jobId, BACKUP_JOBS)
  // A commit repeated after its answer was lost gets the same snapshot back.
  const already = await store.snapshotOfJob(db, job.id)
  if (already) return { snapshotId: already.id, created: false }
  const want = expectedSource(job)
  if (body.kind !== want.kind || body.source !== want.source) {
    throw badInput(`This job backs up ${want.kind} ${want.source}; the manifest names ${body.kind} ${body.source}.`, 'source')
  }
  const ids = [...new Set(body.chunks)]
  // Stored objects not yet flagged (an upload's PUT went straight to storage) are looked for first, outside the transaction.
  const unflagged = (await store.findChunks(db, job.poolId, ids)).filter((c) => !c.stored)
  await landedUploads(db, deps.storage, job.poolId, unflagged)
  const member = await getMember(db, memberId)
  const id = newId('snap')
  const snap = await db.transaction(async (tx) => {
    const t = tx as unknown as Db
    const rows = new Map((await store.lockChunksForCommit(t, job.poolId, ids, now)).map((c) => [c.id, c]))
    const missing = body.chunks.find((c) => !rows.get(c)?.stored)
    if (missing) throw new HttpError(409, 'chunk_missing', `Chunk ${missing} is not stored; check the chunks again and upload the missing ones.`)
    const storedBytes = ids.reduce((n, c) => n + rows.get(c)!.size, 0)
    const row = await store.insertSnapshot(
      t,
      {
        id,
        poolId: job.poolId,
        memberId,
        memberName: member.name,
        kind: body.kind,
        source: body.source,
        sizeBytes: body.sizeBytes,
        storedBytes,
        uploadedBytes: body.uploadedBytes,
        chunkCount: body.chunks.length,
        sha256: body.sha256,
        chunkIds: body.chunks,
        tables: body.tables,
        jobId: job.id,
        scheduleId: job.scheduleId,
        createdAt: now,
      },
      ids,
    )
    const result = { ...((job.result as Record<string, unknown> | null) ?? {}), snapshotId: id }
    await jobStore.updateRunning(t, job.id, memberId, { result })
    return row
  })
  if (snap.scheduleId) {
    const schedule = await jobStore.findSchedule(db, snap.scheduleId)
    if (schedule) await applyRetention(db, schedule).catch((err) => deps.log.error('backups.commitSnapshot', 'retention failed', err))
  }
  return { snapshotId: snap.id, created: true }
}

export async function recordOutcome(deps: Deps, memberId: string, jobId: string, outcome: Outcome, now = new Date()): Promise<void> {
  const { db } = deps
  if ('verify' in outcome) {
    const job = await backupJobOf(db, memberId, jobId, ['snapshot.verify'])
    const snap = await readSnapshotOf(db, job)
    const v = outcome.verify
    await store.updateSnapshot(
      db,
      snap.id,
      v.ok ? { verifiedAt: now, verifyFailedAt: null, verifyProblem: null } : { verifiedAt: null, verifyFailedAt: now, verifyProblem: v.problem },
    )
    return
  }
  const job = await backupJobOf(db, memberId, jobId, ['snapshot.drill'])
  const snap = await readSnapshotOf(db, job)
  const d = outcome.drill
  if (d.ok) {
    await store.updateSnapshot(db, snap.id, { provenAt: now, drillFailedAt: null, drillProblem: null })
    return
  }
  const problem = d.mismatched.length ? `${d.problem} (tables that differ: ${d.mismatched.slice(0, 50).join(', ')}${d.mismatched.length > 50 ? ', …' : ''})` : d.problem
  await store.updateSnapshot(db, snap.id, { provenAt: null, drillFailedAt: now, drillProblem: problem, drillNotifiedAt: null })
  await notifyDrillFailures(deps, now)
}
