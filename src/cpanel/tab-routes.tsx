// The member's cPanel tab: four inner tabs, each its own address (Overview,
// Operations, Accounts, Migrate & Recovery), and their forms. Each form posts,
// then redirects (303) to its inner tab with ?job= for the job it queued; a
// refusal re-renders that inner tab with the message by its field and changes
// nothing. The DNS banner, the account search and the one-time secret card
// answer their own fragments.
import { Elysia, t } from 'elysia'
import type { Deps } from '../server/deps'
import { accessPlugin, actorOf, expectedCsrf } from '../http/access'
import { echoOf, formAction, redirectTo, str, type Refusal } from '../http/forms'
import { FieldErrors } from '../http/field-errors'
import { badInput, conflict, notFound } from '../http/errors'
import { htmxTarget } from '../http/render'
import { renderMember } from '../members/routes'
import { getMember } from '../members/service'
import type { Member } from '../members/store'
import { queueJob } from '../jobs/service'
import * as jobStore from '../jobs/store'
import type { JobName } from '../../agent/jobs/catalogue'
import { CPANEL_SERVICES } from '../../agent/cpanel/protocol'
import { cpanelHref, type CpanelInnerTab } from './model'
import { reportedAccounts } from './accounts'
import { startPushCopy } from './copies'
import { startTransfer, takeReveal } from './secrets'
import { dnsBanner } from './dns-banner'
import { accountsData, cpanelOf, migrateData, operationsData, overviewData, QUERY_MAX } from './tab-data'
import type { CpanelEcho, CpanelPage } from '../../views/members/tabs/cpanel/parts'
import { CpanelOverview, DnsBannerCard } from '../../views/members/tabs/cpanel/Overview'
import { CpanelOperations } from '../../views/members/tabs/cpanel/Operations'
import { AccountsResults, CpanelAccounts, REVEAL_JOBS, RevealCard } from '../../views/members/tabs/cpanel/Accounts'
import { CpanelMigrate } from '../../views/members/tabs/cpanel/Migrate'

const formBody = t.Record(t.String(), t.String({ maxLength: 4096 }), { maxProperties: 20 })
const JOB_ID = /^job_[A-Za-z0-9_-]{1,60}$/
const jobQuery = { job: t.Optional(t.String({ maxLength: 100 })) }

type PageCtx = Parameters<typeof renderMember>[1]
type Ids = { poolId: string; memberId: string }
type FormCtx = PageCtx & { body: Record<string, string>; params: Ids; ip: string | null }
type Extra = { status?: number; echo?: CpanelEcho; notice?: string; q?: string; jobId?: string }

const pageOf = (ctx: PageCtx, member: Member, extra: { echo?: CpanelEcho; queued?: jobStore.Job | null } = {}): CpanelPage => ({
  poolId: member.poolId,
  member: { id: member.id, name: member.name },
  csrf: expectedCsrf(ctx),
  ...extra,
})

/** The job a form just queued, when the address names one of this member's. */
async function justQueued(deps: Deps, member: Member, jobId: string | undefined) {
  if (!jobId || !JOB_ID.test(jobId)) return null
  const job = await jobStore.findJob(deps.db, jobId)
  return job && job.memberId === member.id ? job : null
}

/** An inner tab inside the member workspace; "not detected" when the agent has not found cPanel. */
function showCpanel(deps: Deps, ctx: PageCtx, { poolId, memberId }: Ids, inner: CpanelInnerTab, extra: Extra = {}) {
  const panel = async (member: Member) => {
    if (!cpanelOf(member)) return null
    const page = pageOf(ctx, member, { echo: extra.echo, queued: await justQueued(deps, member, extra.jobId) })
    switch (inner) {
      case 'overview':
        return <CpanelOverview page={page} data={await overviewData(deps.db, member)} />
      case 'operations':
        return <CpanelOperations page={page} data={await operationsData(deps.db, member)} />
      case 'accounts':
        return <CpanelAccounts page={page} data={await accountsData(deps.db, member, extra.q ?? '')} />
      case 'migrate':
        return <CpanelMigrate page={page} data={await migrateData(deps.db, member)} />
    }
  }
  return renderMember(deps, ctx, poolId, memberId, 'cpanel', { status: extra.status, notice: extra.notice, panel })
}

