// Managed DNS for protected accounts: what each account's provider holds for
// its names (and which member each record names), WHM as the source of truth
// copied to the linked Cloudflare for accounts marked Managed, a record added
// by hand, and Cloudflare's proxy switched per record. A cut wins over a sync:
// while an account's records name its standby, WHM's values are written with
// the source swapped for the standby, never back to the source.
import type { Deps } from '../server/deps'
import type { Db } from '../db'
import { recordAudit, type Actor } from '../audit/service'
import { adapterFor } from '../dns/service'
import { listProviders, type DnsProviderRow } from '../dns/store'
import { bareName, canonicalValue, isHostname, parseMx, parseSrv, validValue, valueHint } from '../dns/common'
import { CloudflareProvider } from '../dns/cloudflare'
import { whmBaseUrl } from '../dns/whm'
import { DnsProviderError, kindLabel, type DnsProvider, type RecordType, type ZoneRecordSet, type ZoneRecordType } from '../dns/provider'
import { badInput, conflict, HttpError, notFound } from '../http/errors'
import { listMembers } from '../members/store'
import type { Member } from '../members/store'
import { getPool } from '../pools/service'
import { ipv4Of } from '../failover/records'
import { accountDomains, CPANEL_SRV_NAMES, namesTarget, swapValues, zoneOf } from '../protection/cut'
import { listPoolProtected, findProtected, type ProtectedWithRun } from '../protection/store'
import * as store from './store'
import type { ManagedDnsDiff, StatusRow } from './store'

type Ctx = Pick<Deps, 'db' | 'secrets' | 'config' | 'log'>

export const ZONE_TYPES: ZoneRecordType[] = ['A', 'AAAA', 'MX', 'SRV', 'CNAME', 'TXT']
const CUT_TYPES: RecordType[] = ['A', 'AAAA', 'MX', 'SRV']
const PROXIABLE: ZoneRecordType[] = ['A', 'AAAA', 'CNAME']
/** Cloudflare refuses TTLs under 60 s (30 on Enterprise): WHM's shorter ones are written as 60. */
const CLOUDFLARE_MIN_TTL = 60
export const ADD_TTL_MIN = 30
export const ADD_TTL_MAX = 86400

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

export type ProviderRef = { id: string; name: string; kind: string }

