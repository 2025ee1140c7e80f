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
import type { FailoverConfig } from './store'

const asInput = (c: FailoverConfig, hostnames: string[], zone: string | null) => ({ ...c, hostnames, zone, probe: c.probe })

export async function addFailoverRecord(deps: Deps, actor: Actor, poolId: string, rawName: unknown) {
  const config = await getFailoverConfig(deps.db, poolId)
  const name = typeof rawName === 'string' ? rawName.trim().toLowerCase().replace(/\.$/, '') : ''
  if (!name) throw badInput('Enter the hostname of the record', 'recordName')
  if (config.hostnames.includes(name)) throw conflict(`${name} is already a failover record`, 'recordName')
  // Without a zone yet, the record's parent domain is the natural one.
  const zone = config.zone ?? name.split('.').slice(1).join('.')
  await saveFailoverConfig(deps.db, actor, poolId, asInput(config, [...config.hostnames, name], zone || null))
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
  const addresses = new Set((await listMembers(deps.db, poolId)).map((m) => m.publicIpv4).filter(Boolean))
  const found = new Map<string, string>()
  for (const row of providers.sort((a, b) => Number(b.isGlobal) - Number(a.isGlobal))) {
    const settings = providerSettings(row, deps.secrets)
    if (settings.kind !== 'cloudflare') continue
    const cf = cloudflareProvider(settings.apiToken, deps.config)
    try {
      const zones = config.zone ? [config.zone] : (await cf.listZones()).map((z) => z.name)
      for (const zone of zones) {
        for (const rec of await cf.listARecords(zone)) if (addresses.has(rec.value) && !found.has(rec.name)) found.set(rec.name, zone)
      }
    } catch (err) {
      throw conflict(err instanceof DnsProviderError ? err.message : 'Cloudflare could not be read')
    }
  }
  const fresh = [...found.keys()].filter((n) => !config.hostnames.includes(n))
  if (fresh.length === 0) return 0
  const zone = config.zone ?? found.get(fresh[0]!)!
  const inZone = fresh.filter((n) => found.get(n) === zone)
  await saveFailoverConfig(deps.db, actor, poolId, asInput(config, [...config.hostnames, ...inZone], zone))
  await recordAudit(deps.db, actor, { action: 'failover.import_cloudflare', targetType: 'pool', targetId: poolId, poolId, detail: { imported: inZone } })
  return inZone.length
}
