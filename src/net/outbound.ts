// Which addresses the server may call on a user's behalf (a DNS provider's
// API, with its key in the header), and a fetch that calls only those.
//
// A signed-in user types the address; without these rules the server would
// send the provider key to any address it can reach (cloud metadata, the
// database, this server's own ports) and report the answer. Checking the
// typed text is not enough: a name can resolve to another address at call
// time, so the call resolves once, checks every address, and connects to the
// address it checked.
import { isIP } from 'node:net'
import { lookup } from 'node:dns/promises'

export type AddressKind = 'public' | 'loopback' | 'private' | 'shared' | 'link-local' | 'metadata' | 'unspecified' | 'multicast' | 'reserved'

/** Kinds allowed only with ALLOW_PRIVATE_PROVIDER_HOSTS=true (a PowerDNS on the LAN is common). */
const PRIVATE_KINDS: AddressKind[] = ['loopback', 'private', 'shared']

const DESCRIPTION: Record<Exclude<AddressKind, 'public'>, string> = {
  loopback: 'a loopback address (this server itself)',
  private: 'a private network address',
  shared: 'a carrier-grade NAT address (100.64.0.0/10), private to the provider network',
  'link-local': 'a link-local address, where cloud servers answer metadata requests',
  metadata: 'a cloud metadata address',
  unspecified: 'the "any" address, which reaches this server itself',
  multicast: 'a multicast address',
  reserved: 'a reserved address',
}

export const PRIVATE_SETTING = 'ALLOW_PRIVATE_PROVIDER_HOSTS'

// Metadata services that sit outside link-local: AWS over IPv6, Alibaba Cloud, Azure.
const METADATA_V4 = new Set(['100.100.100.200', '168.63.129.16'])
const METADATA_V6 = 'fd00:ec2:0:0:0:0:0:254'

function ipv4Octets(s: string): number[] | null {
  const parts = s.split('.')
  if (parts.length !== 4 || !parts.every((p) => /^\d{1,3}$/.test(p) && Number(p) <= 255)) return null
  return parts.map(Number)
}

/** The eight 16-bit groups of an IPv6 address, or null. Accepts a dotted IPv4 tail and a zone (%eth0). */
export function ipv6Groups(raw: string): number[] | null {
  let s = raw.replace(/^\[|\]$/g, '').replace(/%.*$/, '').toLowerCase()
  if (!s.includes(':')) return null
  const tail = /(\d+\.\d+\.\d+\.\d+)$/.exec(s)
  if (tail) {
    const o = ipv4Octets(tail[1]!)
    if (!o) return null
    s = s.slice(0, -tail[1]!.length) + `${((o[0]! << 8) | o[1]!).toString(16)}:${((o[2]! << 8) | o[3]!).toString(16)}`
  }
  const halves = s.split('::')
  if (halves.length > 2) return null
  const part = (h: string) => (h === '' ? [] : h.split(':'))
  const head = part(halves[0]!)
  const rest = halves.length === 2 ? part(halves[1]!) : []
  const missing = 8 - head.length - rest.length
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null
  const groups = [...head, ...Array(Math.max(missing, 0)).fill('0'), ...rest]
  if (!groups.every((g) => /^[0-9a-f]{1,4}$/.test(g))) return null
  return groups.map((g) => parseInt(g, 16))
}

function kindOfV4(o: number[]): AddressKind {
  const [a, b] = o as [number, number, number, number]
  if (METADATA_V4.has(o.join('.'))) return 'metadata'
  if (a === 0) return 'unspecified'
  if (a === 127) return 'loopback'
  if (a === 169 && b === 254) return 'link-local'
  if (a === 10 || (a === 172 && b >= 16 && b <= 31) || (a === 192 && b === 168)) return 'private'
  if (a === 100 && b >= 64 && b <= 127) return 'shared'
  if (a >= 224 && a <= 239) return 'multicast'
  if (a >= 240) return 'reserved'
  return 'public'
}

/** The IPv4 address carried inside an IPv6 one (mapped, compatible or NAT64), or null. */
function embeddedV4(g: number[]): number[] | null {
  const top = g.slice(0, 6)
  const zeros = (n: number) => top.slice(0, n).every((x) => x === 0)
  const mapped = zeros(5) && g[5] === 0xffff
  const compatible = zeros(6) && (g[6] !== 0 || g[7]! > 1)
  const nat64 = g[0] === 0x64 && g[1] === 0xff9b && top.slice(2).every((x) => x === 0)
  if (!mapped && !compatible && !nat64) return null
  return [g[6]! >> 8, g[6]! & 0xff, g[7]! >> 8, g[7]! & 0xff]
}

function kindOfV6(g: number[]): AddressKind {
  const v4 = embeddedV4(g)
  if (v4) return kindOfV4(v4)
  if (g.map((x) => x.toString(16)).join(':') === METADATA_V6) return 'metadata'
  if (g.every((x) => x === 0)) return 'unspecified'
  if (g.slice(0, 7).every((x) => x === 0) && g[7] === 1) return 'loopback'
  if ((g[0]! & 0xffc0) === 0xfe80) return 'link-local'
  if ((g[0]! & 0xfe00) === 0xfc00 || (g[0]! & 0xffc0) === 0xfec0) return 'private'
  if ((g[0]! & 0xff00) === 0xff00) return 'multicast'
  return 'public'
}

