// Every state change is written here: who, what, target, when, from where.
import type { Db } from '../db'
import { insertAuditEvent, listAuditEvents, type AuditRow } from './store'

/** Who is acting: a signed-in user, an API token, or the server itself. */
export type Actor = { userId: string | null; label: string; ip: string | null }

export const systemActor: Actor = { userId: null, label: 'system', ip: null }

export type AuditEntry = {
  action: string
  targetType: string
  targetId?: string | null
  targetLabel?: string | null
  poolId?: string | null
  detail?: Record<string, unknown>
}

export async function recordAudit(db: Db, actor: Actor, entry: AuditEntry): Promise<void> {
  await insertAuditEvent(db, {
    actorUserId: actor.userId,
    actorLabel: actor.label,
    ip: actor.ip,
    action: entry.action,
    targetType: entry.targetType,
    targetId: entry.targetId ?? null,
    targetLabel: entry.targetLabel ?? null,
    poolId: entry.poolId ?? null,
    detail: entry.detail ?? null,
  })
}

export const AUDIT_PAGE_SIZE = 50

export async function auditPage(
  db: Db,
  filter: { poolId?: string; beforeId?: number },
): Promise<{ events: AuditRow[]; nextBeforeId: number | null }> {
  const rows = await listAuditEvents(db, { ...filter, limit: AUDIT_PAGE_SIZE + 1 })
  const events = rows.slice(0, AUDIT_PAGE_SIZE)
  const more = rows.length > AUDIT_PAGE_SIZE
  return { events, nextBeforeId: more ? events[events.length - 1]!.id : null }
}
