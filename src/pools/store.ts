import { asc, count, eq, sql } from 'drizzle-orm'
import type { Db } from '../db'
import { rowsOf } from '../db/affected'
import { pools } from '../db/schema'
import { severitySql } from '../members/store'
import { cellSql, LAT_SQL, LON_SQL, type CellKey } from '../geo/cells'

export type Pool = typeof pools.$inferSelect
export type PoolWithCounts = Pool & { memberCount: number; activeMemberName: string | null }

const poolWithName = {
  id: pools.id,
  name: pools.name,
  preset: pools.preset,
  activeMemberId: pools.activeMemberId,
  createdAt: pools.createdAt,
  updatedAt: pools.updatedAt,
  // Spelled out: drizzle leaves columns unqualified inside a raw subquery.
  // Pages name the active member; its id means nothing to a person.
  activeMemberName: sql<string | null>`(select "name" from "members" where "members"."id" = "pools"."active_member_id")`,
}

const poolWithCounts = {
  ...poolWithName,
  memberCount: sql<number>`(select count(*)::int from "members" where "members"."pool_id" = "pools"."id")`,
}

export async function listPools(db: Db): Promise<PoolWithCounts[]> {
  return db
    .select(poolWithCounts)
    .from(pools)
    .orderBy(asc(sql`lower(${pools.name})`))
}

export async function findPool(db: Db, id: string): Promise<PoolWithCounts | undefined> {
  const [row] = await db
    .select(poolWithCounts)
    .from(pools)
    .where(eq(pools.id, id))
  return row
}

/**
 * The pool without its member count, for the Overview: counting 10,000
 * members reads each wide row (about 5 ms on the embedded database), and
 * the Overview counts them in its own pass anyway (poolOverview).
 */
export async function findPoolUncounted(db: Db, id: string): Promise<Omit<PoolWithCounts, 'memberCount'> | undefined> {
  const [row] = await db
    .select(poolWithName)
    .from(pools)
    .where(eq(pools.id, id))
  return row
}

export async function poolNameTaken(db: Db, name: string, exceptId?: string): Promise<boolean> {
  const [row] = await db
    .select({ n: count() })
    .from(pools)
    .where(
      exceptId
        ? sql`lower(${pools.name}) = lower(${name}) and ${pools.id} <> ${exceptId}`
        : sql`lower(${pools.name}) = lower(${name})`,
    )
  return (row?.n ?? 0) > 0
}

export async function insertPool(db: Db, pool: typeof pools.$inferInsert): Promise<Pool> {
  const [row] = await db.insert(pools).values(pool).returning()
  return row!
}

export async function updatePoolName(db: Db, id: string, name: string): Promise<Pool | undefined> {
  const [row] = await db.update(pools).set({ name, updatedAt: new Date() }).where(eq(pools.id, id)).returning()
  return row
}

export async function deletePool(db: Db, id: string): Promise<Pool | undefined> {
  const [row] = await db.delete(pools).where(eq(pools.id, id)).returning()
  return row
}

/** A member listed under a cell of the fleet map: who, and how it is doing (severity as poolOverview ranks it). */
export type CellMember = { id: string; name: string; hostname: string; label: string | null; severity: number }

/**
 * The members in some cells of the fleet map (one dot), worst first (as the
 * tiles are ordered), a page at a time, and how many they hold in all.
 */
export async function membersInCells(
  db: Db,
  poolId: string,
  cells: CellKey[],
  opts: { now: Date; offset: number; limit: number },
): Promise<{ total: number; members: CellMember[] }> {
  const now = sql`${opts.now.toISOString()}::timestamptz`
  const at = cellSql(LAT_SQL, LON_SQL)
  const result = await db.execute(sql`
    with m as (
      select id, name, hostname, location ->> 'label' as label, created_at, ${severitySql(now)} as severity
      from members
      where pool_id = ${poolId} and ${at.located}
        and (${at.row}, ${at.col}) in (${sql.join(cells.map((c) => sql`(${c.row}::int, ${c.col}::int)`), sql`, `)})
    )
    select (select count(*)::int from m) as total,
      (select coalesce(json_agg(json_build_array(id, name, hostname, label, severity) order by severity, created_at, id), '[]')
        from (select * from m order by severity, created_at, id offset ${opts.offset}::int limit ${opts.limit}::int) p)::text as list
  `)
  const row = rowsOf<{ total: number; list: string }>(result)[0]!
  const list = JSON.parse(row.list) as [string, string, string, string | null, number][]
  return { total: Number(row.total), members: list.map(([id, name, hostname, label, severity]) => ({ id, name, hostname, label, severity })) }
}
