// The per-account DNS cut: the protected account's records that name its
// source member are rewritten to name its standby, through the account's DNS
// provider, then read back; only a cut that reads back as written counts.
// After it, the pool's post-failover hook is queued on the standby. The same
// cut runs for every account of a member the pool's failover moved away from.
import type { Deps } from '../server/deps'
import { recordAudit, systemActor, type Actor } from '../audit/service'
import { adapterFor, kindLabel } from '../dns/service'
import { findProvider } from '../dns/store'
import { canonicalValue, parseMx, parseSrv, formatMx, formatSrv, bareName } from '../dns/common'
import { DnsProviderError, type DnsProvider, type RecordSet, type RecordType } from '../dns/provider'
import { HttpError, notFound } from '../http/errors'
import { FieldErrors } from '../http/field-errors'
import { findMember, type Member } from '../members/store'
import { storedCpanel } from '../members/stacks'
import { queueJob } from '../jobs/service'
import { matches } from '../../agent/jobs/patterns'
import { ipv4Of } from '../failover/records'
import type { FailoverEvent } from '../failover/store'
import * as store from './store'
import * as hookStore from './hook-store'

export const CUT_TYPES: RecordType[] = ['A', 'AAAA', 'MX', 'SRV']

/** The SRV names cPanel makes for each domain (mail and calendar autodiscovery); the provider API reads one name at a time. */
export const CPANEL_SRV_NAMES = ['_autodiscover._tcp', '_caldav._tcp', '_caldavs._tcp', '_carddav._tcp', '_carddavs._tcp']

/** The most domains a hook gets as arguments (the job's parameter limit). */
const HOOK_DOMAINS = 100

export type CutOptions = { reason: 'manual' | 'failover'; failoverEventId?: string }

/** moved: rewritten to the standby now; at_standby: already named the standby, left as it was. */
export type CutRecord = { name: string; type: RecordType; before: string[]; after: string[]; verified: boolean; state: 'moved' | 'at_standby' }

export type CutResult = {
  ok: boolean
  protectedAccountId: string
  user: string
  sourceMemberId: string
  standbyMemberId: string
  provider: string
  domains: string[]
  records: CutRecord[]
  /** What was looked at and left: names without a zone, unknown IPv6, records naming neither member. */
  notes: string[]
  hookJobId: string | null
  /** Why the cut failed, in the provider's words; only when ok is false. */
  error?: string
  eventId: number
}

/** What a value names, on each member, for one record type. */
type Swap = { from: string; to: string }

const sameHost = (a: string, b: string) => bareName(a).toLowerCase() === bareName(b).toLowerCase()

/**
 * The set's values with the source's swapped for the standby's; null when no
 * value names the source. A/AAAA compare addresses, MX and SRV their host.
 */
export function swapValues(type: RecordType, values: string[], swap: Swap): string[] | null {
  let hit = false
  const out = values.map((v) => {
    if (type === 'A' || type === 'AAAA') {
      if (canonicalValue(type, v) !== canonicalValue(type, swap.from)) return canonicalValue(type, v)
      hit = true
      return canonicalValue(type, swap.to)
    }
    if (type === 'MX') {
      const mx = parseMx(v)
      if (!mx || !sameHost(mx.exchange, swap.from)) return v
      hit = true
      return formatMx({ ...mx, exchange: bareName(swap.to) })
    }
    const srv = parseSrv(v)
    if (!srv || !sameHost(srv.target, swap.from)) return v
    hit = true
    return formatSrv({ ...srv, target: bareName(swap.to) })
  })
  return hit ? [...new Set(out)] : null
}

/** Whether any value already names the standby. */
export function namesTarget(type: RecordType, values: string[], to: string): boolean {
  if (type === 'A' || type === 'AAAA') return values.some((v) => canonicalValue(type, v) === canonicalValue(type, to))
  if (type === 'MX') return values.some((v) => sameHost(parseMx(v)?.exchange ?? '', to))
  return values.some((v) => sameHost(parseSrv(v)?.target ?? '', to))
}

