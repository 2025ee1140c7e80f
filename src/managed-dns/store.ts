// Queries for Managed DNS: each protected account's last comparison of WHM
// with its provider.
import { eq, sql } from 'drizzle-orm'
import type { Db } from '../db'
import { managedDnsStatus, type ManagedDnsDiff } from '../db/schema'

export type StatusRow = typeof managedDnsStatus.$inferSelect
export type { ManagedDnsDiff }

export async function statusesOf(db: Db, poolId: string): Promise<StatusRow[]> {
  return db.select().from(managedDnsStatus).where(eq(managedDnsStatus.poolId, poolId))
}

export async function statusOf(db: Db, protectedAccountId: string): Promise<StatusRow | undefined> {
  const [row] = await db.select().from(managedDnsStatus).where(eq(managedDnsStatus.protectedAccountId, protectedAccountId))
  return row
}

/**
 * Writes what a comparison found. A refresh keeps the last sync's time and
 * what it wrote; a sync replaces them.
 */
export async function saveStatus(
  db: Db,
  row: { protectedAccountId: string; poolId: string; checkedAt: Date; drift: number; diffs: ManagedDnsDiff[]; error: string | null; sync?: { at: Date; written: ManagedDnsDiff[] } },
): Promise<void> {
  const values = {
    protectedAccountId: row.protectedAccountId,
    poolId: row.poolId,
    checkedAt: row.checkedAt,
    drift: row.drift,
    diffs: row.diffs,
    error: row.error,
    ...(row.sync ? { lastSyncAt: row.sync.at, lastWritten: row.sync.written } : {}),
  }
  const { protectedAccountId: _key, ...update } = values
  await db
    .insert(managedDnsStatus)
    .values(values)
    .onConflictDoUpdate({ target: managedDnsStatus.protectedAccountId, set: { ...update, poolId: sql`excluded.pool_id` } })
}
