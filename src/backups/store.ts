// Queries for snapshots, the chunks they reference and the pool's backup settings.
import { and, asc, desc, eq, gte, inArray, isNotNull, isNull, like, sql, type SQL } from 'drizzle-orm'
import type { Db } from '../db'
import { backupChunks, jobSchedules, jobs, poolBackups, snapshotChunks, snapshots } from '../db/schema'
import { rowsOf } from '../db/affected'

export type Snapshot = typeof snapshots.$inferSelect
export type NewSnapshot = typeof snapshots.$inferInsert
export type Chunk = typeof backupChunks.$inferSelect

/** The most bind parameters one statement may carry is 65,534; stay well under. */
const BATCH = 1000

function* batches<T>(rows: T[], size = BATCH): Generator<T[]> {
  for (let i = 0; i < rows.length; i += size) yield rows.slice(i, i + size)
}

// ---- pool settings -------------------------------------------------------------

/** The pool's sealed data key; `sealed` is written only when the pool has none yet, so two first uses agree. */
export async function sealedDataKey(db: Db, poolId: string, sealed: string): Promise<string> {
  const [row] = await db
    .insert(poolBackups)
    .values({ poolId, dataKeySealed: sealed })
    .onConflictDoUpdate({ target: poolBackups.poolId, set: { dataKeySealed: sql`coalesce(${poolBackups.dataKeySealed}, excluded.data_key_sealed)` } })
    .returning({ sealed: poolBackups.dataKeySealed })
  return row!.sealed!
}

export async function findDataKey(db: Db, poolId: string): Promise<string | null> {
  const [row] = await db.select({ sealed: poolBackups.dataKeySealed }).from(poolBackups).where(eq(poolBackups.poolId, poolId))
  return row?.sealed ?? null
}

export async function drillIntervals(db: Db): Promise<Map<string, number>> {
  const rows = await db.select({ poolId: poolBackups.poolId, days: poolBackups.drillIntervalDays }).from(poolBackups)
  return new Map(rows.map((r) => [r.poolId, r.days]))
}

export async function setDrillInterval(db: Db, poolId: string, days: number): Promise<void> {
  await db
    .insert(poolBackups)
    .values({ poolId, drillIntervalDays: days })
    .onConflictDoUpdate({ target: poolBackups.poolId, set: { drillIntervalDays: days, updatedAt: new Date() } })
}

// ---- chunks ------------------------------------------------------------------------

/**
 * Records each chunk as asked about now and answers which are stored. A row
 * that prune holds is waited for; once prune deleted it, this inserts it anew
 * (not stored), so the agent uploads it again.
 */
export async function touchChunks(db: Db, poolId: string, refs: { id: string; size: number }[], now: Date): Promise<Chunk[]> {
  const out: Chunk[] = []
  // Sorted: two checks of overlapping chunk lists lock rows in one order and never deadlock.
  const sorted = [...new Map(refs.map((r) => [r.id, r])).values()].sort((a, b) => (a.id < b.id ? -1 : 1))
  for (const part of batches(sorted)) {
    out.push(
      ...(await db
        .insert(backupChunks)
        .values(part.map((r) => ({ poolId, id: r.id, size: r.size, touchedAt: now, createdAt: now })))
        .onConflictDoUpdate({
          target: [backupChunks.poolId, backupChunks.id],
          // A chunk not yet stored takes the size it is now said to have: the URL is signed for that.
          set: { touchedAt: now, size: sql`case when ${backupChunks.stored} then ${backupChunks.size} else excluded.size end` },
        })
        .returning()),
    )
  }
  return out
}

export async function findChunks(db: Db, poolId: string, ids: string[]): Promise<Chunk[]> {
  const out: Chunk[] = []
  for (const part of batches([...new Set(ids)])) {
    out.push(...(await db.select().from(backupChunks).where(and(eq(backupChunks.poolId, poolId), inArray(backupChunks.id, part)))))
  }
  return out
}

/**
 * Flags these rows stored, each only if it is still the row that was read
 * (same created_at): a row prune swept and a check made anew in the
 * meantime names an object that may be gone, and stays "not stored".
 */
export async function markStored(db: Db, poolId: string, rows: Pick<Chunk, 'id' | 'createdAt'>[]): Promise<void> {
  for (const part of batches(rows)) {
    const seen = JSON.stringify(part.map((r) => ({ id: r.id, at: r.createdAt.toISOString() })))
    await db
      .update(backupChunks)
      .set({ stored: true })
      .where(
        and(
          eq(backupChunks.poolId, poolId),
          sql`(${backupChunks.id}, ${backupChunks.createdAt}) in (select x ->> 'id', (x ->> 'at')::timestamptz from jsonb_array_elements(${seen}::jsonb) x)`,
        ),
      )
  }
}

/**
 * Inside the commit's transaction: touches and row-locks the chunks a new
 * snapshot names. Prune locks the rows it deletes with SKIP LOCKED, so it
 * passes these by; a row prune already holds is waited for and, once deleted,
 * missing from the answer.
 */
