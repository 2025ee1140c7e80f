// Queries for the job queue and what jobs printed.
import { and, asc, desc, eq, gt, inArray, isNotNull, isNull, like, lt, or, sql } from 'drizzle-orm'
import type { Db } from '../db'
import { jobOutput, jobRuns, jobSchedules, jobs, members, type JobStatus } from '../db/schema'

export type Job = typeof jobs.$inferSelect
export type OutputLine = typeof jobOutput.$inferSelect
export type NewJob = typeof jobs.$inferInsert

export const FINISHED: JobStatus[] = ['succeeded', 'failed', 'cancelled', 'timed_out']

export async function insertJobs(db: Db, rows: NewJob[]): Promise<Job[]> {
  if (rows.length === 0) return []
  return db.insert(jobs).values(rows).returning()
}

export async function findJob(db: Db, id: string): Promise<Job | undefined> {
  const [row] = await db.select().from(jobs).where(eq(jobs.id, id))
  return row
}

export async function listMemberJobs(db: Db, memberId: string, limit: number): Promise<Job[]> {
  return db.select().from(jobs).where(eq(jobs.memberId, memberId)).orderBy(desc(jobs.createdAt), desc(jobs.id)).limit(limit)
}

/** A member's newest jobs whose names start with one of `prefixes` ("firewall.", "recipe."). */
export async function listMemberJobsNamed(db: Db, memberId: string, prefixes: string[], limit: number): Promise<Job[]> {
  return db
    .select()
    .from(jobs)
    .where(and(eq(jobs.memberId, memberId), or(...prefixes.map((p) => like(jobs.name, `${p}%`)))))
    .orderBy(desc(jobs.createdAt), desc(jobs.id))
    .limit(limit)
}

/**
 * A member's jobs of these names still queued or running, newest first (what a
 * cPanel account waits on), and with `finishedSince` those that ended after
 * it: ended, but not yet in what the member last reported.
 */
export async function listMemberActiveJobs(db: Db, memberId: string, names: string[], limit: number, finishedSince: Date | null = null): Promise<Job[]> {
  if (names.length === 0) return []
  const active = inArray(jobs.status, ['queued', 'running'])
  return db
    .select()
    .from(jobs)
    .where(and(eq(jobs.memberId, memberId), finishedSince ? or(active, gt(jobs.finishedAt, finishedSince)) : active, inArray(jobs.name, names)))
    .orderBy(desc(jobs.createdAt), desc(jobs.id))
    .limit(limit)
}

/** A member's newest jobs of these names taking `param` = `value` (ssh.key.* for one user). */
export async function listMemberJobsWithParam(db: Db, memberId: string, names: string[], param: string, value: string, limit: number): Promise<Job[]> {
  return db
    .select()
    .from(jobs)
    .where(and(eq(jobs.memberId, memberId), inArray(jobs.name, names), sql`${jobs.params} ->> ${param} = ${value}`))
    .orderBy(desc(jobs.createdAt), desc(jobs.id))
    .limit(limit)
}

export async function listRunJobs(db: Db, runId: string): Promise<Job[]> {
  return db.select().from(jobs).where(eq(jobs.runId, runId)).orderBy(asc(jobs.createdAt), asc(jobs.id))
}

/**
 * Takes the member's oldest queued job, if any. SKIP LOCKED lets two claims
 * (two agents with one token, two server replicas) race without either
 * waiting or both winning: the row goes to exactly one of them.
 */
export async function claimOldest(db: Db, memberId: string, now: Date, leaseSeconds: number): Promise<Job | null> {
  const lease = new Date(now.getTime() + leaseSeconds * 1000)
  const rows = await db
    .update(jobs)
    .set({ status: 'running', attempts: sql`${jobs.attempts} + 1`, startedAt: now, leaseExpiresAt: lease })
    .where(
      eq(
        jobs.id,
        // A job past its expiry is never handed out, even before the sweep cancels it.
        sql`(select ${jobs.id} from ${jobs} where ${jobs.memberId} = ${memberId} and ${jobs.status} = 'queued'
             and (${jobs.expiresAt} is null or ${jobs.expiresAt} > ${now.toISOString()}::timestamptz)
             order by ${jobs.createdAt}, ${jobs.id} limit 1 for update skip locked)`,
      ),
    )
    .returning()
  return rows[0] ?? null
}

