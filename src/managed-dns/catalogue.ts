// The Managed DNS catalogue: what each protected account's provider holds for
// its names and which member each record names, the source's WHM that Sync
// reads, the zone summary and the drift last found (DNS Health).
import { bareName, canonicalValue, parseMx, parseSrv } from '../dns/common'
import { kindLabel, type ZoneRecordType } from '../dns/provider'
import type { Member } from '../members/store'
import { getPool } from '../pools/service'
import { ipv4Of } from '../failover/records'
import { accountDomains, CPANEL_SRV_NAMES, zoneOf } from '../protection/cut'
import { listPoolProtected, type ProtectedWithRun } from '../protection/store'
import * as store from './store'
import type { StatusRow } from './store'
import { message, poolContext, PROXIABLE, Reader, ref, whmChoice, ZONE_TYPES, type Ctx, type PoolContext, type ProviderRef } from './model'

export type Side = 'source' | 'standby' | 'neither'

export type RecordRow = {
  name: string
  type: ZoneRecordType
  values: string[]
  ttl: number
  /** Cloudflare's proxy for A, AAAA and CNAME; null where the provider has none. */
  proxied: boolean | null
  /** The type is one the account's cut moves (its `records`). */
  cutOver: boolean
  /** Which member the record names now; null for types that name no member (TXT). */
  activeOn: Side | null
}

export type FqdnRow = { name: string; zone: string | null; records: RecordRow[] }

export type AccountDns = {
  account: ProtectedWithRun
  provider: ProviderRef | null
  /** The source's WHM that Sync reads (Managed accounts); null when none is found. */
  whm: ProviderRef | null
  /** Why that WHM is the one read, or what to add when none is; null when the source member is not known. */
  whmWhy: string | null
  domains: string[]
  fqdns: FqdnRow[]
  /** The account's records name its standby (a cut is in place). */
  cut: boolean
  /** Why the provider could not be read, in its words; null when it was. */
  error: string | null
  status: StatusRow | null
}

export type ZoneSummary = { provider: ProviderRef; zones: string[] | null; error: string | null }

export type Catalogue = {
  poolId: string
  accounts: AccountDns[]
  zones: ZoneSummary[]
  /** Protected domains without a zone at their account's provider. */
  missing: { user: string; domain: string; provider: string }[]
  withZone: number
  domainCount: number
  /** Sets found different at the last sync or refresh, over Managed accounts. */
  drift: number
  driftCheckedAt: Date | null
  /** Provider → primary → standby, once per distinct chain. */
  topology: { provider: string; source: string; standby: string }[]
}

/** The names shown for a domain: itself, www, and the SRV names cPanel makes. */
export function fqdnsOf(domain: string): string[] {
  return [domain, `www.${domain}`, ...CPANEL_SRV_NAMES.map((p) => `${p}.${domain}`)]
}

const hostOf = (type: ZoneRecordType, v: string): string | null =>
  type === 'MX' ? (parseMx(v)?.exchange ?? null) : type === 'SRV' ? (parseSrv(v)?.target ?? null) : type === 'CNAME' ? bareName(v) : null

/** Which of the two members the values name. */
export function sideOf(type: ZoneRecordType, values: string[], source: Member, standby: Member): Side | null {
  if (type === 'TXT') return null
  const names = (m: Member): boolean => {
    if (type === 'A') {
      const ip = ipv4Of(m)
      return !!ip && values.some((v) => v.trim() === ip)
    }
    if (type === 'AAAA') return !!m.publicIpv6 && values.some((v) => canonicalValue('AAAA', v) === canonicalValue('AAAA', m.publicIpv6!))
    return values.some((v) => hostOf(type, v) === bareName(m.hostname))
  }
  if (names(standby)) return 'standby'
  if (names(source)) return 'source'
  return 'neither'
}

