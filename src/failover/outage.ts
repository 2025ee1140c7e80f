// The control plane's own outage. While no server process listened, no
// heartbeat could arrive, so that stretch counts against no member: a member
// still beating when the control plane stopped listening counts as heard when
// it came back (it had no way to be heard in between, and its agent needs a
// moment to reconnect), while a member that had already fallen silent before
// stays exactly as silent as it was, so an outage neither hides nor invents a
// dead active member. It is applied once, at start, by moving those members'
// deadlines (members/status.ts); every reader then sees it.
import { sql } from 'drizzle-orm'
import type { Db } from '../db'
import { affectedRows } from '../db/affected'
import { beatSlackSeconds, DEFAULT_FAILOVER_DELAY_SECONDS, HEARTBEAT_SECONDS } from '../members/status'
import { newestHeartbeat } from './store'

export type Outage = {
  /** The last sign that the control plane was listening: the newest heartbeat stored before this process started. */
  heardUntil: Date | null
  /** When this process started listening. */
  upSince: Date
}

/**
 * What this process knows of the outage before it: nothing when another
 * replica was serving all along. Ask before listening; finish with `upSince`
 * the moment the socket is open.
 */
export async function outageBefore(db: Db, othersServing: () => Promise<boolean>): Promise<(upSince: Date) => Outage | null> {
  if (await othersServing()) return () => null
  const heardUntil = await newestHeartbeat(db)
  return (upSince) => ({ heardUntil, upSince })
}

/** When a member counts as last heard, the control plane's outage taken into account. */
export function lastHeard(last: Date | null, intervalSeconds: number, outage?: Outage | null): Date | null {
  if (!last || !outage || last.getTime() >= outage.upSince.getTime()) return last
  const silentBefore = ((outage.heardUntil ?? last).getTime() - last.getTime()) / 1000
  return silentBefore <= beatSlackSeconds(intervalSeconds) ? outage.upSince : last
}

/**
 * lastHeard in SQL, for every member at once: the members still beating when
 * the outage began get deadlines counted from `upSince`. Heartbeats stored
 * since then are left alone. Returns how many members it forgave.
 */
export async function forgiveOutage(db: Db, outage: Outage | null | undefined): Promise<number> {
  if (!outage?.heardUntil) return 0
  const upSince = sql`${outage.upSince.toISOString()}::timestamptz`
  const heardUntil = sql`${outage.heardUntil.toISOString()}::timestamptz`
  const interval = sql`coalesce((summary ->> 'interval')::float8, ${HEARTBEAT_SECONDS}::float8)`
  const result = await db.execute(sql`
    update members m set late_at = least(d.down_at, ${upSince} + make_interval(secs => ${beatSlackSeconds(1)}::float8 * ${interval})), down_at = d.down_at
    from (select id, ${upSince} + make_interval(secs => coalesce((select delay_seconds from failover_configs c where c.pool_id = x.pool_id), ${DEFAULT_FAILOVER_DELAY_SECONDS})) as down_at from members x) d
    where d.id = m.id and last_heartbeat_at < ${upSince}
      and last_heartbeat_at >= ${heardUntil} - make_interval(secs => ${beatSlackSeconds(1)}::float8 * ${interval})
  `)
  return affectedRows(result)
}
