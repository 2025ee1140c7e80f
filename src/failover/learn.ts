// A hostname typed in the settings or added with "Add record" is read from the
// pool's DNS provider once, as an import would read it: a round-robin set, an
// AAAA beside the A, or a proxied record is then kept by every cut, and the
// settings page says what a cut will do, instead of a cut shrinking the set.
import type { Deps } from '../server/deps'
import { adapterFor } from '../dns/service'
import { findProvider } from '../dns/store'
import type { HostnameRecord } from '../db/schema'
import { listMembers } from '../members/store'
import * as store from './store'
import { saveFailoverConfig, type FailoverInput } from './config'
import type { Actor } from '../audit/service'

/**
 * What a name's A and AAAA sets say about it. The addresses of the pool's
 * members are what a cut replaces; any other address in a set of several is
 * round robin, kept beside the active member's.
 */
export function hostnameRecordFrom(a: { values: string[]; proxied?: boolean } | null, aaaa: unknown, memberAddresses: Set<string>): HostnameRecord {
  const rec: HostnameRecord = {}
  if (a?.proxied) rec.proxied = true
  if (aaaa) rec.aaaa = true
  const values = a?.values ?? []
  const alongside = values.filter((v) => !memberAddresses.has(v))
  if (values.length > 1 && alongside.length) rec.alongside = alongside
  return rec
}

/**
 * Reads the records of `names` from the pool's provider and stores what they
 * say. A provider that cannot be reached changes nothing: the save stands, and
 * the next save or an import tries again.
 */
export async function learnHostnames(deps: Pick<Deps, 'db' | 'secrets' | 'config' | 'log'>, poolId: string, names: string[]): Promise<void> {
  if (names.length === 0) return
  const config = await store.findConfig(deps.db, poolId)
  const row = config?.providerId && config.zone ? await findProvider(deps.db, config.providerId) : undefined
  if (!config?.zone || !row) return
  const provider = adapterFor(row, deps)
  const members = await listMembers(deps.db, poolId)
  const memberAddresses = new Set(members.map((m) => m.publicIpv4 ?? m.egressIps[0]).filter((v): v is string => !!v))
  const learned: Record<string, HostnameRecord> = {}
  for (const name of names) {
    try {
      const [a, aaaa] = await Promise.all([provider.readRecords(config.zone, name, 'A'), provider.readRecords(config.zone, name, 'AAAA')])
      learned[name] = hostnameRecordFrom(a, aaaa, memberAddresses)
    } catch (err) {
      deps.log.warn('failover.learn', `pool ${poolId}: could not read ${name} from the DNS provider: ${(err as Error).message}`)
    }
  }
  if (Object.keys(learned).length) await store.mergeHostnameRecords(deps.db, poolId, learned)
}

/** Saves the failover settings, then reads the hostnames this save added from the provider. */
export async function saveFailoverSettings(deps: Pick<Deps, 'db' | 'secrets' | 'config' | 'log'>, actor: Actor, poolId: string, input: FailoverInput) {
  const before = new Set((await store.findConfig(deps.db, poolId))?.hostnames ?? [])
  const saved = await saveFailoverConfig(deps.db, actor, poolId, input)
  await learnHostnames(deps, poolId, saved.hostnames.filter((name) => !before.has(name)))
  return saved
}
