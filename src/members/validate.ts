// Checks for what an operator types about a member.
import { isIPv4, isIPv6 } from 'node:net'
import { badInput } from '../http/errors'
import { fieldChecks } from '../http/field-errors'

const LABEL = /^[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i

export function checkMemberName(raw: unknown): string {
  const name = typeof raw === 'string' ? raw.trim().replace(/\s+/g, ' ') : ''
  if (!name) throw badInput('Give the member a display name', 'name')
  if (name.length > 80) throw badInput('Use a name of at most 80 characters', 'name')
  if (/[\u0000-\u001f\u007f]/.test(name)) throw badInput('The name cannot contain control characters', 'name')
  return name
}

export function checkHostname(raw: unknown): string {
  const host = typeof raw === 'string' ? raw.trim().toLowerCase().replace(/\.$/, '') : ''
  if (!host) throw badInput('Enter the server hostname, as "hostname -f" prints it', 'hostname')
  if (host.length > 253 || !host.split('.').every((label) => LABEL.test(label))) {
    throw badInput(`"${host}" is not a valid hostname`, 'hostname')
  }
  return host
}

/** Accepts a list, or text with addresses separated by commas, spaces or lines. */
export function checkEgressIps(raw: unknown): string[] {
  const items = Array.isArray(raw) ? raw : typeof raw === 'string' ? raw.split(/[\s,]+/) : []
  const ips = [...new Set(items.map((v) => (typeof v === 'string' ? v.trim() : '')).filter(Boolean))]
  if (ips.length === 0) throw badInput('Enter at least one allowed egress IPv4 address', 'egressIps')
  if (ips.length > 16) throw badInput('Enter at most 16 egress addresses', 'egressIps')
  const bad = ips.find((ip) => !isIPv4(ip))
  if (bad) throw badInput(`"${bad}" is not an IPv4 address`, 'egressIps')
  return ips
}

export function checkPublicIpv4(raw: unknown): string | null {
  const ip = typeof raw === 'string' ? raw.trim() : ''
  if (!ip) return null
  if (!isIPv4(ip)) throw badInput(`"${ip}" is not an IPv4 address`, 'publicIpv4')
  return ip
}

/** Canonical (lower case, zeros compressed), as DNS providers read it back. */
export function checkPublicIpv6(raw: unknown): string | null {
  const ip = typeof raw === 'string' ? raw.trim() : ''
  if (!ip) return null
  if (!isIPv6(ip)) throw badInput(`"${ip}" is not an IPv6 address`, 'publicIpv6')
  return new URL(`http://[${ip}]/`).hostname.slice(1, -1)
}

export function checkOsFamily(raw: unknown): 'debian' | 'rhel' | null {
  if (raw === undefined || raw === null || raw === '') return null
  if (raw === 'debian' || raw === 'rhel') return raw
  throw badInput('Choose Debian-like or RHEL-like', 'osFamily')
}

export function checkLocation(raw: { lat?: unknown; lon?: unknown; label?: unknown } | null | undefined) {
  if (!raw) return null
  const blank = (v: unknown) => v === undefined || v === null || v === ''
  if (blank(raw.lat) && blank(raw.lon)) return null
  const lat = Number(raw.lat)
  const lon = Number(raw.lon)
  const fields = fieldChecks()
  if (blank(raw.lat) || !Number.isFinite(lat) || lat < -90 || lat > 90) fields.refuse('lat', 'Latitude must be a number from -90 to 90')
  if (blank(raw.lon) || !Number.isFinite(lon) || lon < -180 || lon > 180) fields.refuse('lon', 'Longitude must be a number from -180 to 180')
  fields.done()
  const label = typeof raw.label === 'string' && raw.label.trim() ? raw.label.trim().slice(0, 80) : null
  return { lat, lon, label }
}
