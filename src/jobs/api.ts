// /api/v1/members/:memberId/jobs, /api/v1/jobs/:jobId and fleet-wide runs (CONTRACT.md).
import { Elysia, t } from 'elysia'
import type { Deps } from '../server/deps'
import { accessPlugin, actorOf } from '../http/access'
import { DateTime, ErrorSchema, NullableDateTime, Text } from '../http/api-schemas'
import { getMember } from '../members/service'
import { catalogue, jobNames } from '../../agent/jobs/catalogue'
import { jobRules } from './params'
import * as jobs from './service'
import { getRun, startRun } from './runs'

const detail = (summary: string, description?: string) => ({ detail: { tags: ['Jobs'], summary, description } })
const errors = { 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 422: ErrorSchema }

const iso = (d: Date | null) => (d ? d.toISOString() : null)

/** The job as the API shows it; `output` only where asked, since it can be large. */
export function jobJson(job: jobs.Job, output?: string) {
  return {
    id: job.id,
    memberId: job.memberId,
    poolId: job.poolId,
    name: job.name,
    params: job.params,
    status: job.status,
    attempts: job.attempts,
    progress: job.progress,
    steps: job.steps,
    ...(output !== undefined ? { output } : {}),
    exitCode: job.exitCode,
    error: job.error,
    result: job.result ?? null,
    requestedBy: job.requestedBy,
    runId: job.runId,
    scheduleId: job.scheduleId,
    cancelRequested: job.cancelRequestedAt !== null,
    createdAt: job.createdAt.toISOString(),
    /** A queued job no agent has taken by then is cancelled, not run late. */
    expiresAt: iso(job.expiresAt),
    startedAt: iso(job.startedAt),
    finishedAt: iso(job.finishedAt),
  }
}

const JobStatus = t.UnionEnum(['queued', 'running', 'succeeded', 'failed', 'cancelled', 'timed_out'])
const Params = t.Record(t.String(), t.Unknown(), { description: "The job's parameters (GET /api/v1/jobs/catalogue)" })

// Open to more fields: the job record grows with what agents report.
export const JobSchema = t.Object(
  {
    id: t.String(),
    memberId: t.String(),
    poolId: t.String(),
    name: t.String({ description: 'The catalogue job' }),
    params: Params,
    status: JobStatus,
    attempts: t.Integer(),
    progress: t.Integer({ description: 'Percent done, 0 to 100' }),
    steps: t.Array(t.Object({ title: t.String(), state: t.String({ description: 'pending, running, done, failed, skipped, cancelled or timed_out' }) })),
    output: t.Optional(t.String({ description: 'The whole output, on GET /api/v1/jobs/{jobId} only' })),
    exitCode: t.Nullable(t.Integer()),
    error: t.Nullable(t.String()),
    result: t.Unknown({ description: 'What the job found, for jobs that read something (keys, updates); null otherwise' }),
    requestedBy: t.String(),
    runId: t.Nullable(t.String({ description: 'The fleet-wide run it belongs to' })),
    scheduleId: t.Nullable(t.String({ description: 'The schedule that queued it' })),
    cancelRequested: t.Boolean(),
    createdAt: DateTime,
    expiresAt: t.Nullable(DateTime, { description: 'A queued job no agent has taken by then is cancelled, not run late' }),
    startedAt: NullableDateTime,
    finishedAt: NullableDateTime,
  },
  { additionalProperties: true },
)

const CatalogueEntry = t.Object({
  name: t.String(),
  title: t.String(),
  safeToRepeat: t.Boolean({ description: 'Run again after its agent vanished mid-run' }),
  timeoutSeconds: t.Integer(),
  params: t.Unknown({ description: "JSON Schema of the job's parameters" }),
})

const OutputSchema = t.Object({
  status: JobStatus,
  progress: t.Integer(),
  lines: t.Array(t.Object({ seq: t.Integer(), stream: t.Union([t.Literal('stdout'), t.Literal('stderr'), t.Literal('agent')]), line: t.String(), at: DateTime })),
})

const RunRow = t.Object({
  memberId: t.String(),
  memberName: t.String(),
  jobId: t.Nullable(t.String({ description: 'null when the member could not take the job' })),
  status: t.String({ description: "The job's status, or refused" }),
  exitCode: t.Nullable(t.Integer()),
  error: t.Nullable(t.String({ description: "The job's error, or why the member could not take it" })),
})

const JobBody = t.Object(
  {
    name: Text({ maxLength: 100 }),
    params: t.Optional(t.Record(t.String(), t.Unknown())),
    expiresInSeconds: t.Optional(
      t.Integer({ minimum: 60, maximum: 7 * 86_400, description: 'How long the job may wait for its agent before it is cancelled instead of run late; 3600 when left out' }),
    ),
  },
  { additionalProperties: false },
)

