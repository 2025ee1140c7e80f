// Where agents take jobs and report on them. Only the member's own agent,
// from one of its egress addresses, can see or touch its jobs.
import { Elysia, t } from 'elysia'
import type { Deps } from '../server/deps'
import { accessPlugin } from '../http/access'
import { ErrorSchema, Text } from '../http/api-schemas'
import { HttpError } from '../http/errors'
import { foreignAddress } from '../agent-api/service'
import type { MemberRow as Member } from '../members/store'
import * as jobs from './service'
import { afterJobFinished } from '../cpanel/hooks'
import { withEitherSignal } from '../server/lifecycle'

const tags = { tags: ['Agent'], security: [{ agent: [] }] }
/** Under Bun's idle timeout once it is raised for the request (see claim). */
const LONGEST_WAIT_SECONDS = 25

const Line = t.Object(
  { stream: t.Union([t.Literal('stdout'), t.Literal('stderr'), t.Literal('agent')]), line: Text({ maxLength: 16_384 }) },
  { additionalProperties: false },
)
const Report = {
  lines: t.Optional(t.Array(Line, { maxItems: 2000 })),
  progress: t.Optional(t.Number({ minimum: 0, maximum: 100 })),
  step: t.Optional(t.Integer({ minimum: 0, maximum: 100 })),
  result: t.Optional(t.Unknown()),
}
const Claimed = t.Object({
  id: t.String(),
  name: t.String(),
  params: t.Record(t.String(), t.Unknown()),
  timeoutSeconds: t.Integer(),
  leaseSeconds: t.Integer(),
  steps: t.Array(t.String()),
  attempt: t.Integer(),
})
const errors = { 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 413: ErrorSchema, 422: ErrorSchema }

function ownAgent(member: Member | null, ip: string | null): Member {
  const foreign = foreignAddress(member!, ip)
  if (foreign) throw new HttpError(403, 'address_not_allowed', `Refused: ${foreign}`)
  return member!
}

export function jobAgentRoutes(deps: Deps) {
  const crossReplica = deps.config.databaseUrl !== null
  return new Elysia()
    .use(accessPlugin(deps))
    .post(
      '/api/v1/agent/jobs/claim',
      async ({ body, member, ip, request, server }) => {
        const me = ownAgent(member, ip)
        const wait = Math.min(body.waitSeconds ?? 0, LONGEST_WAIT_SECONDS)
        // Bun closes a connection idle for 10 s; a long-poll is idle on purpose.
        if (wait > 5) server?.timeout(request, wait + 10)
        // A stopping server answers "nothing yet" at once: the agent asks again, of a replica still serving.
        const job = await withEitherSignal(request.signal, deps.lifecycle.signal, (signal) => jobs.claimWithin(deps.db, me.id, wait * 1000, crossReplica, signal))
        return { job }
      },
      {
        access: 'agent',
        body: t.Object({ waitSeconds: t.Optional(t.Integer({ minimum: 0, maximum: 60 })) }, { additionalProperties: false }),
        response: { 200: t.Object({ job: t.Nullable(Claimed) }), ...errors },
        detail: { ...tags, summary: "Take the member's oldest queued job, waiting up to waitSeconds (25 at most) for one" },
      },
    )
    .post('/api/v1/agent/jobs/:jobId/report', ({ body, member, ip, params }) => jobs.reportJob(deps.db, ownAgent(member, ip).id, params.jobId, body), {
      access: 'agent',
      body: t.Object(Report, { additionalProperties: false }),
      response: { 200: t.Object({ cancel: t.Boolean() }), ...errors },
      detail: { ...tags, summary: 'Output lines, progress and the current step of a running job; renews its lease and says whether to cancel' },
    })
    .post(
      '/api/v1/agent/jobs/:jobId/finish',
      async ({ body, member, ip, params }) => {
        const job = await jobs.finishJob(deps.db, ownAgent(member, ip).id, params.jobId, body)
        // A copy's next step, a transfer's unused login: at once rather than at the next tick.
        await afterJobFinished(deps, job)
        return { status: job.status }
      },
      {
        access: 'agent',
        body: t.Object(
          {
            ...Report,
            status: t.Union([t.Literal('succeeded'), t.Literal('failed'), t.Literal('cancelled'), t.Literal('timed_out')]),
            // An integer column: a process's exit status, or a signal's negative number.
            exitCode: t.Optional(t.Nullable(t.Integer({ minimum: -2_147_483_648, maximum: 2_147_483_647 }))),
            error: t.Optional(t.Nullable(Text({ maxLength: 4000 }))),
          },
          { additionalProperties: false },
        ),
        response: { 200: t.Object({ status: t.String() }), ...errors },
        detail: { ...tags, summary: 'The end of a job: its status, exit code and last output' },
      },
    )
    .post(
      '/api/v1/agent/jobs/:jobId/release',
      async ({ body, member, ip, params }) => {
        const job = await jobs.releaseJob(deps.db, ownAgent(member, ip).id, params.jobId, body.reason)
        return { status: job.status }
      },
      {
        access: 'agent',
        body: t.Object({ reason: Text({ maxLength: 500 }) }, { additionalProperties: false }),
        response: { 200: t.Object({ status: t.String() }), ...errors },
        detail: { ...tags, summary: 'An agent stopping mid-job hands the job back (queued again if safe to repeat)' },
      },
    )
}
