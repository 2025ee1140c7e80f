// The browser's failover forms: API providers, failover settings, "Make
// active", DNS health and "Fix drift". Each answers with the tab it came from.
import { Elysia, t } from 'elysia'
import type { Deps } from '../server/deps'
import { accessPlugin, actorOf } from '../http/access'
import { formAction, redirectTo, str } from '../http/forms'
import { HttpError } from '../http/errors'
import { render } from '../http/render'
import { poolView, renderPoolView } from '../pools/routes'
import * as dns from '../dns/service'
import { DnsHealthCard } from '../../views/failover/DnsHealthCard'
import { TestResult } from '../../views/failover/ProvidersCard'
import { type FailoverInput } from './config'
import { saveFailoverSettings } from './learn'
import { dnsHealth, fixDrift } from './health'
import { eventWords, makeActive } from './service'
import { addFailoverRecord, importFromCloudflare } from './import'
import type { FailoverSection } from './view'

const formBody = t.Record(t.String(), t.String(), { maxProperties: 200 })
type PageCtx = Parameters<typeof render>[0]

/** The tab a form came from; anything else falls back to Settings. */
function backTab(poolId: string, back: unknown): { tab: 'settings' | 'dns'; url: string } {
  return back === `/pools/${poolId}/dns` ? { tab: 'dns', url: back } : { tab: 'settings', url: `/pools/${poolId}/settings` }
}

async function renderWithForm(deps: Deps, ctx: PageCtx, poolId: string, back: unknown, forms: Partial<FailoverSection>, status: number) {
  const { tab } = backTab(poolId, back)
  const view = await poolView(deps, ctx, poolId, tab)
  return renderPoolView(ctx, { ...view, failover: { ...view.failover, ...forms } }, status)
}

/** The failover form's flat fields as the settings they mean. */
export function failoverInputFromForm(body: Record<string, string>): FailoverInput {
  const order = Object.entries(body)
    .filter(([k]) => k.startsWith('order_'))
    .map(([k, v]) => ({ id: k.slice(6), rank: Number(v) || 0 }))
    .sort((a, b) => a.rank - b.rank)
    .map((o) => o.id)
  const extraRecords = []
  for (let i = 0; body[`x${i}_type`] !== undefined; i++) {
    const name = str(body[`x${i}_name`]).trim()
    if (!name) continue
    const values: Record<string, string> = {}
    for (const [k, v] of Object.entries(body)) if (k.startsWith(`x${i}_v_`) && v.trim()) values[k.slice(`x${i}_v_`.length)] = v
    extraRecords.push({ type: body[`x${i}_type`], name, values })
  }
  const probeKind = str(body.probeKind)
  return {
    enabled: body.enabled === 'on',
    hostnames: str(body.hostnames).split(/[\s,]+/).filter(Boolean),
    zone: str(body.zone),
    providerId: str(body.providerId) || null,
    delaySeconds: body.delaySeconds,
    ttl: body.ttl,
    memberOrder: order,
    autoFailback: body.autoFailback === 'on',
    failbackAfterSeconds: body.failbackAfterSeconds,
    probe: probeKind && probeKind !== 'none' ? { kind: probeKind, port: body.probePort, path: body.probePath } : null,
    extraRecords,
    cloudflareEnterprise: body.cloudflareEnterprise === 'on',
    // Only a form that showed the proxied boxes may clear them.
    ...(body.proxiedShown ? { proxiedHostnames: Object.keys(body).filter((k) => k.startsWith('proxied_') && body[k] === 'on').map((k) => k.slice(8)) } : {}),
  }
}