/** Changes a job only while it is still running for this member; null when it is not. */
export async function updateRunning(db: Db, id: string, memberId: string, patch: Partial<NewJob>): Promise<Job | null> {
  const [row] = await db
    .update(jobs)
    .set(patch)
    .where(and(eq(jobs.id, id), eq(jobs.memberId, memberId), eq(jobs.status, 'running')))
    .returning()
  return row ?? null
}

export async function updateWhere(db: Db, id: string, from: JobStatus[], patch: Partial<NewJob>): Promise<Job | null> {
  const [row] = await db
    .update(jobs)
    .set(patch)
    .where(and(eq(jobs.id, id), inArray(jobs.status, from)))
    .returning()
  return row ?? null
}

export async function expiredLeases(db: Db, now: Date): Promise<Job[]> {
  return db
    .select()
    .from(jobs)
    .where(and(eq(jobs.status, 'running'), isNotNull(jobs.leaseExpiresAt), lt(jobs.leaseExpiresAt, now)))
}

/** Queued jobs whose expiry has come: the sweep cancels them. */
export async function expiredQueued(db: Db, now: Date): Promise<Job[]> {
  return db
    .select()
    .from(jobs)
    .where(and(eq(jobs.status, 'queued'), isNotNull(jobs.expiresAt), sql`${jobs.expiresAt} <= ${now.toISOString()}::timestamptz`))
}

/** Appends lines after the job's last one. Sequence numbers make reads after a seq exact. */
export async function appendOutput(db: Db, jobId: string, lines: { stream: OutputLine['stream']; line: string }[], now: Date) {
  if (lines.length === 0) return
  const [{ last }] = await db
    .select({ last: sql<number>`coalesce(max(${jobOutput.seq}), 0)`.mapWith(Number) })
    .from(jobOutput)
    .where(eq(jobOutput.jobId, jobId))
  await db.insert(jobOutput).values(lines.map((l, i) => ({ jobId, seq: last + 1 + i, stream: l.stream, line: l.line, at: now })))
}

export async function outputAfter(db: Db, jobId: string, afterSeq: number, limit = 5000): Promise<OutputLine[]> {
  return db
    .select()
    .from(jobOutput)
    .where(and(eq(jobOutput.jobId, jobId), gt(jobOutput.seq, afterSeq)))
    .orderBy(asc(jobOutput.seq))
    .limit(limit)
}

export async function insertRun(db: Db, row: typeof jobRuns.$inferInsert) {
  const [run] = await db.insert(jobRuns).values(row).returning()
  return run!
}

export async function findRun(db: Db, id: string) {
  const [run] = await db.select().from(jobRuns).where(eq(jobRuns.id, id))
  return run
}

export async function listPoolRuns(db: Db, poolId: string, limit: number) {
  return db.select().from(jobRuns).where(eq(jobRuns.poolId, poolId)).orderBy(desc(jobRuns.createdAt)).limit(limit)
}

/** The pool's job figures for Fleet status: enabled schedules, and jobs queued or running now. One statement: every Overview and its poll ask. */
export async function poolJobFigures(db: Db, poolId: string): Promise<{ schedules: number; backupSchedules: number; running: number; queued: number }> {
  const active = db
    .select({
      running: sql<number>`count(*) filter (where ${jobs.status} = 'running')`.as('running'),
      queued: sql<number>`count(*) filter (where ${jobs.status} = 'queued')`.as('queued'),
    })
    .from(jobs)
    .where(and(eq(jobs.poolId, poolId), inArray(jobs.status, ['queued', 'running'])))
    .as('active')
  const scheduled = db
    .select({
      schedules: sql<number>`count(*)`.as('schedules'),
      backupSchedules: sql<number>`count(*) filter (where ${jobSchedules.name} like 'backup.%')`.as('backup_schedules'),
    })
    .from(jobSchedules)
    .innerJoin(members, eq(members.id, jobSchedules.memberId))
    .where(and(eq(members.poolId, poolId), eq(jobSchedules.enabled, true)))
    .as('scheduled')
  const [row] = await db
    .select({
      schedules: sql<number>`${scheduled.schedules}`.mapWith(Number),
      backupSchedules: sql<number>`${scheduled.backupSchedules}`.mapWith(Number),
      running: sql<number>`${active.running}`.mapWith(Number),
      queued: sql<number>`${active.queued}`.mapWith(Number),
    })
    .from(active)
    .crossJoin(scheduled)
  return row!
}

