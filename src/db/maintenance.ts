// The embedded database (PGlite) runs in one process with no autovacuum:
// without this, the room left by deleted and replaced rows (history older
// than 30 days, finished jobs, every heartbeat's previous row) is never used
// again, so the files only grow, and the planner never learns how big a
// table is (it planned the Overview for 150 members of 10,000). PostgreSQL's
// own autovacuum does this there.
import { sql } from 'drizzle-orm'
import { isEmbedded, type Db } from '.'
import { rowsOf } from './affected'

export type Maintained = { tables: number; ms: number; slowest: { table: string; ms: number } | null }

/**
 * VACUUM (ANALYZE) of each table of ours in turn, on the embedded database
 * only; null on PostgreSQL. One table a statement: the database has one
 * connection, and heartbeats and pages wait only for the table at hand. A
 * table already vacuumed is skipped page by page (its visibility map), so a
 * pass reads little more than what changed since the last.
 */
export async function maintainEmbedded(db: Db): Promise<Maintained | null> {
  if (!isEmbedded(db)) return null
  const started = performance.now()
  const result = await db.execute(sql`select tablename from pg_tables where schemaname = 'public' order by tablename`)
  const tables = rowsOf<{ tablename: string }>(result).map((r) => r.tablename)
  let slowest: Maintained['slowest'] = null
  for (const table of tables) {
    const t0 = performance.now()
    await db.execute(sql`vacuum (analyze) ${sql.identifier(table)}`)
    const ms = performance.now() - t0
    if (!slowest || ms > slowest.ms) slowest = { table, ms: Math.round(ms) }
  }
  return { tables: tables.length, ms: Math.round(performance.now() - started), slowest }
}
