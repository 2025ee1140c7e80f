// /api/v1/pools/:poolId/dns-providers and /failover (CONTRACT.md).
import { Elysia, t } from 'elysia'
import type { Deps } from '../server/deps'
import { accessPlugin, actorOf } from '../http/access'
import { ErrorSchema, Text } from '../http/api-schemas'
import * as dns from '../dns/service'
import { saveFailoverConfig } from './config'
import { eventsJson, failoverStatus, makeActive } from './service'
import * as store from './store'

const tags = (summary: string, description?: string) => ({ detail: { tags: ['Failover'], summary, description } })

const Str = (max = 500) => Text({ maxLength: max })

const ProviderBody = t.Union([
  t.Object({ kind: t.Literal('powerdns'), name: Str(80), apiUrl: Str(), apiKey: Str(), serverId: t.Optional(Str(80)) }, { additionalProperties: false }),
  t.Object({ kind: t.Literal('cloudflare'), name: Str(80), apiToken: Str(), global: t.Optional(t.Boolean()) }, { additionalProperties: false }),
  t.Object({ kind: t.Literal('whm'), name: Str(80), host: Str(253), username: Str(64), apiToken: Str() }, { additionalProperties: false }),
])

const Probe = t.Nullable(
  t.Union([
    t.Object({ kind: t.Literal('tcp'), port: t.Integer({ minimum: 1, maximum: 65535 }) }, { additionalProperties: false }),
    t.Object({ kind: t.Literal('http'), port: t.Integer({ minimum: 1, maximum: 65535 }), path: Str(200) }, { additionalProperties: false }),
  ]),
)

const FailoverBody = t.Object(
  {
    enabled: t.Boolean(),
    hostname: t.Optional(t.Nullable(Str(253))),
    hostnames: t.Optional(t.Array(Str(253), { maxItems: 10 })),
    zone: t.Optional(t.Nullable(Str(253))),
    providerId: t.Optional(t.Nullable(Str(64))),
    delaySeconds: t.Optional(t.Integer()),
    ttl: t.Optional(t.Integer()),
    memberOrder: t.Optional(t.Array(Str(64), { maxItems: 2000 })),
    autoFailback: t.Optional(t.Boolean()),
    failbackAfterSeconds: t.Optional(t.Integer()),
    probe: t.Optional(Probe),
    extraRecords: t.Optional(
      t.Array(
        t.Object(
          { type: t.Union([t.Literal('AAAA'), t.Literal('MX'), t.Literal('SRV')]), name: Str(253), values: t.Record(Text(), Str(300)) },
          { additionalProperties: false },
        ),
        { maxItems: 20 },
      ),
    ),
  },
  { additionalProperties: false },
)

async function configJson(deps: Deps, poolId: string) {
  const { config, activeMemberId, state, warnings } = await failoverStatus(deps, poolId)
  return {
    enabled: config.enabled,
    hostname: config.hostnames[0] ?? null,
    hostnames: config.hostnames,
    zone: config.zone,
    providerId: config.providerId,
    delaySeconds: config.delaySeconds,
    ttl: config.ttl,
    memberOrder: config.memberOrder,
    autoFailback: config.autoFailback,
    failbackAfterSeconds: config.failbackAfterSeconds,
    probe: config.probe,
    extraRecords: config.extraRecords,
    activeMemberId,
    state,
    warnings,
  }
}

export function failoverApi(deps: Deps) {
  return new Elysia({ prefix: '/api/v1/pools/:poolId' })
    .use(accessPlugin(deps))
    .post(
      '/dns-providers',
      async (ctx) => {
        const row = await dns.addProvider(deps, actorOf(ctx), ctx.params.poolId, ctx.body)
        ctx.set.status = 201
        return { id: row.id, kind: row.kind, name: row.name }
      },
      // Before the schema, whose refusal of an unknown field would not say why.
      { access: 'user', transform: ({ body }) => dns.refuseBaseUrl(body), body: ProviderBody, response: { 201: t.Object({ id: t.String(), kind: t.String(), name: t.String() }), 404: ErrorSchema, 422: ErrorSchema }, ...tags('Add a DNS provider', 'The key is stored encrypted and never returned.') },
    )
    .get('/dns-providers', async ({ params }) => (await dns.listProviders(deps.db, params.poolId)).map(dns.providerJson), {
      access: 'user',
      ...tags('List DNS providers (secrets masked)'),
    })
    .delete(
      '/dns-providers/:providerId',
      async (ctx) => {
        await dns.removeProvider(deps.db, actorOf(ctx), ctx.params.poolId, ctx.params.providerId)
        ctx.set.status = 204
        return ''
      },
      { access: 'user', response: { 404: ErrorSchema }, ...tags('Remove a DNS provider') },
    )
    .post('/dns-providers/:providerId/test', ({ params }) => dns.testConnection(deps, params.poolId, params.providerId), {
      access: 'user',
      ...tags('Test a DNS provider: the zones its key can see'),
    })
    .get('/failover', ({ params }) => configJson(deps, params.poolId), { access: 'user', ...tags('Failover settings and state') })
    .put(
      '/failover',
      async (ctx) => {
        await saveFailoverConfig(deps.db, actorOf(ctx), ctx.params.poolId, ctx.body)
        return configJson(deps, ctx.params.poolId)
      },
      { access: 'user', body: FailoverBody, response: { 404: ErrorSchema, 422: ErrorSchema }, ...tags('Set failover', 'delaySeconds 10–120 (default 30), ttl default 60.') },
    )
    .post('/failover/make-active', async (ctx) => (await eventsJson(deps, [await makeActive(deps, actorOf(ctx), ctx.params.poolId, ctx.body.memberId)]))[0], {
      access: 'user',
      body: t.Object({ memberId: Str(64) }, { additionalProperties: false }),
      response: { 404: ErrorSchema, 409: ErrorSchema, 422: ErrorSchema, 502: ErrorSchema },
      ...tags('Make a member active now', 'Refused for a member that is not healthy, or while another cut is in flight.'),
    })
    .get('/failover/events', async ({ params }) => eventsJson(deps, await store.listEvents(deps.db, params.poolId, 200)), {
      access: 'user',
      ...tags('The failover log, newest first'),
    })
}
