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
import { AddMemberPage, type AddMemberForm } from '../../views/members/AddMemberPage'
import { InstallPage, installPageHeading, installPageHref } from '../../views/members/InstallPage'
import type { MemberSettingsForm } from '../../views/members/tabs/SettingsTab'
import * as members from './service'
import * as store from './store'
import type { Member } from './store'
import { MEMBER_TABS, memberTabHref, type MemberTabKey } from './tabs'
import { memberAlertSection } from '../alerts/view'
import { recentHistory } from './history'
import { ACTIVITY_MAX_PAGE, memberActivity } from './activity'
import { memberCard } from './view-model'
import { CHART_HOURS, chartSeries } from './charts'
import type { AlertForm } from '../../views/alerts/AlertForms'
import { controlTabJobs, recipesTabJobs, securityTabJobs, type JobFormEcho } from '../jobs/member-tabs'
import { cronTab, type ScheduleForm } from '../jobs/cron-tab'
import type { JobPanel } from '../../views/members/MemberWorkspace'
import { BackupsTab } from '../../views/members/tabs/BackupsTab'
import { backupsTabData } from '../backups/tab-data'

const formBody = t.Record(t.String(), t.String(), { maxProperties: 20 })
/** Security: whose SSH keys; Control panel and Status: which page of the activity. */
const tabQuery = t.Object({
  user: t.Optional(t.String({ maxLength: 64 })),
  page: t.Optional(t.Numeric({ minimum: 1, maximum: ACTIVITY_MAX_PAGE, multipleOf: 1, error: `page is a whole number from 1 to ${ACTIVITY_MAX_PAGE}` })),
})
type PageCtx = Parameters<typeof render>[0]

const REFUSALS_SHOWN = 5
const ACTIVITY_TABS: MemberTabKey[] = ['control', 'status']

export async function renderMember(
  deps: Deps,
  ctx: PageCtx,
  poolId: string,
  memberId: string,
  tab: MemberTabKey,
  extra: {
    form?: MemberSettingsForm
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
    /** Control panel and Status: which page of the activity, from 1. */
    page?: number
    /** A tab with its own handler: loads its data for this member and renders its panel (null: the tab's default, e.g. "not detected"). */
    panel?: (member: Member) => Promise<JSX.Element | null>
  } = {},
) {
  const full = await store.findMember(deps.db, memberId)
  // The pool first: a missing pool is "Pool not found", whatever the member.
  const view = await poolView(deps, ctx, poolId, null, full?.poolId === poolId ? full : undefined)
  if (!full || full.poolId !== poolId) throw notFound('Member')
  const card = memberCard(full, new Date(), { full })
  const now = new Date()
  const email = ctx.principal?.user.email ?? ''
  const [activity, refusals, secret, alerts, history, jobs] = await Promise.all([
    ACTIVITY_TABS.includes(tab) ? memberActivity(deps.db, memberId, extra.page ?? 1) : undefined,
    tab === 'settings' ? store.listRefusals(deps.db, memberId, REFUSALS_SHOWN) : [],
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
  // Restore Backups is served by its own handler; a refusal posted from elsewhere with tab=backups lands on the same panel.
  const own = extra.panel ? await extra.panel(full) : null
  const panel = own ?? (tab === 'backups' ? <BackupsTab data={await backupsTabData(deps.db, full, { csrf: view.csrf })} /> : undefined)
  const charts = history && chartSeries(history, now)
  const enrollment = secret ? { expiresAt: secret.expiresAt, href: installPageHref(poolId, memberId) } : null
  const memberAlerts = alerts && { ...alerts, form: extra.alertForm }
  return renderPoolView(ctx, { ...view, member: { card, tab, activity, refusals, enrollment, csrf: view.csrf, form: extra.form, alerts: memberAlerts, charts, notice: extra.notice, jobs, jobForm: extra.jobForm, cron, job: extra.job, panel } }, extra.status)
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

/** The member's install page: its command while unused and unexpired, or why there is none. */
async function showInstallPage(deps: Deps, ctx: PageCtx, poolId: string, memberId: string) {
  const member = await members.getMember(deps.db, memberId, poolId)
  const pool = await getPool(deps.db, poolId)
  const state = await members.installState(deps.db, member, enrollerOf(deps))
  return render(ctx, {
    title: installPageHeading(member),
    section: 'pools',
    main: () => <InstallPage pool={pool} member={member} state={state} csrf={expectedCsrf(ctx)} />,
  })
}

const enrollerOf = (deps: Deps): members.Enroller => ({ publicUrl: deps.config.publicUrl, secrets: deps.secrets })

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
        const result = await formAction(() => members.addMember(deps.db, actorOf(ctx), poolId, values, enrollerOf(deps)))
        if (!result.ok) return renderAddMember(deps, ctx, poolId, refused(result, values), result.status)
        const { member } = result.value
        return redirectTo(ctx, installPageHref(poolId, member.id))
      },
      { access: 'user', body: formBody },
    )
    .get('/pools/:poolId/members/:memberId/install', (ctx) => showInstallPage(deps, ctx, ctx.params.poolId, ctx.params.memberId), { access: 'user' })
    .post(
      '/pools/:poolId/members/:memberId/settings/install-command',
      async (ctx) => {
        const { poolId, memberId } = ctx.params
        await members.getMember(deps.db, memberId, poolId)
        await members.newInstallCommand(deps.db, actorOf(ctx), memberId, enrollerOf(deps))
        return redirectTo(ctx, installPageHref(poolId, memberId), 'New install command issued; any older one no longer works.')
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
  // Restore Backups and cPanel have their own handlers (src/backups/tab-routes.tsx, src/cpanel/tab-routes.tsx).
  for (const tab of MEMBER_TABS.filter((t) => t.key !== 'backups' && t.key !== 'cpanel')) {
    const path = tab.key === 'control' ? '/pools/:poolId/members/:memberId' : `/pools/:poolId/members/:memberId/${tab.key}`
    app.get(path, (ctx) => {
      const { poolId, memberId } = ctx.params as { poolId: string; memberId: string }
      const { user, page } = ctx.query as { user?: string; page?: number }
      return renderMember(deps, ctx, poolId, memberId, tab.key, { sshUser: tab.key === 'security' && user ? user.trim() : undefined, page })
    }, { access: 'user', query: tabQuery })
  }
  return app
}