/** What kind of address an IP literal is (brackets allowed), or null when it is not one. */
export function addressKind(ip: string): AddressKind | null {
  const v4 = ipv4Octets(ip)
  if (v4) return kindOfV4(v4)
  const v6 = ipv6Groups(ip)
  return v6 ? kindOfV6(v6) : null
}

/** The IP a URL hostname spells (URL parsing already turned 2130706433 and 0x7f.1 into 127.0.0.1), or null for a name. */
export function literalAddress(hostname: string): string | null {
  const h = hostname.replace(/^\[|\]$/g, '')
  return isIP(h) ? h : null
}

/**
 * Why a provider may not be called at this address, as a sentence, or null
 * when it may. `name` is the host name that resolved to it, if any.
 */
export function refusal(ip: string, allowPrivate: boolean, name?: string): string | null {
  const kind = addressKind(ip)
  if (kind === null) return `${ip} is not an IP address`
  if (kind === 'public') return null
  const allowed = PRIVATE_KINDS.includes(kind)
  if (allowed && allowPrivate) return null
  const what = name ? `${name} resolves to ${ip}, ${DESCRIPTION[kind]}` : `${ip} is ${DESCRIPTION[kind]}`
  return allowed
    ? `${what}. A DNS provider on a loopback or private address needs the server setting ${PRIVATE_SETTING}=true.`
    : `${what}. DNS providers are never called there, whatever ${PRIVATE_SETTING} says.`
}

/** Raised instead of calling an address the rules refuse, or following a redirect. */
export class OutboundRefused extends Error {}

export type Lookup = (hostname: string) => Promise<string[]>

export const systemLookup: Lookup = async (hostname) => (await lookup(hostname, { all: true, verbatim: true })).map((a) => a.address)

export type OutboundPolicy = {
  allowPrivate: boolean
  /** Tests pass their own to play a name that changes address between two lookups. */
  lookup?: Lookup
}

/**
 * The addresses to connect to for this hostname, in the resolver's order: the
 * literal itself, or every address the name resolves to once all of them passed.
 */
export async function checkedAddresses(hostname: string, policy: OutboundPolicy): Promise<string[]> {
  const literal = literalAddress(hostname)
  const addresses = literal ? [literal] : await (policy.lookup ?? systemLookup)(hostname)
  if (addresses.length === 0) throw Object.assign(new Error(`${hostname} has no address`), { code: 'ENOTFOUND' })
  for (const ip of addresses) {
    const why = refusal(ip, policy.allowPrivate, literal ? undefined : hostname)
    if (why) throw new OutboundRefused(`was not called: ${why}`)
  }
  return addresses
}

/**
 * For a form: why this URL's host may not be a provider's, or null. A name
 * that does not resolve now passes (the call will say it cannot be reached).
 */
export async function urlProblem(url: string, policy: OutboundPolicy): Promise<string | null> {
  const hostname = new URL(url).hostname
  try {
    await checkedAddresses(hostname, policy)
    return null
  } catch (err) {
    if (err instanceof OutboundRefused) return err.message.replace(/^was not called: /, '')
    return null
  }
}

/** Failures to connect at all, where the next checked address may answer; nothing was sent. */
const UNREACHABLE = ['ECONNREFUSED', 'EHOSTUNREACH', 'ENETUNREACH', 'EADDRNOTAVAIL']

const isRedirect = (status: number) => status >= 300 && status < 400 && status !== 304

/**
 * fetch() to a checked address: the name is resolved here and the request
 * goes to the address that passed, with the Host header and (for https) the
 * TLS server name kept, so certificates are still verified against the name.
 * Redirects are refused, not followed: a provider could point us anywhere.
 */
export async function providerFetch(url: string, init: RequestInit, policy: OutboundPolicy): Promise<Response> {
  const u = new URL(url)
  const addresses = await checkedAddresses(u.hostname, policy)
  const pinned = literalAddress(u.hostname) === null
  const headers = new Headers(init.headers)
  if (pinned) headers.set('host', u.host)
  const given = (init as { tls?: Record<string, unknown> }).tls
  const tls = pinned && u.protocol === 'https:' ? { tls: { ...given, serverName: u.hostname } } : {}
  const targets = addresses.map((ip) => {
    const target = new URL(u)
    if (pinned) target.hostname = ip.includes(':') ? `[${ip}]` : ip
    return target
  })
  const res = await firstToConnect(targets, { ...init, ...tls, headers, redirect: 'manual' })
  if (isRedirect(res.status)) {
    await res.body?.cancel().catch(() => {})
    throw new OutboundRefused(`answered with a redirect (${res.status}), which is not followed: enter the address that answers the API itself`)
  }
  return res
}

/** As a browser would with a name that has an IPv6 and an IPv4 address where only one listens. */
async function firstToConnect(targets: URL[], init: RequestInit): Promise<Response> {
  for (const [i, target] of targets.entries()) {
    try {
      return await fetch(target, init)
    } catch (err) {
      const code = (err as { code?: string }).code ?? ''
      if (i === targets.length - 1 || !UNREACHABLE.includes(code) || init.signal?.aborted) throw err
    }
  }
  throw new Error('no address to connect to')
}
