// The pool's Protection tab (/pools/:poolId/protection) and its forms. Each
// form posts, then redirects (303) back to the tab; a refusal re-renders the
// tab with the message by its field (and the dialog it came from open) and
// changes nothing. The accounts table (polled while a run is in flight), the
// replication log (?kind=) and the protect form's accounts answer their own
// fragments.
import { Elysia, t } from 'elysia'
import type { Deps } from '../server/deps'
import { accessPlugin, actorOf, expectedCsrf } from '../http/access'
import { echoOf, formAction, redirectTo, str, type Refusal } from '../http/forms'
import { FieldErrors } from '../http/field-errors'
import { notFound } from '../http/errors'
import { htmxTarget } from '../http/render'
import { poolView, renderPoolView } from '../pools/routes'
import { isEventKind, protectionTabData, type EventKind, type ProtectionTabData } from './tab-data'
import * as service from './service'
import * as store from './store'
import { cutTypedName } from './cut'
import { replicate, replicateAll as replicatePool } from './runs'
import { ProtectionPanel, CutResultCard } from '../../views/pools/tabs/protection/ProtectionPanel'
import { AccountsTable, SourceAccountsField } from '../../views/pools/tabs/protection/Accounts'
import { ProtectionKpis } from '../../views/pools/tabs/protection/Dashboard'
import { ReplicationLog } from '../../views/pools/tabs/protection/Log'
import { protectionHref, type ProtectionEcho } from '../../views/pools/tabs/protection/parts'

const formValue = t.Union([t.String({ maxLength: 4096 }), t.Array(t.String({ maxLength: 200 }), { maxItems: 500 })])
const formBody = t.Record(t.String(), formValue, { maxProperties: 20 })
const tabQuery = t.Object({ kind: t.Optional(t.String({ maxLength: 20 })), cut: t.Optional(t.String({ maxLength: 20 })) })

type PageCtx = Parameters<typeof renderPoolView>[0] & { principal: Parameters<typeof expectedCsrf>[0]['principal'] }
type FormCtx = PageCtx & { body: Record<string, string | string[]>; params: { poolId: string }; ip: string | null }
type Extra = { status?: number; echo?: ProtectionEcho; kind?: EventKind | null; cutEventId?: number | null }

const fragment = (ctx: { set: { headers: Record<string, string | number> } }) => {
  ctx.set.headers['content-type'] = 'text/html; charset=utf-8'
  ctx.set.headers['cache-control'] = 'no-store'
  ctx.set.headers['vary'] = 'HX-Request, HX-Target'
}

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? (v[0] ?? '') : str(v))
const many = (v: string | string[] | undefined) => (Array.isArray(v) ? v : v ? [v] : []).filter(Boolean)

/** The cut just done (?cut= names its event in the log), to show its DNS result. */
async function cutEvent(deps: Deps, poolId: string, id: number | null | undefined) {
  if (!id) return null
  const recent = await store.listPoolEvents(deps.db, poolId, { limit: 50 })
  const ev = recent.find((e) => e.id === id)
  return ev && (ev.kind === 'cut' || (ev.kind === 'failure' && ev.detail?.action === 'cut')) ? ev : null
}

async function showProtection(deps: Deps, ctx: PageCtx, poolId: string, extra: Extra = {}) {
  const view = await poolView(deps, ctx, poolId, 'protection')
  if (!view.tabVisible) return renderPoolView(ctx, view, extra.status)
  const data = await protectionTabData(deps.db, deps.config, poolId, { csrf: view.csrf, kind: extra.kind })
  // The poll while a run is in flight: the table, and the KPIs with it.
  const target = htmxTarget(ctx.request)
  if (target === 'protection-accounts') {
    fragment(ctx)
    return (
      <>
        <AccountsTable data={data} />
        <hx-partial hx-target="#protection-kpis" hx-swap="outerHTML">
          <ProtectionKpis figures={data.figures} />
        </hx-partial>
      </>
    )
  }
  if (target === 'protection-log') {
    fragment(ctx)
    return <ReplicationLog data={data} />
  }
  const cut = await cutEvent(deps, poolId, extra.cutEventId)
  const panel = (
    <>
      {cut ? <CutResultCard event={cut} /> : ''}
      <ProtectionPanel data={data} echo={extra.echo} />
    </>
  )
  return renderPoolView(ctx, { ...view, panel }, extra.status)
}