export async function lockChunksForCommit(db: Db, poolId: string, ids: string[], now: Date): Promise<Chunk[]> {
  const out: Chunk[] = []
  const sorted = [...new Set(ids)].sort()
  for (const part of batches(sorted)) {
    out.push(
      ...(await db
        .update(backupChunks)
        .set({ touchedAt: now })
        .where(and(eq(backupChunks.poolId, poolId), inArray(backupChunks.id, part)))
        .returning()),
    )
  }
  return out
}

// ---- snapshots ------------------------------------------------------------------

export async function insertSnapshot(db: Db, row: NewSnapshot, chunkIds: string[]): Promise<Snapshot> {
  const [snap] = await db.insert(snapshots).values(row).returning()
  for (const part of batches([...new Set(chunkIds)])) {
    await db.insert(snapshotChunks).values(part.map((chunkId) => ({ snapshotId: row.id, poolId: row.poolId, chunkId })))
  }
  return snap!
}

export async function findSnapshot(db: Db, id: string): Promise<Snapshot | undefined> {
  const [row] = await db.select().from(snapshots).where(eq(snapshots.id, id))
  return row
}

export async function snapshotOfJob(db: Db, jobId: string): Promise<Snapshot | undefined> {
  const [row] = await db.select().from(snapshots).where(eq(snapshots.jobId, jobId)).limit(1)
  return row
}

/** Claims a failed drill's email: of two claims, one gets the row. */
export async function claimDrillNotice(db: Db, now: Date): Promise<Snapshot[]> {
  return db
    .update(snapshots)
    .set({ drillNotifiedAt: now })
    .where(and(isNotNull(snapshots.drillFailedAt), isNull(snapshots.drillNotifiedAt)))
    .returning()
}

export async function listMemberSnapshots(db: Db, memberId: string, limit = 500): Promise<Snapshot[]> {
  return db.select().from(snapshots).where(eq(snapshots.memberId, memberId)).orderBy(desc(snapshots.createdAt), desc(snapshots.id)).limit(limit)
}

export async function listScheduleSnapshots(db: Db, scheduleId: string): Promise<Snapshot[]> {
  return db.select().from(snapshots).where(eq(snapshots.scheduleId, scheduleId)).orderBy(desc(snapshots.createdAt), desc(snapshots.id))
}

/** snapshot_chunks go with it (cascade); the chunks themselves wait for prune. */
export async function deleteSnapshotRow(db: Db, id: string): Promise<boolean> {
  const rows = await db.delete(snapshots).where(eq(snapshots.id, id)).returning({ id: snapshots.id })
  return rows.length === 1
}

export async function updateSnapshot(db: Db, id: string, patch: Partial<NewSnapshot>): Promise<Snapshot | null> {
  const [row] = await db.update(snapshots).set(patch).where(eq(snapshots.id, id)).returning()
  return row ?? null
}

/** Snapshot ids that a queued or running restore, verify or drill job is reading. */
export async function snapshotsInUse(db: Db, ids: string[]): Promise<Set<string>> {
  if (ids.length === 0) return new Set()
  const rows = await db
    .select({ id: sql<string>`${jobs.params} ->> 'snapshotId'` })
    .from(jobs)
    .where(and(inArray(jobs.status, ['queued', 'running']), inArray(sql`${jobs.params} ->> 'snapshotId'`, ids)))
  return new Set(rows.map((r) => r.id))
}

/** The stored size of one member's distinct chunks (what its snapshots take in the store). */
export async function memberStoredBytes(db: Db, memberId: string): Promise<number> {
  const [row] = rowsOf<{ bytes: string | null }>(
    await db.execute(sql`
    select coalesce(sum(c.size), 0) as bytes from backup_chunks c
    where exists (select 1 from snapshot_chunks sc join snapshots s on s.id = sc.snapshot_id
                  where s.member_id = ${memberId} and sc.pool_id = c.pool_id and sc.chunk_id = c.id)`),
  )
  return Number(row?.bytes ?? 0)
}

export async function poolStoredBytes(db: Db, poolId: string): Promise<number> {
  const [row] = rowsOf<{ bytes: string | null }>(
    await db.execute(sql`
    select coalesce(sum(c.size), 0) as bytes from backup_chunks c
    where c.pool_id = ${poolId} and exists (select 1 from snapshot_chunks sc where sc.pool_id = c.pool_id and sc.chunk_id = c.id)`),
  )
  return Number(row?.bytes ?? 0)
}

export type SnapshotFigures = { snapshots: number; sizeBytes: number; lastBackupAt: Date | null; lastProvenAt: Date | null }

/** Counts and sums in the database: a member may have thousands of snapshots, each with its chunk list. */
async function snapshotFigures(db: Db, where: SQL): Promise<SnapshotFigures> {
  const [row] = await db
    .select({
      n: sql<number>`count(*)`.mapWith(Number),
      size: sql<number>`coalesce(sum(${snapshots.sizeBytes}), 0)`.mapWith(Number),
      last: sql<string | null>`max(${snapshots.createdAt})`,
      proven: sql<string | null>`max(${snapshots.provenAt})`,
    })
    .from(snapshots)
    .where(where)
  const at = (v: string | null | undefined) => (v ? new Date(v) : null)
  return { snapshots: row?.n ?? 0, sizeBytes: row?.size ?? 0, lastBackupAt: at(row?.last), lastProvenAt: at(row?.proven) }
}

