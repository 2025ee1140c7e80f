// /api/v1/pools/:poolId/protected-accounts, /api/v1/protected-accounts/:id,
// /api/v1/replication-runs/:runId and the pool's replication log: Protection
// as the CONTRACT names it.
import { Elysia, t } from 'elysia'
import type { Deps } from '../server/deps'
import { accessPlugin, actorOf } from '../http/access'
import { DateTime, ErrorSchema, NoContent, NullableDateTime, Text } from '../http/api-schemas'
import * as service from './service'
import { getRun, replicate, replicateAll } from './runs'

const detail = (summary: string, description?: string) => ({ detail: { tags: ['Protection'], summary, description } })
const errors = { 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 422: ErrorSchema }

const Id = (what: string) => Text({ minLength: 1, maxLength: 64, error: what })
const User = Text({ minLength: 1, maxLength: 16, error: 'a cPanel user name, up to 16 characters' })
const Schedule = t.UnionEnum([...service.PROTECTION_SCHEDULES], { error: `a schedule: ${service.PROTECTION_SCHEDULES.join(', ')}`, description: 'How often the account is copied (1mo: every 30 days)' })
const Ttl = t.Integer({ minimum: service.TTL_MIN, maximum: service.TTL_MAX, error: `a DNS TTL of ${service.TTL_MIN} to ${service.TTL_MAX} seconds`, description: 'The TTL a DNS cut writes, in seconds' })
const ProviderId = t.Nullable(Id('a DNS provider id of this pool, or null'), { description: "The pool's DNS provider (Cloudflare or WHM) a cut writes through; null: none yet" })

const ProtectFields = {
  sourceMemberId: Id('a member id'),
  user: User,
  standbyMemberId: Id('a member id'),
  schedule: Schedule,
  ttl: Ttl,
  providerId: t.Optional(ProviderId),
}
const ProtectBody = t.Object(ProtectFields, { additionalProperties: false })

const RunStatus = t.UnionEnum(['queued', 'running', 'succeeded', 'failed', 'skipped'], {
  description: 'queued (the backup waits for the source agent), running (backup, then restore on the standby), succeeded, failed (the standby keeps its last good copy) or skipped (a scheduled run while the previous one was still going)',
})

export const ReplicationRunSchema = t.Object({
  id: t.String(),
  protectedAccountId: t.String(),
  poolId: t.String(),
  user: t.String(),
  sourceMemberId: t.String(),
  standbyMemberId: t.String(),
  status: RunStatus,
  phase: t.Nullable(t.UnionEnum(['backup', 'restore'], { description: 'Which job is current: backup.cpanel_account on the source, or restore.cpanel_account on the standby' })),
  trigger: t.UnionEnum(['schedule', 'manual']),
  requestedBy: t.String(),
  backupJobId: t.Nullable(t.String()),
  restoreJobId: t.Nullable(t.String({ description: 'Queued once the backup has stored its snapshot' })),
  snapshotId: t.Nullable(t.String({ description: 'The snapshot carried across; deleted once the run ends' })),
  bytesUploaded: t.Nullable(t.Number({ description: 'What this run uploaded; chunks already in storage are not sent again' })),
  sizeBytes: t.Nullable(t.Number({ description: "The packaged account's size" })),
  startedAt: t.Nullable(DateTime),
  finishedAt: NullableDateTime,
  error: t.Nullable(t.String()),
  createdAt: DateTime,
})

export const ProtectedAccountSchema = t.Object({
  id: t.String(),
  poolId: t.String(),
  sourceMemberId: t.String(),
  sourceName: t.String(),
  user: t.String({ description: 'The cPanel account' }),
  standbyMemberId: t.String(),
  standbyName: t.String(),
  schedule: Schedule,
  ttl: t.Integer(),
  providerId: t.Nullable(t.String()),
  enabled: t.Boolean(),
  managed: t.Boolean({ description: 'Managed DNS: WHM replicated to the provider for this account' }),
  records: t.Array(t.String(), { description: 'The record types a cut moves to the standby' }),
  lastGoodCopyAt: t.Nullable(DateTime, { description: 'When the copy on the standby was taken (its backup began)' }),
  recoveryPointSeconds: t.Nullable(t.Integer({ description: 'How far the standby is behind: now minus lastGoodCopyAt; null before the first good copy' })),
  stale: t.Boolean({ description: 'Enabled and its copy older than twice its schedule (or none within that time of protecting it)' }),
  staleAt: DateTime,
  lastRunAt: NullableDateTime,
  nextRunAt: DateTime,
  lastRun: t.Nullable(ReplicationRunSchema),
  createdAt: DateTime,
  updatedAt: DateTime,
})

const EventKind = t.UnionEnum(['sync', 'skipped', 'failure', 'cut', 'transfer', 'stale'])
const EventSchema = t.Object({
  id: t.Number(),
  poolId: t.String(),
  protectedAccountId: t.Nullable(t.String()),
  kind: EventKind,
  message: t.String(),
  detail: t.Nullable(t.Record(t.String(), t.Unknown())),
  at: DateTime,
})

