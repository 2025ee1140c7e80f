// Queries for failover: the pool's config, its events, and the conditional
// updates that make a cut happen exactly once.
import { and, desc, eq, isNotNull, isNull, lt, max, or, sql } from 'drizzle-orm'
import type { Db } from '../db'
import { failoverConfigs, failoverEvents, leaderTerms, memberEvents, members, pools, type HostnameRecord } from '../db/schema'
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

/**
 * Takes the lease on a pending cut; only one worker gets it until it runs out,
 * or until a newer leadership term (`term`) asks: the holder of an older term
 * no longer leads. A worker that does not lead claims under the newest term,
 * so the leader of that term does not take its cut from under it.
 */
export async function claimPending(db: Db, id: string, now: Date, leaseMs: number, term: number | null = null): Promise<FailoverEvent | null> {
  const e = failoverEvents
  const [row] = await db
    .update(e)
    .set({
      leaseUntil: new Date(now.getTime() + leaseMs),
      attempts: sql`${e.attempts} + 1`,
      claimTerm: term ?? sql`(select max(${leaderTerms.term}) from ${leaderTerms})`,
    })
    .where(
      and(
        eq(e.id, id),
        eq(e.status, 'pending'),
        or(isNull(e.leaseUntil), lt(e.leaseUntil, now), term === null ? sql`false` : or(isNull(e.claimTerm), lt(e.claimTerm, term))),
        or(isNull(e.nextAttemptAt), lt(e.nextAttemptAt, now), eq(e.nextAttemptAt, now)),
      ),
    )
    .returning()
  return row ?? null
}

/** Marks the cut's DNS as being written by the term that claimed it; false when a newer term has taken the cut over. */
export async function noteDnsWrite(db: Db, event: FailoverEvent): Promise<boolean> {
  const e = failoverEvents
  const rows = await db
    .update(e)
    .set({ dnsWriteTerm: event.claimTerm })
    .where(and(eq(e.id, event.id), eq(e.status, 'pending'), event.claimTerm === null ? isNull(e.claimTerm) : eq(e.claimTerm, event.claimTerm)))
    .returning({ id: e.id })
  return rows.length === 1
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

/** The newest heartbeat any member sent: the last moment the control plane is known to have listened. */
export async function newestHeartbeat(db: Db): Promise<Date | null> {
  const [row] = await db.select({ at: max(members.lastHeartbeatAt) }).from(members)
  return row?.at ?? null
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

/** Sets what is known of some hostnames' records, keeping the others'. */
export async function mergeHostnameRecords(db: Db, poolId: string, records: Record<string, HostnameRecord>): Promise<void> {
  await db
    .update(failoverConfigs)
    .set({ hostnameRecords: sql`${failoverConfigs.hostnameRecords} || ${JSON.stringify(records)}::jsonb` })
    .where(eq(failoverConfigs.poolId, poolId))
}