const fragment = (ctx: { set: { headers: Record<string, string | number> } }) => {
  ctx.set.headers['content-type'] = 'text/html; charset=utf-8'
  ctx.set.headers['cache-control'] = 'no-store'
  ctx.set.headers['vary'] = 'HX-Request, HX-Target'
}

/**
 * Parse → act → redirect: the action queues a job (its page is linked on the
 * tab it lands on); a refusal shows the tab again with `echo`. Where the tab
 * has no form to show it by (cPanel not detected, an account not listed),
 * the message goes above the panel.
 */
async function submit(
  deps: Deps,
  ctx: FormCtx,
  inner: CpanelInnerTab,
  run: (member: Member) => Promise<{ id: string }>,
  refused: (result: Refusal, member: Member) => { echo: CpanelEcho; shown: boolean },
) {
  const { poolId, memberId } = ctx.params
  const member = await getMember(deps.db, memberId, poolId)
  const result = await formAction(() => run(member))
  if (result.ok) return redirectTo(ctx, `${cpanelHref(poolId, memberId, inner)}?job=${result.value.id}`)
  const { echo, shown } = refused(result, member)
  const notice = shown && cpanelOf(member) ? undefined : result.message
  return showCpanel(deps, ctx, ctx.params, inner, { status: result.status, echo, notice })
}

// ---- Operations ------------------------------------------------------------------

function restartService(deps: Deps, ctx: FormCtx) {
  const service = str(ctx.body.service)
  return submit(
    deps,
    ctx,
    'operations',
    (member) => queueJob(deps.db, actorOf(ctx), member.id, 'cpanel.service.restart', { service }),
    (result) => ({ echo: echoOf('restart', service, { service }, result, ['service']), shown: Object.hasOwn(CPANEL_SERVICES, service) }),
  )
}

function checkConfig(deps: Deps, ctx: FormCtx) {
  return submit(
    deps,
    ctx,
    'operations',
    (member) => queueJob(deps.db, actorOf(ctx), member.id, 'cpanel.config.check', {}),
    (result) => ({ echo: echoOf('check', '', {}, result, []), shown: true }),
  )
}

// ---- Accounts ----------------------------------------------------------------------

function createAccount(deps: Deps, ctx: FormCtx) {
  const b = ctx.body
  const values = { user: str(b.user).trim(), domain: str(b.domain).trim().toLowerCase(), plan: str(b.plan).trim(), contactEmail: str(b.contactEmail).trim() }
  return submit(
    deps,
    ctx,
    'accounts',
    async (member) => {
      const cp = cpanelOf(member)
      if (cp?.accounts.some((a) => a.user === values.user)) throw conflict(`${member.name} has an account called ${values.user} already.`, 'user')
      if (cp?.packages?.length && values.plan && !cp.packages.includes(values.plan)) {
        throw badInput(`Choose one of this server's plans: ${cp.packages.join(', ')}.`, 'plan')
      }
      return queueJob(deps.db, actorOf(ctx), member.id, 'cpanel.account.create', values)
    },
    (result) => ({ echo: echoOf('create', '', values, result, Object.keys(values)), shown: true }),
  )
}

const ACCOUNT_ACTIONS: Record<string, JobName> = {
  plan: 'cpanel.account.modify',
  suspend: 'cpanel.account.suspend',
  unsuspend: 'cpanel.account.unsuspend',
  terminate: 'cpanel.account.terminate',
  autossl: 'cpanel.account.autossl',
  login: 'cpanel.account.login',
  backup: 'backup.cpanel_account',
}