/** Running jobs past their own timeout by more than `graceSeconds`. */
export async function overdue(db: Db, now: Date, graceSeconds: number): Promise<Job[]> {
  return db
    .select()
    .from(jobs)
    .where(
      and(
        eq(jobs.status, 'running'),
        sql`${jobs.startedAt} + make_interval(secs => ${jobs.timeoutSeconds} + ${graceSeconds}) < ${now.toISOString()}::timestamptz`,
      ),
    )
}

// ---- schedules -----------------------------------------------------------

export type Schedule = typeof jobSchedules.$inferSelect
export type NewSchedule = typeof jobSchedules.$inferInsert

export async function insertSchedule(db: Db, row: NewSchedule): Promise<Schedule> {
  const [s] = await db.insert(jobSchedules).values(row).returning()
  return s!
}

export async function findSchedule(db: Db, id: string): Promise<Schedule | undefined> {
  const [s] = await db.select().from(jobSchedules).where(eq(jobSchedules.id, id))
  return s
}

export async function listMemberSchedules(db: Db, memberId: string): Promise<Schedule[]> {
  return db.select().from(jobSchedules).where(eq(jobSchedules.memberId, memberId)).orderBy(asc(jobSchedules.createdAt), asc(jobSchedules.id))
}

export async function countMemberSchedules(db: Db, memberId: string): Promise<number> {
  const [{ n }] = await db
    .select({ n: sql<number>`count(*)`.mapWith(Number) })
    .from(jobSchedules)
    .where(eq(jobSchedules.memberId, memberId))
  return n
}

export async function enabledSchedules(db: Db): Promise<Schedule[]> {
  return db.select().from(jobSchedules).where(eq(jobSchedules.enabled, true))
}

export async function updateSchedule(db: Db, id: string, patch: Partial<NewSchedule>): Promise<Schedule | null> {
  const [s] = await db.update(jobSchedules).set(patch).where(eq(jobSchedules.id, id)).returning()
  return s ?? null
}

export async function deleteSchedule(db: Db, id: string): Promise<boolean> {
  const rows = await db.delete(jobSchedules).where(eq(jobSchedules.id, id)).returning({ id: jobSchedules.id })
  return rows.length === 1
}

/**
 * Takes the run at `due` for this schedule: moves lastFiredAt forward only
 * from an earlier value, so of two ticks (a restart, a second replica) that
 * see the same due run, exactly one gets the row back.
 */
export async function claimScheduleRun(db: Db, id: string, due: Date): Promise<Schedule | null> {
  const [s] = await db
    .update(jobSchedules)
    .set({ lastFiredAt: due })
    .where(and(eq(jobSchedules.id, id), eq(jobSchedules.enabled, true), or(isNull(jobSchedules.lastFiredAt), lt(jobSchedules.lastFiredAt, due))))
    .returning()
  return s ?? null
}

/** The member's latest finished job, for the "last run" figure. */
export async function latestFinishedJob(db: Db, memberId: string): Promise<Job | undefined> {
  const [row] = await db
    .select()
    .from(jobs)
    .where(and(eq(jobs.memberId, memberId), isNotNull(jobs.finishedAt)))
    .orderBy(desc(jobs.finishedAt))
    .limit(1)
  return row
}

export async function findJobs(db: Db, ids: string[]): Promise<Job[]> {
  if (ids.length === 0) return []
  return db.select().from(jobs).where(inArray(jobs.id, ids))
}

/** How many of each run's jobs are in each status, for the list of runs. */
export async function runStatusCounts(db: Db, runIds: string[]): Promise<Map<string, Partial<Record<JobStatus, number>>>> {
  const counts = new Map<string, Partial<Record<JobStatus, number>>>()
  if (runIds.length === 0) return counts
  const rows = await db
    .select({ runId: jobs.runId, status: jobs.status, n: sql<number>`count(*)`.mapWith(Number) })
    .from(jobs)
    .where(inArray(jobs.runId, runIds))
    .groupBy(jobs.runId, jobs.status)
  for (const r of rows) {
    const c = counts.get(r.runId!) ?? {}
    c[r.status] = r.n
    counts.set(r.runId!, c)
  }
  return counts
}
