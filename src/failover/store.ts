// Queries for failover: the pool's config, its events, and the conditional
// updates that make a cut happen exactly once.
import { and, desc, eq, isNotNull, isNull, lt, or, sql } from 'drizzle-orm'
import type { Db } from '../db'
import { failoverConfigs, failoverEvents, memberEvents, pools } from '../db/schema'
import type { DnsResult } from './words'

export type FailoverConfig = typeof failoverConfigs.$inferSelect
export type FailoverEvent = typeof failoverEvents.$inferSelect
type NewEvent = Omit<typeof failoverEvents.$inferInsert, 'status'>

export async function findConfig(db: Db, poolId: string): Promise<FailoverConfig | undefined> {
  const [row] = await db.select().from(failoverConfigs).where(eq(failoverConfigs.poolId, poolId))
  return row
}

export async function saveConfig(db: Db, row: typeof failoverConfigs.$inferInsert): Promise<FailoverConfig> {
  const { poolId: _p, ...rest } = row
  const [saved] = await db
    .insert(failoverConfigs)
    .values(row)
    .onConflictDoUpdate({ target: failoverConfigs.poolId, set: { ...rest, updatedAt: new Date() } })
    .returning()
  return saved!
}

/** Pools the failover tick looks at: failover on, or a cut in flight (one made by hand is retried with failover off too). */
export async function poolIdsToEvaluate(db: Db): Promise<string[]> {
  const [on, cutting] = await Promise.all([
    db.select({ poolId: failoverConfigs.poolId }).from(failoverConfigs).where(eq(failoverConfigs.enabled, true)),
    db.select({ poolId: failoverEvents.poolId }).from(failoverEvents).where(eq(failoverEvents.status, 'pending')),
  ])
  return [...new Set([...on, ...cutting].map((r) => r.poolId))]
}

export async function listEvents(db: Db, poolId: string, limit = 50): Promise<FailoverEvent[]> {
  return db.select().from(failoverEvents).where(eq(failoverEvents.poolId, poolId)).orderBy(desc(failoverEvents.detectedAt), desc(failoverEvents.id)).limit(limit)
}

export async function latestEvent(db: Db, poolId: string): Promise<FailoverEvent | undefined> {
  const [row] = await listEvents(db, poolId, 1)
  return row
}

export async function pendingEvent(db: Db, poolId: string): Promise<FailoverEvent | undefined> {
  const [row] = await db.select().from(failoverEvents).where(and(eq(failoverEvents.poolId, poolId), eq(failoverEvents.status, 'pending')))
  return row
}

/** Inserts a pending cut unless one is already in flight (the partial unique index decides). */
export async function insertPending(db: Db, row: NewEvent): Promise<FailoverEvent | null> {
  const [created] = await db
    .insert(failoverEvents)
    .values({ ...row, status: 'pending' })
    .onConflictDoNothing()
    .returning()
  return created ?? null
}

export async function insertBlocked(db: Db, row: NewEvent): Promise<void> {
  await db.insert(failoverEvents).values({ ...row, status: 'blocked' })
}

/** Takes the lease on a pending cut; only one worker gets it until it runs out. */
export async function claimPending(db: Db, id: string, now: Date, leaseMs: number): Promise<FailoverEvent | null> {
  const [row] = await db
    .update(failoverEvents)
    .set({ leaseUntil: new Date(now.getTime() + leaseMs), attempts: sql`${failoverEvents.attempts} + 1` })
    .where(
      and(
        eq(failoverEvents.id, id),
        eq(failoverEvents.status, 'pending'),
        or(isNull(failoverEvents.leaseUntil), lt(failoverEvents.leaseUntil, now)),
        or(isNull(failoverEvents.nextAttemptAt), lt(failoverEvents.nextAttemptAt, now), eq(failoverEvents.nextAttemptAt, now)),
      ),
    )
    .returning()
  return row ?? null
}

export async function noteAttemptFailed(db: Db, id: string, error: string, dnsResult: DnsResult, nextAttemptAt: Date): Promise<void> {
  await db.update(failoverEvents).set({ lastError: error, dnsResult, nextAttemptAt, leaseUntil: null }).where(eq(failoverEvents.id, id))
}

/**
 * Finishes a cut: the event is done and the pool's active member moves, in one
 * transaction, and only if the pool still has the active member the cut started from.
 */
export async function completeCut(
  db: Db,
  event: FailoverEvent,
  dnsResult: DnsResult,
  now: Date,
  activity: Omit<typeof memberEvents.$inferInsert, 'at'>[] = [],
): Promise<boolean> {
  return db.transaction(async (tx) => {
    const t = tx as unknown as Db
    const moved = await t
      .update(pools)
      .set({ activeMemberId: event.toMemberId })
      .where(and(eq(pools.id, event.poolId), event.fromMemberId ? eq(pools.activeMemberId, event.fromMemberId) : isNull(pools.activeMemberId)))
      .returning({ id: pools.id })
    // Someone else moved the active member first: this cut is stale, not a transition.
    const done = moved.length === 1
    const finished = await t
      .update(failoverEvents)
      .set(done ? { status: 'done', completedAt: now, dnsResult, leaseUntil: null, lastError: null } : { status: 'blocked', completedAt: now, leaseUntil: null, lastError: 'superseded: the active member changed while this cut ran' })
      .where(and(eq(failoverEvents.id, event.id), eq(failoverEvents.status, 'pending')))
      .returning({ id: failoverEvents.id })
    const transition = done && finished.length === 1
    // In the same transaction: a restart cannot leave a transition the members' activity misses.
    if (transition && activity.length) await t.insert(memberEvents).values(activity.map((a) => ({ ...a, at: now })))
    return transition
  })
}

/** Gives up a cut that can no longer happen (its target was removed, say). */
export async function abandonPending(db: Db, id: string, reason: string, now: Date): Promise<void> {
  await db
    .update(failoverEvents)
    .set({ status: 'blocked', lastError: reason, completedAt: now, leaseUntil: null })
    .where(and(eq(failoverEvents.id, id), eq(failoverEvents.status, 'pending')))
}

export async function setActiveMember(db: Db, poolId: string, memberId: string | null): Promise<void> {
  await db.update(pools).set({ activeMemberId: memberId }).where(eq(pools.id, poolId))
}

export async function lastDoneEvent(db: Db, poolId: string): Promise<FailoverEvent | undefined> {
  const [row] = await db
    .select()
    .from(failoverEvents)
    .where(and(eq(failoverEvents.poolId, poolId), eq(failoverEvents.status, 'done'), isNotNull(failoverEvents.completedAt)))
    .orderBy(desc(failoverEvents.completedAt))
    .limit(1)
  return row
}
