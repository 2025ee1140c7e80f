// Queries for members, their enrolment secrets, events and metric history.
import { and, asc, desc, eq, getTableColumns, gt, inArray, isNull, lt, sql, type SQLWrapper } from 'drizzle-orm'
import type { Db } from '../db'
import { enrollmentSecrets, memberEvents, memberMetrics, members, type MemberSummary } from '../db/schema'

export type Member = typeof members.$inferSelect
/** A member without its full host state: what lists and pool pages need. */
export type MemberRow = Omit<Member, 'os' | 'stacks' | 'apps' | 'hostState'>

const { os: _os, stacks: _stacks, apps: _apps, hostState: _hostState, ...rowColumns } = getTableColumns(members)

/** The pool's members, light: no full host state (see MemberSummary). */
export async function listMemberRows(db: Db, poolId: string): Promise<MemberRow[]> {
  return db.select(rowColumns).from(members).where(eq(members.poolId, poolId)).orderBy(asc(members.createdAt), asc(members.id))
}
export type MemberEvent = typeof memberEvents.$inferSelect

/** The part of a member's summary pool pages read. */
export type PoolMemberSummary = Pick<MemberSummary, 'osName' | 'cpu' | 'memPercent' | 'diskPercent' | 'stacks' | 'interval'>

/** What a pool page shows of each member: its tile, its dot on the map, its tab in the member row. */
export type PoolMember = Pick<Member, 'id' | 'poolId' | 'name' | 'hostname' | 'osFamily' | 'location' | 'agentVersion' | 'lastHeartbeatAt'> & {
  summary: PoolMemberSummary
}

type StateTuple = [string, string, string, PoolMember['osFamily'], PoolMember['location'], string | null, number | null, number | null]
type DetailTuple = [string, string | null, number | null, number | null, number | null, PoolMemberSummary['stacks'] | null]

// Pool pages read members as one JSON value of only the fields they show:
// PGlite spends about a microsecond on every field of every row it returns
// and some 20 ns on every byte, so a thousand members as rows cost three to
// four times as much. Reading into the summary (jsonb) costs about a
// microsecond a value too, so the tile details are read apart, for the tiles
// on screen (see tileDetails).
const stateColumns = (m: { [K in 'id' | 'name' | 'hostname' | 'osFamily' | 'location' | 'agentVersion' | 'lastHeartbeatAt' | 'summary']: SQLWrapper }) =>
  // Milliseconds, as the Date the row would have given (both truncate the microseconds).
  sql`${m.id}, ${m.name}, ${m.hostname}, ${m.osFamily}, ${m.location}, ${m.agentVersion}, floor(extract(epoch from ${m.lastHeartbeatAt}) * 1000), ${m.summary} -> 'interval'`

const detailColumns = (m: { id: SQLWrapper; summary: SQLWrapper }) =>
  sql`${m.id}, ${m.summary} -> 'osName', ${m.summary} -> 'cpu', ${m.summary} -> 'memPercent', ${m.summary} -> 'diskPercent', ${m.summary} -> 'stacks'`

const fromState = (poolId: string, [id, name, hostname, osFamily, location, agentVersion, heartbeatMs, interval]: StateTuple): PoolMember => ({
  id,
  poolId,
  name,
  hostname,
  osFamily,
  location,
  agentVersion,
  lastHeartbeatAt: heartbeatMs === null ? null : new Date(heartbeatMs),
  // A key the summary lacks comes back null: the same to every reader (they all use ??).
  summary: { interval: interval ?? undefined },
})

/**
 * The pool's members in creation order, with what their status, their tab
 * in the member row and their dot on the map need, and how many report
 * cPanel (the pool tab bar); `limit` keeps the first few. The tile details
 * (operating system, stacks, resource use) are left out: add them with
 * withTileDetails for the tiles shown.
 */
