// The two reads a scrape makes: one grouped count over members, one over jobs.
import { sql } from 'drizzle-orm'
import type { Db } from '../db'
import { rowsOf } from '../db/affected'

/**
 * Members by health, read from the deadlines a heartbeat sets (migration
 * 0009, members/status.ts): the same rule the badge, failover and the
 * Overview read, so /metrics cannot disagree with the page.
 */
export async function membersByStatus(db: Db): Promise<Map<string, number>> {
  const result = await db.execute(sql`
    select case
      when last_heartbeat_at is null then 'pending'
      when now() <= late_at then 'healthy'
      when now() <= down_at then 'late'
      else 'down' end as status, count(*)::int as n
    from members group by 1`)
  return new Map(rowsOf<Record<string, unknown>>(result).map((r) => [String(r.status), Number(r.n)]))
}

/** Jobs by status; queued ones past their expiry are waiting for the sweep to cancel them, still queued. */
export async function jobsByStatus(db: Db): Promise<Map<string, number>> {
  const result = await db.execute(sql`select status, count(*)::int as n from jobs group by status`)
  return new Map(rowsOf<Record<string, unknown>>(result).map((r) => [String(r.status), Number(r.n)]))
}
