// Fleet-wide runs in the browser: /pools/:poolId/runs (the form, its review
// and the pool's recent runs) and /pools/:poolId/runs/:runId (one row per
// member, refreshed while any is queued or running).
import { Elysia, t } from 'elysia'
import type { Deps } from '../server/deps'
import { accessPlugin, actorOf, expectedCsrf } from '../http/access'
import { formAction, redirectTo, str } from '../http/forms'
import { render } from '../http/render'
import { RunPage, RunRows, RunsPage } from '../../views/jobs/RunsPage'
import { jobTitle } from '../../views/jobs/parts'
import { paramsFromForm } from './form'
import { paramValues, refusalField } from './param-fields'
import { startRun } from './runs'
import { reviewRun, runPage, runsPage, type RunForm, type RunReview } from './run-view'
import { runHref } from './hrefs'

// One field per member ("m.<id>"): a pool may have a couple of thousand.
const formBody = t.Record(t.String(), t.String({ maxLength: 8192 }), { maxProperties: 2100 })
type PageCtx = Parameters<typeof render>[0]

async function renderRuns(deps: Deps, ctx: PageCtx, poolId: string, form?: RunForm, review?: RunReview | null, status?: number) {
  const data = await runsPage(deps.db, poolId, form, review ?? null)
  return render(ctx, {
    title: `Fleet-wide runs · ${data.pool.name}`,
    section: 'pools',
    status,
    main: () => <RunsPage data={data} csrf={expectedCsrf(ctx)} />,
  })
}

function formOf(body: Record<string, string>): RunForm {
  return {
    name: str(body.name),
    values: paramValues(body),
    errors: {},
    memberIds: Object.keys(body).filter((k) => k.startsWith('m.') && body[k] === 'on').map((k) => k.slice(2)),
    all: body.all === 'on',
  }
}

export function runPages(deps: Deps) {
  return new Elysia()
    .use(accessPlugin(deps))
    .get('/pools/:poolId/runs', (ctx) => renderRuns(deps, ctx, ctx.params.poolId), { access: 'user' })
    .post(
      '/pools/:poolId/runs',
      async (ctx) => {
        const { poolId } = ctx.params
        const form = formOf(ctx.body)
        const params = paramsFromForm(form.name, ctx.body)
        const reviewed = await formAction(() => reviewRun(deps.db, poolId, form.name, params, form))
        if (!reviewed.ok) {
          return renderRuns(deps, ctx, poolId, { ...form, errors: { [refusalField(reviewed, form.name)]: reviewed.message } }, null, reviewed.status)
        }
        const review = reviewed.value
        // Nothing is queued until the review's button, which names the count, is pressed.
        if (str(ctx.body.confirm) !== String(review.able.length)) return renderRuns(deps, ctx, poolId, form, review)
        const memberIds = [...review.able, ...review.refused].map((m) => m.id)
        const started = await formAction(() => startRun(deps.db, actorOf(ctx), poolId, review.name, params, memberIds))
        if (!started.ok) return renderRuns(deps, ctx, poolId, { ...form, errors: { [refusalField(started, form.name)]: started.message } }, null, started.status)
        const queued = started.value.rows.filter((r) => r.jobId).length
        const refused = started.value.rows.length - queued
        const said = `${jobTitle(review.name)}: queued on ${queued} server${queued === 1 ? '' : 's'}${refused ? `, ${refused} refused` : ''}.`
        return redirectTo(ctx, runHref(poolId, started.value.run.id), said)
      },
      { access: 'user', body: formBody },
    )
    .get(
      '/pools/:poolId/runs/:runId',
      async (ctx) => {
        const data = await runPage(deps.db, ctx.params.poolId, ctx.params.runId)
        return render(ctx, {
          title: `${jobTitle(data.run.name)} · Fleet-wide runs · ${data.pool.name}`,
          section: 'pools',
          main: () => <RunPage data={data} />,
          parts: { 'run-rows': () => <RunRows data={data} /> },
        })
      },
      { access: 'user' },
    )
    // The rows' poll: 204 while no row changed.
    .get(
      '/pools/:poolId/runs/:runId/rows',
      async (ctx) => {
        const data = await runPage(deps.db, ctx.params.poolId, ctx.params.runId)
        ctx.set.headers['content-type'] = 'text/html; charset=utf-8'
        ctx.set.headers['cache-control'] = 'no-store'
        if (data.tag === ctx.query.tag) {
          ctx.set.status = 204
          return ''
        }
        return <RunRows data={data} />
      },
      { access: 'user', query: t.Object({ tag: t.Optional(t.String({ maxLength: 64 })) }) },
    )
}
