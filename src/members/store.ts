// Queries for members, their enrolment secrets, events and metric history.
import { and, asc, desc, eq, getTableColumns, gt, inArray, isNotNull, isNull, lt, lte, or, sql, type SQL } from 'drizzle-orm'
import { epochMs, fromEpochMs } from '../db/epoch'
import { affectedRows, rowsOf } from '../db/affected'
import type { Db } from '../db'
import { enrollmentSecrets, memberEvents, memberMetrics, members, type MemberSummary } from '../db/schema'
import type { Deadlines } from './status'
import { cellSql, LAT_SQL, LON_SQL } from '../geo/cells'

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
export type PoolMember = Pick<Member, 'id' | 'poolId' | 'name' | 'hostname' | 'osFamily' | 'location' | 'agentVersion' | 'lastHeartbeatAt' | 'lateAt' | 'downAt'> & {
  summary: PoolMemberSummary
}

type StateTuple = [string, string, string, PoolMember['osFamily'], PoolMember['location'], string | null, number | null, number | null, number | null, number | null]
const STATE_FIELDS = 10

// Pool pages read members as one JSON value of only the fields they show:
// PGlite spends about a microsecond on every field of every row it returns
// and some 20 ns on every byte, so a thousand members as rows cost three to
// four times as much. Reading into the summary (jsonb) costs about a
// microsecond a value too: tile details are read only for the tiles shown.
// Both queries below select these from a member row, by column name.
const STATE_COLUMNS = sql`id, name, hostname, os_family, location, agent_version, ${epochMs(sql.raw('last_heartbeat_at'))}, summary -> 'interval', ${epochMs(sql.raw('late_at'))}, ${epochMs(sql.raw('down_at'))}`
const TILE_COLUMNS = sql.raw(`summary -> 'osName', summary -> 'cpu', summary -> 'memPercent', summary -> 'diskPercent', summary -> 'stacks'`)
const REPORTS_CPANEL = sql.raw(`summary -> 'stacks' @> '["cpanel"]'::jsonb`)

const fromState = (poolId: string, [id, name, hostname, osFamily, location, agentVersion, heartbeatMs, interval, lateMs, downMs]: StateTuple): PoolMember => ({
  id,
  poolId,
  name,
  hostname,
  osFamily,
  location,
  agentVersion,
  lastHeartbeatAt: fromEpochMs(heartbeatMs),
  lateAt: fromEpochMs(lateMs),
  downAt: fromEpochMs(downMs),
  // A key the summary lacks comes back null: the same to every reader (they all use ??).
  summary: { interval: interval ?? undefined },
})

/**
 * The pool's members in creation order, with what their status, their tab
 * in the member row and their dot on the map need, and how many report
 * cPanel (the pool tab bar); `limit` keeps the first few. The tile details
 * (operating system, stacks, resource use) are left out: the Overview reads
 * them for the tiles it shows (poolOverview).
 */
export async function listPoolMembers(db: Db, poolId: string, limit?: number): Promise<{ members: PoolMember[]; cpanel: number }> {
  const query = db
    .select({ id: members.id, name: members.name, hostname: members.hostname, osFamily: members.osFamily, location: members.location, agentVersion: members.agentVersion, lastHeartbeatAt: members.lastHeartbeatAt, lateAt: members.lateAt, downAt: members.downAt, summary: members.summary, createdAt: members.createdAt })
    .from(members)
    .where(eq(members.poolId, poolId))
    .orderBy(asc(members.createdAt), asc(members.id))
  const m = (limit === undefined ? query : query.limit(limit)).as('m')
  const [row] = await db
    .select({
      list: sql<string>`coalesce(json_agg(json_build_array(${STATE_COLUMNS}) order by ${m.createdAt}, ${m.id}), '[]')::text`,
      cpanel: sql<number>`(select count(*)::int from ${members} where ${members.poolId} = ${poolId} and ${REPORTS_CPANEL})`,
    })
    .from(m)
  return { members: (JSON.parse(row!.list) as StateTuple[]).map((t) => fromState(poolId, t)), cpanel: row!.cpanel }
}

type TileTuple = [...StateTuple, string | null, number | null, number | null, number | null, PoolMemberSummary['stacks'] | null]