/** One account's action from its dialog (or the row's Log in): the job's parameters from the form, checked here first. */
function accountAction(deps: Deps, ctx: FormCtx & { params: Ids & { user: string; action: string } }) {
  const { user, action } = ctx.params
  const name = ACCOUNT_ACTIONS[action]
  if (!name) throw notFound('Action')
  const values = { plan: str(ctx.body.plan).trim(), reason: str(ctx.body.reason).trim(), confirm: str(ctx.body.confirm) }
  return submit(
    deps,
    ctx,
    'accounts',
    async (member) => {
      const reported = reportedAccounts(member)
      if (reported?.complete && !reported.users.has(user)) throw badInput(`${member.name} has no cPanel account called ${user}.`)
      if (action === 'plan') {
        const packages = cpanelOf(member)?.packages ?? []
        if (packages.length && !packages.includes(values.plan)) throw badInput(`Choose one of this server's plans: ${packages.join(', ')}.`, 'plan')
        return queueJob(deps.db, actorOf(ctx), member.id, name, { user, plan: values.plan })
      }
      if (action === 'suspend') {
        if (!values.reason) throw badInput('Say why it is suspended: WHM keeps the reason with the account.', 'reason')
        return queueJob(deps.db, actorOf(ctx), member.id, name, { user, reason: values.reason })
      }
      if (action === 'terminate' && values.confirm.trim() !== user) {
        throw new FieldErrors({ confirm: `Type ${user} to terminate it: its files, mail and databases are removed. Nothing was changed.` })
      }
      return queueJob(deps.db, actorOf(ctx), member.id, name, { user })
    },
    (result, member) => ({
      echo: echoOf('account', user, values, result, ['plan', 'reason', 'confirm'], { action }),
      // The account's dialog is on the tab only when the agent listed it.
      shown: !!cpanelOf(member)?.accounts.some((a) => a.user === user),
    }),
  )
}

// ---- Migrate & Recovery ----------------------------------------------------------

function pushCopy(deps: Deps, ctx: FormCtx) {
  const b = ctx.body
  const values = { user: str(b.user), targetMemberId: str(b.targetMemberId), replace: str(b.replace) === 'on' ? 'on' : '', confirm: str(b.confirm) }
  return submit(
    deps,
    ctx,
    'migrate',
    async (member) => {
      const replace = values.replace === 'on'
      if (replace && values.confirm.trim() !== values.user) {
        throw new FieldErrors({ confirm: `Type ${values.user || 'the user name'} to replace the account on the other server: its contents there are lost.` })
      }
      const copy = await startPushCopy(deps.db, actorOf(ctx), { poolId: member.poolId, sourceMemberId: member.id, user: values.user, targetMemberId: values.targetMemberId, replace })
      // The copy starts with the backup here: its job is the one to follow.
      return { id: copy.backupJobId }
    },
    (result) => ({ echo: echoOf('copy', '', values, result, ['user', 'targetMemberId', 'replace', 'confirm']), shown: true }),
  )
}

function transferHere(deps: Deps, ctx: FormCtx) {
  const source = str(ctx.body.source)
  const slash = source.lastIndexOf('/')
  const sourceMemberId = slash > 0 ? source.slice(0, slash) : ''
  const user = slash > 0 ? source.slice(slash + 1) : ''
  // The password is never echoed back: a refused form asks for it again.
  const password = str(ctx.body.password)
  return submit(
    deps,
    ctx,
    'migrate',
    async (member) => {
      if (!sourceMemberId || !user) throw badInput('Choose the account to transfer, on its server.', 'source')
      return startTransfer(deps, actorOf(ctx), { targetMemberId: member.id, poolId: member.poolId, sourceMemberId, user, password })
    },
    (result) => ({ echo: echoOf('transfer', '', { source }, result, ['source', 'password'], { alias: { sourceMemberId: 'source', user: 'source' } }), shown: true }),
  )
}

// ---- routes ----------------------------------------------------------------------

