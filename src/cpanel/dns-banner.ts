// Where the member's accounts' main domains point: here (one of the member's
// addresses), elsewhere, or nowhere. Read from DNS by the server, a few names
// at a time with a short timeout each, and kept a few minutes per member so a
// tab that polls does not ask again.
import { Resolver } from 'node:dns/promises'
import type { Member } from '../members/store'
import type { DnsBanner } from './model'
import { reportedAccounts } from './accounts'

/** Accounts looked up per check; the rest are counted as skipped. */
export const DNS_MAX_ACCOUNTS = 200
export const DNS_TIMEOUT_MS = 2000
const AT_ONCE = 8
export const DNS_CACHE_MS = 5 * 60_000

export type Resolve4 = (name: string) => Promise<string[]>

export type DnsBannerOptions = {
  /** Looks up A records; the default asks `resolver`, or the system's resolvers. */
  resolve4?: Resolve4
  /** "host:port" of the DNS server to ask (config.dnsResolver, DNS_RESOLVER); null: the system's. */
  resolver?: string | null
  now?: Date
}

type Cached = { key: string; at: number; banner: Promise<DnsBanner> }
const cache = new Map<string, Cached>()

/** Forgets every cached banner (tests). */
export function forgetDnsBanners(): void {
  cache.clear()
}

function systemResolve4(server: string | null | undefined): Resolve4 {
  const resolver = new Resolver({ timeout: DNS_TIMEOUT_MS, tries: 1 })
  if (server) resolver.setServers([server])
  return (name) => resolver.resolve4(name)
}

/** Why a name did not resolve, in words. */
function problemOf(err: unknown): string {
  const code = (err as { code?: unknown })?.code
  if (code === 'ENOTFOUND') return 'no such domain (NXDOMAIN)'
  if (code === 'ENODATA') return 'no A record'
  if (code === 'ETIMEOUT' || code === 'timeout') return `no answer within ${DNS_TIMEOUT_MS / 1000} s`
  if (code === 'ESERVFAIL') return 'the DNS server failed (SERVFAIL)'
  if (code === 'EREFUSED') return 'the DNS server refused the query'
  return typeof code === 'string' ? `lookup failed (${code})` : 'lookup failed'
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(Object.assign(new Error('timeout'), { code: 'timeout' })), ms)
  })
  return Promise.race([p, late]).finally(() => clearTimeout(timer))
}

async function eachLimited<T>(items: T[], limit: number, fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0
  const worker = async () => {
    while (next < items.length) await fn(items[next++]!)
  }
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker))
}

type Checked = { user: string; domain: string }

async function check(accounts: Checked[], skipped: number, addresses: string[], resolve4: Resolve4, now: Date): Promise<DnsBanner> {
  const mine = new Set(addresses)
  const results = new Map<string, { addresses: string[] } | { problem: string }>()
  const domains = [...new Set(accounts.map((a) => a.domain))]
  await eachLimited(domains, AT_ONCE, async (domain) => {
    try {
      const found = [...new Set(await withTimeout(resolve4(domain), DNS_TIMEOUT_MS))].sort()
      results.set(domain, found.length ? { addresses: found } : { problem: 'no A record' })
    } catch (err) {
      results.set(domain, { problem: problemOf(err) })
    }
  })
  const banner: DnsBanner = { checkedAt: now, addresses, here: [], elsewhere: [], unresolved: [], skipped }
  for (const a of accounts) {
    const r = results.get(a.domain)!
    if ('problem' in r) banner.unresolved.push({ user: a.user, domain: a.domain, problem: r.problem })
    // Any of its records here: the domain reaches this server (round-robin counts).
    else if (r.addresses.some((ip) => mine.has(ip))) banner.here.push({ user: a.user, domain: a.domain, addresses: r.addresses })
    else banner.elsewhere.push({ user: a.user, domain: a.domain, addresses: r.addresses })
  }
  return banner
}

/**
 * Which accounts' main domains resolve to this member (its publicIpv4 or an
 * egress IP), elsewhere, or not at all. At most DNS_MAX_ACCOUNTS are looked
 * up; the answer is cached per member for DNS_CACHE_MS while its accounts and
 * addresses stay the same. Accounts without a main domain are left out.
 */
export async function dnsBanner(member: Pick<Member, 'id' | 'stacks' | 'publicIpv4' | 'egressIps'>, opts: DnsBannerOptions = {}): Promise<DnsBanner> {
  const now = opts.now ?? new Date()
  const reported = reportedAccounts(member)
  const all = (reported?.accounts ?? []).filter((a): a is Checked => a.domain !== null).map((a) => ({ user: a.user, domain: a.domain.toLowerCase() }))
  const accounts = all.slice(0, DNS_MAX_ACCOUNTS)
  // Accounts past the cap, and those the agent did not list (its own cap).
  const skipped = all.length - accounts.length + Math.max(0, (reported?.count ?? 0) - (reported?.accounts.length ?? 0))
  const addresses = [...new Set([member.publicIpv4, ...(member.egressIps ?? [])].filter((ip): ip is string => !!ip))]
  const key = JSON.stringify([accounts.map((a) => `${a.user}=${a.domain}`), addresses, skipped, opts.resolver ?? null])
  const hit = cache.get(member.id)
  if (hit && hit.key === key && now.getTime() - hit.at < DNS_CACHE_MS) return hit.banner
  const banner = check(accounts, skipped, addresses, opts.resolve4 ?? systemResolve4(opts.resolver), now)
  // In flight too: a second request while the first looks up waits for the same answer.
  cache.set(member.id, { key, at: now.getTime(), banner })
  banner.catch(() => cache.get(member.id)?.banner === banner && cache.delete(member.id))
  return banner
}
