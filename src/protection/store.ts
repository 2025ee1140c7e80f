// Queries for Protection: protected accounts, their replication runs and the
// pool's replication log.
import { and, desc, eq, inArray, isNotNull, isNull, lte, or, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import type { Db } from '../db'
import { jobs, members, protectedAccounts, protectionEvents, replicationRuns, snapshots } from '../db/schema'
import { FINISHED } from '../jobs/store'

export type ProtectedRow = typeof protectedAccounts.$inferSelect
export type NewProtected = typeof protectedAccounts.$inferInsert
export type RunRow = typeof replicationRuns.$inferSelect
export type NewRun = typeof replicationRuns.$inferInsert
export type EventRow = typeof protectionEvents.$inferSelect
export type NewEvent = typeof protectionEvents.$inferInsert
export type EventKind = EventRow['kind']

export const IN_FLIGHT: RunRow['status'][] = ['queued', 'running']

// ---- protected accounts -------------------------------------------------------

const source = alias(members, 'source')
const standby = alias(members, 'standby')
const lastRun = alias(replicationRuns, 'last_run')

export type ProtectedWithRun = ProtectedRow & { sourceName: string; standbyName: string; lastRun: RunRow | null }

const withRun = { pa: protectedAccounts, sourceName: source.name, standbyName: standby.name, lastRun }

const joined = (db: Db) =>
  db
    .select(withRun)
    .from(protectedAccounts)
    .innerJoin(source, eq(source.id, protectedAccounts.sourceMemberId))
    .innerJoin(standby, eq(standby.id, protectedAccounts.standbyMemberId))
    .leftJoin(lastRun, eq(lastRun.id, protectedAccounts.lastRunId))

const flat = (r: { pa: ProtectedRow; sourceName: string; standbyName: string; lastRun: RunRow | null }): ProtectedWithRun => ({
  ...r.pa,
  sourceName: r.sourceName,
  standbyName: r.standbyName,
  lastRun: r.lastRun,
})

export async function insertProtected(db: Db, rows: NewProtected[]): Promise<ProtectedRow[]> {
  if (!rows.length) return []
  return db.insert(protectedAccounts).values(rows).returning()
}

export async function findProtected(db: Db, id: string): Promise<ProtectedWithRun | undefined> {
  const [row] = await joined(db).where(eq(protectedAccounts.id, id))
  return row ? flat(row) : undefined
}

export async function listPoolProtected(db: Db, poolId: string): Promise<ProtectedWithRun[]> {
  // Accounts protected together share their time: by name then, not by random id.
  const rows = await joined(db).where(eq(protectedAccounts.poolId, poolId)).orderBy(protectedAccounts.createdAt, protectedAccounts.user, protectedAccounts.id)
  return rows.map(flat)
}

/** Which of these (source, user) pairs are protected already. */
export async function protectedPairs(db: Db, pairs: { sourceMemberId: string; user: string }[], exceptId?: string): Promise<ProtectedRow[]> {
  if (!pairs.length) return []
  return db
    .select()
    .from(protectedAccounts)
    .where(
      and(
        or(...pairs.map((p) => and(eq(protectedAccounts.sourceMemberId, p.sourceMemberId), eq(protectedAccounts.user, p.user)))),
        exceptId ? sql`${protectedAccounts.id} <> ${exceptId}` : undefined,
      ),
    )
}

export async function updateProtected(db: Db, id: string, patch: Partial<NewProtected>): Promise<ProtectedRow | null> {
  const [row] = await db.update(protectedAccounts).set(patch).where(eq(protectedAccounts.id, id)).returning()
  return row ?? null
}

export async function deleteProtected(db: Db, id: string): Promise<boolean> {
  const rows = await db.delete(protectedAccounts).where(eq(protectedAccounts.id, id)).returning({ id: protectedAccounts.id })
  return rows.length === 1
}

/** Enabled accounts whose next run is due. */
export async function dueAccounts(db: Db, now: Date, limit = 500): Promise<ProtectedRow[]> {
  return db
    .select()
    .from(protectedAccounts)
    .where(and(eq(protectedAccounts.enabled, true), lte(protectedAccounts.nextRunAt, now)))
    .orderBy(protectedAccounts.nextRunAt)
    .limit(limit)
}

/** Moves an account's schedule on only if nobody did since it was read: one claim per due time. */
export async function claimDue(db: Db, id: string, seenNextRunAt: Date, patch: Partial<NewProtected>): Promise<boolean> {
  const rows = await db
    .update(protectedAccounts)
    .set(patch)
    .where(and(eq(protectedAccounts.id, id), eq(protectedAccounts.nextRunAt, seenNextRunAt)))
    .returning({ id: protectedAccounts.id })
  return rows.length === 1
}

/**
 * Claims the enabled accounts that went stale and were not mailed in this
 * episode, marking them mailed in the same statement.
 */
export async function claimStale(db: Db, now: Date): Promise<ProtectedRow[]> {
  return db
    .update(protectedAccounts)
    .set({ staleNotifiedAt: now })
    .where(and(eq(protectedAccounts.enabled, true), lte(protectedAccounts.staleAt, now), isNull(protectedAccounts.staleNotifiedAt)))
    .returning()
}

export type PoolFigures = { total: number; enabled: number; stale: number; failing: number; unhealthy: number; neverCopied: number; lastSync: Date | null; oldestCopy: Date | null }

export async function poolFigures(db: Db, poolId: string, now: Date): Promise<PoolFigures> {
  const [row] = await db
    .select({
      total: sql<number>`count(*)`.mapWith(Number),
      enabled: sql<number>`count(*) filter (where ${protectedAccounts.enabled})`.mapWith(Number),
      stale: sql<number>`count(*) filter (where ${protectedAccounts.enabled} and ${protectedAccounts.staleAt} <= ${now.toISOString()}::timestamptz)`.mapWith(Number),
      failing: sql<number>`count(*) filter (where ${protectedAccounts.enabled} and ${lastRun.status} = 'failed')`.mapWith(Number),
      unhealthy: sql<number>`count(*) filter (where ${protectedAccounts.enabled} and (${protectedAccounts.staleAt} <= ${now.toISOString()}::timestamptz or ${lastRun.status} = 'failed'))`.mapWith(Number),
      neverCopied: sql<number>`count(*) filter (where ${protectedAccounts.enabled} and ${protectedAccounts.lastGoodCopyAt} is null)`.mapWith(Number),
      lastSync: sql<string | null>`max(${protectedAccounts.lastGoodCopyAt})`,
      oldestCopy: sql<string | null>`min(${protectedAccounts.lastGoodCopyAt}) filter (where ${protectedAccounts.enabled})`,
    })
    .from(protectedAccounts)
    .leftJoin(lastRun, eq(lastRun.id, protectedAccounts.lastRunId))
    .where(eq(protectedAccounts.poolId, poolId))
  const date = (v: string | Date | null | undefined) => (v ? new Date(v) : null)
  return {
    total: row?.total ?? 0,
    enabled: row?.enabled ?? 0,
    stale: row?.stale ?? 0,
    failing: row?.failing ?? 0,
    unhealthy: row?.unhealthy ?? 0,
    neverCopied: row?.neverCopied ?? 0,
    lastSync: date(row?.lastSync),
    oldestCopy: date(row?.oldestCopy),
  }
}

// ---- runs -----------------------------------------------------------------------

export async function insertRun(db: Db, row: NewRun): Promise<RunRow> {
  const [run] = await db.insert(replicationRuns).values(row).returning()
  return run!
}

export async function findRun(db: Db, id: string): Promise<RunRow | undefined> {
  const [row] = await db.select().from(replicationRuns).where(eq(replicationRuns.id, id))
  return row
}

export async function runInFlight(db: Db, protectedAccountId: string): Promise<RunRow | undefined> {
  const [row] = await db
    .select()
    .from(replicationRuns)
    .where(and(eq(replicationRuns.protectedAccountId, protectedAccountId), inArray(replicationRuns.status, IN_FLIGHT)))
  return row
}

export async function listAccountRuns(db: Db, protectedAccountId: string, limit: number): Promise<RunRow[]> {
  return db
    .select()
    .from(replicationRuns)
    .where(eq(replicationRuns.protectedAccountId, protectedAccountId))
    .orderBy(desc(replicationRuns.createdAt), desc(replicationRuns.id))
    .limit(limit)
}

/** The account's latest run before this one that got as far as an ending (succeeded or failed; skipped runs did nothing). */
export async function previousEndedRun(db: Db, protectedAccountId: string, exceptRunId: string): Promise<RunRow | undefined> {
  const [row] = await db
    .select()
    .from(replicationRuns)
    .where(and(eq(replicationRuns.protectedAccountId, protectedAccountId), inArray(replicationRuns.status, ['succeeded', 'failed']), sql`${replicationRuns.id} <> ${exceptRunId}`))
    .orderBy(desc(replicationRuns.createdAt), desc(replicationRuns.id))
    .limit(1)
  return row
}

/** Brings the account's next run forward to `at`, never back. */
export async function runNoLaterThan(db: Db, id: string, at: Date): Promise<void> {
  await db
    .update(protectedAccounts)
    .set({ nextRunAt: sql`least(${protectedAccounts.nextRunAt}, ${at.toISOString()}::timestamptz)` })
    .where(eq(protectedAccounts.id, id))
}

/** Changes a run only while it has one of these statuses and this phase; null when another step moved it first. */
export async function updateRunWhere(db: Db, id: string, from: { status: RunRow['status'][]; phase?: RunRow['phase'] }, patch: Partial<NewRun>): Promise<RunRow | null> {
  const [row] = await db
    .update(replicationRuns)
    .set(patch)
    .where(and(eq(replicationRuns.id, id), inArray(replicationRuns.status, from.status), from.phase ? eq(replicationRuns.phase, from.phase) : undefined))
    .returning()
  return row ?? null
}

const currentJob = sql`case when ${replicationRuns.phase} = 'restore' then ${replicationRuns.restoreJobId} else ${replicationRuns.backupJobId} end`

/** Runs in flight whose current job has ended, with that job; `jobId` narrows to the run of one job. */
export async function runsToAdvance(db: Db, jobId?: string) {
  return db
    .select({ run: replicationRuns, job: jobs })
    .from(replicationRuns)
    .innerJoin(jobs, eq(jobs.id, currentJob))
    .where(
      and(
        inArray(replicationRuns.status, IN_FLIGHT),
        inArray(jobs.status, FINISHED),
        jobId ? or(eq(replicationRuns.backupJobId, jobId), eq(replicationRuns.restoreJobId, jobId)) : undefined,
      ),
    )
}

/** Queued runs whose backup an agent has started: they are running since then. */
export async function runsStarted(db: Db) {
  return db
    .select({ run: replicationRuns, startedAt: jobs.startedAt })
    .from(replicationRuns)
    .innerJoin(jobs, eq(jobs.id, replicationRuns.backupJobId))
    .where(and(eq(replicationRuns.status, 'queued'), eq(jobs.status, 'running')))
}

/** Ended runs whose snapshot is still stored: the copy is over, the snapshot is to go. */
export async function runsWithSnapshotLeft(db: Db, limit = 100): Promise<RunRow[]> {
  const rows = await db
    .select({ run: replicationRuns })
    .from(replicationRuns)
    .innerJoin(snapshots, eq(snapshots.id, replicationRuns.snapshotId))
    .where(and(inArray(replicationRuns.status, ['succeeded', 'failed']), isNotNull(replicationRuns.snapshotId)))
    .limit(limit)
  return rows.map((r) => r.run)
}

// ---- the replication log -------------------------------------------------------

export async function insertEvent(db: Db, row: NewEvent): Promise<EventRow> {
  const [event] = await db.insert(protectionEvents).values(row).returning()
  return event!
}

export async function listPoolEvents(db: Db, poolId: string, opts: { kind?: EventKind; limit: number }): Promise<EventRow[]> {
  return db
    .select()
    .from(protectionEvents)
    .where(and(eq(protectionEvents.poolId, poolId), opts.kind ? eq(protectionEvents.kind, opts.kind) : undefined))
    .orderBy(desc(protectionEvents.id))
    .limit(opts.limit)
}

/** Takes the events whose mail is still to go, in one statement: of two steps at once, each row goes to one. */
export async function claimNotices(db: Db, limit = 100): Promise<EventRow[]> {
  const rows = await db
    .update(protectionEvents)
    .set({ notifyPending: false })
    .where(
      and(
        eq(protectionEvents.notifyPending, true),
        inArray(protectionEvents.id, db.select({ id: protectionEvents.id }).from(protectionEvents).where(eq(protectionEvents.notifyPending, true)).orderBy(protectionEvents.id).limit(limit)),
      ),
    )
    .returning()
  return rows.sort((a, b) => a.id - b.id)
}
