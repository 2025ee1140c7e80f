// /api/v1/members/:memberId/snapshots and /api/v1/snapshots/:snapshotId (CONTRACT.md).
import { Elysia, t } from 'elysia'
import type { Deps } from '../server/deps'
import { accessPlugin, actorOf } from '../http/access'
import { DateTime, ErrorSchema, NoContent, NullableDateTime, Text } from '../http/api-schemas'
import { jobJson, JobSchema } from '../jobs/api'
import * as backups from './service'

const detail = (summary: string, description?: string) => ({ detail: { tags: ['Backups'], summary, description } })
const errors = { 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 422: ErrorSchema }

const SnapshotSchema = t.Object({
  id: t.String(),
  poolId: t.String(),
  memberId: t.Nullable(t.String({ description: 'null once the member was removed; memberName still says which it was' })),
  memberName: t.String(),
  kind: t.UnionEnum(['database', 'files', 'config', 'cpanel_account']),
  source: t.String({ description: 'The database name, the directory, "config", or the cPanel user' }),
  sizeBytes: t.Integer({ description: 'The backed-up stream, before deduplication and compression' }),
  storedBytes: t.Integer({ description: 'The sealed sizes of its distinct chunks' }),
  uploadedBytes: t.Integer({ description: 'What its backup uploaded; the rest was in the pool already' }),
  chunkCount: t.Integer(),
  sha256: t.String({ description: 'SHA-256 of the whole stream' }),
  createdAt: DateTime,
  verifiedAt: t.Nullable(DateTime, { description: 'When every chunk was last read back and checked' }),
  verifyFailedAt: NullableDateTime,
  verifyProblem: t.Nullable(t.String()),
  provenAt: t.Nullable(DateTime, { description: 'When a restore drill last restored it and every table checksum matched' }),
  drillFailedAt: NullableDateTime,
  drillProblem: t.Nullable(t.String()),
  jobId: t.Nullable(t.String({ description: 'The backup job that made it' })),
  scheduleId: t.Nullable(t.String({ description: 'The schedule whose retention keeps it; null for a manual backup (kept until deleted)' })),
})

const RestoreBody = t.Union([
  t.Object(
    {
      memberId: Text({ maxLength: 64 }),
      database: Text({ maxLength: 64, description: 'The name to restore under' }),
      replace: t.Optional(t.Boolean({ description: 'Replace a database of that name that exists (the UI asks for its name typed)' })),
    },
    { additionalProperties: false },
  ),
  t.Object({ memberId: Text({ maxLength: 64 }), path: Text({ maxLength: 1024, description: 'The directory to restore into' }) }, { additionalProperties: false }),
  t.Object(
    {
      memberId: Text({ maxLength: 64, description: 'A cPanel member of the pool' }),
      replace: t.Optional(t.Boolean({ description: 'Restore over an account of that name on the member (a cPanel account snapshot)' })),
    },
    { additionalProperties: false },
  ),
])

export function backupApi(deps: Deps) {
  return new Elysia()
    .use(accessPlugin(deps))
    .get(
      '/api/v1/members/:memberId/snapshots',
      async ({ params }) => (await backups.memberSnapshots(deps.db, params.memberId)).map(backups.snapshotJson),
      { access: 'user', response: { 200: t.Array(SnapshotSchema), ...errors }, ...detail("A member's snapshots, newest first") },
    )
    .get('/api/v1/snapshots/:snapshotId', async ({ params }) => backups.snapshotJson(await backups.getSnapshot(deps.db, params.snapshotId)), {
      access: 'user',
      response: { 200: SnapshotSchema, ...errors },
      ...detail('A snapshot'),
    })
    .delete(
      '/api/v1/snapshots/:snapshotId',
      async (ctx) => {
        await backups.deleteSnapshot(deps.db, actorOf(ctx), ctx.params.snapshotId)
        ctx.set.status = 204
      },
      {
        access: 'user',
        response: { 204: NoContent, ...errors },
        ...detail('Delete a snapshot', 'Its chunks are removed by the next prune unless another snapshot holds them. Refused (409) while a restore, verify or drill job reads it.'),
      },
    )
    .post(
      '/api/v1/snapshots/:snapshotId/restore',
      async (ctx) => {
        const job = await backups.queueRestore(deps.db, actorOf(ctx), ctx.params.snapshotId, ctx.body)
        ctx.set.status = 201
        return jobJson(job)
      },
      {
        access: 'user',
        body: RestoreBody,
        response: { 201: JobSchema, ...errors },
        ...detail(
          'Restore a snapshot on a member of its pool',
          'A database snapshot takes {memberId, database} (a new name, or an existing one with replace: true); a files or config snapshot takes {memberId, path}; a cPanel account snapshot takes {memberId, replace?} (replace: true to restore over an account of that name). The agent checks every chunk and the stream hash before it writes anything.',
        ),
      },
    )
    .post(
      '/api/v1/snapshots/:snapshotId/verify',
      async (ctx) => {
        const job = await backups.queueVerify(deps.db, actorOf(ctx), ctx.params.snapshotId)
        ctx.set.status = 201
        return jobJson(job)
      },
      {
        access: 'user',
        body: t.Object({}, { additionalProperties: false }),
        response: { 201: JobSchema, ...errors },
        ...detail('Read a snapshot back and check every chunk', "Runs on the snapshot's member, or on any member of the pool that has checked in when that one is gone. The job fails when a chunk is missing or does not check."),
      },
    )
}
