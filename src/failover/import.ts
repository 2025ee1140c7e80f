// "Add record" and "Import from Cloudflare": grow the list of hostnames whose
// A record follows the active member.
import type { Deps } from '../server/deps'
import { recordAudit, type Actor } from '../audit/service'
import { providerSettings } from '../dns/service'
import { listProviders } from '../dns/store'
import { cloudflareProvider } from '../dns'
import { DnsProviderError } from '../dns/provider'
import { badInput, conflict } from '../http/errors'
import { listMembers } from '../members/store'
import { getFailoverConfig, saveFailoverConfig } from './config'
import { saveFailoverSettings } from './learn'
import type { FailoverConfig } from './store'
import type { HostnameRecord } from '../db/schema'
import { findPool } from '../pools/store'

const asInput = (c: FailoverConfig, hostnames: string[], zone: string | null, hostnameRecords = c.hostnameRecords) => ({ ...c, hostnames, zone, probe: c.probe, hostnameRecords })

type Address = { name: string; type: 'A' | 'AAAA'; value: string; proxied: boolean }

/**
 * How a name stands at Cloudflare: proxied or not, with an AAAA beside its A,
 * and the other A addresses of a round-robin set (all but the member's).
 */
function hostnameRecordOf(records: Address[], member: string): HostnameRecord {
  const a = records.filter((r) => r.type === 'A')
  const rec: HostnameRecord = {}
  if (a.some((r) => r.proxied)) rec.proxied = true
  if (records.some((r) => r.type === 'AAAA')) rec.aaaa = true
  const alongside = [...new Set(a.map((r) => r.value).filter((v) => v !== member))]
  if (alongside.length) rec.alongside = alongside
  return rec
}

export async function addFailoverRecord(deps: Deps, actor: Actor, poolId: string, rawName: unknown) {
  const config = await getFailoverConfig(deps.db, poolId)
  const name = typeof rawName === 'string' ? rawName.trim().toLowerCase().replace(/\.$/, '') : ''
  if (!name) throw badInput('Enter the hostname of the record', 'recordName')
  if (config.hostnames.includes(name)) throw conflict(`${name} is already a failover record`, 'recordName')
  // Without a zone yet, the record's parent domain is the natural one.
  const zone = config.zone ?? name.split('.').slice(1).join('.')
  await saveFailoverSettings(deps, actor, poolId, asInput(config, [...config.hostnames, name], zone || null))
  return name
}

/**
 * Adds every A record of the pool's Cloudflare zones that points at one of its
 * members. Only the configured zone is read when there is one.
 */
export async function importFromCloudflare(deps: Deps, actor: Actor, poolId: string) {
  const config = await getFailoverConfig(deps.db, poolId)
  const providers = (await listProviders(deps.db, poolId)).filter((p) => p.kind === 'cloudflare')
  if (providers.length === 0) throw conflict('Add a Cloudflare API provider first')
  const members = await listMembers(deps.db, poolId)
  const addresses = new Set(members.map((m) => m.publicIpv4).filter(Boolean))
  const activeId = (await findPool(deps.db, poolId))?.activeMemberId
  const activeAddress = members.find((m) => m.id === activeId)?.publicIpv4
  const found = new Map<string, string>()
  const records = new Map<string, HostnameRecord>()
  for (const row of providers.sort((a, b) => Number(b.isGlobal) - Number(a.isGlobal))) {
    const settings = providerSettings(row, deps.secrets)
    if (settings.kind !== 'cloudflare') continue
    const cf = cloudflareProvider(settings.apiToken, deps.config)
    try {
      const zones = config.zone ? [config.zone] : (await cf.listZones()).map((z) => z.name)
      for (const zone of zones) {
        const all = await cf.listAddressRecords(zone)
        for (const rec of all) {
          if (rec.type !== 'A' || !addresses.has(rec.value) || found.has(rec.name)) continue
          found.set(rec.name, zone)
          const own = all.filter((r) => r.name === rec.name)
          // The member whose address stays is the active one when it is in the set.
          const member = own.some((r) => r.value === activeAddress) ? activeAddress! : rec.value
          records.set(rec.name, hostnameRecordOf(own, member))
        }
      }
    } catch (err) {
      throw conflict(err instanceof DnsProviderError ? err.message : 'Cloudflare could not be read')
    }
  }
  const fresh = [...found.keys()].filter((n) => !config.hostnames.includes(n))
  if (fresh.length === 0) return 0
  const zone = config.zone ?? found.get(fresh[0]!)!
  const inZone = fresh.filter((n) => found.get(n) === zone)
  const hostnameRecords = { ...config.hostnameRecords, ...Object.fromEntries(inZone.map((n) => [n, records.get(n) ?? {}])) }
  await saveFailoverConfig(deps.db, actor, poolId, asInput(config, [...config.hostnames, ...inZone], zone, hostnameRecords))
  await recordAudit(deps.db, actor, { action: 'failover.import_cloudflare', targetType: 'pool', targetId: poolId, poolId, detail: { imported: inZone } })
  return inZone.length
}