export const sameSet = (type: RecordType, a: string[], b: string[]) => {
  const norm = (v: string[]) => [...new Set(v.map((x) => canonicalValue(type, x).toLowerCase()))].sort().join('|')
  return norm(a) === norm(b)
}

/** The zone holding `name`: the longest zone name it ends with. */
export function zoneOf(name: string, zones: string[]): string | null {
  const n = bareName(name).toLowerCase()
  let best: string | null = null
  for (const z of zones) {
    const zone = bareName(z).toLowerCase()
    if ((n === zone || n.endsWith(`.${zone}`)) && (!best || zone.length > best.length)) best = zone
  }
  return best
}

/** The account's main and other domains, as the source's heartbeat reported them (the standby's once the source no longer lists it). */
export function accountDomains(user: string, ...members: (Pick<Member, 'stacks'> | undefined)[]): string[] {
  for (const m of members) {
    const account = m && storedCpanel((m.stacks as { cpanel?: unknown } | null)?.cpanel)?.accounts.find((a) => a.user === user)
    if (!account) continue
    const all = [account.domain, ...account.domains].filter((d): d is string => !!d).map((d) => bareName(d).toLowerCase())
    if (all.length) return [...new Set(all)]
  }
  return []
}

/** The swap of each type between two members, or why the type is skipped. */
function swapsOf(source: Member, standby: Member): Record<RecordType, Swap | string> {
  const from4 = ipv4Of(source)
  const to4 = ipv4Of(standby)
  const v6 = source.publicIpv6 && standby.publicIpv6 ? { from: source.publicIpv6, to: standby.publicIpv6 } : null
  const hosts = { from: source.hostname, to: standby.hostname }
  return {
    A: from4 && to4 ? { from: from4, to: to4 } : `A skipped: the IPv4 address of ${from4 ? standby.name : source.name} is not known`,
    AAAA: v6 ?? `AAAA skipped: the IPv6 address of ${source.publicIpv6 ? standby.name : source.name} is not known`,
    MX: hosts,
    SRV: hosts,
  }
}

/** The names each type is looked for at, for one domain. */
function namesFor(type: RecordType, domain: string): { name: string; optional: boolean }[] {
  if (type === 'SRV') return CPANEL_SRV_NAMES.map((p) => ({ name: `${p}.${domain}`, optional: true }))
  if (type === 'MX') return [{ name: domain, optional: false }]
  return [
    { name: domain, optional: false },
    { name: `www.${domain}`, optional: true },
  ]
}

type Plan = { zone: string; set: RecordSet; before: RecordSet; state: CutRecord['state'] }

/** Reads every chosen record of the account's domains and decides what each becomes. */
async function planCut(dns: DnsProvider, domains: string[], types: RecordType[], swaps: Record<RecordType, Swap | string>, ttl: number, notes: string[]): Promise<Plan[]> {
  const zones = (await dns.listZones()).map((z) => z.name)
  const plans: Plan[] = []
  for (const domain of domains) {
    const zone = zoneOf(domain, zones)
    if (!zone) {
      notes.push(`${domain}: no zone of this provider holds it`)
      continue
    }
    for (const type of types) {
      const swap = swaps[type]
      if (typeof swap === 'string') continue
      for (const { name, optional } of namesFor(type, domain)) {
        const before = await dns.readRecords(zone, name, type)
        if (!before || before.values.length === 0) {
          if (!optional) notes.push(`${name} ${type}: no record`)
          continue
        }
        const after = swapValues(type, before.values, swap)
        if (after) {
          const proxied = before.proxied === undefined ? {} : { proxied: before.proxied }
          plans.push({ zone, before, state: 'moved', set: { name: bareName(name), type, ttl, values: after, ...proxied } })
        } else if (namesTarget(type, before.values, swap.to)) {
          plans.push({ zone, before, state: 'at_standby', set: before })
        } else {
          notes.push(`${name} ${type}: names neither member (${before.values.join(', ')}), left as it is`)
        }
      }
    }
  }
  return plans
}