const fromTile = (poolId: string, t: TileTuple): PoolMember => {
  const member = fromState(poolId, t.slice(0, STATE_FIELDS) as StateTuple)
  const [osName, cpu, memPercent, diskPercent, stacks] = t.slice(STATE_FIELDS) as [string | null, number | null, number | null, number | null, PoolMemberSummary['stacks'] | null]
  return { ...member, summary: { ...member.summary, osName, cpu, memPercent, diskPercent, stacks: stacks ?? undefined } }
}

/** Fleet status of a pool: counts over every member, without reading them out. */
export type FleetFigures = {
  members: number
  healthy: number
  lastHeartbeatAt: Date | null
  /** How many members run each agent version (null: never reported). */
  versions: [string | null, number][]
  cpanel: number
}

/**
 * One cell of the fleet map (src/geo/cells.ts): how many located members it
 * holds by status, where they are on average, and, for a cell of one, who.
 */
export type MapCell = {
  row: number
  col: number
  /** Members by status: down, late, pending, healthy (STATUS_BY_SEVERITY). */
  counts: [number, number, number, number]
  lat: number
  lon: number
  /** The member, when the cell holds only one. */
  only: { id: string; name: string; label: string | null } | null
}

export type FleetOverview = {
  figures: FleetFigures
  /** Down first, then late, pending, healthy, each in creation order: the page of them asked for, with their tile details. */
  tiles: PoolMember[]
  /** The member row: the first few in creation order. */
  row: PoolMember[]
  /** The map: members with a location, counted per cell. Empty when not asked for. */
  cells: MapCell[]
}

type CellTuple = [number, number, number, number, number, number, number, number, string | null, string | null, string | null]

const fromCell = ([row, col, down, late, pending, healthy, lat, lon, id, name, label]: CellTuple): MapCell => ({
  row,
  col,
  counts: [down, late, pending, healthy],
  lat,
  lon,
  only: id !== null && name !== null ? { id, name, label } : null,
})

/**
 * How the Overview's SQL ranks a member (0 down, 1 late, 2 pending, 3
 * healthy): memberStatus's rule (status.ts) read off the same deadlines.
 */
export const severitySql = (now: SQL) => sql`case
  when last_heartbeat_at is null then 2
  when late_at >= ${now} then 3
  when down_at >= ${now} then 1
  else 0 end`

/**
 * The pool Overview of a fleet of any size, in one statement: the database
 * counts and orders all members, and hands over only what is on screen: a
 * page of tiles, the member row, and the map as cells with counts. A
 * member's status here is memberStatus's (status.ts) in SQL, read off the
 * same deadlines; its tile shows the same status, worked out again there.
 * `row: 0` and `map: false` leave those out (a later page of tiles).
 */