export async function listPoolMembers(db: Db, poolId: string, limit?: number): Promise<{ members: PoolMember[]; cpanel: number }> {
  const query = db
    .select({ id: members.id, name: members.name, hostname: members.hostname, osFamily: members.osFamily, location: members.location, agentVersion: members.agentVersion, lastHeartbeatAt: members.lastHeartbeatAt, summary: members.summary, createdAt: members.createdAt })
    .from(members)
    .where(eq(members.poolId, poolId))
    .orderBy(asc(members.createdAt), asc(members.id))
  const m = (limit === undefined ? query : query.limit(limit)).as('m')
  const cpanel = limit === undefined ? sql<number>`count(*) filter (where ${m.summary} -> 'stacks' @> '["cpanel"]'::jsonb)::int` : sql<number>`0`
  const [[row], counted] = await Promise.all([
    db.select({ list: sql<string>`coalesce(json_agg(json_build_array(${stateColumns(m)}) order by ${m.createdAt}, ${m.id}), '[]')::text`, cpanel }).from(m),
    limit === undefined ? undefined : countCpanelMembers(db, poolId),
  ])
  const list = (JSON.parse(row!.list) as StateTuple[]).map((t) => fromState(poolId, t))
  return { members: list, cpanel: counted ?? row!.cpanel }
}

/** The given members with their tile details read in (operating system, stacks, resource use); the others as they were. */
export async function withTileDetails(db: Db, list: PoolMember[], ids: string[]): Promise<PoolMember[]> {
  if (ids.length === 0) return list
  const [row] = await db
    .select({ details: sql<string>`coalesce(json_agg(json_build_array(${detailColumns(members)})), '[]')::text` })
    .from(members)
    .where(inArray(members.id, ids))
  const details = new Map((JSON.parse(row!.details) as DetailTuple[]).map((t) => [t[0], t]))
  return list.map((member) => {
    const d = details.get(member.id)
    if (!d) return member
    const [, osName, cpu, memPercent, diskPercent, stacks] = d
    return { ...member, summary: { ...member.summary, osName, cpu, memPercent, diskPercent, stacks: stacks ?? undefined } }
  })
}

/** How many of the pool's members report cPanel (what the pool tab bar needs), without reading them. */
export async function countCpanelMembers(db: Db, poolId: string): Promise<number> {
  const [row] = await db
    .select({ n: sql<number>`count(*)::int` })
    .from(members)
    .where(and(eq(members.poolId, poolId), sql`${members.summary} -> 'stacks' @> '["cpanel"]'::jsonb`))
  return row?.n ?? 0
}

/** Names of a few members by id (members since removed are left out). */
export async function memberNames(db: Db, ids: string[]): Promise<Record<string, string>> {
  if (ids.length === 0) return {}
  const rows = await db.select({ id: members.id, name: members.name }).from(members).where(inArray(members.id, ids))
  return Object.fromEntries(rows.map((r) => [r.id, r.name]))
}

/** When the member last reported, without its state; undefined if it is gone. */
export async function lastHeartbeatOf(db: Db, id: string): Promise<{ lastHeartbeatAt: Date | null } | undefined> {
  const [row] = await db.select({ lastHeartbeatAt: members.lastHeartbeatAt }).from(members).where(eq(members.id, id))
  return row
}

export async function listMembers(db: Db, poolId: string): Promise<Member[]> {
  return db.select().from(members).where(eq(members.poolId, poolId)).orderBy(asc(members.createdAt), asc(members.id))
}

export async function findMember(db: Db, id: string): Promise<Member | undefined> {
  const [row] = await db.select().from(members).where(eq(members.id, id))
  return row
}

/** The agent's own member, light: every agent request looks it up, so no full host state. */
export async function findMemberByToken(db: Db, tokenHash: string): Promise<MemberRow | undefined> {
  const [row] = await db.select(rowColumns).from(members).where(eq(members.tokenHash, tokenHash))
  return row
}

export async function insertMember(db: Db, member: typeof members.$inferInsert): Promise<Member> {
  const [row] = await db.insert(members).values(member).returning()
  return row!
}

export async function updateMember(db: Db, id: string, patch: Partial<typeof members.$inferInsert>): Promise<Member | undefined> {
  const [row] = await db.update(members).set(patch).where(eq(members.id, id)).returning()
  return row
}

export async function deleteMember(db: Db, id: string): Promise<Member | undefined> {
  const [row] = await db.delete(members).where(eq(members.id, id)).returning()
  return row
}

export async function voidSecrets(db: Db, memberId: string, at: Date): Promise<void> {
  await db
    .update(enrollmentSecrets)
    .set({ voidedAt: at })
    .where(and(eq(enrollmentSecrets.memberId, memberId), isNull(enrollmentSecrets.usedAt), isNull(enrollmentSecrets.voidedAt)))
}

export async function insertSecret(db: Db, row: typeof enrollmentSecrets.$inferInsert): Promise<void> {
  await db.insert(enrollmentSecrets).values(row)
}

