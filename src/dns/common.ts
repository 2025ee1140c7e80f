// What the three adapters share: record values in our form ("10 mail.example.com"),
// checks of a RecordSet before anything is sent, and the wording of errors.
import { OutboundRefused } from '../net/outbound'
import { DnsProviderError, type RecordType, type ZoneRecordType } from './provider'

export const DEFAULT_TIMEOUT_MS = 10_000

/** Lower case, no trailing dot: the form RecordSet and ZoneInfo names take. */
export function bareName(name: string): string {
  return name.trim().replace(/\.$/, '').toLowerCase()
}

/** With the trailing dot, as PowerDNS and zone files want absolute names. */
export function dotted(name: string): string {
  return bareName(name) + '.'
}

export type MxValue = { preference: number; exchange: string }
export type SrvValue = { priority: number; weight: number; port: number; target: string }

const u16 = (s: string) => /^\d{1,5}$/.test(s) && Number(s) <= 65535

export function parseMx(value: string): MxValue | null {
  const parts = value.trim().split(/\s+/)
  if (parts.length !== 2 || !u16(parts[0]!) || !parts[1]) return null
  return { preference: Number(parts[0]), exchange: bareName(parts[1]) }
}

export function parseSrv(value: string): SrvValue | null {
  const parts = value.trim().split(/\s+/)
  if (parts.length !== 4 || !u16(parts[0]!) || !u16(parts[1]!) || !u16(parts[2]!) || !parts[3]) return null
  return { priority: Number(parts[0]), weight: Number(parts[1]), port: Number(parts[2]), target: bareName(parts[3]) }
}

export const formatMx = (v: MxValue) => `${v.preference} ${bareName(v.exchange)}`
export const formatSrv = (v: SrvValue) => `${v.priority} ${v.weight} ${v.port} ${bareName(v.target)}`

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/

export function isIpv4(s: string): boolean {
  return IPV4.test(s)
}

export function isIpv6(s: string): boolean {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(':')) return false
  try {
    return new URL(`http://[${s}]/`).hostname.length > 2
  } catch {
    return false
  }
}

