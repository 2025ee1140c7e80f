import { and, asc, desc, eq, inArray, isNull, lt, or, sql, type SQL } from 'drizzle-orm'
import { epochMs } from '../db/epoch'
import type { Db } from '../db'
import { rowsOf } from '../db/affected'
import { alertHistory, alertNotices, alertStates, failoverEvents, members, poolAlertSettings, pools, users } from '../db/schema'
import { keepMail, type Delivery } from '../mail'
import type { Member } from '../members/store'
import type { HostState } from '../members/view-model'
import type { MemberAlerts } from './settings'

export type AlertStateRow = typeof alertStates.$inferSelect
export type AlertHistoryRow = typeof alertHistory.$inferSelect
export type AlertNotice = typeof alertNotices.$inferSelect
export type NewAlertNotice = typeof alertNotices.$inferInsert

/** Where each alert's state machine stands: what the tick needs of it. */
export type MachineRow = { key: string; state: AlertStateRow['state']; since: Date; firedAt: Date | null }

/** What the alert tick judges of a member: its heartbeat and the figures of its host state, not its firewall rules or apps. */
export type AlertMember = Pick<Member, 'id' | 'poolId' | 'name' | 'agentVersion' | 'lastHeartbeatAt'> & { hostState: HostState | null }

/** A member the tick judges, with its alert settings as saved (null: all defaults). */
export type JudgedMember = AlertMember & { settings: unknown }

const ts = (d: Date) => sql`${d.toISOString()}::timestamptz`

// ---------------------------------------------------------------- what needs judging

// A member's setting as the engine will read it (saved over the default), in
// SQL. The paths are constants of this file, never input.
const saved = (path: string) => sql.raw(`s.settings #> '{${path}}'`)
const enabled = (path: string, dflt: boolean) => sql`coalesce(${saved(`${path},enabled`)}, ${JSON.stringify(dflt)}::jsonb) <> 'false'::jsonb`
const setting = (path: string, dflt: number) =>
  sql`coalesce(case when jsonb_typeof(${saved(path)}) = 'number' then (${sql.raw(`s.settings #>> '{${path}}'`)})::float8 end, ${dflt}::float8)`

// Anything over a threshold in a host state, in one pass over the JSON (each
// jsonb function reads the whole value again). A threshold that is off is
// null, and a comparison with null is never true. Agents send certificates'
// ends as toISOString() does, which sorts as text; a value in another form
// is left to the engine to judge.
const OVER_ANY = `$ ? (@.cpuPercent > $cpu
  || exists(@.memory ? (@.usedBytes * 100 > @.totalBytes * $memory))
  || exists(@.disks[*] ? (@.usedBytes * 100 > @.totalBytes * $disk))
  || ($services == true && exists(@.services[*] ? (@.state == "failed" || @.state == "inactive")))
  || ($tls == true && exists(@.certificates[*].notAfter ? (@ < $limit || !(@ starts with "2")))))`

/** The same text as toISOString(); a second past the engine's limit, as text compares to the millisecond. */
const isoUtc = (at: SQL) => sql`to_char((${at}) at time zone 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"')`

function thresholds(now: Date, d: MemberAlerts): SQL {
  const limitAfter = (days: number) => new Date(now.getTime() + days * 86_400_000 + 1000)
  const defaults = {
    cpu: d.cpu.enabled ? d.cpu.percent : null,
    memory: d.memory.enabled ? d.memory.percent : null,
    disk: d.disk.enabled ? d.disk.percent : null,
    services: d.services.enabled,
    tls: d.tls.enabled,
    limit: limitAfter(d.tls.days).toISOString(),
  }
  const pct = (key: 'cpu' | 'memory' | 'disk') => sql`case when ${enabled(key, d[key].enabled)} then ${setting(`${key},percent`, d[key].percent)} end`
  const limit = isoUtc(sql`${ts(new Date(now.getTime() + 1000))} + make_interval(secs => ${setting('tls,days', d.tls.days)} * 86400)`)
  // Most members keep the defaults: one value for all of them.
  return sql`case when s.settings is null then ${JSON.stringify(defaults)}::jsonb else jsonb_build_object(
    'cpu', ${pct('cpu')}, 'memory', ${pct('memory')}, 'disk', ${pct('disk')},
    'services', ${enabled('services', d.services.enabled)}, 'tls', ${enabled('tls', d.tls.enabled)}, 'limit', ${limit}) end`
}

