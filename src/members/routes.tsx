// Member pages: "Add server", the member workspace and its tabs, and the
// Settings tab's forms.
import { Elysia, t } from 'elysia'
import type { Deps } from '../server/deps'
import { accessPlugin, actorOf, expectedCsrf } from '../http/access'
import { render } from '../http/render'
import { formAction, redirectTo, str } from '../http/forms'
import { notFound } from '../http/errors'
import { poolView, renderPoolView } from '../pools/routes'
import { getPool } from '../pools/service'
import { AddMemberPage, MemberAddedPage, type AddMemberForm } from '../../views/members/AddMemberPage'
import type { MemberSettingsForm } from '../../views/members/tabs/SettingsTab'
import * as members from './service'
import * as store from './store'
import { MEMBER_TABS, memberTabHref, type MemberTabKey } from './tabs'
import { memberAlertSection } from '../alerts/view'
import { recentHistory } from './history'
import { memberCard } from './view-model'
import { CHART_HOURS, chartSeries } from './charts'
import type { AlertForm } from '../../views/alerts/AlertForms'
import { controlTabJobs, recipesTabJobs, securityTabJobs, type JobFormEcho } from '../jobs/member-tabs'
import { cronTab, type ScheduleForm } from '../jobs/cron-tab'
import type { JobPanel } from '../../views/members/MemberWorkspace'

const formBody = t.Record(t.String(), t.String(), { maxProperties: 20 })
type PageCtx = Parameters<typeof render>[0]

const ACTIVITY_SHOWN = 20

export async function renderMember(
  deps: Deps,
  ctx: PageCtx,
  poolId: string,
  memberId: string,
  tab: MemberTabKey,
  extra: {
    form?: MemberSettingsForm
    installCommand?: string
    expiresAt?: Date
    status?: number
    alertForm?: AlertForm
    notice?: string
    /** The job form a refused post came from, filled in again. */
    jobForm?: JobFormEcho
    /** Security tab: whose SSH keys to show. */
    sshUser?: string
    /** Cron & Jobs: the schedule form being edited, or refused. */
    scheduleForm?: ScheduleForm
    /** Cron & Jobs: one job's page instead of the tab. */
    job?: JobPanel
  } = {},
) {
  const full = await store.findMember(deps.db, memberId)
  // The pool first: a missing pool is "Pool not found", whatever the member.
  const view = await poolView(deps, ctx, poolId, null, full?.poolId === poolId ? full : undefined)
  if (!full || full.poolId !== poolId) throw notFound('Member')
  const card = memberCard(full, new Date(), { full, failoverDelaySeconds: view.failover.status.config.delaySeconds })
  const now = new Date()
  const email = ctx.principal?.user.email ?? ''
  const [events, secret, alerts, history, jobs] = await Promise.all([
    store.listEvents(deps.db, memberId, ACTIVITY_SHOWN),
    store.liveSecret(deps.db, memberId, now),
    tab === 'monitoring' ? memberAlertSection(deps.db, poolId, memberId) : undefined,
    tab === 'control' ? recentHistory(deps.db, memberId, CHART_HOURS, now) : undefined,
    tab === 'security'
      ? securityTabJobs(deps.db, full, extra.sshUser ?? null)
      : tab === 'control'
        ? controlTabJobs(deps.db, full, email)
        : tab === 'recipes'
          ? recipesTabJobs(deps.db, full, email)
          : undefined,
  ])
  const cron = tab === 'jobs' && !extra.job ? await cronTab(deps.db, full, extra.scheduleForm, now) : undefined
  const charts = history && chartSeries(history, now)
  const enrollment = extra.installCommand
    ? { installCommand: extra.installCommand, expiresAt: extra.expiresAt! }
    : secret && !card.member.enrolledAt
      ? { expiresAt: secret.expiresAt }
      : null
  const memberAlerts = alerts && { ...alerts, form: extra.alertForm }
  return renderPoolView(ctx, { ...view, member: { card, tab, events, enrollment, csrf: view.csrf, form: extra.form, alerts: memberAlerts, charts, notice: extra.notice, jobs, jobForm: extra.jobForm, cron, job: extra.job } }, extra.status)
}

