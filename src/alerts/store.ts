import { and, desc, eq, inArray, isNull, sql } from 'drizzle-orm'
import { epochMs, fromEpochMs } from '../db/epoch'
import type { Db } from '../db'
import { alertHistory, alertStates, failoverEvents, members, pools, users } from '../db/schema'
import type { Member } from '../members/store'
import type { HostState } from '../members/view-model'

export type AlertStateRow = typeof alertStates.$inferSelect
export type AlertHistoryRow = typeof alertHistory.$inferSelect

/** Where each alert's state machine stands: what the tick needs of it. */
export type MachineRow = { key: string; state: AlertStateRow['state']; since: Date; firedAt: Date | null }

/** What the alert tick judges of a member: its heartbeat and the figures of its host state, not its firewall rules or apps. */
export type AlertMember = Pick<Member, 'id' | 'poolId' | 'name' | 'agentVersion' | 'lastHeartbeatAt'> & { hostState: HostState | null }

// The tick reads every member and every alert each time it runs, on the
// thread that serves the pages: as one JSON value each, and only the fields
// it judges, a thousand members and their six thousand alerts cost
// milliseconds, not the hundreds of milliseconds whole rows did.

export async function allStates(db: Db): Promise<MachineRow[]> {
  const a = alertStates
  const [row] = await db.select({ list: sql<string>`coalesce(json_agg(json_build_array(${a.key}, ${a.state}, ${epochMs(a.since)}, ${epochMs(a.firedAt)})), '[]')::text` }).from(a)
  return (JSON.parse(row!.list) as [string, MachineRow['state'], number, number | null][]).map(([key, state, since, firedAt]) => ({ key, state, since: new Date(since), firedAt: fromEpochMs(firedAt) }))
}

export async function allMembers(db: Db): Promise<AlertMember[]> {
  const m = members
  const figures = sql`case when ${m.hostState} is null then null else json_build_object(
    'cpuPercent', ${m.hostState} -> 'cpuPercent', 'memory', ${m.hostState} -> 'memory', 'disks', ${m.hostState} -> 'disks',
    'services', ${m.hostState} -> 'services', 'certificates', ${m.hostState} -> 'certificates') end`
  const [row] = await db
    .select({ list: sql<string>`coalesce(json_agg(json_build_array(${m.id}, ${m.poolId}, ${m.name}, ${m.agentVersion}, ${epochMs(m.lastHeartbeatAt)}, ${figures})), '[]')::text` })
    .from(m)
  return (JSON.parse(row!.list) as [string, string, string, string | null, number | null, HostState | null][]).map(([id, poolId, name, agentVersion, heartbeatMs, hostState]) => ({
    id,
    poolId,
    name,
    agentVersion,
    lastHeartbeatAt: fromEpochMs(heartbeatMs),
    hostState,
  }))
}
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
