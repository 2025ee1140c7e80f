import { asc, count, eq, sql } from 'drizzle-orm'
import type { Db } from '../db'
import { pools } from '../db/schema'

export type Pool = typeof pools.$inferSelect
export type PoolWithCounts = Pool & { memberCount: number; activeMemberName: string | null }

const poolWithCounts = {
  id: pools.id,
  name: pools.name,
  preset: pools.preset,
  activeMemberId: pools.activeMemberId,
  createdAt: pools.createdAt,
  updatedAt: pools.updatedAt,
  // Spelled out: drizzle leaves columns unqualified inside a raw subquery.
  memberCount: sql<number>`(select count(*)::int from "members" where "members"."pool_id" = "pools"."id")`,
  // Pages name the active member; its id means nothing to a person.
  activeMemberName: sql<string | null>`(select "name" from "members" where "members"."id" = "pools"."active_member_id")`,
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
