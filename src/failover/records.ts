// The record sets a cut writes: the failover hostnames' A records at the new
// active member's public IPv4, and any extra AAAA/MX/SRV with its values.
import type { RecordSet } from '../dns/provider'
import type { FailoverConfig } from './store'

export function recordSetsFor(config: Pick<FailoverConfig, 'hostnames' | 'ttl' | 'extraRecords'>, member: { id: string; publicIpv4: string | null; egressIps: string[] }): RecordSet[] {
  const address = member.publicIpv4 ?? member.egressIps[0]
  const sets: RecordSet[] = address ? config.hostnames.map((name) => ({ name, type: 'A' as const, ttl: config.ttl, values: [address] })) : []
  for (const extra of config.extraRecords) {
    const value = extra.values[member.id]
    if (value) sets.push({ name: extra.name, type: extra.type, ttl: config.ttl, values: [value] })
  }
  return sets
}

/** Same values, whatever their order or case. */
export function sameValues(a: string[], b: string[]): boolean {
  const norm = (v: string[]) => v.map((x) => x.toLowerCase().replace(/\.$/, '')).sort().join('|')
  return norm(a) === norm(b)
}
