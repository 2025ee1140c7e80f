// Queries of the per-account DNS cut and the post-failover hook: the pool's
// hook command (pool_protection), the accounts a failed member held, and the
// cuts already made for a failover event.
import { and, desc, eq, sql } from 'drizzle-orm'
import type { Db } from '../db'
import { poolProtection, protectedAccounts, protectionEvents } from '../db/schema'
import type { EventRow, ProtectedRow } from './store'

export async function findHook(db: Db, poolId: string): Promise<string | null> {
  const [row] = await db.select({ hook: poolProtection.hook }).from(poolProtection).where(eq(poolProtection.poolId, poolId))
  return row?.hook ?? null
}

export async function saveHook(db: Db, poolId: string, hook: string | null, now = new Date()): Promise<void> {
  await db
    .insert(poolProtection)
    .values({ poolId, hook, updatedAt: now })
    .onConflictDoUpdate({ target: poolProtection.poolId, set: { hook, updatedAt: now } })
}

/** The enabled accounts kept warm from this member, oldest first. */
export async function enabledFrom(db: Db, sourceMemberId: string): Promise<ProtectedRow[]> {
  return db
    .select()
    .from(protectedAccounts)
    .where(and(eq(protectedAccounts.sourceMemberId, sourceMemberId), eq(protectedAccounts.enabled, true)))
    .orderBy(protectedAccounts.createdAt, protectedAccounts.id)
}

/** The cut of this account made for this failover event, if one was. */
export async function cutForFailover(db: Db, protectedAccountId: string, failoverEventId: string): Promise<EventRow | undefined> {
  const [row] = await db
    .select()
    .from(protectionEvents)
    .where(
      and(
        eq(protectionEvents.protectedAccountId, protectedAccountId),
        eq(protectionEvents.kind, 'cut'),
        sql`${protectionEvents.detail}->>'failoverEventId' = ${failoverEventId}`,
      ),
    )
    .orderBy(desc(protectionEvents.id))
    .limit(1)
  return row
}
