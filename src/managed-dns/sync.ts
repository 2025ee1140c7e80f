// Sync WHM → Cloudflare and Refresh DNS: WHM is the source of truth, copied to
// the linked Cloudflare for accounts marked Managed. A cut wins over a sync:
// while an account's records name its standby, WHM's values are written with
// the source swapped for the standby, never back to the source.
import type { Actor } from '../audit/service'
import { kindLabel, type RecordType, type ZoneRecordSet } from '../dns/provider'
import { conflict, HttpError, notFound } from '../http/errors'
import type { Member } from '../members/store'
import { getPool } from '../pools/service'
import { ipv4Of } from '../failover/records'
import { accountDomains, namesTarget, swapValues, zoneOf } from '../protection/cut'
import { listPoolProtected, findProtected } from '../protection/store'
import * as store from './store'
import type { ManagedDnsDiff } from './store'
import { audit, CLOUDFLARE_MIN_TTL, CUT_TYPES, message, poolContext, Reader, sameValues, whmChoice, type Ctx } from './model'

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
  const { provider: whm, why } = whmChoice(pc.providers, source)
  if (!whm) throw new HttpError(422, 'no_whm', why)
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
