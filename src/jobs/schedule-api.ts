// /api/v1/members/:memberId/schedules and /api/v1/schedules/:scheduleId:
// a member's cron schedules, in UTC.
import { Elysia, t } from 'elysia'
import type { Deps } from '../server/deps'
import { accessPlugin, actorOf } from '../http/access'
import { ErrorSchema, NoContent, Text } from '../http/api-schemas'
import * as schedules from './schedules'

const detail = (summary: string, description?: string) => ({ detail: { tags: ['Jobs'], summary, description } })
const errors = { 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 422: ErrorSchema }

const ScheduleJson = t.Object({
  id: t.String(),
  memberId: t.String(),
  name: t.String({ description: 'The catalogue job it queues' }),
  title: t.String(),
  params: t.Record(t.String(), t.Unknown()),
  cron: t.String({ description: 'Cron expression, read in UTC' }),
  timezone: t.Literal('UTC'),
  enabled: t.Boolean(),
  label: t.Union([t.String(), t.Null()]),
  nextRuns: t.Array(t.String(), { description: 'The next three runs (ISO 8601, UTC); empty while disabled' }),
  lastFiredAt: t.Union([t.String(), t.Null()], { description: 'The latest run this schedule has settled: queued, refused, or passed over when it was saved or enabled' }),
  lastJobId: t.Union([t.String(), t.Null()]),
  createdBy: t.String(),
  createdAt: t.String(),
})

const cron = Text({ maxLength: 200, description: 'Five fields (minute hour day-of-month month day-of-week), or six with seconds first; at most once a minute; UTC' })
const params = t.Record(t.String(), t.Unknown(), { maxProperties: 40, description: "The job's parameters (GET /api/v1/jobs/catalogue)" })
const label = t.Union([Text({ maxLength: 200 }), t.Null()])

const CreateBody = t.Object(
  { name: Text({ maxLength: 100 }), params: t.Optional(params), cron, label: t.Optional(label), enabled: t.Optional(t.Boolean()) },
  { additionalProperties: false },
)
const PatchBody = t.Object(
  { name: t.Optional(Text({ maxLength: 100 })), params: t.Optional(params), cron: t.Optional(cron), label: t.Optional(label), enabled: t.Optional(t.Boolean()) },
  { additionalProperties: false },
)

export function scheduleApi(deps: Deps) {
  return new Elysia()
    .use(accessPlugin(deps))
    .get(
      '/api/v1/members/:memberId/schedules',
      async ({ params }) => (await schedules.memberSchedules(deps.db, params.memberId)).map((s) => schedules.scheduleJson(s)),
      { access: 'user', response: { 200: t.Array(ScheduleJson), ...errors }, ...detail("A member's cron schedules, oldest first") },
    )
    .post(
      '/api/v1/members/:memberId/schedules',
      async (ctx) => {
        const s = await schedules.createSchedule(deps.db, actorOf(ctx), ctx.params.memberId, ctx.body)
        ctx.set.status = 201
        return schedules.scheduleJson(s)
      },
      {
        access: 'user',
        body: CreateBody,
        response: { 201: ScheduleJson, ...errors },
        ...detail(
          'Schedule a catalogue job on a member',
          'The cron expression is read in UTC. A bad expression, one firing more often than once a minute, or bad parameters are refused with 422 and nothing is saved. The first run is the first one after the schedule is created; missed runs are not made up, except the latest one after the server was down. A run that comes while the schedule\'s previous job is still queued or running is skipped. Jobs are queued as "schedule <label or id>".',
        ),
      },
    )
    .get(
      '/api/v1/schedules/:scheduleId',
      async ({ params }) => schedules.scheduleJson(await schedules.getSchedule(deps.db, params.scheduleId)),
      { access: 'user', response: { 200: ScheduleJson, ...errors }, ...detail('A schedule') },
    )
    .patch(
      '/api/v1/schedules/:scheduleId',
      async (ctx) => schedules.scheduleJson(await schedules.updateSchedule(deps.db, actorOf(ctx), ctx.params.scheduleId, ctx.body)),
      {
        access: 'user',
        body: PatchBody,
        response: { 200: ScheduleJson, ...errors },
        ...detail(
          'Change, enable or disable a schedule',
          'Fields left out keep their value; a new job name without params takes none. A new cron expression, or enabling a disabled schedule, starts from now: runs already past are not queued.',
        ),
      },
    )
    .delete(
      '/api/v1/schedules/:scheduleId',
      async (ctx) => {
        await schedules.deleteSchedule(deps.db, actorOf(ctx), ctx.params.scheduleId)
        ctx.set.status = 204
      },
      { access: 'user', response: { 204: NoContent, ...errors }, ...detail('Delete a schedule', 'Jobs it already queued stay in the member\'s history.') },
    )
}
