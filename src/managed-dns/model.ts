// What the Managed DNS pieces share: the record types, one request's reads of
// the providers (each zone listed once), the pool's providers and members, the
// source member's WHM, and how a provider's failure is put in words.
import type { Deps } from '../server/deps'
import type { Db } from '../db'
import { recordAudit, type Actor } from '../audit/service'
import { adapterFor } from '../dns/service'
import { listProviders, type DnsProviderRow } from '../dns/store'
import { canonicalValue } from '../dns/common'
import { whmBaseUrl } from '../dns/whm'
import { DnsProviderError, kindLabel, type DnsProvider, type RecordType, type ZoneRecordSet, type ZoneRecordType } from '../dns/provider'
import { listMembers } from '../members/store'
import type { Member } from '../members/store'
import type { ProtectedWithRun } from '../protection/store'

export type Ctx = Pick<Deps, 'db' | 'secrets' | 'config' | 'log'>

export const ZONE_TYPES: ZoneRecordType[] = ['A', 'AAAA', 'MX', 'SRV', 'CNAME', 'TXT']
export const CUT_TYPES: RecordType[] = ['A', 'AAAA', 'MX', 'SRV']
export const PROXIABLE: ZoneRecordType[] = ['A', 'AAAA', 'CNAME']
/** Cloudflare refuses TTLs under 60 s (30 on Enterprise): WHM's shorter ones are written as 60. */
export const CLOUDFLARE_MIN_TTL = 60
export const ADD_TTL_MIN = 30
export const ADD_TTL_MAX = 86400

export type ProviderRef = { id: string; name: string; kind: string }

export const ref = (p: DnsProviderRow): ProviderRef => ({ id: p.id, name: p.name, kind: p.kind })
export const message = (err: unknown, provider?: DnsProviderRow) =>
  err instanceof DnsProviderError ? err.message : `${provider ? kindLabel(provider.kind) : 'The DNS provider'} could not be read: ${(err as Error)?.message ?? String(err)}`


export const sameValues = (type: ZoneRecordType, a: string[], b: string[]) => {
  const norm = (v: string[]) => [...new Set(v.map((x) => canonicalValue(type, x).toLowerCase()))].sort().join('|')
  return norm(a) === norm(b)
}

/** One request's reads: each provider's zones and each zone's records, asked once. */
export class Reader {
  private zones = new Map<string, Promise<string[]>>()
  private sets = new Map<string, Promise<ZoneRecordSet[]>>()
  private adapters = new Map<string, DnsProvider>()
  constructor(private ctx: Ctx) {}

  adapter(p: DnsProviderRow): DnsProvider {
    let a = this.adapters.get(p.id)
    if (!a) this.adapters.set(p.id, (a = adapterFor(p, this.ctx)))
    return a
  }

  zonesOf(p: DnsProviderRow): Promise<string[]> {
    let z = this.zones.get(p.id)
    if (!z) this.zones.set(p.id, (z = this.adapter(p).listZones().then((list) => list.map((x) => x.name))))
    return z
  }

  /** The sets at these names: one listing of the zone where the adapter has it, else name by name. */
  async setsAt(p: DnsProviderRow, zone: string, names: string[]): Promise<ZoneRecordSet[]> {
    const dns = this.adapter(p)
    const wanted = new Set(names)
    if (dns.listRecords) {
      const key = `${p.id} ${zone}`
      let all = this.sets.get(key)
      if (!all) this.sets.set(key, (all = dns.listRecords(zone)))
      return (await all).filter((s) => wanted.has(s.name))
    }
    const out: ZoneRecordSet[] = []
    for (const name of names) {
      const types: RecordType[] = name.startsWith('_') ? ['SRV'] : ['A', 'AAAA', 'MX']
      for (const type of types) {
        const set = await dns.readRecords(zone, name, type)
        if (set?.values.length) out.push(set)
      }
    }
    return out
  }

  /** Every set of the zone at the domain or under it (for Sync and Import). */
  async setsUnder(p: DnsProviderRow, zone: string, domain: string): Promise<ZoneRecordSet[]> {
    const dns = this.adapter(p)
    if (!dns.listRecords) throw new DnsProviderError(`${kindLabel(p.kind)} cannot list a whole zone here`, false)
    const key = `${p.id} ${zone}`
    let all = this.sets.get(key)
    if (!all) this.sets.set(key, (all = dns.listRecords(zone)))
    return (await all).filter((s) => s.name === domain || s.name.endsWith(`.${domain}`))
  }

  forget(p: DnsProviderRow, zone: string) {
    this.sets.delete(`${p.id} ${zone}`)
  }
}

export type PoolContext = { providers: DnsProviderRow[]; members: Map<string, Member> }

export async function poolContext(db: Db, poolId: string): Promise<PoolContext> {
  const [providers, members] = await Promise.all([listProviders(db, poolId), listMembers(db, poolId)])
  return { providers, members: new Map(members.map((m) => [m.id, m])) }
}

const hostPart = (host: string): string | null => {
  try {
    return new URL(whmBaseUrl(host)).hostname.replace(/^\[|\]$/g, '').toLowerCase()
  } catch {
    return null
  }
}

/** The WHM a member's zones are read from, and why that one, in words for the tab. */
export type WhmChoice = { provider: DnsProviderRow; why: string } | { provider: null; why: string }

/**
 * The WHM that holds a member's zones: the pool's WHM provider whose host is
 * the member's host name or one of its addresses; else, when the pool has a
 * single WHM provider, that one (a cPanel DNS cluster serves every member).
 * With none, `why` says what to add.
 */
export function whmChoice(providers: DnsProviderRow[], member: Member): WhmChoice {
  const whms = providers.filter((p) => p.kind === 'whm')
  const own = new Set([member.hostname, member.publicIpv4, member.publicIpv6, ...member.egressIps].filter((x): x is string => !!x).map((x) => x.toLowerCase()))
  const hosts = whms.map((p) => ({ p, h: hostPart(String((p.settings as Record<string, unknown>).host ?? '')) }))
  const match = hosts.find(({ h }) => h !== null && own.has(h))
  if (match) return { provider: match.p, why: `its host ${match.h} is ${member.name}'s ${match.h === member.hostname.toLowerCase() ? 'host name' : 'address'}` }
  if (whms.length === 1) return { provider: whms[0]!, why: `the pool's only WHM provider, read for every member as a DNS cluster (its host ${hosts[0]!.h ?? '?'} is not ${member.name}'s)` }
  return {
    provider: null,
    why: whms.length
      ? `No WHM provider's host is ${member.name}'s (${member.hostname}): add a WHM provider whose host is ${member.hostname} under API providers.`
      : `No WHM provider serves ${member.name}: add one whose host is ${member.hostname} (or a single cPanel DNS cluster provider) under API providers.`,
  }
}

export const whmFor = (providers: DnsProviderRow[], member: Member): DnsProviderRow | null => whmChoice(providers, member).provider

export async function audit(ctx: Ctx, actor: Actor, account: ProtectedWithRun, action: string, detail: Record<string, unknown>) {
  await recordAudit(ctx.db, actor, { action, targetType: 'protected_account', targetId: account.id, targetLabel: account.user, poolId: account.poolId, detail })
}
