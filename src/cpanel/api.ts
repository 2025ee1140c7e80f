// /api/v1/members/:memberId/cpanel/* and /api/v1/cpanel-copies/:copyId: push
// copies and transfers, as the cPanel tab's Migrate & Recovery panel starts them.
import { Elysia, t, type TSchema } from 'elysia'
import type { TProperties } from '@sinclair/typebox'
import type { Deps } from '../server/deps'
import { accessPlugin, actorOf } from '../http/access'
import { DateTime, ErrorSchema, NullableDateTime, Text } from '../http/api-schemas'
import { jobJson, JobSchema } from '../jobs/api'
import { getMember } from '../members/service'
import { copyJson, getCopy, listCopies, startPushCopy } from './copies'
import { MAX_PASSWORD, startTransfer } from './secrets'

const detail = (summary: string, description?: string) => ({ detail: { tags: ['cPanel'], summary, description } })
const errors = { 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 422: ErrorSchema }

const MemberId = Text({ minLength: 1, maxLength: 64, error: 'a member id' })
const User = Text({ minLength: 1, maxLength: 16, error: 'a cPanel user name, up to 16 characters' })

const CopySchema = t.Object({
  id: t.String(),
  poolId: t.String(),
  user: t.String({ description: 'The cPanel account' }),
  sourceMemberId: t.String(),
  sourceName: t.String(),
  targetMemberId: t.String(),
  targetName: t.String(),
  state: t.UnionEnum(['backing_up', 'restoring', 'succeeded', 'failed'], {
    description: 'backing_up (pkgacct on the source, stored as a snapshot), restoring (restorepkg on the target), then succeeded or failed',
  }),
  backupJobId: t.String(),
  restoreJobId: t.Nullable(t.String({ description: 'Queued once the backup has made its snapshot' })),
  snapshotId: t.Nullable(t.String({ description: "The account's snapshot; it stays on the source's Restore Backups tab" })),
  error: t.Nullable(t.String()),
  requestedBy: t.String(),
  createdAt: DateTime,
  finishedAt: NullableDateTime,
})

/**
 * The options of a POST that starts cPanel work on the member in its URL: the
 * body holds exactly `fields`, the answer is 201 with what was started.
 */
const memberWork = <F extends TProperties>(fields: F, created: TSchema, summary: string, description: string) => ({
  access: 'user' as const,
  body: t.Object(fields, { additionalProperties: false }),
  response: { 201: created, ...errors },
  ...detail(summary, description),
})

async function created<T>(ctx: { set: { status?: number | string } }, work: Promise<T>): Promise<T> {
  const value = await work
  ctx.set.status = 201
  return value
}

export function cpanelApi(deps: Deps) {
  return new Elysia()
    .use(accessPlugin(deps))
    .post(
      '/api/v1/members/:memberId/cpanel/copies',
      (ctx) => created(ctx, startPushCopy(deps.db, actorOf(ctx), { sourceMemberId: ctx.params.memberId, ...ctx.body }).then(copyJson)),
      memberWork(
        {
          user: User,
          targetMemberId: MemberId,
          replace: t.Optional(t.Boolean({ description: 'Restore over an account of that name on the target (its current contents are lost)', error: 'true or false' })),
        },
        CopySchema,
        'Push a copy of a cPanel account to another member',
        'Backs the account up on this member (a snapshot of it, kept like any other), then restores that snapshot on the target. 409 while a copy of the same account between the same members is under way, or when the account exists on the target and replace is not true.',
      ),
    )
    .get(
      '/api/v1/members/:memberId/cpanel/copies',
      async ({ params }) => {
        await getMember(deps.db, params.memberId)
        return (await listCopies(deps.db, { memberId: params.memberId })).map(copyJson)
      },
      { access: 'user', response: { 200: t.Array(CopySchema), ...errors }, ...detail('Account copies from or to a member, newest first (the last 20)') },
    )
    .get('/api/v1/cpanel-copies/:copyId', async ({ params }) => copyJson(await getCopy(deps.db, params.copyId)), {
      access: 'user',
      response: { 200: CopySchema, ...errors },
      ...detail('An account copy'),
    })
    .post(
      '/api/v1/members/:memberId/cpanel/transfers',
      (ctx) => created(ctx, startTransfer(deps, actorOf(ctx), { targetMemberId: ctx.params.memberId, ...ctx.body }).then(jobJson)),
      memberWork(
        {
          sourceMemberId: MemberId,
          user: User,
          password: Text({ minLength: 1, maxLength: MAX_PASSWORD, description: "The source server's root password", error: `the source's root password, 1 to ${MAX_PASSWORD} characters` }),
        },
        JobSchema,
        'Transfer a cPanel account to this member from another',
        "Queues cpanel.account.transfer here (WHM's transfer tool, run by this member's agent). The password is kept sealed, handed to the job once as it starts, and never shown, logged or returned.",
      ),
    )
}
