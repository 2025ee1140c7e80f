import { and, asc, eq } from 'drizzle-orm'
import type { Db } from '../db'
import { dnsProviders } from '../db/schema'

export type DnsProviderRow = typeof dnsProviders.$inferSelect

export async function listProviders(db: Db, poolId: string): Promise<DnsProviderRow[]> {
  return db.select().from(dnsProviders).where(eq(dnsProviders.poolId, poolId)).orderBy(asc(dnsProviders.createdAt))
}

export async function findProvider(db: Db, id: string): Promise<DnsProviderRow | undefined> {
  const [row] = await db.select().from(dnsProviders).where(eq(dnsProviders.id, id))
  return row
}

export async function insertProvider(db: Db, row: typeof dnsProviders.$inferInsert): Promise<DnsProviderRow> {
  const [created] = await db.insert(dnsProviders).values(row).returning()
  return created!
}

export async function deleteProvider(db: Db, poolId: string, id: string): Promise<DnsProviderRow | undefined> {
  const [row] = await db.delete(dnsProviders).where(and(eq(dnsProviders.id, id), eq(dnsProviders.poolId, poolId))).returning()
  return row
}

/** Only one Cloudflare key per pool is Global. */
export async function clearGlobal(db: Db, poolId: string): Promise<void> {
  await db.update(dnsProviders).set({ isGlobal: false }).where(eq(dnsProviders.poolId, poolId))
}
