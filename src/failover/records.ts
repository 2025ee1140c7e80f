// The record sets a cut writes: each failover hostname's A record at the new
// active member's public IPv4 (with its AAAA at the member's IPv6 when the
// name has one, its proxied flag, and the rest of a round-robin set), and any
// extra AAAA/MX/SRV with its values.
import type { RecordSet } from '../dns/provider'
import type { FailoverConfig } from './store'

type Member = { id: string; publicIpv4: string | null; publicIpv6?: string | null; egressIps: string[] }
type Config = Pick<FailoverConfig, 'hostnames' | 'ttl' | 'extraRecords'> & Partial<Pick<FailoverConfig, 'hostnameRecords'>>

export const ipv4Of = (member: Member) => member.publicIpv4 ?? member.egressIps[0] ?? null

/**
 * The A values of a hostname: the target's address first, then the round-robin
 * addresses the operator keeps beside it, without the member cut away from.
 */
function aValues(address: string, alongside: string[] | undefined, from: Member | undefined): string[] {
  const gone = from ? ipv4Of(from) : null
  return [...new Set([address, ...(alongside ?? []).filter((a) => a !== gone)])]
}

export function recordSetsFor(config: Config, member: Member, from?: Member): RecordSet[] {
  const address = ipv4Of(member)
  const sets: RecordSet[] = []
  for (const name of address ? config.hostnames : []) {
    const rec = config.hostnameRecords?.[name] ?? {}
    const proxied = rec.proxied ? { proxied: true } : {}
    sets.push({ name, type: 'A', ttl: config.ttl, values: aValues(address!, rec.alongside, from), ...proxied })
    if (rec.aaaa && member.publicIpv6) sets.push({ name, type: 'AAAA', ttl: config.ttl, values: [member.publicIpv6], ...proxied })
  }
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