export function failoverPages(deps: Deps) {
  return new Elysia({ prefix: '/pools/:poolId' })
    .use(accessPlugin(deps))
    .post(
      '/dns-providers',
      async (ctx) => {
        const { poolId } = ctx.params
        const result = await formAction(() => dns.addProvider(deps, actorOf(ctx), poolId, ctx.body))
        if (result.ok) return redirectTo(ctx, backTab(poolId, ctx.body.back).url, `Provider "${result.value.name}" saved.`)
        const { apiKey: _k, apiToken: _t, ...values } = ctx.body
        return renderWithForm(deps, ctx, poolId, ctx.body.back, { providerForm: { values, errors: result.errors } }, result.status)
      },
      { access: 'user', body: formBody },
    )
    .post(
      '/dns-providers/:providerId/test',
      async (ctx) => {
        ctx.set.headers['content-type'] = 'text/html; charset=utf-8'
        return <TestResult result={await dns.testConnection(deps, ctx.params.poolId, ctx.params.providerId)} />
      },
      { access: 'user' },
    )
    .post(
      '/dns-providers/:providerId/remove',
      async (ctx) => {
        const row = await dns.removeProvider(deps.db, actorOf(ctx), ctx.params.poolId, ctx.params.providerId)
        return redirectTo(ctx, backTab(ctx.params.poolId, ctx.body.back).url, `Provider "${row.name}" removed.`)
      },
      { access: 'user', body: formBody },
    )
    .post(
      '/failover',
      async (ctx) => {
        const { poolId } = ctx.params
        const result = await formAction(() => saveFailoverSettings(deps, actorOf(ctx), poolId, failoverInputFromForm(ctx.body)))
        if (result.ok) return redirectTo(ctx, backTab(poolId, ctx.body.back).url, 'Failover settings saved.')
        return renderWithForm(deps, ctx, poolId, ctx.body.back, { failoverForm: { values: ctx.body, errors: result.errors } }, result.status)
      },
      { access: 'user', body: formBody },
    )
    .post(
      '/failover/make-active',
      async (ctx) => {
        const { poolId } = ctx.params
        const back = backTab(poolId, ctx.body.back).url
        const result = await formAction(() =>
          makeActive(deps, actorOf(ctx), poolId, str(ctx.body.memberId)).catch((err) => {
            // The cut is recorded and retried; the page says so (the banner too), not an error page.
            if (err instanceof HttpError && err.code === 'dns_failed') return err
            throw err
          }),
        )
        if (result.ok) {
          const made = result.value
          return redirectTo(ctx, back, made instanceof HttpError ? made.message : (await eventWords(deps, made)).summary)
        }
        return renderWithForm(deps, ctx, poolId, ctx.body.back, { failoverForm: { values: {}, errors: { form: result.message } } }, result.status)
      },
      { access: 'user', body: formBody },
    )
    .get(
      '/dns/health',
      async (ctx) => {
        const { poolId } = ctx.params
        const view = await poolView(deps, ctx, poolId, 'settings')
        const back = view.tabs.some((tab) => tab.key === 'dns') ? `/pools/${poolId}/dns` : `/pools/${poolId}/settings`
        ctx.set.headers['content-type'] = 'text/html; charset=utf-8'
        return <DnsHealthCard poolId={poolId} health={await dnsHealth(deps, poolId)} csrf={view.csrf} back={back} />
      },
      { access: 'user' },
    )
    .post(
      '/dns/records',
      async (ctx) => {
        const { poolId } = ctx.params
        const result = await formAction(() => addFailoverRecord(deps, actorOf(ctx), poolId, ctx.body.recordName))
        if (result.ok) return redirectTo(ctx, backTab(poolId, ctx.body.back).url, `${result.value} added to the failover records.`)
        return renderWithForm(deps, ctx, poolId, ctx.body.back, { failoverForm: { values: {}, errors: { form: result.message } } }, result.status)
      },
      { access: 'user', body: formBody },
    )
    .post(
      '/dns/import-cloudflare',
      async (ctx) => {
        const { poolId } = ctx.params
        const result = await formAction(() => importFromCloudflare(deps, actorOf(ctx), poolId))
        if (result.ok) {
          const n = result.value
          return redirectTo(ctx, backTab(poolId, ctx.body.back).url, n ? `Imported ${n} record${n === 1 ? '' : 's'} from Cloudflare.` : 'Cloudflare has no A records pointing at this pool\'s members that are not already here.')
        }
        return renderWithForm(deps, ctx, poolId, ctx.body.back, { failoverForm: { values: {}, errors: { form: result.message } } }, result.status)
      },
      { access: 'user', body: formBody },
    )
    .post(
      '/dns/fix',
      async (ctx) => {
        const { poolId } = ctx.params
        const result = await formAction(() => fixDrift(deps, actorOf(ctx), poolId))
        if (result.ok) return redirectTo(ctx, backTab(poolId, ctx.body.back).url, `Fixed ${result.value} drifted record${result.value === 1 ? '' : 's'}.`)
        return renderWithForm(deps, ctx, poolId, ctx.body.back, { failoverForm: { values: {}, errors: { form: result.message } } }, result.status)
      },
      { access: 'user', body: formBody },
    )
}