export const poolSnapshotFigures = (db: Db, poolId: string) => snapshotFigures(db, eq(snapshots.poolId, poolId))
export const memberSnapshotFigures = (db: Db, memberId: string) => snapshotFigures(db, eq(snapshots.memberId, memberId))

// ---- jobs and schedules the backup pages show ------------------------------------------

export async function runningBackupJobs(db: Db, memberId: string) {
  return db
    .select()
    .from(jobs)
    .where(and(eq(jobs.memberId, memberId), eq(jobs.status, 'running'), like(jobs.name, 'backup.%')))
    .orderBy(asc(jobs.startedAt))
}

export async function memberBackupSchedules(db: Db, memberId: string) {
  return db
    .select()
    .from(jobSchedules)
    .where(and(eq(jobSchedules.memberId, memberId), like(jobSchedules.name, 'backup.%')))
    .orderBy(asc(jobSchedules.createdAt), asc(jobSchedules.id))
}

export async function backupSchedulesWithSnapshots(db: Db) {
  return db
    .select()
    .from(jobSchedules)
    .where(and(like(jobSchedules.name, 'backup.%'), sql`exists (select 1 from ${snapshots} where ${snapshots.scheduleId} = ${jobSchedules.id})`))
}

/** The days (UTC) with at least one snapshot of this member since `from`. */
export async function backupDays(db: Db, memberId: string, from: Date): Promise<string[]> {
  const rows = await db
    .selectDistinct({ day: sql<string>`to_char(${snapshots.createdAt} at time zone 'UTC', 'YYYY-MM-DD')` })
    .from(snapshots)
    .where(and(eq(snapshots.memberId, memberId), gte(snapshots.createdAt, from)))
  return rows.map((r) => r.day).sort()
}

// ---- prune and drills ------------------------------------------------------------------

export type PruneCandidate = { poolId: string; id: string; size: number }

/**
 * Chunks no snapshot references, untouched since `cutoff`, locked for this
 * transaction. SKIP LOCKED passes by rows a commit holds; a row a commit
 * touched after this statement began is re-checked and left out.
 */
export async function lockPrunable(db: Db, cutoff: Date, limit: number): Promise<PruneCandidate[]> {
  const rows = rowsOf<{ pool_id: string; id: string; size: number }>(
    await db.execute(sql`
      select c.pool_id, c.id, c.size from backup_chunks c
      where c.touched_at < ${cutoff.toISOString()}::timestamptz
        and not exists (select 1 from snapshot_chunks s where s.pool_id = c.pool_id and s.chunk_id = c.id)
      order by c.touched_at
      limit ${limit}::int
      for update of c skip locked`),
  )
  return rows.map((r) => ({ poolId: r.pool_id, id: r.id, size: Number(r.size) }))
}

/** Deletes these chunk rows, still only where nothing references them. */
export async function deleteChunkRows(db: Db, chunks: { poolId: string; id: string }[]): Promise<number> {
  let n = 0
  const byPool = new Map<string, string[]>()
  for (const c of chunks) byPool.set(c.poolId, [...(byPool.get(c.poolId) ?? []), c.id])
  for (const [poolId, ids] of byPool) {
    for (const part of batches(ids)) {
      const gone = await db
        .delete(backupChunks)
        .where(
          and(
            eq(backupChunks.poolId, poolId),
            inArray(backupChunks.id, part),
            sql`not exists (select 1 from ${snapshotChunks} s where s.pool_id = ${backupChunks.poolId} and s.chunk_id = ${backupChunks.id})`,
          ),
        )
        .returning({ id: backupChunks.id })
      n += gone.length
    }
  }
  return n
}

export type DrillCandidate = Pick<Snapshot, 'id' | 'poolId' | 'memberId' | 'source' | 'createdAt' | 'provenAt' | 'drillFailedAt'>

export async function databaseSnapshots(db: Db): Promise<DrillCandidate[]> {
  return db
    .select({
      id: snapshots.id,
      poolId: snapshots.poolId,
      memberId: snapshots.memberId,
      source: snapshots.source,
      createdAt: snapshots.createdAt,
      provenAt: snapshots.provenAt,
      drillFailedAt: snapshots.drillFailedAt,
    })
    .from(snapshots)
    .where(and(eq(snapshots.kind, 'database'), isNotNull(snapshots.memberId)))
}

/** Snapshot ids of drill jobs queued or running, or made since `since`. */
export async function recentDrillSnapshotIds(db: Db, since: Date): Promise<Set<string>> {
  const rows = await db
    .select({ id: sql<string>`${jobs.params} ->> 'snapshotId'` })
    .from(jobs)
    .where(and(eq(jobs.name, 'snapshot.drill'), sql`(${jobs.status} in ('queued', 'running') or ${jobs.createdAt} >= ${since.toISOString()}::timestamptz)`))
  return new Set(rows.map((r) => r.id))
}