/** TXT as the text itself: one or more quoted strings ("a" "b") joined, or the bare text. */
export function txtText(value: string): string {
  const v = value.trim()
  const parts = v.match(/^("(?:[^"\\]|\\.)*"\s*)+$/) ? [...v.matchAll(/"((?:[^"\\]|\\.)*)"/g)].map((m) => m[1]!.replace(/\\(.)/g, '$1')) : null
  return parts ? parts.join('') : v
}

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*$/i

export function isHostname(s: string): boolean {
  return HOSTNAME.test(bareName(s))
}

/** The value in one comparable spelling (case, spaces, trailing dots, IPv6 zeros, TXT quoting). */
export function canonicalValue(type: ZoneRecordType, value: string): string {
  const v = value.trim()
  switch (type) {
    case 'CNAME':
      return bareName(v)
    case 'TXT':
      return txtText(v)
    case 'A':
      return v
    case 'AAAA':
      try {
        return new URL(`http://[${v}]/`).hostname.slice(1, -1)
      } catch {
        return v.toLowerCase()
      }
    case 'MX': {
      const mx = parseMx(v)
      return mx ? formatMx(mx) : v.toLowerCase()
    }
    case 'SRV': {
      const srv = parseSrv(v)
      return srv ? formatSrv(srv) : v.toLowerCase()
    }
  }
}

const TYPES: ZoneRecordType[] = ['A', 'AAAA', 'MX', 'SRV', 'CNAME', 'TXT']

const WANT: Record<ZoneRecordType, string> = {
  A: 'an IPv4 address',
  AAAA: 'an IPv6 address',
  MX: 'like "10 mail.example.com"',
  SRV: 'like "10 5 5060 sip.example.com"',
  CNAME: 'a host name such as "shop.example.net"',
  TXT: 'text of 1 to 2048 characters',
}

/** Whether a value is well formed for its type, in our form. */
export function validValue(type: ZoneRecordType, v: string): boolean {
  switch (type) {
    case 'A':
      return isIpv4(v)
    case 'AAAA':
      return isIpv6(v)
    case 'MX':
      return parseMx(v) !== null
    case 'SRV':
      return parseSrv(v) !== null
    case 'CNAME':
      return isHostname(v)
    case 'TXT':
      return txtText(v).length > 0 && txtText(v).length <= 2048 && !/[\r\n\0]/.test(v)
  }
}

/** What a value of the type should look like, for a refusal. */
export const valueHint = (type: ZoneRecordType) => WANT[type]

/**
 * Checks a record set before it is sent and returns it in canonical form
 * (bare lower-case name, values canonical and without duplicates).
 */
export function checkRecordSet<S extends { name: string; type: ZoneRecordType; ttl: number; values: string[] }>(provider: string, zone: string, set: S): S {
  const z = bareName(zone)
  const name = bareName(set.name)
  const bad = (why: string) => new DnsProviderError(`${provider}: cannot write ${set.name} ${set.type}: ${why}`, false)
  if (!TYPES.includes(set.type)) throw bad(`record type ${String(set.type)} is not supported`)
  if (!z) throw bad('no zone given')
  if (name !== z && !name.endsWith('.' + z)) throw bad(`the name is not inside zone ${z}`)
  if (!Number.isInteger(set.ttl) || set.ttl < 1 || set.ttl > 2_147_483_647) throw bad(`TTL ${set.ttl} is not a positive whole number of seconds`)
  const values: string[] = []
  for (const raw of set.values) {
    const v = String(raw).trim()
    if (!validValue(set.type, v)) throw bad(`value "${v}" is not ${WANT[set.type]}`)
    const c = canonicalValue(set.type, v)
    if (!values.includes(c)) values.push(c)
  }
  return { ...set, name, values }
}

/** Removes any secret that found its way into a message (never expected, always checked). */
export function redact(message: string, secrets: string[]): string {
  let out = message
  for (const s of secrets) if (s && s.length >= 4) out = out.split(s).join('[redacted]')
  return out
}

/** The scheme, host and port of a URL, without credentials, path or query. */
export function originOf(url: string): string {
  try {
    return new URL(url).origin
  } catch {
    return 'the configured address'
  }
}

/**
 * The error for an HTTP status that is not a success.
 * 401/403: the credentials were refused (not retryable); 404: the zone is missing
 * when a zone was asked for; 408/429/5xx: retryable; other 4xx: not retryable.
 */
export function statusError(
  provider: string,
  status: number,
  opts: { credential: string; zone?: string; detail?: string; action?: string },
): DnsProviderError {
  const detail = opts.detail ? `: ${opts.detail}` : ''
  if (status === 401 || status === 403) {
    return new DnsProviderError(`${provider} refused the ${opts.credential} (${status})${detail}`, false)
  }
  if (status === 404 && opts.zone) {
    return new DnsProviderError(`zone ${bareName(opts.zone)} not found at ${provider}`, false)
  }
  if (status === 429) return new DnsProviderError(`${provider} is rate limiting requests (429)${detail}`, true)
  if (status === 408 || status >= 500) {
    return new DnsProviderError(`${provider} failed${opts.action ? ` to ${opts.action}` : ''} (${status})${detail}`, true)
  }
  return new DnsProviderError(`${provider} rejected the request${opts.action ? ` to ${opts.action}` : ''} (${status})${detail}`, false)
}

/** The error for a request that got no answer: refused connection, DNS failure, timeout, or an address or redirect we refused. */
export function networkError(provider: string, where: string, err: unknown, timeoutMs: number): DnsProviderError {
  // Trying again would meet the same address or redirect: a person has to change the provider.
  if (err instanceof OutboundRefused) return new DnsProviderError(`${provider} at ${where} ${err.message}`, false)
  const e = err as { name?: string; code?: string; message?: string }
  if (e?.name === 'TimeoutError' || e?.name === 'AbortError') {
    return new DnsProviderError(`${provider} at ${where} did not answer within ${Math.round(timeoutMs / 1000)} s`, true)
  }
  const why = e?.code ?? e?.name ?? 'network error'
  return new DnsProviderError(`could not reach ${provider} at ${where} (${why})`, true)
}
