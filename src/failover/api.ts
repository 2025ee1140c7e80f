// /api/v1/pools/:poolId/dns-providers and /failover (CONTRACT.md).
import { Elysia, t } from 'elysia'
import type { Deps } from '../server/deps'
import { accessPlugin, actorOf } from '../http/access'
import { DateTime, ErrorSchema, NoContent, NullableDateTime, Text } from '../http/api-schemas'
import * as dns from '../dns/service'
import { saveFailoverSettings } from './learn'
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

const HostnameRecords = t.Record(
  Str(253),
  t.Object(
    {
      proxied: t.Optional(t.Boolean({ description: 'Cloudflare: recreated behind the proxy' })),
      aaaa: t.Optional(t.Boolean({ description: 'The name has an AAAA record, which follows the member\'s publicIpv6' })),
      alongside: t.Optional(t.Array(Str(45), { maxItems: 20, description: 'Round robin: the other A addresses kept beside the active member\'s' })),
    },
    { additionalProperties: false },
  ),
  { description: 'By failover hostname' },
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
    cloudflareEnterprise: t.Optional(t.Boolean({ description: 'Cloudflare Enterprise zone: TTL from 30 s instead of 60 s' })),
    hostnameRecords: t.Optional(HostnameRecords),
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

const ProviderJson = t.Object({
  id: t.String(),
  kind: t.Union([t.Literal('powerdns'), t.Literal('cloudflare'), t.Literal('whm')]),
  name: t.String(),
  global: t.Boolean({ description: 'A Cloudflare key for every zone of the pool' }),
  settings: t.Record(t.String(), t.Unknown(), { description: 'Where the provider is reached (apiUrl, serverId, host, username); never the key' }),
  secret: t.String({ description: 'The last four characters of the key' }),
  createdAt: DateTime,
})

const TestResult = t.Union([
  t.Object({ ok: t.Literal(true), zones: t.Array(t.String(), { description: 'The zones the key can see' }) }),
  t.Object({ ok: t.Literal(false), error: t.String({ description: 'Why the provider could not be read' }) }),
])

const FailoverJson = t.Object({
  enabled: t.Boolean(),
  hostname: t.Nullable(t.String({ description: 'The first of hostnames' })),
  hostnames: t.Array(t.String(), { description: 'FQDNs whose A record follows the active member' }),
  zone: t.Nullable(t.String()),
  providerId: t.Nullable(t.String()),
  delaySeconds: t.Integer(),
  ttl: t.Integer(),
  memberOrder: t.Array(t.String(), { description: 'Member ids, first preferred' }),
  autoFailback: t.Boolean(),
  failbackAfterSeconds: t.Integer(),
  probe: Probe,
  extraRecords: t.Array(t.Object({ type: t.String(), name: t.String(), values: t.Record(t.String(), t.String(), { description: 'The value by member id' }) })),
  cloudflareEnterprise: t.Boolean(),
  hostnameRecords: HostnameRecords,
  activeMemberId: t.Nullable(t.String()),
  state: t.UnionEnum(['disabled', 'no_active_member', 'active', 'cutting', 'held_back', 'failover_active']),
  warnings: t.Array(t.String(), { description: 'Settings that work but are probably not meant' }),
})

// Open to more fields: the log's words grow with what a cut can report.
const EventJson = t.Object(
  {
    id: t.String(),
    fromMemberId: t.Nullable(t.String()),
    toMemberId: t.Nullable(t.String()),
    reason: t.String(),
    status: t.Union([t.Literal('pending'), t.Literal('done'), t.Literal('blocked')]),
    detectedAt: DateTime,
    completedAt: NullableDateTime,
    dnsResult: t.Unknown({ description: 'What the DNS write did and read back; null before it ran' }),
    attempts: t.Integer(),
    lastError: t.Nullable(t.String()),
    requestedBy: t.Nullable(t.String()),
    summary: t.String({ description: 'What happened, in the words the pages use' }),
  },
  { additionalProperties: true },
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
    cloudflareEnterprise: config.cloudflareEnterprise,
    hostnameRecords: config.hostnameRecords,
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
      response: { 200: t.Array(ProviderJson), 404: ErrorSchema },
      ...tags('List DNS providers (secrets masked)'),
    })
    .delete(
      '/dns-providers/:providerId',
      async (ctx) => {
        await dns.removeProvider(deps.db, actorOf(ctx), ctx.params.poolId, ctx.params.providerId)
        ctx.set.status = 204
      },
      { access: 'user', response: { 204: NoContent, 404: ErrorSchema }, ...tags('Remove a DNS provider') },
    )
    .post('/dns-providers/:providerId/test', ({ params }) => dns.testConnection(deps, params.poolId, params.providerId), {
      access: 'user',
      response: { 200: TestResult, 404: ErrorSchema },
      ...tags('Test a DNS provider: the zones its key can see'),
    })
    .get('/failover', ({ params }) => configJson(deps, params.poolId), {
      access: 'user',
      response: { 200: FailoverJson, 404: ErrorSchema },
      ...tags('Failover settings and state'),
    })
    .put(
      '/failover',
      async (ctx) => {
        await saveFailoverSettings(deps, actorOf(ctx), ctx.params.poolId, ctx.body)
        return configJson(deps, ctx.params.poolId)
      },
      { access: 'user', body: FailoverBody, response: { 200: FailoverJson, 404: ErrorSchema, 422: ErrorSchema }, ...tags('Set failover', 'delaySeconds 10–120 (default 30), ttl default 60; with a Cloudflare provider ttl is 1 (automatic) or from 60 (30 with cloudflareEnterprise).') },
    )
    .post('/failover/make-active', async (ctx) => (await eventsJson(deps, [await makeActive(deps, actorOf(ctx), ctx.params.poolId, ctx.body.memberId)]))[0], {
      access: 'user',
      body: t.Object({ memberId: Str(64) }, { additionalProperties: false }),
      response: { 200: EventJson, 404: ErrorSchema, 409: ErrorSchema, 422: ErrorSchema, 502: ErrorSchema },
      ...tags('Make a member active now', 'Refused for a member that is not healthy, or while another cut is in flight.'),
    })
    .get('/failover/events', async ({ params }) => eventsJson(deps, await store.listEvents(deps.db, params.poolId, 200)), {
      access: 'user',
      response: { 200: t.Array(EventJson), 404: ErrorSchema },
      ...tags('The failover log, newest first'),
    })
}
