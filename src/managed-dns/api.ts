// /api/v1/pools/:poolId/managed-dns (the catalogue, Sync WHM → Cloudflare for
// every Managed account, Add record) and /api/v1/protected-accounts/:id/dns-sync.
// Marking an account Managed and choosing the types its cut moves is a PATCH
// of the protected account (src/protection/api.ts).
import { Elysia, t } from 'elysia'
import type { Deps } from '../server/deps'
import { accessPlugin, actorOf } from '../http/access'
import { DateTime, ErrorSchema, NullableDateTime, Text } from '../http/api-schemas'
import { HttpError } from '../http/errors'
import * as service from './service'

const detail = (summary: string, description?: string) => ({ detail: { tags: ['Managed DNS'], summary, description } })
const errors = { 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 422: ErrorSchema, 502: ErrorSchema }

const RecordType = t.UnionEnum(['A', 'AAAA', 'MX', 'SRV', 'CNAME', 'TXT'] as const)
const Side = t.UnionEnum(['source', 'standby', 'neither'], { description: 'Which member the record names now' })
const Provider = t.Object({ id: t.String(), name: t.String(), kind: t.String() })

const Diff = t.Object({
  name: t.String(),
  type: t.String(),
  want: t.Nullable(t.Array(t.String()), { description: "WHM's values (the standby's where the account is cut); after a sync: what reads back" }),
  have: t.Nullable(t.Array(t.String()), { description: "The provider's values before; null when it had none" }),
  wantTtl: t.Nullable(t.Integer()),
  haveTtl: t.Nullable(t.Integer()),
})

const AccountSchema = t.Object({
  protectedAccountId: t.String(),
  user: t.String(),
  sourceMemberId: t.String(),
  sourceName: t.String(),
  standbyMemberId: t.String(),
  standbyName: t.String(),
  managed: t.Boolean({ description: 'WHM is copied to the provider for this account' }),
  records: t.Array(t.String(), { description: 'The record types a cut moves to the standby' }),
  provider: t.Nullable(Provider),
  whm: t.Nullable(Provider, { description: "The source member's WHM a sync reads" }),
  domains: t.Array(t.String()),
  cut: t.Boolean({ description: "A record of a type the cut moves names the standby: sync keeps it there" }),
  error: t.Nullable(t.String({ description: 'Why the provider could not be read' })),
  fqdns: t.Array(
    t.Object({
      name: t.String(),
      zone: t.Nullable(t.String()),
      records: t.Array(
        t.Object({
          type: RecordType,
          values: t.Array(t.String()),
          ttl: t.Integer(),
          proxied: t.Nullable(t.Boolean({ description: 'Cloudflare only' })),
          cutOver: t.Boolean({ description: "The type is one the account's cut moves" }),
          activeOn: t.Nullable(Side),
        }),
      ),
    }),
  ),
  drift: t.Nullable(
    t.Object({
      checkedAt: DateTime,
      count: t.Integer(),
      diffs: t.Array(Diff),
      error: t.Nullable(t.String()),
      lastSyncAt: NullableDateTime,
      lastWritten: t.Nullable(t.Array(Diff)),
    }),
  ),
})

const CatalogueSchema = t.Object({
  poolId: t.String(),
  accounts: t.Array(AccountSchema),
  zones: t.Array(t.Object({ provider: Provider, zones: t.Nullable(t.Array(t.String())), error: t.Nullable(t.String()) })),
  missing: t.Array(t.Object({ user: t.String(), domain: t.String(), provider: t.String() }), { description: 'Protected domains without a zone at their provider' }),
  withZone: t.Integer(),
  domainCount: t.Integer(),
  drift: t.Integer({ description: 'Sets different at the last sync or refresh, over Managed accounts' }),
  driftCheckedAt: NullableDateTime,
  topology: t.Array(t.Object({ provider: t.String(), source: t.String(), standby: t.String() })),
})

const SyncSchema = t.Object({
  protectedAccountId: t.String(),
  user: t.String(),
  ok: t.Boolean(),
  cut: t.Boolean({ description: 'The account was cut: its cut types were written with the standby values' }),
  before: t.Array(Diff, { description: 'What differed before the sync' }),
  written: t.Array(t.Composite([Diff, t.Object({ zone: t.String(), verified: t.Boolean() })]), { description: 'What was written: have is before, want what reads back' }),
  notes: t.Array(t.String()),
  error: t.Optional(t.String()),
})

export function catalogueJson(c: service.Catalogue) {
  return {
    poolId: c.poolId,
    accounts: c.accounts.map((a) => ({
      protectedAccountId: a.account.id,
      user: a.account.user,
      sourceMemberId: a.account.sourceMemberId,
      sourceName: a.account.sourceName,
      standbyMemberId: a.account.standbyMemberId,
      standbyName: a.account.standbyName,
      managed: a.account.managed,
      records: a.account.records,
      provider: a.provider,
      whm: a.whm,
      domains: a.domains,
      cut: a.cut,
      error: a.error,
      fqdns: a.fqdns.map((f) => ({ name: f.name, zone: f.zone, records: f.records.map(({ name: _n, ...r }) => r) })),
      drift: a.status
        ? {
            checkedAt: a.status.checkedAt.toISOString(),
            count: a.status.drift,
            diffs: a.status.diffs,
            error: a.status.error,
            lastSyncAt: a.status.lastSyncAt?.toISOString() ?? null,
            lastWritten: a.status.lastWritten ?? null,
          }
        : null,
    })),
    zones: c.zones,
    missing: c.missing,
    withZone: c.withZone,
    domainCount: c.domainCount,
    drift: c.drift,
    driftCheckedAt: c.driftCheckedAt?.toISOString() ?? null,
    topology: c.topology,
  }
}

