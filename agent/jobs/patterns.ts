// The shapes of the values jobs take. The server's parameter schemas
// (src/jobs/params.ts) are built from these, and handlers check again before a
// value reaches an argv or a path: an agent must not depend on every server
// that can reach it running the same rules.
import { isIP } from 'node:net'

const PORT_NUMBER = '(?:6553[0-5]|655[0-2][0-9]|65[0-4][0-9]{2}|6[0-4][0-9]{3}|[1-5][0-9]{4}|[1-9][0-9]{0,3})'
const LABEL = '[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?'
const DOMAIN = `(?:${LABEL}\\.)+(?:[A-Za-z]{2,63}|xn--[A-Za-z0-9-]{1,59})`

export const patterns = {
  /** POSIX portable user names; not all digits (that reads as a uid), never a leading '-'. */
  user: '^(?![0-9]+$)[A-Za-z0-9_][A-Za-z0-9_.-]{0,31}$',
  /** A systemd unit name, never a leading '-' (it would read as an option). */
  unit: '^[A-Za-z0-9_][A-Za-z0-9:_.@-]{0,127}$',
  /** 1-65535, or a range lo:hi (ufw's spelling; firewalld gets lo-hi). */
  port: `^${PORT_NUMBER}(?::${PORT_NUMBER})?$`,
  /** IPv4 or IPv6, optionally with a prefix; isCidr() checks the numbers. */
  source: '^[0-9A-Fa-f:.]{2,45}(?:/[0-9]{1,3})?$',
  /** A DNS name with a real top-level label; no wildcards (HTTP-01 cannot prove them). */
  hostname: `^(?=.{1,253}$)${DOMAIN}$`,
  email: `^(?=.{3,254}$)[A-Za-z0-9][A-Za-z0-9._%+-]{0,63}@${DOMAIN}$`,
  /** Absolute, no '.' or '..' segments, no spaces or shell-special characters. */
  absolutePath: '^(?!.*/\\.\\.?(?:/|$))/[A-Za-z0-9._@+/-]{1,1023}$',
  httpsUrl: "^https://[A-Za-z0-9.-]+(?::[0-9]{1,5})?(?:/[A-Za-z0-9._~%!$&'()*+,;=:@/-]*)?$",
  fingerprint: '^SHA256:[A-Za-z0-9+/]{43}$',
} as const

export const matches = (pattern: keyof typeof patterns, value: unknown): value is string =>
  typeof value === 'string' && new RegExp(patterns[pattern]).test(value)

/** The lo and hi of a port spec, or null when it is not one. */
export function portRange(spec: string | number): [number, number] | null {
  const text = String(spec)
  if (!matches('port', text)) return null
  const [lo, hi = lo] = text.split(':').map(Number)
  return [lo!, hi!]
}

function ipv6ToBigInt(address: string): bigint {
  let text = address
  // An embedded IPv4 tail (::ffff:192.0.2.1) is two more groups.
  const v4 = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text)
  if (v4) {
    const [a, b, c, d] = v4.slice(1).map(Number)
    text = text.slice(0, v4.index) + `${((a! << 8) | b!).toString(16)}:${((c! << 8) | d!).toString(16)}`
  }
  const [head, tail] = text.split('::')
  const left = head ? head.split(':') : []
  const right = tail ? tail.split(':') : []
  const groups = tail === undefined ? left : [...left, ...Array(8 - left.length - right.length).fill('0'), ...right]
  return groups.reduce((n, g) => (n << 16n) | BigInt(parseInt(g, 16)), 0n)
}

const ipv4ToBigInt = (address: string) => address.split('.').reduce((n, o) => (n << 8n) | BigInt(Number(o)), 0n)

/**
 * Why a source address is not usable, or null. A prefix with host bits set
 * (10.0.0.1/8) is refused rather than rounded: ufw rounds it with a warning
 * and firewalld does not, so the rule could never be found again to remove.
 */
export function sourceProblem(source: string): string | null {
  const [address = '', prefixText] = source.split('/')
  const version = isIP(address)
  if (!version) return `${source} is not an IPv4 or IPv6 address.`
  if (prefixText === undefined) return null
  const bits = version === 4 ? 32 : 128
  const prefix = Number(prefixText)
  if (!/^\d{1,3}$/.test(prefixText) || prefix > bits) return `${source}: an IPv${version} prefix is 0 to ${bits}.`
  const value = version === 4 ? ipv4ToBigInt(address) : ipv6ToBigInt(address)
  const hostMask = (1n << BigInt(bits - prefix)) - 1n
  if (value & hostMask) {
    const network = value & ~hostMask
    const shown = version === 4 ? [24n, 16n, 8n, 0n].map((s) => (network >> s) & 255n).join('.') : null
    return `${source} has bits set past its /${prefix} prefix${shown ? `; did you mean ${shown}/${prefix}?` : '.'}`
  }
  return null
}

export const ipVersion = (source: string): 4 | 6 => (isIP(source.split('/')[0] ?? '') === 6 ? 6 : 4)