// The engine judges resources only from a recent heartbeat (conditions.ts STALE_SECONDS, rounded).
const FRESH_SECONDS = 61

/**
 * The members the alert tick has to judge, and only those: past their late
 * deadline (indexed), with an alert not at rest, silent past their own
 * heartbeat alert delay, or reporting something over one of their thresholds.
 * A healthy member with nothing over any threshold is not read. The SQL may
 * return a little more than what fires (the engine decides), never less.
 */
export async function membersToJudge(db: Db, now: Date, d: MemberAlerts): Promise<JudgedMember[]> {
  const figures = sql`case when m.host_state is null then null else json_build_object(
    'cpuPercent', m.host_state -> 'cpuPercent', 'memory', m.host_state -> 'memory', 'disks', m.host_state -> 'disks',
    'services', m.host_state -> 'services', 'certificates', m.host_state -> 'certificates')::text end`
  const result = await db.execute(sql`
    select m.id, m.pool_id, m.name, m.agent_version, (${epochMs(sql`m.last_heartbeat_at`)})::float8 as heard_ms, ${figures} as figures, s.settings::text as settings
    from members m left join member_alert_settings s on s.member_id = m.id
    where m.last_heartbeat_at is not null and (
      m.late_at <= ${ts(now)}
      -- Not correlated: one hashed pass over the states, not one per member.
      or m.id in (select a.member_id from alert_states a where a.state <> 'ok' and a.member_id is not null)
      or (${enabled('heartbeat', d.heartbeat.enabled)} and m.last_heartbeat_at < ${ts(now)} - make_interval(secs => ${setting('heartbeat,afterSeconds', d.heartbeat.afterSeconds)}))
      or (m.host_state is not null and m.last_heartbeat_at > ${ts(now)} - make_interval(secs => ${FRESH_SECONDS})
          and jsonb_path_exists(m.host_state, ${OVER_ANY}::jsonpath, ${thresholds(now, d)}, true))
    )
    order by m.pool_id, m.name`)
  type Row = { id: string; pool_id: string; name: string; agent_version: string | null; heard_ms: number | string; figures: string | null; settings: string | null }
  return rowsOf<Row>(result).map((r) => ({
    id: r.id,
    poolId: r.pool_id,
    name: r.name,
    agentVersion: r.agent_version,
    lastHeartbeatAt: new Date(Number(r.heard_ms)),
    hostState: r.figures ? (JSON.parse(r.figures) as HostState) : null,
    settings: r.settings ? JSON.parse(r.settings) : null,
  }))
}

/** The alert states of these members, and every pool's. */
export async function statesToJudge(db: Db, memberIds: string[]): Promise<MachineRow[]> {
  const a = alertStates
  const whose = memberIds.length ? or(isNull(a.memberId), inArray(a.memberId, memberIds)) : isNull(a.memberId)
  return db.select({ key: a.key, state: a.state, since: a.since, firedAt: a.firedAt }).from(a).where(whose)
}

export type PoolRow = { id: string; name: string; settings: unknown }
export const poolsToJudge = (db: Db): Promise<PoolRow[]> =>
  db.select({ id: pools.id, name: pools.name, settings: poolAlertSettings.settings }).from(pools).leftJoin(poolAlertSettings, eq(poolAlertSettings.poolId, pools.id))

export type SilentMember = { poolId: string; name: string; lastHeartbeatAt: Date }

