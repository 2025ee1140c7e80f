import { and, desc, eq, inArray, isNull } from 'drizzle-orm'
import type { Db } from '../db'
import { alertHistory, alertStates, failoverEvents, members, pools, users } from '../db/schema'

export type AlertStateRow = typeof alertStates.$inferSelect
export type AlertHistoryRow = typeof alertHistory.$inferSelect

export const allStates = (db: Db) => db.select().from(alertStates)
export const allMembers = (db: Db) => db.select().from(members)
export const allPools = (db: Db) => db.select({ id: pools.id, name: pools.name }).from(pools)
export const accountEmails = async (db: Db) => (await db.select({ email: users.email }).from(users)).map((u) => u.email)

export async function saveState(db: Db, row: typeof alertStates.$inferInsert): Promise<void> {
  const { key: _k, ...rest } = row
  await db.insert(alertStates).values(row).onConflictDoUpdate({ target: alertStates.key, set: rest })
}

export async function insertHistory(db: Db, row: typeof alertHistory.$inferInsert): Promise<void> {
  await db.insert(alertHistory).values(row)
}

export async function listHistory(db: Db, filter: { poolId: string; memberId?: string }, limit = 50): Promise<AlertHistoryRow[]> {
  return db
    .select()
    .from(alertHistory)
    .where(and(eq(alertHistory.poolId, filter.poolId), filter.memberId ? eq(alertHistory.memberId, filter.memberId) : undefined))
    .orderBy(desc(alertHistory.id))
    .limit(limit)
}

export async function firingStates(db: Db, poolId: string, memberId?: string): Promise<AlertStateRow[]> {
  return db
    .select()
    .from(alertStates)
    .where(and(eq(alertStates.poolId, poolId), memberId ? eq(alertStates.memberId, memberId) : undefined, inArray(alertStates.state, ['firing', 'resolving'])))
}

/** Finished cuts whose email has not gone out yet. */
export async function unnotifiedCuts(db: Db) {
  return db
    .select()
    .from(failoverEvents)
    .where(and(eq(failoverEvents.status, 'done'), isNull(failoverEvents.notifiedAt), inArray(failoverEvents.reason, ['active_down', 'failback', 'manual'])))
}

/** Claims a cut's email; true for the one caller that did. */
export async function claimCutNotice(db: Db, id: string, at: Date): Promise<boolean> {
  const rows = await db
    .update(failoverEvents)
    .set({ notifiedAt: at })
    .where(and(eq(failoverEvents.id, id), isNull(failoverEvents.notifiedAt)))
    .returning({ id: failoverEvents.id })
  return rows.length === 1
}