/** One account's sync over the API: a provider's failure is a 502 in its words, with the result beside it. */
function syncAnswer(r: service.SyncResult) {
  if (!r.ok && r.written.length === 0 && r.before.length === 0 && r.error) throw new HttpError(502, 'provider_error', r.error)
  return r
}

export function managedDnsApi(deps: Deps) {
  return new Elysia()
    .use(accessPlugin(deps))
    .get('/api/v1/pools/:poolId/managed-dns', async ({ params }) => catalogueJson(await service.catalogue(deps, params.poolId)), {
      access: 'user',
      response: { 200: CatalogueSchema, ...errors },
      ...detail(
        'The Managed DNS catalogue of the pool',
        "Each protected account's names (its domains, www and cPanel's SRV names) with what its provider holds now: type, values, TTL, proxied (Cloudflare), whether the type cuts over, and which member each record names. Also the zones of each provider, the domains without one, the drift the last sync or refresh found and the provider → primary → standby chains. A provider that cannot be read is said per account, not failed.",
      ),
    })
    .post(
      '/api/v1/pools/:poolId/managed-dns/sync',
      async (ctx) => ({ results: await service.syncPool(deps, actorOf(ctx), ctx.params.poolId) }),
      {
        access: 'user',
        body: t.Optional(t.Object({}, { additionalProperties: false })),
        response: { 200: t.Object({ results: t.Array(SyncSchema) }), ...errors },
        ...detail('Sync WHM → Cloudflare for every Managed account of the pool', "Each account as POST /api/v1/protected-accounts/:id/dns-sync does; an account's refusal or failure is in its result (ok false, error) and does not stop the others."),
      },
    )
    .post(
      '/api/v1/pools/:poolId/managed-dns/records',
      async (ctx) => {
        const created = await service.addRecord(deps, actorOf(ctx), ctx.params.poolId, ctx.body)
        ctx.set.status = 201
        return created
      },
      {
        access: 'user',
        body: t.Object(
          {
            protectedAccountId: Text({ minLength: 1, maxLength: 64, error: 'a protected account id' }),
            name: Text({ minLength: 1, maxLength: 253, error: 'a host name, up to 253 characters' }),
            type: RecordType,
            values: t.Array(Text({ minLength: 1, maxLength: 2048 }), { minItems: 1, maxItems: 20, error: 'one to 20 values' }),
            ttl: t.Integer({ minimum: service.ADD_TTL_MIN, maximum: service.ADD_TTL_MAX, error: `a TTL of ${service.ADD_TTL_MIN} to ${service.ADD_TTL_MAX} seconds` }),
            proxied: t.Optional(t.Boolean({ error: 'true or false' })),
          },
          { additionalProperties: false },
        ),
        response: {
          201: t.Object({
            protectedAccountId: t.String(),
            provider: Provider,
            zone: t.String(),
            name: t.String(),
            type: RecordType,
            values: t.Array(t.String(), { description: 'As read back from the provider' }),
            ttl: t.Integer(),
            proxied: t.Nullable(t.Boolean()),
            verified: t.Boolean({ description: 'The provider returned the values written' }),
          }),
          ...errors,
        },
        ...detail(
          "Add a record set at a protected account's provider",
          "A, AAAA, MX (\"10 mail.example.com\"), SRV (\"10 5 443 host.example.com\"), CNAME or TXT. The name must be inside a zone the provider has; 409 when a set of that name and type is there already (nothing is written); proxied only on Cloudflare for A, AAAA and CNAME. Read back after writing.",
        ),
      },
    )
    .post('/api/v1/protected-accounts/:protectedAccountId/dns-sync', async (ctx) => syncAnswer(await service.syncAccount(deps, actorOf(ctx), ctx.params.protectedAccountId)), {
      access: 'user',
      body: t.Optional(t.Object({}, { additionalProperties: false })),
      response: { 200: SyncSchema, ...errors },
      ...detail(
        "Sync WHM → Cloudflare for one Managed account",
        "Reads the account's domains' zones from its source member's WHM (the pool's WHM provider whose host is that member, or the pool's one WHM provider) and writes the A, AAAA, MX, SRV, CNAME and TXT sets that differ to its Cloudflare provider, proxied kept, each read back. Sets only Cloudflare has are left. While the account is cut, the types its cut moves are written with the standby's values. 409 when the account is not Managed; 422 without a Cloudflare provider, a WHM or known domains; 502 when a provider cannot be read.",
      ),
    })
}