/** Enrolled members silent past their pool's "any member silent" delay, pool by pool (the pools' index, not every member). */
export async function silentMembers(db: Db, now: Date, delays: { poolId: string; afterSeconds: number }[]): Promise<SilentMember[]> {
  if (!delays.length) return []
  const result = await db.execute(sql`
    select m.pool_id, m.name, (${epochMs(sql`m.last_heartbeat_at`)})::float8 as heard_ms
    from jsonb_to_recordset(${JSON.stringify(delays)}::jsonb) as p("poolId" text, "afterSeconds" float8)
    join members m on m.pool_id = p."poolId"
    where m.last_heartbeat_at < ${ts(now)} - make_interval(secs => p."afterSeconds")
    order by m.pool_id, m.name`)
  return rowsOf<{ pool_id: string; name: string; heard_ms: number | string }>(result).map((r) => ({ poolId: r.pool_id, name: r.name, lastHeartbeatAt: new Date(Number(r.heard_ms)) }))
}

export type AgentVersion = { poolId: string; agentVersion: string; names: string[] }

/**
 * The enrolled members of these pools whose agent version `outdated` says
 * is behind, one row per pool and version: the versions first (a few rows),
 * then the names of only those behind (usually none).
 */
export async function outdatedAgents(db: Db, poolIds: string[], outdated: (version: string) => boolean): Promise<AgentVersion[]> {
  if (!poolIds.length) return []
  const enrolled = sql`m.pool_id in (select jsonb_array_elements_text(${JSON.stringify(poolIds)}::jsonb)) and m.last_heartbeat_at is not null and m.agent_version is not null`
  const versions = rowsOf<{ pool_id: string; agent_version: string }>(await db.execute(sql`select distinct m.pool_id, m.agent_version from members m where ${enrolled}`))
  const behind = versions.filter((v) => outdated(v.agent_version)).map((v) => ({ poolId: v.pool_id, agentVersion: v.agent_version }))
  if (!behind.length) return []
  const result = await db.execute(sql`
    select m.pool_id, m.agent_version, json_agg(m.name order by m.name)::text as names
    from jsonb_to_recordset(${JSON.stringify(behind)}::jsonb) as v("poolId" text, "agentVersion" text)
    join members m on m.pool_id = v."poolId" and m.agent_version = v."agentVersion"
    where m.last_heartbeat_at is not null
    group by m.pool_id, m.agent_version`)
  return rowsOf<{ pool_id: string; agent_version: string; names: string }>(result).map((r) => ({ poolId: r.pool_id, agentVersion: r.agent_version, names: JSON.parse(r.names) as string[] }))
}

export async function memberNames(db: Db, ids: string[]): Promise<Map<string, string>> {
  if (!ids.length) return new Map()
  const rows = await db.select({ id: members.id, name: members.name }).from(members).where(inArray(members.id, ids))
  return new Map(rows.map((r) => [r.id, r.name]))
}

export const accountEmails = async (db: Db) => (await db.select({ email: users.email }).from(users)).map((u) => u.email)

export async function saveState(db: Db, row: typeof alertStates.$inferInsert): Promise<void> {
  const { key: _k, ...rest } = row
  await db.insert(alertStates).values(row).onConflictDoUpdate({ target: alertStates.key, set: rest })
}

// ---------------------------------------------------------------- history

export async function insertHistory(db: Db, row: typeof alertHistory.$inferInsert): Promise<void> {
  await db.insert(alertHistory).values(row)
}

export async function listHistory(db: Db, filter: { poolId: string; memberId?: string }, limit = 50): Promise<AlertHistoryRow[]> {
  return db
    .select()
    .from(alertHistory)
    .where(and(eq(alertHistory.poolId, filter.poolId), filter.memberId ? eq(alertHistory.memberId, filter.memberId) : undefined))
    // By when it happened: two emails sent side by side may be written in either order.
    .orderBy(desc(alertHistory.at), desc(alertHistory.id))
    .limit(limit)
}

export async function firingStates(db: Db, poolId: string, memberId?: string): Promise<AlertStateRow[]> {
  return db
    .select()
    .from(alertStates)
    .where(and(eq(alertStates.poolId, poolId), memberId ? eq(alertStates.memberId, memberId) : undefined, inArray(alertStates.state, ['firing', 'resolving'])))
}

