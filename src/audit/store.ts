import { and, desc, eq, lt } from 'drizzle-orm'
import type { Db } from '../db'
import { auditEvents } from '../db/schema'

export type AuditEvent = typeof auditEvents.$inferSelect

export async function insertAuditEvent(db: Db, event: typeof auditEvents.$inferInsert): Promise<void> {
  await db.insert(auditEvents).values(event)
}

export async function listAuditEvents(
  db: Db,
  filter: { poolId?: string; beforeId?: number; limit: number },
): Promise<AuditEvent[]> {
  const where = [
    filter.poolId ? eq(auditEvents.poolId, filter.poolId) : undefined,
    filter.beforeId ? lt(auditEvents.id, filter.beforeId) : undefined,
  ].filter((w) => w !== undefined)
  return db
    .select()
    .from(auditEvents)
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(auditEvents.id))
    .limit(filter.limit)
}
