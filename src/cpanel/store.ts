// Queries for the cPanel domain: one-time secrets and account copies.
import { and, desc, eq, inArray, lte, or, sql } from 'drizzle-orm'
import { alias } from 'drizzle-orm/pg-core'
import type { Db } from '../db'
import { cpanelCopies, cpanelSecrets, jobs, members } from '../db/schema'
import { FINISHED } from '../jobs/store'

export type CpanelSecret = typeof cpanelSecrets.$inferSelect
export type NewCpanelSecret = typeof cpanelSecrets.$inferInsert
export type CopyRow = typeof cpanelCopies.$inferSelect
export type NewCopy = typeof cpanelCopies.$inferInsert

// ---- secrets -----------------------------------------------------------------

/** One secret per job: a repeated reveal (its answer was lost) replaces the one not yet shown. */
export async function putSecret(db: Db, row: NewCpanelSecret): Promise<void> {
  await db
    .insert(cpanelSecrets)
    .values(row)
    .onConflictDoUpdate({ target: cpanelSecrets.jobId, set: { kind: row.kind, valueSealed: row.valueSealed, expiresAt: row.expiresAt, createdAt: row.createdAt } })
}

/**
 * Deletes and answers the job's live secret of these kinds, in one statement:
 * of two replicas asking at once, exactly one gets the row.
 */
export async function takeSecret(
  db: Db,
  where: { jobId: string; memberId: string; kinds: CpanelSecret['kind'][]; requestedBy?: string },
  now: Date,
): Promise<CpanelSecret | null> {
  const [row] = await db
    .delete(cpanelSecrets)
    .where(
      and(
        eq(cpanelSecrets.jobId, where.jobId),
        eq(cpanelSecrets.memberId, where.memberId),
        inArray(cpanelSecrets.kind, where.kinds),
        where.requestedBy !== undefined ? eq(cpanelSecrets.requestedBy, where.requestedBy) : undefined,
        sql`${cpanelSecrets.expiresAt} > ${now.toISOString()}::timestamptz`,
      ),
    )
    .returning()
  return row ?? null
}

/** A finished job's transfer credentials: nobody may take them any more. */
export async function deleteCredentialsOf(db: Db, jobId: string): Promise<number> {
  const rows = await db
    .delete(cpanelSecrets)
    .where(and(eq(cpanelSecrets.jobId, jobId), eq(cpanelSecrets.kind, 'credentials')))
    .returning({ id: cpanelSecrets.id })
  return rows.length
}

/** Secrets past their time, and transfer credentials whose job has ended. */
export async function sweepSecrets(db: Db, now: Date): Promise<number> {
  const rows = await db
    .delete(cpanelSecrets)
    .where(
      or(
        lte(cpanelSecrets.expiresAt, now),
        and(
          eq(cpanelSecrets.kind, 'credentials'),
          sql`exists (select 1 from ${jobs} where ${jobs.id} = ${cpanelSecrets.jobId} and ${inArray(jobs.status, FINISHED)})`,
        ),
      ),
    )
    .returning({ id: cpanelSecrets.id })
  return rows.length
}

export async function countSecrets(db: Db, jobId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)`.mapWith(Number) })
    .from(cpanelSecrets)
    .where(eq(cpanelSecrets.jobId, jobId))
  return row?.n ?? 0
}

// ---- copies --------------------------------------------------------------------

export async function insertCopy(db: Db, row: NewCopy): Promise<CopyRow> {
  const [copy] = await db.insert(cpanelCopies).values(row).returning()
  return copy!
}

const source = alias(members, 'source')
const target = alias(members, 'target')

export type CopyWithNames = CopyRow & { sourceName: string; targetName: string }

const withNames = { copy: cpanelCopies, sourceName: source.name, targetName: target.name }
const named = (r: { copy: CopyRow; sourceName: string; targetName: string }): CopyWithNames => ({ ...r.copy, sourceName: r.sourceName, targetName: r.targetName })

export async function findCopy(db: Db, id: string): Promise<CopyWithNames | undefined> {
  const [row] = await db
    .select(withNames)
    .from(cpanelCopies)
    .innerJoin(source, eq(source.id, cpanelCopies.sourceMemberId))
    .innerJoin(target, eq(target.id, cpanelCopies.targetMemberId))
    .where(eq(cpanelCopies.id, id))
  return row ? named(row) : undefined
}

/** Copies from or to the member, newest first. */
export async function listMemberCopies(db: Db, memberId: string, limit: number): Promise<CopyWithNames[]> {
  const rows = await db
    .select(withNames)
    .from(cpanelCopies)
    .innerJoin(source, eq(source.id, cpanelCopies.sourceMemberId))
    .innerJoin(target, eq(target.id, cpanelCopies.targetMemberId))
    .where(or(eq(cpanelCopies.sourceMemberId, memberId), eq(cpanelCopies.targetMemberId, memberId)))
    .orderBy(desc(cpanelCopies.createdAt), desc(cpanelCopies.id))
    .limit(limit)
  return rows.map(named)
}

export async function copyInFlight(db: Db, sourceMemberId: string, targetMemberId: string, user: string): Promise<CopyRow | undefined> {
  const [row] = await db
    .select()
    .from(cpanelCopies)
    .where(
      and(
        eq(cpanelCopies.sourceMemberId, sourceMemberId),
        eq(cpanelCopies.targetMemberId, targetMemberId),
        eq(cpanelCopies.user, user),
        inArray(cpanelCopies.state, ['backing_up', 'restoring']),
      ),
    )
  return row
}

/** In-flight copies whose current job has ended, with that job; `jobId` narrows to the copy of one job. */
export async function copiesToAdvance(db: Db, jobId?: string) {
  const current = sql`case when ${cpanelCopies.state} = 'backing_up' then ${cpanelCopies.backupJobId} else ${cpanelCopies.restoreJobId} end`
  return db
    .select({ copy: cpanelCopies, job: jobs })
    .from(cpanelCopies)
    .innerJoin(jobs, eq(jobs.id, current))
    .where(
      and(
        inArray(cpanelCopies.state, ['backing_up', 'restoring']),
        inArray(jobs.status, FINISHED),
        jobId ? or(eq(cpanelCopies.backupJobId, jobId), eq(cpanelCopies.restoreJobId, jobId)) : undefined,
      ),
    )
}

/** Changes a copy only while it is in state `from`; null when another step moved it first. */
export async function updateCopyWhere(db: Db, id: string, from: CopyRow['state'], patch: Partial<NewCopy>): Promise<CopyRow | null> {
  const [row] = await db
    .update(cpanelCopies)
    .set(patch)
    .where(and(eq(cpanelCopies.id, id), eq(cpanelCopies.state, from)))
    .returning()
  return row ?? null
}