/** Parse → act → redirect; a refusal shows the tab again with `echo`. */
async function submit<T>(
  deps: Deps,
  ctx: FormCtx,
  run: () => Promise<T>,
  done: (value: T) => { url?: string; flash?: string },
  refused: (result: Refusal) => ProtectionEcho,
) {
  const { poolId } = ctx.params
  const result = await formAction(run)
  if (result.ok) {
    const { url, flash } = done(result.value)
    return redirectTo(ctx, url ?? protectionHref(poolId), flash)
  }
  return showProtection(deps, ctx, poolId, { status: result.status, echo: refused(result) })
}

const accountOf = (deps: Deps, poolId: string, id: string) => service.getPoolProtected(deps.db, poolId, id)

// ---- the forms -------------------------------------------------------------------

function protect(deps: Deps, ctx: FormCtx) {
  const b = ctx.body
  const values = {
    sourceMemberId: one(b.sourceMemberId),
    users: many(b.users),
    standbyMemberId: one(b.standbyMemberId),
    schedule: one(b.schedule),
    ttl: one(b.ttl).trim(),
    providerId: one(b.providerId),
  }
  return submit(
    deps,
    ctx,
    () => {
      if (!values.users.length) throw new FieldErrors({ users: 'Choose at least one account to protect.' })
      const ttl = values.ttl === '' ? Number.NaN : Number(values.ttl)
      return service.protectAccounts(
        deps.db,
        actorOf(ctx),
        ctx.params.poolId,
        values.users.map((user) => ({ sourceMemberId: values.sourceMemberId, user, standbyMemberId: values.standbyMemberId, schedule: values.schedule, ttl, providerId: values.providerId || null })),
      )
    },
    (rows) => ({ flash: `Protected ${rows.map((r) => r.user).join(', ')}: first copy to ${rows[0]?.standbyName ?? 'the standby'} within 15 seconds, then on schedule.` }),
    (result) => echoOf('protect', '', values, result, Object.keys(values), { alias: { user: 'users' } }),
  )
}

function replicateAll(deps: Deps, ctx: FormCtx) {
  return submit(
    deps,
    ctx,
    () => replicatePool(deps, actorOf(ctx), ctx.params.poolId),
    (r) => ({
      flash:
        r.runs.length || r.skipped.length
          ? `Replication queued for ${r.runs.length} account${r.runs.length === 1 ? '' : 's'}${r.skipped.length ? `; not for ${r.skipped.map((k) => k.user).join(', ')} (${r.skipped[0]!.reason})` : ''}.`
          : 'No enabled protected account to replicate.',
    }),
    (result) => echoOf('replicate-all', '', {}, result, []),
  )
}

type AccountAction = 'replicate' | 'cut' | 'edit' | 'unprotect'
const ACCOUNT_ACTIONS: AccountAction[] = ['replicate', 'cut', 'edit', 'unprotect']