export function protectionApi(deps: Deps) {
  const json = (pa: service.ProtectedAccount) => service.protectedAccountJson(pa)
  return new Elysia()
    .use(accessPlugin(deps))
    .get('/api/v1/pools/:poolId/protected-accounts', async ({ params }) => (await service.listProtected(deps.db, params.poolId)).map(json), {
      access: 'user',
      response: { 200: t.Array(ProtectedAccountSchema), ...errors },
      ...detail("The pool's protected accounts, oldest first"),
    })
    .post(
      '/api/v1/pools/:poolId/protected-accounts',
      async (ctx) => {
        const [row] = await service.protectAccounts(deps.db, actorOf(ctx), ctx.params.poolId, [ctx.body])
        ctx.set.status = 201
        return json(row!)
      },
      {
        access: 'user',
        body: ProtectBody,
        response: { 201: ProtectedAccountSchema, ...errors },
        ...detail(
          'Protect a cPanel account on a standby member',
          'Both members must be of this pool and run cPanel, and differ; the account must be on the source (unless its agent capped the account list it reports); the provider, when given, one of the pool\'s. 409 when the account of that source is protected already. The first scheduled run comes one schedule interval after; POST .../replicate copies it now.',
        ),
      },
    )
    .post(
      '/api/v1/pools/:poolId/protected-accounts/replicate',
      async (ctx) => {
        const { runs, skipped } = await replicateAll(deps, actorOf(ctx), ctx.params.poolId)
        ctx.set.status = 201
        return { runs: runs.map(service.replicationRunJson), skipped }
      },
      {
        access: 'user',
        response: {
          201: t.Object({
            runs: t.Array(ReplicationRunSchema),
            skipped: t.Array(t.Object({ protectedAccountId: t.String(), user: t.String(), reason: t.String() }), { description: 'Enabled accounts not started: a run was under way, or the source refused the backup' }),
          }),
          ...errors,
        },
        ...detail('Replicate every enabled protected account of the pool now', '"Replicate protected": a manual run of each enabled account that is not running already.'),
      },
    )
    .get(
      '/api/v1/pools/:poolId/protection/events',
      async ({ params, query }) => (await service.protectionEvents(deps.db, params.poolId, query.kind)).map(service.protectionEventJson),
      {
        access: 'user',
        query: t.Object({ kind: t.Optional(EventKind) }),
        response: { 200: t.Array(EventSchema), ...errors },
        ...detail('The replication log of the pool, newest first (the last 100)', 'sync, skipped, failure, cut, transfer and stale events; kind narrows to one.'),
      },
    )
    .get('/api/v1/protected-accounts/:protectedAccountId', async ({ params }) => json(await service.getProtected(deps.db, params.protectedAccountId)), {
      access: 'user',
      response: { 200: ProtectedAccountSchema, ...errors },
      ...detail('A protected account, with its recovery point and last run'),
    })
    .patch('/api/v1/protected-accounts/:protectedAccountId', async (ctx) => json(await service.updateProtected(deps.db, actorOf(ctx), ctx.params.protectedAccountId, ctx.body)), {
      access: 'user',
      body: t.Object(
        {
          sourceMemberId: t.Optional(ProtectFields.sourceMemberId),
          user: t.Optional(User),
          standbyMemberId: t.Optional(ProtectFields.standbyMemberId),
          schedule: t.Optional(Schedule),
          ttl: t.Optional(Ttl),
          providerId: t.Optional(ProviderId),
          enabled: t.Optional(t.Boolean({ error: 'true or false' })),
          managed: t.Optional(t.Boolean({ error: 'true or false' })),
          records: t.Optional(t.Array(t.UnionEnum([...service.RECORD_TYPES]), { minItems: 1, maxItems: 4, error: `record types: ${service.RECORD_TYPES.join(', ')}` })),
        },
        { additionalProperties: false },
      ),
      response: { 200: ProtectedAccountSchema, ...errors },
      ...detail('Change a protection', 'Fields left out keep their value; the same rules as protecting apply. A new schedule counts from the last run (or the protection, before any).'),
    })
    .delete(
      '/api/v1/protected-accounts/:protectedAccountId',
      async (ctx) => {
        await service.unprotect(deps.db, actorOf(ctx), ctx.params.protectedAccountId)
        ctx.set.status = 204
      },
      { access: 'user', response: { 204: NoContent, ...errors }, ...detail('Stop protecting an account', 'Its runs and schedule go; the standby keeps the copy it holds.') },
    )
    .post(
      '/api/v1/protected-accounts/:protectedAccountId/replicate',
      async (ctx) => {
        const run = await replicate(deps, actorOf(ctx), ctx.params.protectedAccountId, 'manual')
        ctx.set.status = 201
        return service.replicationRunJson(run)
      },
      {
        access: 'user',
        body: t.Optional(t.Object({}, { additionalProperties: false })),
        response: { 201: ReplicationRunSchema, ...errors },
        ...detail(
          'Replicate a protected account now',
          'Backs the account up on its source (a snapshot in the pool\'s storage), restores it over the standby\'s copy, then deletes the snapshot. 409 while a run of the account is under way.',
        ),
      },
    )
    .get('/api/v1/replication-runs/:runId', async ({ params }) => service.replicationRunJson(await getRun(deps.db, params.runId)), {
      access: 'user',
      response: { 200: ReplicationRunSchema, ...errors },
      ...detail('A replication run'),
    })
}
