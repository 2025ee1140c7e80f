// The member's Cron & Jobs pages: one job's page and its live fragment,
// cancel, the recent jobs' poll, and the schedule forms (add, edit, enable,
// disable, delete, run now). Each form posts, then redirects (303) with a
// flash message; a refusal re-renders the tab with the message by its field.
import { Elysia, t } from 'elysia'
import type { Deps } from '../server/deps'
import { accessPlugin, actorOf, expectedCsrf } from '../http/access'
import { formAction, redirectTo, str } from '../http/forms'
import { HttpError } from '../http/errors'
import { getMember } from '../members/service'
import { renderMember } from '../members/routes'
import { catalogue, isJobName, type CatalogueEntry } from '../../agent/jobs/catalogue'
import { JobLive } from '../../views/jobs/JobPage'
import { JobTimeline } from '../../views/jobs/JobTimeline'
import { paramsFromForm } from './form'
import { paramValues, refusalField } from './param-fields'
import { cancelJob } from './service'
import { following, jobLive, jobPageData, memberJob } from './job-page'
import { recentJobs, scheduleFormOf, type ScheduleForm } from './cron-tab'
import { createSchedule, deleteSchedule, getSchedule, runScheduleNow, updateSchedule, type Schedule } from './schedules'
import { cronTabHref, jobHref } from './hrefs'
import { titleInSentence } from './titles'

const formBody = t.Record(t.String(), t.String({ maxLength: 8192 }), { maxProperties: 60 })
type PageCtx = Parameters<typeof renderMember>[1]
type Ids = { poolId: string; memberId: string }

const html = (ctx: { set: { headers: Record<string, string | number> } }) => {
  ctx.set.headers['content-type'] = 'text/html; charset=utf-8'
  // Polled answers are never the same twice for long.
  ctx.set.headers['cache-control'] = 'no-store'
}

const scheduleName = (s: Pick<Schedule, 'name' | 'label' | 'cron'>) => s.label ?? `${isJobName(s.name) ? catalogue[s.name].title : s.name} at ${s.cron}`

async function showJob(deps: Deps, ctx: PageCtx, { poolId, memberId }: Ids, jobId: string, extra: { status?: number; notice?: string } = {}) {
  const job = await memberJob(deps.db, poolId, memberId, jobId)
  const data = await jobPageData(deps.db, job)
  return renderMember(deps, ctx, poolId, memberId, 'jobs', { ...extra, job: { data, following: following(job, data.more) } })
}

/** Add (scheduleId null) or edit a schedule from the form. */
async function saveSchedule(deps: Deps, ctx: PageCtx & { body: Record<string, string>; ip: string | null }, { poolId, memberId }: Ids, scheduleId: string | null) {
  const member = await getMember(deps.db, memberId, poolId)
  const current = scheduleId ? await getSchedule(deps.db, scheduleId, memberId) : null
  const body = ctx.body
  const name = current ? current.name : str(body.name)
  const input = { name, cron: str(body.cron), label: str(body.label), params: paramsFromForm(name, body) }
  const result = await formAction(async () => {
    if (current) return updateSchedule(deps.db, actorOf(ctx), current.id, { cron: input.cron, label: input.label, params: input.params })
    const entry: CatalogueEntry | undefined = isJobName(name) ? catalogue[name] : undefined
    // A schedule of a job that needs confirming is confirmed like the job itself.
    if (entry?.confirm && str(body.confirm).trim() !== member.name) {
      throw new HttpError(422, 'not_confirmed', `To schedule ${titleInSentence(entry.title)} on ${member.name}, confirm with the server's name.`, 'confirm')
    }
    return createSchedule(deps.db, actorOf(ctx), memberId, input)
  })
  if (result.ok) {
    const said = current ? `Schedule "${scheduleName(result.value)}" saved.` : `Schedule "${scheduleName(result.value)}" added.`
    return redirectTo(ctx, cronTabHref(poolId, memberId), said)
  }
  const form: ScheduleForm = {
    editing: current?.id ?? null,
    name,
    cron: input.cron,
    label: input.label,
    values: paramValues(body),
    errors: { [refusalField(result, name)]: result.message },
  }
  return renderMember(deps, ctx, poolId, memberId, 'jobs', { status: result.status, scheduleForm: form })
}

