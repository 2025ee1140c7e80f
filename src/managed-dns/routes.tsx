// The Managed DNS tab (/pools/:poolId/dns): the page, the protected accounts'
// DNS as a fragment loaded after it (it asks every provider), Refresh DNS,
// Sync WHM → Cloudflare (all Managed accounts or one), an account's cut types
// and Managed mark, Cloudflare's proxy per record, Import from Cloudflare and
// Add record. Forms post, then redirect (303) back to the tab; a refusal shows
// the tab again with its message and changes nothing; a refused Add record or
// Cut DNS comes back with its dialog open, what was typed and the message by
// its field. Cut DNS is the Protection tab's cut: once done, the person lands
// on the Protection tab with its result.
import { Elysia, t } from 'elysia'
import type { Deps } from '../server/deps'
import { accessPlugin, actorOf, expectedCsrf } from '../http/access'
import { echoOf, formAction, redirectTo, str, type Refusal } from '../http/forms'
import { notFound } from '../http/errors'
import { poolView, renderPoolView } from '../pools/routes'
import { getPoolProtected, updateProtected } from '../protection/service'
import { cutTypedName } from '../protection/cut'
import * as service from './service'
import { ProtectedDns } from '../../views/pools/tabs/dns/ProtectedDns'
import { ManagedDnsContent } from '../../views/pools/tabs/ManagedDnsTab'
import { ImportCard } from '../../views/pools/tabs/dns/ImportCard'
import { dnsTabHref, type DnsEcho } from '../../views/pools/tabs/dns/parts'
import { protectionHref } from '../../views/pools/tabs/protection/parts'

const formValue = t.Union([t.String({ maxLength: 4096 }), t.Array(t.String({ maxLength: 200 }), { maxItems: 20 })])
const formBody = t.Record(t.String(), formValue, { maxProperties: 20 })

type PageCtx = Parameters<typeof renderPoolView>[0] & { principal: Parameters<typeof expectedCsrf>[0]['principal'] }
type FormCtx = PageCtx & { body: Record<string, string | string[]>; params: { poolId: string }; ip: string | null }

const one = (v: string | string[] | undefined) => (Array.isArray(v) ? (v[0] ?? '') : str(v))
const many = (v: string | string[] | undefined) => (Array.isArray(v) ? v : v ? [v] : []).filter(Boolean)

const fragment = (ctx: { set: { headers: Record<string, string | number> } }) => {
  ctx.set.headers['content-type'] = 'text/html; charset=utf-8'
  ctx.set.headers['cache-control'] = 'no-store'
  ctx.set.headers['vary'] = 'HX-Request, HX-Target'
}

/**
 * The tab again after a refusal: the message above it, or, for a form whose
 * dialog is in the protected accounts' part (`echo`), that part read now with
 * the dialog open at what was typed.
 */
async function showTab(deps: Deps, ctx: PageCtx, poolId: string, refused?: { message: string; status: number; echo?: DnsEcho }) {
  const view = await poolView(deps, ctx, poolId, 'dns')
  if (!refused || !view.tabVisible) return renderPoolView(ctx, view, refused?.status)
  const records = refused.echo ? { poolId, csrf: view.csrf, catalogue: await service.catalogue(deps, poolId), echo: refused.echo } : undefined
  const panel = <ManagedDnsContent view={view} notice={refused.echo ? undefined : refused.message} records={records} />
  return renderPoolView(ctx, { ...view, panel }, refused.status)
}

async function protectedFragment(deps: Deps, ctx: PageCtx & { params: { poolId: string } }) {
  const catalogue = await service.catalogue(deps, ctx.params.poolId)
  fragment(ctx)
  return <ProtectedDns data={{ poolId: ctx.params.poolId, csrf: expectedCsrf(ctx), catalogue }} />
}

/** Parse → act → redirect (to the tab unless `url` says where); a refusal shows the tab with its message, or its dialog again when `echo` is given. */
async function submit<T>(deps: Deps, ctx: FormCtx, run: () => Promise<T>, flash: (value: T) => string, opts: { url?: (value: T) => string; echo?: (result: Refusal) => DnsEcho } = {}) {
  const result = await formAction(run)
  if (result.ok) return redirectTo(ctx, opts.url?.(result.value) ?? dnsTabHref(ctx.params.poolId), flash(result.value) || undefined)
  return showTab(deps, ctx, ctx.params.poolId, { message: Object.values(result.errors).join(' '), status: result.status, echo: opts.echo?.(result) })
}

const accountOf = (deps: Deps, poolId: string, id: string) => getPoolProtected(deps.db, poolId, id)