async function accountDns(reader: Reader, pc: PoolContext, account: ProtectedWithRun, status: StatusRow | null): Promise<AccountDns> {
  const source = pc.members.get(account.sourceMemberId)
  const standby = pc.members.get(account.standbyMemberId)
  const provider = pc.providers.find((p) => p.id === account.providerId) ?? null
  const choice = source ? whmChoice(pc.providers, source) : null
  const whm = choice?.provider ?? null
  const domains = accountDomains(account.user, source, standby)
  const base = { account, provider: provider ? ref(provider) : null, whm: whm ? ref(whm) : null, whmWhy: choice?.why ?? null, domains, status }
  if (!provider || !source || !standby) return { ...base, fqdns: domains.map((d) => ({ name: d, zone: null, records: [] })), cut: false, error: null }
  try {
    const zones = await reader.zonesOf(provider)
    const fqdns: FqdnRow[] = []
    for (const domain of domains) {
      const zone = zoneOf(domain, zones)
      const names = fqdnsOf(domain)
      const sets = zone ? await reader.setsAt(provider, zone, names) : []
      for (const name of names) {
        const here = sets.filter((s) => s.name === name)
        // www and the SRV names show only when they exist; the domain always does.
        if (!here.length && name !== domain) continue
        fqdns.push({
          name,
          zone,
          records: here
            .sort((a, b) => ZONE_TYPES.indexOf(a.type) - ZONE_TYPES.indexOf(b.type))
            .map((s) => ({
              name,
              type: s.type,
              values: s.values,
              ttl: s.ttl,
              proxied: provider.kind === 'cloudflare' && PROXIABLE.includes(s.type) ? s.proxied === true : null,
              cutOver: account.records.includes(s.type),
              activeOn: sideOf(s.type, s.values, source, standby),
            })),
        })
      }
    }
    const cut = fqdns.some((f) => f.records.some((r) => r.cutOver && r.activeOn === 'standby'))
    return { ...base, fqdns, cut, error: null }
  } catch (err) {
    return { ...base, fqdns: domains.map((d) => ({ name: d, zone: null, records: [] })), cut: false, error: message(err, provider) }
  }
}

/** The pool's protected accounts with what their providers hold now, the zone summary and the drift last found. */
export async function catalogue(ctx: Ctx, poolId: string): Promise<Catalogue> {
  await getPool(ctx.db, poolId)
  const [accounts, pc, statuses] = await Promise.all([listPoolProtected(ctx.db, poolId), poolContext(ctx.db, poolId), store.statusesOf(ctx.db, poolId)])
  const reader = new Reader(ctx)
  const byAccount = new Map(statuses.map((s) => [s.protectedAccountId, s]))
  const rows = await Promise.all(accounts.map((a) => accountDns(reader, pc, a, byAccount.get(a.id) ?? null)))
  const zones = await Promise.all(
    pc.providers.map(async (p): Promise<ZoneSummary> => {
      try {
        return { provider: ref(p), zones: await reader.zonesOf(p), error: null }
      } catch (err) {
        return { provider: ref(p), zones: null, error: message(err, p) }
      }
    }),
  )
  const missing: Catalogue['missing'] = []
  let withZone = 0
  let domainCount = 0
  for (const r of rows) {
    const z = zones.find((x) => x.provider.id === r.provider?.id)
    for (const domain of r.domains) {
      domainCount++
      if (z?.zones && zoneOf(domain, z.zones)) withZone++
      else missing.push({ user: r.account.user, domain, provider: r.provider?.name ?? 'no provider' })
    }
  }
  const managed = rows.filter((r) => r.account.managed && r.status)
  const chains = new Map<string, Catalogue['topology'][number]>()
  for (const r of rows) {
    const chain = { provider: r.provider ? `${r.provider.name} (${kindLabel(r.provider.kind)})` : 'no DNS provider', source: r.account.sourceName, standby: r.account.standbyName }
    chains.set(JSON.stringify(chain), chain)
  }
  const checked = managed.map((r) => r.status!.checkedAt.getTime())
  return {
    poolId,
    accounts: rows,
    zones,
    missing,
    withZone,
    domainCount,
    drift: managed.reduce((n, r) => n + r.status!.drift, 0),
    driftCheckedAt: checked.length ? new Date(Math.max(...checked)) : null,
    topology: [...chains.values()],
  }
}
