// The alert settings as the API reads and writes them. A PUT body may leave
// out any field, or any field of a group: it keeps its value.
import { t } from 'elysia'
import type { TObject, TProperties, TSchema } from '@sinclair/typebox'
import { DateTime, Text } from '../http/api-schemas'

const Toggle = t.Object({ enabled: t.Boolean() })
const Delay = (description: string) => t.Object({ enabled: t.Boolean(), afterSeconds: t.Integer({ description }) })
const Threshold = t.Object({
  enabled: t.Boolean(),
  percent: t.Integer({ minimum: 1, maximum: 100, description: 'Alert above this percentage' }),
  minutes: t.Integer({ minimum: 1, maximum: 1440, description: 'Minutes above it before the alert fires' }),
})
const Recipients = (description: string) => t.Array(Text({ maxLength: 254 }), { maxItems: 20, description })

export const MemberAlertsJson = t.Object({
  heartbeat: Delay('Alert when no heartbeat came for this long (20 to 86400)'),
  cpu: Threshold,
  memory: Threshold,
  disk: Threshold,
  services: Toggle,
  tls: t.Object({ enabled: t.Boolean(), days: t.Integer({ minimum: 1, maximum: 365, description: 'Warn this many days before a certificate expires' }) }),
  recipients: Recipients('Team inboxes told besides the account'),
  notifyAccount: t.Boolean({ description: "Tell the account's own email" }),
  recovery: t.Boolean({ description: 'Send an email when the alert clears too' }),
})

export const PoolAlertsJson = t.Object({
  anySilent: Delay('Alert when any member stays silent this long (20 to 86400)'),
  outdatedAgents: Toggle,
  failoverBannerMinutes: t.Integer({ minimum: 1, maximum: 10_080, description: 'How long the pool header shows a failover' }),
  failoverEmail: t.Boolean(),
  failoverRecipients: Recipients('Told of every failover'),
  recipients: Recipients('Team inboxes told besides the account'),
  notifyAccount: t.Boolean(),
  recovery: t.Boolean(),
})

/** The same fields, each optional, groups too; unknown fields are refused. */
function partialBody<T extends TProperties>(schema: TObject<T>) {
  const optional = (v: TSchema) => t.Optional(v.type === 'object' ? t.Partial(v as TObject, { additionalProperties: false }) : v)
  const props = Object.fromEntries(Object.entries(schema.properties as Record<string, TSchema>).map(([k, v]) => [k, optional(v)]))
  return t.Object(props, { additionalProperties: false })
}

export const MemberAlertsBody = partialBody(MemberAlertsJson)
export const PoolAlertsBody = partialBody(PoolAlertsJson)

export const AlertHistoryJson = t.Object({
  id: t.String(),
  poolId: t.String(),
  memberId: t.Nullable(t.String()),
  kind: t.String({ description: 'heartbeat, cpu, memory, disk, services, tls, anySilent, outdatedAgents, failover' }),
  event: t.Union([t.Literal('fired'), t.Literal('resolved'), t.Literal('failover'), t.Literal('test')]),
  at: DateTime,
  summary: t.String(),
  recipients: t.Array(t.String()),
  delivery: t.Union([t.Literal('sent'), t.Literal('outbox'), t.Literal('failed'), t.Literal('nobody')]),
})