const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`

function syncFlash(results: service.SyncResult[]): string {
  if (!results.length) return 'No protected account is marked Managed: nothing to sync.'
  return results
    .map((r) =>
      r.ok
        ? `${r.user}: ${r.before.length ? `${plural(r.before.length, 'set')} differed, ${r.written.length} written and read back` : 'in sync with WHM, nothing written'}${r.cut ? ' (cut kept at the standby)' : ''}`
        : `${r.user}: not synced: ${r.error}`,
    )
    .join(' · ')
}

type AccountCtx = FormCtx & { params: { poolId: string; protectedAccountId: string } }

export function managedDnsPages(deps: Deps) {
  const base = '/pools/:poolId/dns'
  const back = (ctx: PageCtx & { params: { poolId: string } }) => redirectTo(ctx, dnsTabHref(ctx.params.poolId))
  return (
    new Elysia()
      .use(accessPlugin(deps))
      .get(base, (ctx) => showTab(deps, ctx, ctx.params.poolId), { access: 'user' })
      .get(`${base}/protected`, (ctx) => protectedFragment(deps, ctx), { access: 'user' })
      // Refresh DNS: compares WHM with each Managed account's provider (kept as drift), then reads again.
      .post(
        `${base}/protected/refresh`,
        async (ctx) => {
          await service.refreshDrift(deps, ctx.params.poolId)
          return protectedFragment(deps, ctx)
        },
        { access: 'user', body: formBody },
      )
      .post(
        `${base}/protected/sync`,
        (ctx) => submit(deps, ctx, () => service.syncPool(deps, actorOf(ctx), ctx.params.poolId), syncFlash),
        { access: 'user', body: formBody },
      )
      .post(
        `${base}/protected/records`,
        (ctx) => {
          const b = ctx.body
          const typed = { protectedAccountId: one(b.protectedAccountId), name: one(b.name), type: one(b.type), values: one(b.values), ttl: one(b.ttl), proxied: one(b.proxied) === 'on' ? 'on' : '' }
          const type = typed.type.trim().toUpperCase()
          const raw = typed.values.trim()
          // TXT text may hold commas; other types take several values separated by them.
          const values = type === 'TXT' ? [raw] : raw.split(/[,\n]/).map((v) => v.trim())
          const ttl = typed.ttl.trim() === '' ? Number.NaN : Number(typed.ttl)
          return submit(
            deps,
            ctx,
            () => service.addRecord(deps, actorOf(ctx), ctx.params.poolId, { protectedAccountId: typed.protectedAccountId, name: typed.name, type, values: values.filter(Boolean), ttl, proxied: typed.proxied === 'on' }),
            (r) => `Added ${r.name} ${r.type} ${r.values.join(', ')} at ${r.provider.name}${r.verified ? ', read back' : ', but it did not read back as written'}.`,
            { echo: (result) => echoOf('add', '', typed, result, Object.keys(typed)) },
          )
        },
        { access: 'user', body: formBody },
      )
      // Import from Cloudflare: the account in the query, so the tab's address stays the one to come back to.
      .get(
        `${base}/protected/import`,
        async (ctx) => {
          const id = ctx.query.account
          if (!id) return back(ctx)
          await accountOf(deps, ctx.params.poolId, id)
          const r = await service.importFromCloudflare(deps, id)
          fragment(ctx)
          return <ImportCard data={{ user: r.account.user, provider: r.provider.name, sets: r.sets, notes: r.notes, error: r.error }} />
        },
        { access: 'user', query: t.Object({ account: t.Optional(t.String({ maxLength: 64 })) }) },
      )
      .post(
        `${base}/protected/accounts/:protectedAccountId/:action`,
        async (ctx) => {
          const c = ctx as unknown as AccountCtx & { params: { action: string } }
          const { poolId, protectedAccountId: id, action } = c.params
          const actor = actorOf(c)
          await accountOf(deps, poolId, id)
          const b = c.body
          switch (action) {
            case 'sync':
              return submit(deps, c, async () => [await service.syncAccount(deps, actor, id)], syncFlash)
            case 'settings':
              return submit(
                deps,
                c,
                () => updateProtected(deps.db, actor, id, { records: many(b.records), managed: one(b.managed) === 'on' }),
                (pa) => `${pa.user}: ${pa.records.join(', ')} cut over; ${pa.managed ? 'Managed (WHM copied to Cloudflare)' : 'not Managed'}.`,
              )
            case 'proxied':
              return submit(
                deps,
                c,
                () => service.setProxied(deps, actor, poolId, id, { name: one(b.name), type: one(b.type), proxied: one(b.proxied) === 'on' }),
                (r) => `${r.name} ${r.type} is ${r.proxied ? 'proxied' : 'DNS only'} at Cloudflare${r.changed ? '' : ' (it was already)'}.`,
              )
            // The three-dot menu's Cut DNS: a wrong name reopens the menu here; the cut's result is the Protection tab's.
            case 'cut': {
              const typed = { confirm: one(b.confirm) }
              return submit(
                deps,
                c,
                async () => cutTypedName(deps, actor, await accountOf(deps, poolId, id), typed.confirm),
                () => '',
                { url: (cut) => `${protectionHref(poolId)}?cut=${cut.eventId}`, echo: (result) => echoOf('cut', id, typed, result, ['confirm']) },
              )
            }
            default:
              throw notFound('Action')
          }
        },
        { access: 'user', body: formBody },
      )
      // A refused form left on screen can be reloaded: back to the tab.
      .get(`${base}/protected/sync`, back, { access: 'user' })
      .get(`${base}/protected/records`, back, { access: 'user' })
      .get(`${base}/protected/refresh`, back, { access: 'user' })
  )
}
