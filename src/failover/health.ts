// DNS health: what the provider says the failover records are now, against
// what the active member needs; and "Fix" for records that drifted.
import type { Deps } from '../server/deps'
import { recordAudit, type Actor } from '../audit/service'
import { adapterFor, kindLabel } from '../dns/service'
import { findProvider, listProviders } from '../dns/store'
import { DnsProviderError } from '../dns/provider'
import { conflict } from '../http/errors'
import { listMembers } from '../members/store'
import { findPool } from '../pools/store'
import { isEligible, orderMembers } from './decide'
import { getFailoverConfig } from './config'
import { recordSetsFor, sameValues } from './records'

export type RecordHealth = { name: string; type: string; expected: string[]; actual: string[] | null; match: boolean }

export async function dnsHealth(deps: Deps, poolId: string, now = new Date()) {
  const [config, pool, rows] = await Promise.all([getFailoverConfig(deps.db, poolId), findPool(deps.db, poolId), listMembers(deps.db, poolId)])
  const provider = config.providerId ? await findProvider(deps.db, config.providerId) : undefined
  const members = orderMembers(rows, config.memberOrder)
  const active = members.find((m) => m.id === pool?.activeMemberId) ?? null
  const standby =
    members.find((m) => m.id !== active?.id && isEligible({ ...m, galera: null }, now, config.delaySeconds)) ?? null
  const hasCloudflare = (await listProviders(deps.db, poolId)).some((p) => p.kind === 'cloudflare')
  const base = { hasCloudflare, config, provider: provider ?? null, providerLabel: provider ? `${provider.name} (${kindLabel(provider.kind)})` : null, active, standby }
  if (!provider || !config.zone || !active) return { ...base, records: [] as RecordHealth[], error: null as string | null }
  try {
    const dns = adapterFor(provider, deps)
    const records: RecordHealth[] = []
    for (const set of recordSetsFor(config, active)) {
      const actual = await dns.readRecords(config.zone, set.name, set.type)
      records.push({ name: set.name, type: set.type, expected: set.values, actual: actual?.values ?? null, match: !!actual && sameValues(actual.values, set.values) })
    }
    return { ...base, records, error: null }
  } catch (err) {
    return { ...base, records: [] as RecordHealth[], error: err instanceof DnsProviderError ? err.message : `${kindLabel(provider.kind)} could not be read` }
  }
}

export type DnsHealth = Awaited<ReturnType<typeof dnsHealth>>

/** Rewrites drifted records to the active member's values. Not a transition: the active member stays. */
export async function fixDrift(deps: Deps, actor: Actor, poolId: string) {
  const health = await dnsHealth(deps, poolId)
  if (!health.provider || !health.config.zone || !health.active) throw conflict('Nothing to fix: set a DNS provider, zone and active member first')
  const drifted = health.records.filter((r) => !r.match)
  const dns = adapterFor(health.provider, deps)
  try {
    for (const set of recordSetsFor(health.config, health.active)) {
      if (drifted.some((d) => d.name === set.name && d.type === set.type)) await dns.writeRecords(health.config.zone, set)
    }
  } catch (err) {
    throw conflict(err instanceof DnsProviderError ? err.message : 'The DNS provider could not be updated')
  }
  await recordAudit(deps.db, actor, {
    action: 'failover.fix_drift',
    targetType: 'pool',
    targetId: poolId,
    poolId,
    detail: { records: drifted.map((d) => `${d.type} ${d.name}`) },
  })
  return drifted.length
}
