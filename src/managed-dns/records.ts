// Import from Cloudflare (what Cloudflare holds beside WHM, nothing stored),
// Add record and Cloudflare's proxy switched per record.
import type { Actor } from '../audit/service'
import { adapterFor } from '../dns/service'
import { bareName, isHostname, validValue, valueHint } from '../dns/common'
import { CloudflareProvider } from '../dns/cloudflare'
import { DnsProviderError, type ZoneRecordSet, type ZoneRecordType } from '../dns/provider'
import { badInput, conflict, HttpError, notFound } from '../http/errors'
import { getPool } from '../pools/service'
import { accountDomains, zoneOf } from '../protection/cut'
import { findProtected, type ProtectedWithRun } from '../protection/store'
import { ADD_TTL_MAX, ADD_TTL_MIN, audit, CLOUDFLARE_MIN_TTL, message, poolContext, PROXIABLE, Reader, ref, sameValues, whmFor, ZONE_TYPES, type Ctx, type ProviderRef } from './model'

export type ImportedSet = ZoneRecordSet & { zone: string; /** WHM's values when WHM was read and differs; undefined when equal or not read. */ whm?: string[] | null }

/**
 * "Import from Cloudflare": every set Cloudflare holds at the account's
 * domains, beside WHM's where the source's WHM can be read. Nothing is stored.
 */
export async function importFromCloudflare(ctx: Ctx, id: string): Promise<{ account: ProtectedWithRun; provider: ProviderRef; sets: ImportedSet[]; notes: string[]; error: string | null }> {
  const account = await findProtected(ctx.db, id)
  if (!account) throw notFound('Protected account')
  const pc = await poolContext(ctx.db, account.poolId)
  const provider = pc.providers.find((p) => p.id === account.providerId)
  if (!provider || provider.kind !== 'cloudflare') throw new HttpError(422, 'not_cloudflare', `${account.user} has no Cloudflare provider to import from.`, 'providerId')
  const source = pc.members.get(account.sourceMemberId)
  const domains = accountDomains(account.user, source, pc.members.get(account.standbyMemberId))
  const whm = source ? whmFor(pc.providers, source) : null
  const reader = new Reader(ctx)
  const notes: string[] = []
  const sets: ImportedSet[] = []
  try {
    const zones = await reader.zonesOf(provider)
    const whmZones = whm ? await reader.zonesOf(whm).catch((err) => (notes.push(`WHM ${whm.name} not read: ${message(err, whm)}`), null)) : null
    for (const domain of domains) {
      const zone = zoneOf(domain, zones)
      if (!zone) {
        notes.push(`${domain}: Cloudflare ${provider.name} has no zone for it`)
        continue
      }
      const here = await reader.setsUnder(provider, zone, domain)
      const wz = whm && whmZones ? zoneOf(domain, whmZones) : null
      const theirs = wz ? await reader.setsUnder(whm!, wz, domain).catch(() => null) : null
      for (const set of here) {
        if (sets.some((x) => x.name === set.name && x.type === set.type)) continue
        const w = theirs?.find((x) => x.name === set.name && x.type === set.type)
        sets.push({ ...set, zone, ...(theirs ? { whm: w ? (sameValues(set.type, w.values, set.values) ? undefined : w.values) : null } : {}) })
      }
    }
    sets.sort((a, b) => a.name.localeCompare(b.name) || ZONE_TYPES.indexOf(a.type) - ZONE_TYPES.indexOf(b.type))
    return { account, provider: ref(provider), sets, notes, error: null }
  } catch (err) {
    return { account, provider: ref(provider), sets, notes, error: message(err, provider) }
  }
}

export type AddRecordInput = { protectedAccountId: string; name: string; type: string; values: string[]; ttl: number; proxied?: boolean }

/** A provider's refusal of the request (not a failure to reach it) is the operator's to fix: 422 in its words. */
function providerRefusal(err: unknown): never {
  if (err instanceof DnsProviderError) throw new HttpError(err.retryable ? 502 : 422, err.retryable ? 'provider_error' : 'provider_refused', err.message)
  throw err
}

/**
 * "Add record": one A, AAAA, MX, SRV, CNAME or TXT set written to the
 * account's provider, checked first (name inside one of the provider's
 * zones, values valid for the type, no set there already), then read back.
 */