export type AccountDns = {
  account: ProtectedWithRun
  provider: ProviderRef | null
  /** The source's WHM that Sync reads (Managed accounts); null when none is found. */
  whm: ProviderRef | null
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

const ref = (p: DnsProviderRow): ProviderRef => ({ id: p.id, name: p.name, kind: p.kind })
const message = (err: unknown, provider?: DnsProviderRow) =>
  err instanceof DnsProviderError ? err.message : `${provider ? kindLabel(provider.kind) : 'The DNS provider'} could not be read: ${(err as Error)?.message ?? String(err)}`

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

/** What a value of each cut type names on the source and on the standby; absent when not known. */
function swapsOf(source: Member, standby: Member): Partial<Record<RecordType, { from: string; to: string }>> {
  const from4 = ipv4Of(source)
  const to4 = ipv4Of(standby)
  const hosts = { from: source.hostname, to: standby.hostname }
  return {
    ...(from4 && to4 ? { A: { from: from4, to: to4 } } : {}),
    ...(source.publicIpv6 && standby.publicIpv6 ? { AAAA: { from: source.publicIpv6, to: standby.publicIpv6 } } : {}),
    MX: hosts,
    SRV: hosts,
  }
}

export const sameValues = (type: ZoneRecordType, a: string[], b: string[]) => {
  const norm = (v: string[]) => [...new Set(v.map((x) => canonicalValue(type, x).toLowerCase()))].sort().join('|')
  return norm(a) === norm(b)
}

/** One request's reads: each provider's zones and each zone's records, asked once. */
class Reader {
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

type PoolContext = { providers: DnsProviderRow[]; members: Map<string, Member> }

async function poolContext(db: Db, poolId: string): Promise<PoolContext> {
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

/**
 * The WHM that holds a member's zones: the pool's WHM provider whose host is
 * the member's host name or one of its addresses; else, when the pool has a
 * single WHM provider, that one (a cPanel DNS cluster serves every member).
 */
export function whmFor(providers: DnsProviderRow[], member: Member): DnsProviderRow | null {
  const whms = providers.filter((p) => p.kind === 'whm')
  const own = new Set([member.hostname, member.publicIpv4, member.publicIpv6, ...member.egressIps].filter((x): x is string => !!x).map((x) => x.toLowerCase()))
  const match = whms.find((p) => {
    const h = hostPart(String((p.settings as Record<string, unknown>).host ?? ''))
    return h !== null && own.has(h)
  })
  return match ?? (whms.length === 1 ? whms[0]! : null)
}

async function accountDns(reader: Reader, pc: PoolContext, account: ProtectedWithRun, status: StatusRow | null): Promise<AccountDns> {
  const source = pc.members.get(account.sourceMemberId)
  const standby = pc.members.get(account.standbyMemberId)
  const provider = pc.providers.find((p) => p.id === account.providerId) ?? null
  const whm = source ? whmFor(pc.providers, source) : null
  const domains = accountDomains(account.user, source, standby)
  const base = { account, provider: provider ? ref(provider) : null, whm: whm ? ref(whm) : null, domains, status }
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

// ---- WHM → Cloudflare -------------------------------------------------------------

export type Written = ManagedDnsDiff & { zone: string; verified: boolean }

export type SyncResult = {
  protectedAccountId: string
  user: string
  ok: boolean
  /** The account's records named its standby: cut types were written with the standby's values. */
  cut: boolean
  /** What differed before anything was written. */
  before: ManagedDnsDiff[]
  written: Written[]
  /** Sets only the provider has (left as they are), names without a zone, and similar. */
  notes: string[]
  error?: string
}

type Plan = { zone: string; diff: ManagedDnsDiff; set: ZoneRecordSet }

/** The account, its Cloudflare and its source's WHM, or a refusal that says what to set up. */
async function syncSetup(ctx: Ctx, id: string) {
  const account = await findProtected(ctx.db, id)
  if (!account) throw notFound('Protected account')
  const pc = await poolContext(ctx.db, account.poolId)
  const provider = pc.providers.find((p) => p.id === account.providerId)
  if (!provider) throw new HttpError(422, 'no_provider', `${account.user} has no DNS provider: choose its Cloudflare provider on the Protection tab first.`, 'providerId')
  if (provider.kind !== 'cloudflare') {
    throw new HttpError(422, 'not_cloudflare', `Sync copies WHM to Cloudflare, and ${account.user}'s provider ${provider.name} is ${kindLabel(provider.kind)}.`, 'providerId')
  }
  const source = pc.members.get(account.sourceMemberId)
  const standby = pc.members.get(account.standbyMemberId)
  if (!source || !standby) throw notFound('Member')
  const whm = whmFor(pc.providers, source)
  if (!whm) {
    throw new HttpError(422, 'no_whm', `No WHM DNS provider of this pool serves ${source.name}: add one whose host is ${source.hostname} (or a single DNS cluster provider) under API providers.`)
  }
  const domains = accountDomains(account.user, source, standby)
  if (!domains.length) throw new HttpError(422, 'no_domains', `No domains are known for ${account.user}: neither ${source.name} nor ${standby.name} has reported the account.`)
  return { account, provider, whm, source, standby, domains }
}

type Setup = Awaited<ReturnType<typeof syncSetup>>

/** Compares WHM with Cloudflare for the account's domains and says what each differing set should become. */
async function planSync(reader: Reader, s: Setup, notes: string[]): Promise<{ plans: Plan[]; cut: boolean }> {
  const [whmZones, cfZones] = await Promise.all([reader.zonesOf(s.whm), reader.zonesOf(s.provider)])
  const swaps = swapsOf(s.source, s.standby)
  const cutTypes = CUT_TYPES.filter((t) => s.account.records.includes(t))
  const pairs: { zone: string; whm: ZoneRecordSet; cf: ZoneRecordSet | undefined }[] = []
  const seen = new Set<string>()
  for (const domain of s.domains) {
    const wz = zoneOf(domain, whmZones)
    const cz = zoneOf(domain, cfZones)
    if (!wz) {
      notes.push(`${domain}: WHM ${s.whm.name} has no zone for it`)
      continue
    }
    if (!cz) {
      notes.push(`${domain}: Cloudflare ${s.provider.name} has no zone for it`)
      continue
    }
    const [whmSets, cfSets] = await Promise.all([reader.setsUnder(s.whm, wz, domain), reader.setsUnder(s.provider, cz, domain)])
    for (const w of whmSets) {
      const key = `${w.name} ${w.type}`
      if (seen.has(key)) continue
      seen.add(key)
      if (zoneOf(w.name, [cz]) === null) continue
      pairs.push({ zone: cz, whm: w, cf: cfSets.find((c) => c.name === w.name && c.type === w.type) })
    }
    for (const c of cfSets) {
      const key = `${c.name} ${c.type}`
      if (!whmSets.some((w) => w.name === c.name && w.type === c.type) && !seen.has(key)) {
        seen.add(key)
        notes.push(`${c.name} ${c.type}: only at Cloudflare (${c.values.join(', ')}), left as it is`)
      }
    }
  }
  // The account is cut when a record of a type its cut moves names the standby at Cloudflare where WHM names the source.
  const cut = pairs.some(({ whm, cf }) => {
    const swap = swaps[whm.type as RecordType]
    return cutTypes.includes(whm.type as RecordType) && swap && cf && swapValues(whm.type as RecordType, whm.values, swap) !== null && namesTarget(whm.type as RecordType, cf.values, swap.to)
  })
  const plans: Plan[] = []
  for (const { zone, whm, cf } of pairs) {
    const swap = swaps[whm.type as RecordType]
    const values = cut && swap && cutTypes.includes(whm.type as RecordType) ? (swapValues(whm.type as RecordType, whm.values, swap) ?? whm.values) : whm.values
    const ttl = Math.max(CLOUDFLARE_MIN_TTL, whm.ttl)
    // Proxied records and those on automatic TTL (1) keep the TTL Cloudflare chose.
    const sameTtl = !cf || cf.proxied || cf.ttl === 1 || cf.ttl === ttl
    if (cf && sameValues(whm.type, cf.values, values) && sameTtl) continue
    plans.push({
      zone,
      diff: { name: whm.name, type: whm.type, want: values, have: cf?.values ?? null, wantTtl: ttl, haveTtl: cf?.ttl ?? null },
      set: { name: whm.name, type: whm.type, ttl, values, ...(cf?.proxied !== undefined ? { proxied: cf.proxied } : {}) },
    })
  }
  return { plans, cut }
}

async function audit(ctx: Ctx, actor: Actor, account: ProtectedWithRun, action: string, detail: Record<string, unknown>) {
  await recordAudit(ctx.db, actor, { action, targetType: 'protected_account', targetId: account.id, targetLabel: account.user, poolId: account.poolId, detail })
}

/**
 * Sync WHM → Cloudflare for one Managed account: the sets that differ are
 * written and read back. Refusals (not Managed, no provider, no WHM) throw;
 * a provider's failure is returned as ok: false and kept as the account's status.
 */
export async function syncAccount(ctx: Ctx, actor: Actor, id: string, reader = new Reader(ctx)): Promise<SyncResult> {
  const pre = await findProtected(ctx.db, id)
  if (!pre) throw notFound('Protected account')
  if (!pre.managed) throw conflict(`${pre.user} is not marked Managed: mark it Managed to copy its WHM zone to Cloudflare.`, 'managed')
  const s = await syncSetup(ctx, id)
  const notes: string[] = []
  const base = { protectedAccountId: s.account.id, user: s.account.user }
  let before: ManagedDnsDiff[] = []
  const written: Written[] = []
  let cut = false
  const now = new Date()
  try {
    const planned = await planSync(reader, s, notes)
    cut = planned.cut
    before = planned.plans.map((p) => p.diff)
    const cf = reader.adapter(s.provider)
    for (const p of planned.plans) await cf.writeRecords(p.zone, p.set as never)
    const zones = new Set(planned.plans.map((p) => p.zone))
    for (const z of zones) reader.forget(s.provider, z)
    for (const p of planned.plans) {
      const back = (await reader.setsAt(s.provider, p.zone, [p.set.name])).find((x) => x.type === p.set.type)
      const verified = !!back && sameValues(p.set.type, back.values, p.set.values)
      // have: what was there before; want: what reads back now.
      written.push({ ...p.diff, zone: p.zone, want: back?.values ?? null, verified })
    }
    const left = written.filter((w) => !w.verified)
    await store.saveStatus(ctx.db, {
      protectedAccountId: s.account.id,
      poolId: s.account.poolId,
      checkedAt: now,
      drift: left.length,
      diffs: left.map(({ zone: _z, verified: _v, ...d }) => d),
      error: left.length ? `${left.length} set${left.length === 1 ? '' : 's'} did not read back as written` : null,
      sync: { at: now, written: written.map(({ zone: _z, verified: _v, ...d }) => d) },
    })
    await audit(ctx, actor, s.account, 'managed_dns.sync', { ok: left.length === 0, cut, drift: before.length, written: written.length, unverified: left.length })
    ctx.log.info('managed-dns.sync', `${s.account.user} (${s.account.id}): ${before.length} differed, ${written.length} written${cut ? ' (cut kept)' : ''}`)
    if (left.length) {
      const w = left[0]!
      return { ...base, ok: false, cut, before, written, notes, error: `Cloudflare did not return ${w.name} ${w.type} as written (it answered ${w.want?.join(', ') || 'nothing'})` }
    }
    return { ...base, ok: true, cut, before, written, notes }
  } catch (err) {
    const error = message(err)
    await store.saveStatus(ctx.db, { protectedAccountId: s.account.id, poolId: s.account.poolId, checkedAt: now, drift: before.length, diffs: before, error })
    await audit(ctx, actor, s.account, 'managed_dns.sync', { ok: false, cut, drift: before.length, written: written.length, error })
    ctx.log.warn('managed-dns.sync', `${s.account.user} (${s.account.id}): ${error}`)
    return { ...base, ok: false, cut, before, written, notes, error }
  }
}

/** "Sync WHM → CF" for every Managed account of the pool; one account's refusal or failure does not stop the others. */
export async function syncPool(ctx: Ctx, actor: Actor, poolId: string): Promise<SyncResult[]> {
  await getPool(ctx.db, poolId)
  const accounts = (await listPoolProtected(ctx.db, poolId)).filter((a) => a.managed)
  const reader = new Reader(ctx)
  const out: SyncResult[] = []
  for (const a of accounts) {
    try {
      out.push(await syncAccount(ctx, actor, a.id, reader))
    } catch (err) {
      if (!(err instanceof HttpError)) throw err
      out.push({ protectedAccountId: a.id, user: a.user, ok: false, cut: false, before: [], written: [], notes: [], error: err.message })
    }
  }
  return out
}

/** "Refresh DNS": compares WHM with Cloudflare for every Managed account and keeps the drift found; writes nothing. */
export async function refreshDrift(ctx: Ctx, poolId: string): Promise<void> {
  await getPool(ctx.db, poolId)
  const accounts = (await listPoolProtected(ctx.db, poolId)).filter((a) => a.managed)
  const reader = new Reader(ctx)
  const now = new Date()
  for (const a of accounts) {
    let diffs: ManagedDnsDiff[] = []
    let error: string | null = null
    try {
      const s = await syncSetup(ctx, a.id)
      diffs = (await planSync(reader, s, [])).plans.map((p) => p.diff)
    } catch (err) {
      error = err instanceof HttpError ? err.message : message(err)
    }
    await store.saveStatus(ctx.db, { protectedAccountId: a.id, poolId, checkedAt: now, drift: diffs.length, diffs, error })
  }
}

// ---- Import from Cloudflare ----------------------------------------------------------

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

// ---- Add record, proxied ------------------------------------------------------------

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