async function accountAction(deps: Deps, ctx: FormCtx & { params: { poolId: string; protectedAccountId: string; action: string } }) {
  const { poolId, protectedAccountId: id, action } = ctx.params
  if (!(ACCOUNT_ACTIONS as string[]).includes(action)) throw notFound('Action')
  const b = ctx.body
  const actor = actorOf(ctx)
  // Another pool's account (or none) is a 404, not a refusal to show by a form.
  await accountOf(deps, poolId, id)
  switch (action as AccountAction) {
    case 'replicate':
      return submit(
        deps,
        ctx,
        async () => replicate(deps, actor, (await accountOf(deps, poolId, id)).id, 'manual'),
        () => ({ flash: 'Replication queued: progress shows in the table.' }),
        (result) => echoOf('replicate', id, {}, result, []),
      )
    case 'cut': {
      const values = { confirm: one(b.confirm) }
      return submit(
        deps,
        ctx,
        async () => cutTypedName(deps, actor, await accountOf(deps, poolId, id), values.confirm),
        (cut) => ({ url: `${protectionHref(poolId)}?cut=${cut.eventId}` }),
        (result) => echoOf('cut', id, values, result, ['confirm']),
      )
    }
    case 'edit': {
      const values = { schedule: one(b.schedule), ttl: one(b.ttl).trim(), providerId: one(b.providerId), enabled: one(b.enabled) === 'on' ? 'on' : '' }
      return submit(
        deps,
        ctx,
        async () => {
          const pa = await accountOf(deps, poolId, id)
          const ttl = values.ttl === '' ? Number.NaN : Number(values.ttl)
          return service.updateProtected(deps.db, actor, pa.id, { schedule: values.schedule, ttl, providerId: values.providerId || null, enabled: values.enabled === 'on' })
        },
        (pa) => ({ flash: `Protection of ${pa.user} saved.` }),
        (result) => echoOf('edit', id, values, result, ['schedule', 'ttl', 'providerId', 'enabled']),
      )
    }
    case 'unprotect':
      return submit(
        deps,
        ctx,
        async () => {
          const pa = await accountOf(deps, poolId, id)
          await service.unprotect(deps.db, actor, pa.id)
          return pa
        },
        (pa) => ({ flash: `${pa.user} is no longer protected; the copy on ${pa.standbyName} stays as it is.` }),
        (result) => echoOf('unprotect', id, {}, result, []),
      )
  }
}

// ---- routes ----------------------------------------------------------------------

export function protectionTabPages(deps: Deps) {
  const base = '/pools/:poolId/protection'
  const back = (ctx: PageCtx & { params: { poolId: string } }) => redirectTo(ctx, protectionHref(ctx.params.poolId))
  return (
    new Elysia()
      .use(accessPlugin(deps))
      .get(
        base,
        (ctx) => {
          const kind = isEventKind(ctx.query.kind) ? ctx.query.kind : null
          const cut = ctx.query.cut && /^\d{1,15}$/.test(ctx.query.cut) ? Number(ctx.query.cut) : null
          return showProtection(deps, ctx, ctx.params.poolId, { kind, cutEventId: cut })
        },
        { access: 'user', query: tabQuery },
      )
      // The protect form's accounts, when its source changes.
      .get(
        `${base}/protect/accounts`,
        async (ctx) => {
          const data: ProtectionTabData = await protectionTabData(deps.db, deps.config, ctx.params.poolId, { csrf: expectedCsrf(ctx) })
          fragment(ctx)
          const source = data.sources.find((s) => s.id === ctx.query.sourceMemberId)
          return <SourceAccountsField data={data} source={source} chosen={[]} />
        },
        { access: 'user', query: t.Object({ sourceMemberId: t.Optional(t.String({ maxLength: 100 })) }) },
      )
      .post(`${base}/protect`, (ctx) => protect(deps, ctx), { access: 'user', body: formBody })
      .post(`${base}/replicate`, (ctx) => replicateAll(deps, ctx), { access: 'user', body: formBody })
      .post(`${base}/accounts/:protectedAccountId/:action`, (ctx) => accountAction(deps, ctx), { access: 'user', body: formBody })
      // A refused form left on screen can be reloaded: back to the tab.
      .get(`${base}/protect`, back, { access: 'user' })
      .get(`${base}/replicate`, back, { access: 'user' })
      .get(`${base}/accounts/:protectedAccountId/:action`, back, { access: 'user' })
  )
}