export async function findSecret(db: Db, secretHash: string) {
  const [row] = await db.select().from(enrollmentSecrets).where(eq(enrollmentSecrets.secretHash, secretHash))
  return row
}

/** The live secret of a member, if it has one (for "expires at" on the page). */
export async function liveSecret(db: Db, memberId: string, now: Date) {
  const [row] = await db
    .select()
    .from(enrollmentSecrets)
    .where(
      and(
        eq(enrollmentSecrets.memberId, memberId),
        isNull(enrollmentSecrets.usedAt),
        isNull(enrollmentSecrets.voidedAt),
        gt(enrollmentSecrets.expiresAt, now),
      ),
    )
    .orderBy(desc(enrollmentSecrets.createdAt))
  return row
}

/** Marks the secret used; true only for the one caller that did. */
export async function consumeSecret(db: Db, id: string, at: Date): Promise<boolean> {
  const rows = await db
    .update(enrollmentSecrets)
    .set({ usedAt: at })
    .where(and(eq(enrollmentSecrets.id, id), isNull(enrollmentSecrets.usedAt), isNull(enrollmentSecrets.voidedAt)))
    .returning({ id: enrollmentSecrets.id })
  return rows.length === 1
}

export async function insertEvent(db: Db, event: typeof memberEvents.$inferInsert): Promise<void> {
  await db.insert(memberEvents).values(event)
}

export async function listEvents(db: Db, memberId: string, limit: number): Promise<MemberEvent[]> {
  return db.select().from(memberEvents).where(eq(memberEvents.memberId, memberId)).orderBy(desc(memberEvents.id)).limit(limit)
}

/** The newest event of each of these members, in one query. */
export async function latestEvents(db: Db, memberIds: string[]): Promise<MemberEvent[]> {
  if (memberIds.length === 0) return []
  return db
    .selectDistinctOn([memberEvents.memberId])
    .from(memberEvents)
    .where(inArray(memberEvents.memberId, memberIds))
    .orderBy(memberEvents.memberId, desc(memberEvents.id))
}

export async function upsertMetric(db: Db, row: typeof memberMetrics.$inferInsert): Promise<void> {
  const { memberId: _m, minute: _t, ...latest } = row
  await db
    .insert(memberMetrics)
    .values(row)
    .onConflictDoUpdate({ target: [memberMetrics.memberId, memberMetrics.minute], set: latest })
}

export type MetricPoint = typeof memberMetrics.$inferSelect

type MetricTuple = [number, number | string | null, number | null, number | null, number | null, number | null, number | string | null]

/** A real as JSON: a number, or a string for NaN and the infinities, as the row would have parsed them. */
const real = (v: number | string | null) => (v === null ? null : Number(v))

/**
 * The member's points since then, oldest first. A day is 1,440 rows of eight
 * fields: one JSON value instead (see listPoolMembers) costs PGlite a quarter.
 */
export async function listMetrics(db: Db, memberId: string, since: Date): Promise<MetricPoint[]> {
  const p = memberMetrics
  const [row] = await db
    .select({
      list: sql<string>`coalesce(json_agg(json_build_array(floor(extract(epoch from ${p.minute}) * 1000), ${p.cpuPercent}, ${p.memUsedBytes}, ${p.memTotalBytes}, ${p.diskUsedBytes}, ${p.diskTotalBytes}, ${p.load1}) order by ${p.minute}), '[]')::text`,
    })
    .from(p)
    .where(and(eq(p.memberId, memberId), gt(p.minute, since)))
  return (JSON.parse(row!.list) as MetricTuple[]).map(([ms, cpu, memUsed, memTotal, diskUsed, diskTotal, load1]) => ({
    memberId,
    minute: new Date(ms),
    cpuPercent: real(cpu),
    memUsedBytes: memUsed,
    memTotalBytes: memTotal,
    diskUsedBytes: diskUsed,
    diskTotalBytes: diskTotal,
    load1: real(load1),
  }))
}

export async function pruneMetrics(db: Db, before: Date): Promise<number> {
  const rows = await db.delete(memberMetrics).where(lt(memberMetrics.minute, before)).returning({ m: memberMetrics.memberId })
  return rows.length
}

export async function countByPool(db: Db, poolId: string): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(members).where(eq(members.poolId, poolId))
  return row?.n ?? 0
}