async function renderAddMember(deps: Deps, ctx: PageCtx, poolId: string, form: AddMemberForm, status?: number) {
  const pool = await getPool(deps.db, poolId)
  return render(ctx, {
    title: `Add server · ${pool.name}`,
    section: 'pools',
    status,
    main: () => <AddMemberPage pool={pool} form={form} csrf={expectedCsrf(ctx)} publicUrl={deps.config.publicUrl} />,
  })
}

const refused = (result: { errors: Record<string, string> }, values: Record<string, string>) => ({ values, errors: result.errors })

export function memberPages(deps: Deps) {
  const app = new Elysia()
    .use(accessPlugin(deps))
    .get('/pools/:poolId/members/new', (ctx) => renderAddMember(deps, ctx, ctx.params.poolId, { values: {}, errors: {} }), {
      access: 'user',
    })
    .post(
      '/pools/:poolId/members',
      async (ctx) => {
        const { poolId } = ctx.params
        const values = ctx.body
        const result = await formAction(() => members.addMember(deps.db, actorOf(ctx), poolId, values, deps.config.publicUrl))
        if (!result.ok) return renderAddMember(deps, ctx, poolId, refused(result, values), result.status)
        const pool = await getPool(deps.db, poolId)
        // Not a redirect: the install command is shown on this answer only.
        ctx.set.status = 201
        return render(ctx, {
          title: `${result.value.member.name} added`,
          section: 'pools',
          main: () => <MemberAddedPage pool={pool} member={result.value.member} enrollment={result.value.enrollment} />,
        })
      },
      { access: 'user', body: formBody },
    )
    .post(
      '/pools/:poolId/members/:memberId/settings/install-command',
      async (ctx) => {
        const { poolId, memberId } = ctx.params
        await members.getMember(deps.db, memberId, poolId)
        const { enrollment } = await members.newInstallCommand(deps.db, actorOf(ctx), memberId, deps.config.publicUrl)
        return renderMember(deps, ctx, poolId, memberId, 'settings', { installCommand: enrollment.installCommand, expiresAt: enrollment.expiresAt })
      },
      { access: 'user' },
    )
    .post(
      '/pools/:poolId/members/:memberId/settings/remove',
      async (ctx) => {
        const { poolId, memberId } = ctx.params
        await members.getMember(deps.db, memberId, poolId)
        const confirmName = str(ctx.body.confirmName)
        const result = await formAction(() => members.removeMember(deps.db, actorOf(ctx), memberId, confirmName))
        if (result.ok) return redirectTo(ctx, `/pools/${poolId}`, `Member "${result.value.name}" removed.`)
        return renderMember(deps, ctx, poolId, memberId, 'settings', {
          form: refused(result, { confirmName }),
          status: result.status,
        })
      },
      { access: 'user', body: formBody },
    )
  // The Settings tab's two edit forms differ only in what they pass on.
  const edits: [string, string, (body: Record<string, string>) => members.MemberPatch][] = [
    ['identity', 'Member saved.', (body) => body],
    ['location', 'Location saved.', (body) => ({ location: body })],
  ]
  for (const [form, saved, patch] of edits) {
    app.post(
      `/pools/:poolId/members/:memberId/settings/${form}`,
      async (ctx) => {
        const { poolId, memberId } = ctx.params as { poolId: string; memberId: string }
        await members.getMember(deps.db, memberId, poolId)
        const values = ctx.body as Record<string, string>
        const result = await formAction(() => members.updateMember(deps.db, actorOf(ctx), memberId, patch(values)))
        if (result.ok) return redirectTo(ctx, memberTabHref(poolId, memberId, 'settings'), saved)
        return renderMember(deps, ctx, poolId, memberId, 'settings', { form: refused(result, values), status: result.status })
      },
      { access: 'user', body: formBody },
    )
  }
  for (const tab of MEMBER_TABS) {
    const path = tab.key === 'control' ? '/pools/:poolId/members/:memberId' : `/pools/:poolId/members/:memberId/${tab.key}`
    app.get(path, (ctx) => {
      const { poolId, memberId } = ctx.params as { poolId: string; memberId: string }
      const user = (ctx.query as { user?: string }).user
      return renderMember(deps, ctx, poolId, memberId, tab.key, { sshUser: tab.key === 'security' && user ? user.trim() : undefined })
    }, { access: 'user' })
  }
  return app
}