const noProvider = () => new HttpError(422, 'no_provider', 'This account has no DNS provider: set a DNS provider for it before cutting its DNS.', 'providerId')

/** Cut DNS as a person asks for it, from either tab: only once the account's name is typed. */
export function cutTypedName(deps: Deps, actor: Actor, pa: { id: string; user: string; standbyName: string }, typed: string): Promise<CutResult> {
  if (typed.trim() !== pa.user) throw new FieldErrors({ confirm: `Type ${pa.user} to cut its DNS to ${pa.standbyName}. Nothing was changed.` })
  return cutAccount(deps, actor, pa.id, { reason: 'manual' })
}

/**
 * Cuts one protected account's DNS to its standby. Refusals (no provider, no
 * domains) throw; a provider's failure is returned as ok: false, after a
 * failure row in the replication log.
 */
export async function cutAccount(deps: Deps, actor: Actor, protectedAccountId: string, opts: CutOptions): Promise<CutResult> {
  const { db } = deps
  const account = await store.findProtected(db, protectedAccountId)
  if (!account) throw notFound('Protected account')
  if (!account.providerId) throw noProvider()
  const provider = await findProvider(db, account.providerId)
  if (!provider || provider.poolId !== account.poolId) throw noProvider()
  const [source, standby] = await Promise.all([findMember(db, account.sourceMemberId), findMember(db, account.standbyMemberId)])
  if (!source || !standby) throw notFound('Member')
  const domains = accountDomains(account.user, source, standby)
  if (!domains.length) {
    throw new HttpError(422, 'no_domains', `No domains are known for ${account.user}: neither ${source.name} nor ${standby.name} has reported the account.`)
  }

  const types = CUT_TYPES.filter((t) => account.records.includes(t))
  const swaps = swapsOf(source, standby)
  const notes = types.map((t) => swaps[t]).filter((s): s is string => typeof s === 'string')
  const base = { protectedAccountId: account.id, user: account.user, sourceMemberId: source.id, standbyMemberId: standby.id, provider: provider.name, domains }
  const why = { reason: opts.reason, ...(opts.failoverEventId ? { failoverEventId: opts.failoverEventId } : {}) }
  let records: CutRecord[] = []
  try {
    const dns = adapterFor(provider, deps)
    const plans = await planCut(dns, domains, types, swaps, account.ttl, notes)
    for (const p of plans) if (p.state === 'moved') await dns.writeRecords(p.zone, p.set)
    for (const p of plans) {
      if (p.state === 'at_standby') {
        records.push({ name: p.set.name, type: p.set.type, before: p.before.values, after: p.before.values, verified: true, state: p.state })
        continue
      }
      const back = await dns.readRecords(p.zone, p.set.name, p.set.type)
      const verified = !!back && sameSet(p.set.type, back.values, p.set.values)
      records.push({ name: p.set.name, type: p.set.type, before: p.before.values, after: back?.values ?? [], verified, state: p.state })
    }
    const wrong = records.find((r) => !r.verified)
    if (wrong) {
      throw new DnsProviderError(`${kindLabel(provider.kind)} did not return the new ${wrong.type} record for ${wrong.name} when read back (it answered ${wrong.after.join(', ') || 'nothing'})`, true)
    }
  } catch (err) {
    const error = err instanceof DnsProviderError ? err.message : `DNS update failed: ${(err as Error).message}`
    const event = await store.insertEvent(db, {
      poolId: account.poolId,
      protectedAccountId: account.id,
      kind: 'failure',
      message: `DNS cut of ${account.user} to ${standby.name} failed: ${error}`,
      detail: { action: 'cut', ...why, provider: provider.name, error, records, notes },
      notifyPending: true,
    })
    await recordAudit(db, actor, {
      action: 'protection.cut',
      targetType: 'protected_account',
      targetId: account.id,
      targetLabel: account.user,
      poolId: account.poolId,
      detail: { ...why, ok: false, error },
    })
    deps.log.warn('protection.cut', `${account.user} (${account.id}) to ${standby.id}: ${error}`)
    return { ok: false, ...base, records, notes, hookJobId: null, error, eventId: event.id }
  }

  const hookJobId = await queueHook(deps, actor, account.poolId, standby, account.user, domains, notes)
  const moved = records.filter((r) => r.state === 'moved').length
  const already = records.length - moved
  const event = await store.insertEvent(db, {
    poolId: account.poolId,
    protectedAccountId: account.id,
    kind: 'cut',
    message: `DNS of ${account.user} cut to ${standby.name}: ${moved} record set${moved === 1 ? '' : 's'} moved${already ? `, ${already} already there` : ''}${opts.reason === 'failover' ? ' (failover)' : ''}`,
    detail: { ...why, provider: provider.name, from: source.id, to: standby.id, records, notes, hookJobId },
  })
  await recordAudit(db, actor, {
    action: 'protection.cut',
    targetType: 'protected_account',
    targetId: account.id,
    targetLabel: account.user,
    poolId: account.poolId,
    detail: { ...why, ok: true, to: standby.id, moved, already, hookJobId },
  })
  deps.log.info('protection.cut', `${account.user} (${account.id}) to ${standby.id}: ${moved} moved, ${already} already there`)
  return { ok: true, ...base, records, notes, hookJobId, eventId: event.id }
}