export function jobApi(deps: Deps) {
  return new Elysia()
    .use(accessPlugin(deps))
    .get(
      '/api/v1/jobs/catalogue',
      () => jobNames.map((name) => ({ name, title: catalogue[name].title, safeToRepeat: catalogue[name].safeToRepeat, timeoutSeconds: catalogue[name].timeoutSeconds, params: jobRules[name].params })),
      { access: 'user', response: { 200: t.Array(CatalogueEntry) }, ...detail('The job catalogue: every job name with its parameter schema') },
    )
    .post(
      '/api/v1/members/:memberId/jobs',
      async (ctx) => {
        const job = await jobs.queueJob(deps.db, actorOf(ctx), ctx.params.memberId, ctx.body.name, ctx.body.params ?? {}, { expiresInSeconds: ctx.body.expiresInSeconds })
        ctx.set.status = 201
        return { id: job.id, name: job.name, status: job.status }
      },
      {
        access: 'user',
        body: JobBody,
        response: { 201: t.Object({ id: t.String(), name: t.String(), status: t.String() }), ...errors },
        ...detail(
          'Queue a job on a member',
          'The name comes from the catalogue (GET /api/v1/jobs/catalogue); parameters are checked before anything is queued. A job no agent takes within expiresInSeconds (1 h when left out) is cancelled. Reboot and shut down are refused (422) on a member that has never checked in.',
        ),
      },
    )
    .get(
      '/api/v1/members/:memberId/jobs',
      async ({ params }) => {
        await getMember(deps.db, params.memberId)
        return (await jobs.memberJobs(deps.db, params.memberId)).map((j) => jobJson(j))
      },
      { access: 'user', response: { 200: t.Array(JobSchema), 404: ErrorSchema }, ...detail("A member's latest 50 jobs, newest first") },
    )
    .get(
      '/api/v1/jobs/:jobId',
      async ({ params }) => {
        const job = await jobs.getJob(deps.db, params.jobId)
        return jobJson(job, await jobs.jobOutputText(deps.db, job.id))
      },
      { access: 'user', response: { 200: JobSchema, 404: ErrorSchema }, ...detail('A job with its whole output') },
    )
    .get(
      '/api/v1/jobs/:jobId/output',
      async ({ params, query }) => {
        const job = await jobs.getJob(deps.db, params.jobId)
        const lines = await jobs.outputAfter(deps.db, job.id, query.after ?? 0)
        return { status: job.status, progress: job.progress, lines: lines.map((l) => ({ seq: l.seq, stream: l.stream, line: l.line, at: l.at.toISOString() })) }
      },
      {
        access: 'user',
        // seq is an integer column.
        query: t.Object({ after: t.Optional(t.Integer({ minimum: 0, maximum: 2_147_483_647 })) }),
        response: { 200: OutputSchema, 404: ErrorSchema },
        ...detail('Output lines after a sequence number, for following a running job'),
      },
    )
    .post(
      '/api/v1/jobs/:jobId/cancel',
      async (ctx) => jobJson(await jobs.cancelJob(deps.db, actorOf(ctx), ctx.params.jobId)),
      { access: 'user', response: { 200: JobSchema, ...errors }, ...detail('Cancel a job', 'A queued job ends at once; a running one is stopped by its agent, whole process tree, within a second or two.') },
    )
    .post(
      '/api/v1/pools/:poolId/runs',
      async (ctx) => {
        const { run, rows } = await startRun(deps.db, actorOf(ctx), ctx.params.poolId, ctx.body.name, ctx.body.params ?? {}, ctx.body.memberIds)
        ctx.set.status = 201
        return { id: run.id, name: run.name, rows }
      },
      {
        access: 'user',
        body: t.Object(
          { name: Text({ maxLength: 100 }), params: t.Optional(t.Record(t.String(), t.Unknown())), memberIds: t.Array(Text({ maxLength: 64 }), { maxItems: 2000 }) },
          { additionalProperties: false },
        ),
        response: { 201: t.Object({ id: t.String(), name: t.String(), rows: t.Array(RunRow) }), ...errors },
        ...detail('Run one job on several members of a pool', 'One row per member: its job, or why it could not take it.'),
      },
    )
    .get(
      '/api/v1/runs/:runId',
      async ({ params }) => {
        const { run, rows } = await getRun(deps.db, params.runId)
        return { id: run.id, poolId: run.poolId, name: run.name, params: run.params, requestedBy: run.requestedBy, createdAt: run.createdAt.toISOString(), rows }
      },
      {
        access: 'user',
        response: {
          200: t.Object({ id: t.String(), poolId: t.String(), name: t.String(), params: Params, requestedBy: t.String(), createdAt: DateTime, rows: t.Array(RunRow) }),
          404: ErrorSchema,
        },
        ...detail('A fleet-wide run with one row per member'),
      },
    )
}
