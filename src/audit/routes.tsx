// The audit log page and /api/v1/audit.
import { Elysia, t } from 'elysia'
import type { Deps } from '../server/deps'
import { accessPlugin } from '../http/access'
import { render } from '../http/render'
import { AuditPage } from '../../views/audit/AuditPage'
import { listPools } from '../pools/service'
import { auditPage } from './service'
import type { AuditEvent } from './store'

const query = t.Object({
  pool: t.Optional(t.String({ maxLength: 64 })),
  // An event id: a bigint column, so a whole number a double holds exactly.
  before: t.Optional(t.Numeric({ minimum: 1, maximum: Number.MAX_SAFE_INTEGER, multipleOf: 1 })),
})

const AuditEventJson = t.Object({
  id: t.String(),
  at: t.String({ format: 'date-time' }),
  actor: t.String({ description: 'Who acted: a user, a token, a schedule or the system' }),
  actorUserId: t.Nullable(t.String()),
  action: t.String(),
  targetType: t.String({ description: 'pool, member, job, dns_provider, api_token or user' }),
  targetId: t.Nullable(t.String()),
  targetLabel: t.Nullable(t.String({ description: 'The name the target had then' })),
  poolId: t.Nullable(t.String()),
  detail: t.Unknown({ description: 'What changed, by action; null when nothing more is said' }),
  ip: t.Nullable(t.String()),
})

const eventJson = (e: AuditEvent) => ({
  id: String(e.id),
  at: e.at.toISOString(),
  actor: e.actorLabel,
  actorUserId: e.actorUserId,
  action: e.action,
  targetType: e.targetType,
  targetId: e.targetId,
  targetLabel: e.targetLabel,
  poolId: e.poolId,
  detail: e.detail,
  ip: e.ip,
})

export function auditRoutes(deps: Deps) {
  return new Elysia()
    .use(accessPlugin(deps))
    .get(
      '/audit',
      async (ctx) => {
        const poolId = ctx.query.pool || null
        const [page, pools] = await Promise.all([
          auditPage(deps.db, { poolId: poolId ?? undefined, beforeId: ctx.query.before }),
          listPools(deps.db),
        ])
        return render(ctx, {
          title: 'Audit log',
          section: 'audit',
          main: () => <AuditPage view={{ ...page, poolId, pools }} />,
        })
      },
      { access: 'user', query },
    )
    .get(
      '/api/v1/audit',
      async (ctx) => {
        const page = await auditPage(deps.db, { poolId: ctx.query.pool || undefined, beforeId: ctx.query.before })
        return { events: page.events.map(eventJson), nextBefore: page.nextBeforeId ? String(page.nextBeforeId) : null }
      },
      {
        access: 'user',
        query,
        response: { 200: t.Object({ events: t.Array(AuditEventJson), nextBefore: t.Nullable(t.String({ description: 'Pass as ?before= for older events; null on the last page' })) }) },
        detail: {
          tags: ['Audit'],
          summary: 'List audit events, newest first',
          description: 'Filter with ?pool=<poolId>; page with ?before=<nextBefore>.',
        },
      },
    )
}