export async function addRecord(ctx: Ctx, actor: Actor, poolId: string, input: AddRecordInput) {
  await getPool(ctx.db, poolId)
  const account = await findProtected(ctx.db, input.protectedAccountId)
  if (!account || account.poolId !== poolId) throw badInput('A protected account of this pool.', 'protectedAccountId')
  const pc = await poolContext(ctx.db, poolId)
  const provider = pc.providers.find((p) => p.id === account.providerId)
  if (!provider) throw badInput(`${account.user} has no DNS provider: choose one on the Protection tab first.`, 'protectedAccountId')
  const type = String(input.type ?? '').toUpperCase() as ZoneRecordType
  if (!ZONE_TYPES.includes(type)) throw badInput(`A record type: ${ZONE_TYPES.join(', ')}.`, 'type')
  if (provider.kind === 'powerdns' && (type === 'CNAME' || type === 'TXT')) throw badInput('PowerDNS providers take A, AAAA, MX and SRV records here.', 'type')
  const name = bareName(String(input.name ?? ''))
  if (!name || !isHostname(name)) throw badInput('A host name such as shop.example.com.', 'name')
  const values = (input.values ?? []).map((v) => String(v).trim()).filter(Boolean)
  if (!values.length) throw badInput(`At least one value, ${valueHint(type)}.`, 'values')
  const bad = values.find((v) => !validValue(type, v))
  if (bad !== undefined) throw badInput(`"${bad}" is not ${valueHint(type)}.`, 'values')
  if (type === 'CNAME' && values.length > 1) throw badInput('A CNAME has one target.', 'values')
  const minTtl = provider.kind === 'cloudflare' ? CLOUDFLARE_MIN_TTL : ADD_TTL_MIN
  if (!Number.isInteger(input.ttl) || input.ttl < minTtl || input.ttl > ADD_TTL_MAX) throw badInput(`A TTL of ${minTtl} to ${ADD_TTL_MAX} seconds${provider.kind === 'cloudflare' ? ' (Cloudflare takes 60 and up)' : ''}.`, 'ttl')
  if (input.proxied && (provider.kind !== 'cloudflare' || !PROXIABLE.includes(type))) throw badInput('Only Cloudflare proxies, and only A, AAAA and CNAME records.', 'proxied')

  const reader = new Reader(ctx)
  const dns = reader.adapter(provider)
  const zones = await reader.zonesOf(provider).catch(providerRefusal)
  const zone = zoneOf(name, zones)
  if (!zone) throw badInput(`${name} is not inside a zone of ${provider.name} (it has ${zones.length ? zones.join(', ') : 'no zones'}).`, 'name')
  const there = await reader.setsAt(provider, zone, [name]).catch(providerRefusal)
  const existing = there.find((s) => s.type === type)
  if (existing) throw conflict(`${name} already has ${type} ${existing.values.join(', ')} at ${provider.name}; nothing was written.`, 'name')
  const set: ZoneRecordSet = { name, type, ttl: input.ttl, values, ...(provider.kind === 'cloudflare' && PROXIABLE.includes(type) ? { proxied: input.proxied === true } : {}) }
  await dns.writeRecords(zone, set as never).catch(providerRefusal)
  reader.forget(provider, zone)
  const back = (await reader.setsAt(provider, zone, [name]).catch(providerRefusal)).find((s) => s.type === type)
  const verified = !!back && sameValues(type, back.values, values)
  await audit(ctx, actor, account, 'managed_dns.record.add', { provider: provider.name, zone, name, type, values, ttl: input.ttl, proxied: set.proxied ?? null, verified })
  return { protectedAccountId: account.id, provider: ref(provider), zone, name, type, values: back?.values ?? [], ttl: back?.ttl ?? input.ttl, proxied: back?.proxied ?? null, verified }
}

/** Turns Cloudflare's proxy on or off for one of the account's record sets. */
export async function setProxied(ctx: Ctx, actor: Actor, poolId: string, id: string, input: { name: string; type: string; proxied: boolean }) {
  const account = await findProtected(ctx.db, id)
  if (!account || account.poolId !== poolId) throw notFound('Protected account')
  const pc = await poolContext(ctx.db, poolId)
  const provider = pc.providers.find((p) => p.id === account.providerId)
  if (!provider || provider.kind !== 'cloudflare') throw badInput(`${account.user}'s records are not at Cloudflare: only Cloudflare proxies.`, 'proxied')
  const type = String(input.type).toUpperCase() as ZoneRecordType
  if (!PROXIABLE.includes(type)) throw badInput('Only A, AAAA and CNAME records can be proxied.', 'type')
  const name = bareName(input.name)
  const domains = accountDomains(account.user, pc.members.get(account.sourceMemberId), pc.members.get(account.standbyMemberId))
  if (!domains.some((d) => name === d || name.endsWith(`.${d}`))) throw badInput(`${name} is not a name of ${account.user}'s domains.`, 'name')
  const cf = adapterFor(provider, ctx) as CloudflareProvider
  const zone = zoneOf(name, (await cf.listZones().catch(providerRefusal)).map((z) => z.name))
  if (!zone) throw badInput(`${name} is not inside a zone of ${provider.name}.`, 'name')
  const changed = await cf.setProxied(zone, name, type, input.proxied).catch(providerRefusal)
  await audit(ctx, actor, account, 'managed_dns.proxied', { provider: provider.name, name, type, proxied: input.proxied, changed })
  return { name, type, proxied: input.proxied, changed }
}