// ---------------------------------------------------------------- failover cuts

/** Finished cuts whose email has not been written yet. */
export async function unnotifiedCuts(db: Db) {
  return db
    .select()
    .from(failoverEvents)
    .where(and(eq(failoverEvents.status, 'done'), isNull(failoverEvents.notifiedAt), inArray(failoverEvents.reason, ['active_down', 'failback', 'manual'])))
    // In the order they happened: their emails go out, and their history rows are written, in that order.
    .orderBy(asc(failoverEvents.completedAt), asc(failoverEvents.id))
}

/** Marks a cut told; true for the one caller that did. Run it in the transaction that writes its notice. */
export async function claimCutNotice(db: Db, id: string, at: Date): Promise<boolean> {
  const rows = await db
    .update(failoverEvents)
    .set({ notifiedAt: at })
    .where(and(eq(failoverEvents.id, id), isNull(failoverEvents.notifiedAt)))
    .returning({ id: failoverEvents.id })
  return rows.length === 1
}

// ---------------------------------------------------------------- notices (the alert emails' outbox)

export async function insertNotice(db: Db, row: NewAlertNotice): Promise<void> {
  await db.insert(alertNotices).values(row)
}

/**
 * Takes the oldest notice due to be sent, for `leaseSeconds`. SKIP LOCKED and
 * the lease let two senders (replicas across a change of leader) race without
 * both taking it; a lease past its end belongs to a sender that stopped.
 */
export async function claimNotice(db: Db, now: Date, leaseSeconds: number): Promise<AlertNotice | null> {
  const n = alertNotices
  const rows = await db
    .update(n)
    .set({ claimedUntil: new Date(now.getTime() + leaseSeconds * 1000), attempts: sql`${n.attempts} + 1` })
    .where(
      eq(
        n.id,
        sql`(select ${n.id} from ${n} where ${n.doneAt} is null
             and (${n.claimedUntil} is null or ${n.claimedUntil} <= ${ts(now)})
             and (${n.nextAttemptAt} is null or ${n.nextAttemptAt} <= ${ts(now)})
             order by ${n.createdAt}, ${n.id} limit 1 for update skip locked)`,
      ),
    )
    .returning()
  return rows[0] ?? null
}

/**
 * Marks a notice done and writes what the Monitoring tabs show (its history
 * row) and the Outbox's copy, in one transaction: false when another sender
 * marked it first, and then nothing is written twice.
 */
export async function finishNotice(db: Db, notice: AlertNotice, delivery: Delivery, error: string | null, now: Date): Promise<boolean> {
  return db.transaction(async (tx) => {
    const marked = await tx
      .update(alertNotices)
      .set({ doneAt: now, delivery, lastError: error, claimedUntil: null })
      .where(and(eq(alertNotices.id, notice.id), isNull(alertNotices.doneAt)))
      .returning({ id: alertNotices.id })
    if (!marked.length) return false
    const mail = { to: notice.recipients, subject: notice.subject, text: notice.text, html: notice.html }
    if (delivery !== 'nobody') await keepMail(tx, mail, delivery, error)
    await insertHistory(tx, { poolId: notice.poolId, memberId: notice.memberId, kind: notice.kind, event: notice.event, at: notice.createdAt, summary: notice.subject, recipients: notice.recipients, delivery })
    return true
  })
}

/** A failed try: free the notice for another at `nextAt`. */
export async function retryNotice(db: Db, id: string, nextAt: Date, error: string): Promise<void> {
  await db
    .update(alertNotices)
    .set({ claimedUntil: null, nextAttemptAt: nextAt, lastError: error })
    .where(and(eq(alertNotices.id, id), isNull(alertNotices.doneAt)))
}

/** Forgets notices done before `before` (their history row and Outbox copy stay); one still waiting is kept whatever its age. */
export async function pruneNotices(db: Db, before: Date): Promise<number> {
  const gone = await db.delete(alertNotices).where(lt(alertNotices.doneAt, before)).returning({ id: alertNotices.id })
  return gone.length
}