export function cpanelTabPages(deps: Deps) {
  const base = '/pools/:poolId/members/:memberId/cpanel'
  const tab = (inner: CpanelInnerTab) => (inner === 'overview' ? base : `${base}/${inner}`)
  const back = (inner: CpanelInnerTab) => (ctx: PageCtx & { params: Ids }) => redirectTo(ctx, cpanelHref(ctx.params.poolId, ctx.params.memberId, inner))
  const app = new Elysia().use(accessPlugin(deps))
  for (const inner of ['overview', 'operations', 'migrate'] as const) {
    app.get(tab(inner), (ctx) => showCpanel(deps, ctx, ctx.params as Ids, inner, { jobId: (ctx.query as { job?: string }).job }), {
      access: 'user',
      query: t.Object(jobQuery),
    })
  }
  return (
    app
      .get(
        `${base}/accounts`,
        async (ctx) => {
          const q = (ctx.query.q ?? '').slice(0, QUERY_MAX)
          // The search as you type: only the table.
          if (htmxTarget(ctx.request) === 'cpanel-accounts') {
            const member = await getMember(deps.db, ctx.params.memberId, ctx.params.poolId)
            if (cpanelOf(member)) {
              fragment(ctx)
              return <AccountsResults page={pageOf(ctx, member)} data={await accountsData(deps.db, member, q)} />
            }
          }
          return showCpanel(deps, ctx, ctx.params, 'accounts', { q, jobId: ctx.query.job })
        },
        { access: 'user', query: t.Object({ q: t.Optional(t.String({ maxLength: 1000 })), ...jobQuery }) },
      )
      // Where the accounts' domains point: looked up after the Overview shows.
      .get(
        `${base}/dns`,
        async (ctx) => {
          const member = await getMember(deps.db, ctx.params.memberId, ctx.params.poolId)
          fragment(ctx)
          if (!cpanelOf(member)) return ''
          return <DnsBannerCard dns={await dnsBanner(member, { resolver: deps.config.dnsResolver })} />
        },
        { access: 'user' },
      )
      // The one-time secret of a create or login job, asked for every 2 s until it is there.
      .get(
        `${base}/accounts/reveal`,
        async (ctx) => {
          const { poolId, memberId } = ctx.params
          const jobId = ctx.query.job
          if (!jobId) return redirectTo(ctx, cpanelHref(poolId, memberId, 'accounts'))
          const member = await getMember(deps.db, memberId, poolId)
          const job = await justQueued(deps, member, jobId)
          if (!job || !REVEAL_JOBS.includes(job.name)) throw notFound('Job')
          const actor = actorOf(ctx)
          const answer = await takeReveal(deps, { memberId: member.id, jobId: job.id, actorLabel: actor.label, actor })
          fragment(ctx)
          return <RevealCard page={pageOf(ctx, member)} job={job} answer={answer} />
        },
        { access: 'user', query: t.Object(jobQuery) },
      )
      .post(`${base}/operations/restart`, (ctx) => restartService(deps, ctx), { access: 'user', body: formBody })
      .post(`${base}/operations/check`, (ctx) => checkConfig(deps, ctx), { access: 'user', body: formBody })
      .post(`${base}/accounts`, (ctx) => createAccount(deps, ctx), { access: 'user', body: formBody })
      .post(`${base}/accounts/:user/:action`, (ctx) => accountAction(deps, ctx), { access: 'user', body: formBody })
      .post(`${base}/migrate/copy`, (ctx) => pushCopy(deps, ctx), { access: 'user', body: formBody })
      .post(`${base}/migrate/transfer`, (ctx) => transferHere(deps, ctx), { access: 'user', body: formBody })
      // A refused form left on screen can be reloaded: back to its inner tab.
      .get(`${base}/operations/:action`, back('operations'), { access: 'user' })
      .get(`${base}/accounts/:user/:action`, back('accounts'), { access: 'user' })
      .get(`${base}/migrate/:action`, back('migrate'), { access: 'user' })
  )
}