export async function poolOverview(
  db: Db,
  poolId: string,
  opts: { now: Date; tiles: { offset: number; limit: number }; row: number; map: boolean },
): Promise<FleetOverview> {
  const now = sql`${opts.now.toISOString()}::timestamptz`
  const at = cellSql(sql.raw('lat'), sql.raw('lon'))
  // Cells hand over their averages and, for a cell of one, its member: the
  // map draws one dot a cell, so its size does not grow with the fleet.
  // Only members with a location are placed (offset 0 keeps each one's
  // latitude and longitude worked out once, not once per use).
  const cells = opts.map
    ? sql`(select coalesce(json_agg(json_build_array(r, c, down, late, pending, healthy, lat, lon, only_id, only_name, only_label) order by r, c), '[]') from (
        select ${at.row} as r, ${at.col} as c,
          count(*) filter (where severity = 0) as down, count(*) filter (where severity = 1) as late,
          count(*) filter (where severity = 2) as pending, count(*) filter (where severity = 3) as healthy,
          round(avg(lat)::numeric, 4) as lat, round(avg(lon)::numeric, 4) as lon,
          case when count(*) = 1 then min(id) end as only_id, case when count(*) = 1 then min(name) end as only_name,
          case when count(*) = 1 then min(label) end as only_label
        from (select id, name, severity, ${LAT_SQL} as lat, ${LON_SQL} as lon, location ->> 'label' as label from m where location is not null offset 0) l
        where ${at.located} group by 1, 2) g)::text`
    : sql`'[]'`
  // \`m\` holds only what ranks and counts members (PGlite copies every byte
  // of a CTE it reads more than once); the tiles and the member row read
  // their columns from the table for the few rows they show. The location
  // stays whole: most members have none, and working out a place for each
  // of them cost more than the map's own pass over those that do.
  const result = await db.execute(sql`
    with m as (
      select id, name, created_at, agent_version, last_heartbeat_at, ${severitySql(now)} as severity, ${REPORTS_CPANEL} as cpanel
        ${opts.map ? sql`, location` : sql``}
      from members where pool_id = ${poolId}
    )
    select
      (select coalesce(json_agg(json_build_array(agent_version, n, healthy, last_ms, cpanel)), '[]') from (
        select agent_version, count(*) as n, count(*) filter (where severity = 3) as healthy,
          ${epochMs(sql.raw('max(last_heartbeat_at)'))} as last_ms, count(*) filter (where cpanel) as cpanel
        from m group by agent_version) v)::text as versions,
      (select coalesce(json_agg(json_build_array(${STATE_COLUMNS}, ${TILE_COLUMNS}) order by p.sev, p.made, p.pid), '[]')
        from (select id as pid, severity as sev, created_at as made from m order by severity, created_at, id offset ${opts.tiles.offset}::int limit ${opts.tiles.limit}::int) p
        join members on members.id = p.pid)::text as tiles,
      (select coalesce(json_agg(json_build_array(${STATE_COLUMNS}) order by p.made, p.pid), '[]')
        from (select id as pid, created_at as made from m order by created_at, id limit ${opts.row}::int) p
        join members on members.id = p.pid)::text as row,
      ${cells} as cells
  `)
  const row = rowsOf<Record<'versions' | 'tiles' | 'row' | 'cells', string>>(result)[0]!
  // The fleet's figures are the sums of its agent versions' (one pass over the members, not two).
  const versions = JSON.parse(row.versions) as [string | null, number, number, number | null, number][]
  const sum = (i: 1 | 2 | 4) => versions.reduce((n, v) => n + v[i], 0)
  const lastMs = versions.reduce<number | null>((max, v) => (v[3] !== null && (max === null || v[3] > max) ? v[3] : max), null)
  return {
    figures: {
      members: sum(1),
      healthy: sum(2),
      lastHeartbeatAt: fromEpochMs(lastMs),
      versions: versions.map(([version, n]) => [version, n]),
      cpanel: sum(4),
    },
    tiles: (JSON.parse(row.tiles) as TileTuple[]).map((t) => fromTile(poolId, t)),
    row: (JSON.parse(row.row) as StateTuple[]).map((t) => fromState(poolId, t)),
    cells: (JSON.parse(row.cells) as CellTuple[]).map(fromCell),
  }
}

/** Names of a few members by id (members since removed are left out). */
export async function memberNames(db: Db, ids: string[]): Promise<Record<string, string>> {
  if (ids.length === 0) return {}
  const rows = await db.select({ id: members.id, name: members.name }).from(members).where(inArray(members.id, ids))
  return Object.fromEntries(rows.map((r) => [r.id, r.name]))
}