/** Queues the pool's post-failover hook on the standby; a refusal is noted, never fails the cut done already. */
async function queueHook(deps: Deps, actor: Actor, poolId: string, standby: Member, user: string, domains: string[], notes: string[]): Promise<string | null> {
  const command = await hookStore.findHook(deps.db, poolId)
  if (!command) return null
  const args = domains.filter((d) => matches('hostname', d)).slice(0, HOOK_DOMAINS)
  try {
    const job = await queueJob(deps.db, actor, standby.id, 'protection.hook', { command, user, domains: args }, { through: true })
    return job.id
  } catch (err) {
    const why = (err as Error).message
    notes.push(`The post-failover hook was not queued on ${standby.name}: ${why}`)
    deps.log.warn('protection.cut', `hook not queued on ${standby.id}: ${why}`)
    return null
  }
}

const FAILOVER_ACTOR: Actor = { ...systemActor, label: 'failover' }

/**
 * After the pool's failover moved the active member away from a member that
 * went down: every enabled account kept warm from that member is cut to its
 * standby, once per failover event. Never throws: the pool's cut is done and
 * stays done; what failed here is logged and in the replication log.
 */
export async function cutAfterFailover(deps: Deps, event: Pick<FailoverEvent, 'id' | 'poolId' | 'fromMemberId' | 'toMemberId' | 'reason'>): Promise<void> {
  if (event.reason !== 'active_down' || !event.fromMemberId) return
  let accounts: store.ProtectedRow[]
  try {
    accounts = await hookStore.enabledFrom(deps.db, event.fromMemberId)
  } catch (err) {
    deps.log.error('protection.cutAfterFailover', `pool ${event.poolId}: protected accounts of ${event.fromMemberId} not read: ${(err as Error).message}`)
    return
  }
  for (const account of accounts) {
    try {
      if (await hookStore.cutForFailover(deps.db, account.id, event.id)) continue
      await cutAccount(deps, FAILOVER_ACTOR, account.id, { reason: 'failover', failoverEventId: event.id })
    } catch (err) {
      // A refusal (no provider, no domains): the provider's failures were recorded by cutAccount itself.
      const why = (err as Error).message
      deps.log.warn('protection.cutAfterFailover', `${account.user} (${account.id}): ${why}`)
      try {
        await store.insertEvent(deps.db, {
          poolId: account.poolId,
          protectedAccountId: account.id,
          kind: 'failure',
          message: `DNS cut of ${account.user} after the failover of its member was not made: ${why}`,
          detail: { action: 'cut', reason: 'failover', failoverEventId: event.id, error: why },
          notifyPending: true,
        })
      } catch (e) {
        deps.log.error('protection.cutAfterFailover', `${account.id}: failure not recorded: ${(e as Error).message}`)
      }
    }
  }
}
