import { and, desc, eq, lt } from 'drizzle-orm'
import type { Db } from '../db'
import { auditEvents, jobs, members, pools } from '../db/schema'

export type AuditEvent = typeof auditEvents.$inferSelect

/** The target as it is now, when it still exists and has a page: its name, and where it lives. */
export type AuditTargetNow = { name: string; poolId: string; memberId: string | null }
export type AuditRow = AuditEvent & { targetNow: AuditTargetNow | null }

export async function insertAuditEvent(db: Db, event: typeof auditEvents.$inferInsert): Promise<void> {
  await db.insert(auditEvents).values(event)
}

export async function listAuditEvents(
  db: Db,
  filter: { poolId?: string; beforeId?: number; limit: number },
): Promise<AuditRow[]> {
  const where = [
    filter.poolId ? eq(auditEvents.poolId, filter.poolId) : undefined,
    filter.beforeId ? lt(auditEvents.id, filter.beforeId) : undefined,
  ].filter((w) => w !== undefined)
  const rows = await db
    .select({
      event: auditEvents,
      pool: { id: pools.id, name: pools.name },
      member: { id: members.id, name: members.name, poolId: members.poolId },
      job: { name: jobs.name, poolId: jobs.poolId, memberId: jobs.memberId },
    })
    .from(auditEvents)
    .leftJoin(pools, and(eq(auditEvents.targetType, 'pool'), eq(pools.id, auditEvents.targetId)))
    .leftJoin(members, and(eq(auditEvents.targetType, 'member'), eq(members.id, auditEvents.targetId)))
    .leftJoin(jobs, and(eq(auditEvents.targetType, 'job'), eq(jobs.id, auditEvents.targetId)))
    .where(where.length ? and(...where) : undefined)
    .orderBy(desc(auditEvents.id))
    .limit(filter.limit)
  return rows.map(({ event, pool, member, job }) => ({ ...event, targetNow: targetNow(pool, member, job) }))
}

function targetNow(
  pool: { id: string; name: string } | null,
  member: { id: string; name: string; poolId: string } | null,
  job: { name: string; poolId: string; memberId: string } | null,
): AuditTargetNow | null {
  if (pool) return { name: pool.name, poolId: pool.id, memberId: null }
  if (member) return { name: member.name, poolId: member.poolId, memberId: member.id }
  if (job) return { name: job.name, poolId: job.poolId, memberId: job.memberId }
  return null
}