export function jobMemberPages(deps: Deps) {
  const base = '/pools/:poolId/members/:memberId/jobs'
  const app = new Elysia()
    .use(accessPlugin(deps))
    // The recent jobs' poll: 204 while nothing changed.
    .get(
      `${base}/timeline`,
      async (ctx) => {
        const { poolId, memberId } = ctx.params
        await getMember(deps.db, memberId, poolId)
        const { recent, tag } = await recentJobs(deps.db, memberId)
        html(ctx)
        if (tag === ctx.query.tag) {
          ctx.set.status = 204
          return ''
        }
        return <JobTimeline poolId={poolId} memberId={memberId} jobs={recent} tag={tag} />
      },
      { access: 'user', query: t.Object({ tag: t.Optional(t.String({ maxLength: 64 })) }) },
    )
    // A form left on screen after a refusal can be reloaded: back to the tab.
    .get(`${base}/schedules`, (ctx) => redirectTo(ctx, cronTabHref(ctx.params.poolId, ctx.params.memberId)), { access: 'user' })
    .post(`${base}/schedules`, (ctx) => saveSchedule(deps, ctx, ctx.params, null), { access: 'user', body: formBody })
    .get(
      `${base}/schedules/:scheduleId/edit`,
      async (ctx) => {
        const { poolId, memberId, scheduleId } = ctx.params
        await getMember(deps.db, memberId, poolId)
        const s = await getSchedule(deps.db, scheduleId, memberId)
        return renderMember(deps, ctx, poolId, memberId, 'jobs', { scheduleForm: scheduleFormOf(s) })
      },
      { access: 'user' },
    )
    .post(`${base}/schedules/:scheduleId`, (ctx) => saveSchedule(deps, ctx, ctx.params, ctx.params.scheduleId), { access: 'user', body: formBody })
  for (const enabled of [true, false]) {
    app.post(
      `${base}/schedules/:scheduleId/${enabled ? 'enable' : 'disable'}`,
      async (ctx) => {
        const { poolId, memberId, scheduleId } = ctx.params as Ids & { scheduleId: string }
        await getMember(deps.db, memberId, poolId)
        await getSchedule(deps.db, scheduleId, memberId)
        const s = await updateSchedule(deps.db, actorOf(ctx), scheduleId, { enabled })
        return redirectTo(ctx, cronTabHref(poolId, memberId), `Schedule "${scheduleName(s)}" ${enabled ? 'enabled' : 'disabled'}.`)
      },
      { access: 'user' },
    )
  }
  return app
    .post(
      `${base}/schedules/:scheduleId/delete`,
      async (ctx) => {
        const { poolId, memberId, scheduleId } = ctx.params
        await getMember(deps.db, memberId, poolId)
        await getSchedule(deps.db, scheduleId, memberId)
        const s = await deleteSchedule(deps.db, actorOf(ctx), scheduleId)
        return redirectTo(ctx, cronTabHref(poolId, memberId), `Schedule "${scheduleName(s)}" deleted.`)
      },
      { access: 'user' },
    )
    .post(
      `${base}/schedules/:scheduleId/run`,
      async (ctx) => {
        const { poolId, memberId, scheduleId } = ctx.params
        const member = await getMember(deps.db, memberId, poolId)
        const result = await formAction(() => runScheduleNow(deps.db, actorOf(ctx), scheduleId, memberId))
        if (result.ok) return redirectTo(ctx, jobHref(poolId, memberId, result.value.id), `${catalogue[result.value.name as keyof typeof catalogue]?.title ?? result.value.name}: queued on ${member.name}.`)
        return renderMember(deps, ctx, poolId, memberId, 'jobs', { status: result.status, notice: result.message })
      },
      { access: 'user' },
    )
    .get(`${base}/:jobId`, (ctx) => showJob(deps, ctx, ctx.params, ctx.params.jobId), { access: 'user' })
    // The job page's poll: the lines after `after`, the state when its tag
    // changed, 204 when there is nothing new, and a follower that asks
    // nothing more once the job has ended.
    .get(
      `${base}/:jobId/live`,
      async (ctx) => {
        const { poolId, memberId, jobId } = ctx.params
        const job = await memberJob(deps.db, poolId, memberId, jobId)
        const after = ctx.query.after ?? 0
        const answer = await jobLive(deps.db, job, after, ctx.query.tag ?? '')
        const follow = following(job, answer?.more ?? false)
        html(ctx)
        if (!answer && follow) {
          ctx.set.status = 204
          return ''
        }
        const said = answer ?? { job, lines: [], lastSeq: after, more: false, stateChanged: false, tag: ctx.query.tag ?? '' }
        return <JobLive answer={said} following={follow} csrf={expectedCsrf(ctx)} />
      },
      {
        access: 'user',
        // seq is an integer column.
        query: t.Object({ after: t.Optional(t.Numeric({ minimum: 0, maximum: 2_147_483_647, multipleOf: 1 })), tag: t.Optional(t.String({ maxLength: 64 })) }),
      },
    )
    .post(
      `${base}/:jobId/cancel`,
      async (ctx) => {
        const { poolId, memberId, jobId } = ctx.params
        await memberJob(deps.db, poolId, memberId, jobId)
        const result = await formAction(() => cancelJob(deps.db, actorOf(ctx), jobId))
        if (result.ok) {
          const said = result.value.status === 'cancelled' ? 'Job cancelled.' : 'Cancel requested: the agent stops the job and everything it started.'
          return redirectTo(ctx, jobHref(poolId, memberId, jobId), said)
        }
        return showJob(deps, ctx, ctx.params, jobId, { status: result.status, notice: result.message })
      },
      { access: 'user' },
    )
}