/** When the member last reported, without its state; undefined if it is gone. */
export async function deadlinesOf(db: Db, id: string): Promise<Deadlines | undefined> {
  const [row] = await db.select({ lastHeartbeatAt: members.lastHeartbeatAt, lateAt: members.lateAt, downAt: members.downAt }).from(members).where(eq(members.id, id))
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
    .set({ voidedAt: at, secretSealed: null })
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

/** The member's newest secret, whatever became of it. */
export async function latestSecret(db: Db, memberId: string) {
  const [row] = await db
    .select()
    .from(enrollmentSecrets)
    .where(eq(enrollmentSecrets.memberId, memberId))
    // Only a newer secret voids one: of two issued in the same millisecond the
    // one still standing is the newer, where their random ids would pick either.
    .orderBy(desc(enrollmentSecrets.createdAt), sql`${enrollmentSecrets.voidedAt} is null desc`, desc(enrollmentSecrets.id))
    .limit(1)
  return row
}

/** Erases the sealed secrets that are used, replaced or expired; how many. */
export async function eraseSpentSealedSecrets(db: Db, now: Date): Promise<number> {
  const s = enrollmentSecrets
  const rows = await db
    .update(s)
    .set({ secretSealed: null })
    .where(and(isNotNull(s.secretSealed), or(isNotNull(s.usedAt), isNotNull(s.voidedAt), lte(s.expiresAt, now))))
    .returning({ id: s.id })
  return rows.length
}

/** Marks the secret used, and erases its sealed copy; true only for the one caller that did. */
export async function consumeSecret(db: Db, id: string, at: Date): Promise<boolean> {
  const rows = await db
    .update(enrollmentSecrets)
    .set({ usedAt: at, secretSealed: null })
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
      list: sql<string>`coalesce(json_agg(json_build_array(${epochMs(p.minute)}, ${p.cpuPercent}, ${p.memUsedBytes}, ${p.memTotalBytes}, ${p.diskUsedBytes}, ${p.diskTotalBytes}, ${p.load1}) order by ${p.minute}), '[]')::text`,
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

/** "First heartbeat received." in the member's activity, once however often it is asked. */
export async function insertFirstHeartbeat(db: Db, memberId: string, ip: string | null): Promise<void> {
  await db.execute(sql`
    insert into member_events (member_id, kind, level, message, ip)
    select ${memberId}::text, 'first_heartbeat', 'info', 'First heartbeat received.', ${ip}::text
    where not exists (select 1 from member_events where member_id = ${memberId}::text and kind = 'first_heartbeat')
  `)
}

/**
 * Deletes history older than `before`, a slice at a time and without reading
 * the rows back: a big fleet sheds millions of points an hour, and one
 * statement for all of them would hold its locks and its memory that long.
 */
export async function pruneMetrics(db: Db, before: Date, slice = 10_000): Promise<number> {
  let removed = 0
  for (;;) {
    const n = affectedRows(
      await db.execute(sql`
        delete from member_metrics where ctid in (
          select ctid from member_metrics where minute < ${before.toISOString()}::timestamptz limit ${slice}::int
        )`),
    )
    removed += n
    if (n < slice) return removed
  }
}

export async function countByPool(db: Db, poolId: string): Promise<number> {
  const [row] = await db.select({ n: sql<number>`count(*)::int` }).from(members).where(eq(members.poolId, poolId))
  return row?.n ?? 0
}

// ---- activity -------------------------------------------------------------

/** One line of a member's history as the database holds it; activity.ts words it. */
export type ActivityRow = { source: 'member' | 'alert' | 'failover' | 'job'; at: Date; data: Record<string, unknown> }

/** The rows of a raw statement, whichever driver ran it. */

/**
 * A page of the member's history, newest first: its own events (enrolments,
 * refusals, outages and recoveries, failovers written since they were), the
 * alerts fired and resolved about it, the failover events involving it that
 * its events do not tell (held back, in flight, and cuts from before cuts
 * were written to both members), and its jobs. Each source hands over at
 * most a page's worth past the offset, by its own index, before the merge.
 */
export async function activityRows(db: Db, memberId: string, offset: number, limit: number): Promise<ActivityRow[]> {
  const each = offset + limit
  const result = await db.execute(sql`
    select source, ${epochMs(sql.raw('at'))} as at_ms, data::text as data from (
      -- Numeric ids padded, so that a tie in time lists event 10 above event 9 (as text, '9' > '10').
      (select 'member' as source, e.at, lpad(e.id::text, 20, '0') as key,
          json_build_object('kind', e.kind, 'level', e.level, 'message', e.message) as data
        from member_events e where e.member_id = ${memberId} order by e.at desc, e.id desc limit ${each}::int)
      union all
      (select 'alert', h.at, lpad(h.id::text, 20, '0'),
          json_build_object('kind', h.kind, 'event', h.event, 'summary', h.summary, 'delivery', h.delivery, 'recipients', h.recipients)
        from alert_history h where h.member_id = ${memberId} order by h.at desc, h.id desc limit ${each}::int)
      union all
      (select 'failover', coalesce(f.completed_at, f.detected_at), f.id,
          json_build_object('fromMemberId', f.from_member_id, 'toMemberId', f.to_member_id, 'reason', f.reason, 'status', f.status,
            'dnsResult', f.dns_result, 'lastError', f.last_error, 'attempts', f.attempts, 'requestedBy', f.requested_by)
        from failover_events f
        where (f.from_member_id = ${memberId} or f.to_member_id = ${memberId})
          and (f.status <> 'done' or not exists (
            select 1 from member_events c where c.member_id = ${memberId} and c.kind = 'failover.cut' and c.at = f.completed_at))
        order by coalesce(f.completed_at, f.detected_at) desc limit ${each}::int)
      union all
      (select 'job', j.created_at, j.id,
          json_build_object('id', j.id, 'poolId', j.pool_id, 'memberId', j.member_id, 'name', j.name, 'params', j.params, 'status', j.status,
            'requestedBy', j.requested_by, 'error', j.error, 'scheduleId', j.schedule_id, 'runId', j.run_id)
        from jobs j where j.member_id = ${memberId} order by j.created_at desc, j.id desc limit ${each}::int)
    ) a
    order by at desc, source, key desc
    limit ${limit}::int offset ${offset}::int
  `)
  return rowsOf<Record<string, unknown>>(result).map((r) => ({ source: r.source as ActivityRow['source'], at: new Date(Number(r.at_ms)), data: JSON.parse(r.data as string) }))
}

/** Why the member's agent was last refused (enrolment, heartbeats from elsewhere), newest first. */
export async function listRefusals(db: Db, memberId: string, limit: number): Promise<MemberEvent[]> {
  return db
    .select()
    .from(memberEvents)
    .where(and(eq(memberEvents.memberId, memberId), eq(memberEvents.level, 'error'), or(sql`${memberEvents.kind} like 'enroll.%'`, sql`${memberEvents.kind} like 'heartbeat.%'`)))
    .orderBy(desc(memberEvents.id))
    .limit(limit)
}

// ---- outages ----------------------------------------------------------------

/** A member whose outage or recovery is not written yet. */
export type OutageChange = {
  memberId: string
  kind: 'outage' | 'recovered'
  lastHeartbeatAt: Date
  healthySince: Date | null
  delaySeconds: number
  /** When the open outage began (its event's time), for a recovery. */
  outageAt: Date | null
}

/**
 * Members down now (silent past their pool's failover delay, as memberStatus
 * says) whose latest outage-or-recovery event is not an outage, and members
 * no longer down whose latest one is. Members never heard from are pending,
 * not down. Silence is counted from `countFrom` at the earliest (see outages.ts);
 * an outage ends only with a heartbeat.
 */
export async function outageChanges(db: Db, now: Date, defaultDelaySeconds: number, countFrom: Date | null): Promise<OutageChange[]> {
  const at = sql`${now.toISOString()}::timestamptz`
  const from = sql`${countFrom?.toISOString() ?? null}::timestamptz`
  const result = await db.execute(sql`
    select id, ${epochMs(sql.raw('last_heartbeat_at'))} as hb_ms, ${epochMs(sql.raw('healthy_since'))} as since_ms, delay, last_kind, ${epochMs(sql.raw('last_at'))} as last_ms, down
    from (
      select m.id, m.last_heartbeat_at, m.healthy_since, l.kind as last_kind, l.at as last_at,
        coalesce(c.delay_seconds, ${defaultDelaySeconds}::int) as delay,
        greatest(m.down_at, ${from} + make_interval(secs => coalesce(c.delay_seconds, ${defaultDelaySeconds}::int))) < ${at} as down,
        m.down_at >= ${at} as heard
      from members m
      left join failover_configs c on c.pool_id = m.pool_id
      left join lateral (
        select e.kind, e.at from member_events e
        where e.member_id = m.id and e.kind in ('outage', 'recovered') order by e.id desc limit 1
      ) l on true
      where m.last_heartbeat_at is not null
    ) s
    -- Back only on a heartbeat: a restart's grace never ends an outage by itself.
    where (down and last_kind is distinct from 'outage') or (heard and last_kind = 'outage')
  `)
  return rowsOf<Record<string, unknown>>(result).map((r) => ({
    memberId: r.id as string,
    kind: r.down ? 'outage' : 'recovered',
    lastHeartbeatAt: new Date(Number(r.hb_ms)),
    healthySince: r.since_ms === null ? null : new Date(Number(r.since_ms)),
    delaySeconds: Number(r.delay),
    outageAt: r.last_kind === 'outage' ? new Date(Number(r.last_ms)) : null,
  }))
}

/**
 * Writes an outage or recovery unless the member's latest such event is of
 * the same kind already: a retried or doubled tick never writes one twice.
 */
export async function insertOutageEvent(db: Db, event: { memberId: string; kind: 'outage' | 'recovered'; at: Date; level: MemberEvent['level']; message: string }): Promise<boolean> {
  const result = await db.execute(sql`
    insert into member_events (member_id, at, kind, level, message)
    select ${event.memberId}::text, ${event.at.toISOString()}::timestamptz, ${event.kind}::text, ${event.level}::text, ${event.message}::text
    where (select e.kind from member_events e where e.member_id = ${event.memberId}::text and e.kind in ('outage', 'recovered') order by e.id desc limit 1)
      is distinct from ${event.kind}::text
    returning id
  `)
  return rowsOf(result).length === 1
}
