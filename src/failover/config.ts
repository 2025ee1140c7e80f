// Failover settings of a pool: checked, saved, and read back with the pool's
// current failover state.
import { isIPv6 } from 'node:net'
import type { Db } from '../db'
import type { ExtraRecord, FailoverProbe, HostnameRecord } from '../db/schema'
import { recordAudit, type Actor } from '../audit/service'
import { badInput } from '../http/errors'
import { fieldChecks } from '../http/field-errors'
import { getPool } from '../pools/service'
import { listMembers } from '../members/store'
import { getProvider } from '../dns/service'
import * as store from './store'

export const DELAY_RANGE = [10, 120] as const
export const DEFAULTS = { delaySeconds: 30, ttl: 60, failbackAfterSeconds: 300 }

/** The lowest TTL a provider keeps; Cloudflare refuses 2 up to its floor (1 means automatic). */
export function ttlFloor(kind: string | null | undefined, enterprise: boolean): number {
  if (kind !== 'cloudflare') return 1
  return enterprise ? 30 : 60
}

function checkTtl(raw: unknown, kind: string | null | undefined, enterprise: boolean): number {
  const ttl = int(raw, 'ttl', 'The TTL', 1, 86_400, DEFAULTS.ttl)
  const floor = ttlFloor(kind, enterprise)
  if (ttl !== 1 && ttl < floor) {
    const zone = enterprise ? 'an Enterprise zone' : 'a zone that is not Enterprise'
    throw badInput(`Cloudflare refuses a TTL under ${floor} s on ${zone}: enter ${floor} to 86400, or 1 for automatic`, 'ttl')
  }
  return ttl
}

const ADDRESS = /^[0-9a-f.:]{2,45}$/i

/** Per-hostname records: only for configured hostnames, addresses only. */
function checkHostnameRecords(raw: unknown, hostnames: string[]): Record<string, HostnameRecord> {
  if (!raw || typeof raw !== 'object') return {}
  const out: Record<string, HostnameRecord> = {}
  for (const [name, value] of Object.entries(raw as Record<string, unknown>)) {
    if (!hostnames.includes(name) || !value || typeof value !== 'object') continue
    const r = value as { proxied?: unknown; aaaa?: unknown; alongside?: unknown }
    const alongside = Array.isArray(r.alongside) ? r.alongside.map(String).filter((a) => ADDRESS.test(a)).slice(0, 20) : []
    const rec: HostnameRecord = {}
    if (bool(r.proxied)) rec.proxied = true
    if (bool(r.aaaa)) rec.aaaa = true
    if (alongside.length) rec.alongside = alongside
    if (Object.keys(rec).length) out[name] = rec
  }
  return out
}

const LABEL = /^[a-z0-9_]([a-z0-9-_]{0,61}[a-z0-9])?$/i

function fqdn(raw: unknown, field: string, label: string): string {
  const v = typeof raw === 'string' ? raw.trim().toLowerCase().replace(/\.$/, '') : ''
  if (!v) throw badInput(`Enter the ${label}`, field)
  if (v.length > 253 || !v.split('.').every((l) => LABEL.test(l)) || !v.includes('.')) throw badInput(`"${v}" is not a valid ${label}`, field)
  return v
}

function int(raw: unknown, field: string, label: string, min: number, max: number, fallback: number): number {
  if (raw === undefined || raw === null || raw === '') return fallback
  const n = Number(raw)
  if (!Number.isInteger(n) || n < min || n > max) throw badInput(`${label} must be a whole number from ${min} to ${max}`, field)
  return n
}

const bool = (raw: unknown) => raw === true || raw === 'true' || raw === 'on' || raw === '1'

const inZone = (name: string, zone: string) => name === zone || name.endsWith(`.${zone}`)

const checkZone = (raw: unknown) => (raw === undefined || raw === '' || raw === null ? null : fqdn(raw, 'zone', 'zone'))

function checkHostnames(input: FailoverInput, zone: string | null): string[] {
  const raw = input.hostnames ?? (input.hostname === undefined || input.hostname === '' ? [] : [input.hostname])
  const list = Array.isArray(raw) ? raw : String(raw).split(/[\s,]+/).filter(Boolean)
  const hostnames = [...new Set(list.map((h) => fqdn(h, 'hostname', 'failover hostname')))]
  if (hostnames.length > 10) throw badInput('At most 10 failover hostnames', 'hostname')
  for (const h of hostnames) if (zone && !inZone(h, zone)) throw badInput(`${h} is not in the zone ${zone}`, 'hostname')
  return hostnames
}

function checkProbe(raw: unknown): FailoverProbe | null {
  if (!raw || typeof raw !== 'object') return null
  const p = raw as { kind?: unknown; port?: unknown; path?: unknown }
  if (!p.kind || p.kind === 'none') return null
  if (p.kind !== 'tcp' && p.kind !== 'http') throw badInput('The probe is a TCP port or an HTTP URL', 'probeKind')
  const fields = fieldChecks()
  const port = fields.check(() => int(p.port, 'probePort', 'The probe port', 1, 65535, 0))
  if (port === 0) fields.refuse('probePort', 'Enter the port the probe connects to')
  const path = typeof p.path === 'string' && p.path.trim() ? p.path.trim() : '/'
  if (p.kind === 'http' && (!path.startsWith('/') || path.length > 200)) fields.refuse('probePath', 'The probe path must start with /')
  fields.done()
  return p.kind === 'tcp' ? { kind: 'tcp', port } : { kind: 'http', port, path }
}

const VALUE_CHECKS: Record<ExtraRecord['type'], [RegExp | ((v: string) => boolean), string]> = {
  AAAA: [(v) => isIPv6(v), 'an IPv6 address'],
  MX: [/^\d{1,5} [a-z0-9.-]+$/i, '"<preference> <mail host>", such as "10 mail.example.com"'],
  SRV: [/^\d{1,5} \d{1,5} \d{1,5} [a-z0-9.-]+$/i, '"<priority> <weight> <port> <target>", such as "10 5 5060 sip.example.com"'],
}

function checkExtraRecords(raw: unknown, zone: string | null, memberIds: Set<string>): ExtraRecord[] {
  if (!Array.isArray(raw)) return []
  if (raw.length > 20) throw badInput('At most 20 extra records', 'extraRecords')
  return raw.map((r, i) => {
    const rec = r as { type?: unknown; name?: unknown; values?: unknown }
    const type = rec.type as ExtraRecord['type']
    if (!VALUE_CHECKS[type]) throw badInput(`Extra record ${i + 1}: the type is AAAA, MX or SRV`, 'extraRecords')
    const name = fqdn(rec.name, 'extraRecords', 'record name')
    if (zone && !inZone(name, zone)) throw badInput(`Extra record ${name} is not in the zone ${zone}`, 'extraRecords')
    const values: Record<string, string> = {}
    for (const [memberId, value] of Object.entries((rec.values ?? {}) as Record<string, unknown>)) {
      if (!memberIds.has(memberId)) throw badInput(`Extra record ${name}: ${memberId} is not a member of this pool`, 'extraRecords')
      const v = typeof value === 'string' ? value.trim() : ''
      const [check, what] = VALUE_CHECKS[type]
      if (!(typeof check === 'function' ? check(v) : check.test(v))) throw badInput(`Extra record ${name}: the ${type} value for ${memberId} must be ${what}`, 'extraRecords')
      values[memberId] = v
    }
    return { type, name, values }
  })
}

export type FailoverInput = {
  enabled?: unknown
  hostname?: unknown
  hostnames?: unknown
  zone?: unknown
  providerId?: unknown
  delaySeconds?: unknown
  ttl?: unknown
  memberOrder?: unknown
  autoFailback?: unknown
  failbackAfterSeconds?: unknown
  probe?: unknown
  extraRecords?: unknown
  hostnameRecords?: unknown
  /** The form's checkboxes: which hostnames are proxied; overrides hostnameRecords' flag. */
  proxiedHostnames?: unknown
  cloudflareEnterprise?: unknown
}

/** A save that does not name them keeps what import or the tab set, for the hostnames still there. */
function hostnameRecordsOf(input: FailoverInput, previous: store.FailoverConfig | undefined, hostnames: string[]) {
  const records = checkHostnameRecords(input.hostnameRecords ?? previous?.hostnameRecords, hostnames)
  if (!Array.isArray(input.proxiedHostnames)) return records
  const proxied = new Set(input.proxiedHostnames.map(String))
  for (const h of hostnames) {
    const { proxied: _was, ...rest } = records[h] ?? {}
    const rec: HostnameRecord = proxied.has(h) ? { ...rest, proxied: true } : rest
    if (Object.keys(rec).length) records[h] = rec
    else delete records[h]
  }
  return records
}

export async function saveFailoverConfig(db: Db, actor: Actor, poolId: string, input: FailoverInput) {
  await getPool(db, poolId)
  const members = await listMembers(db, poolId)
  const memberIds = new Set(members.map((m) => m.id))
  const fields = fieldChecks()
  const enabled = bool(input.enabled)
  const zone = fields.check(() => checkZone(input.zone))
  const hostnames = fields.check(() => checkHostnames(input, fields.refused('zone') ? null : zone))
  const provider = typeof input.providerId === 'string' && input.providerId ? await getProvider(db, poolId, input.providerId) : null
  const providerId = provider?.id ?? null
  const previous = await store.findConfig(db, poolId)
  const cloudflareEnterprise = input.cloudflareEnterprise === undefined ? (previous?.cloudflareEnterprise ?? false) : bool(input.cloudflareEnterprise)
  if (enabled && providerId && !fields.refused('zone') && !fields.refused('hostname') && (!zone || hostnames.length === 0)) {
    fields.refuse(hostnames.length ? 'zone' : 'hostname', 'With a DNS provider, give the failover hostname and its zone')
  }
  const order = Array.isArray(input.memberOrder) ? input.memberOrder.map(String) : []
  const unknown = order.find((id) => !memberIds.has(id))
  if (unknown) fields.refuse('memberOrder', `${unknown} is not a member of this pool`)
  const config = {
    poolId,
    enabled,
    hostnames,
    zone,
    providerId,
    delaySeconds: fields.check(() => int(input.delaySeconds, 'delaySeconds', 'The failover delay', DELAY_RANGE[0], DELAY_RANGE[1], DEFAULTS.delaySeconds)),
    ttl: fields.check(() => checkTtl(input.ttl, provider?.kind, cloudflareEnterprise)),
    cloudflareEnterprise,
    hostnameRecords: hostnameRecordsOf(input, previous, hostnames ?? []),
    memberOrder: [...new Set(order)],
    autoFailback: bool(input.autoFailback),
    failbackAfterSeconds: fields.check(() => int(input.failbackAfterSeconds, 'failbackAfterSeconds', 'The failback wait', 60, 86_400, DEFAULTS.failbackAfterSeconds)),
    probe: fields.check(() => checkProbe(input.probe)),
    extraRecords: fields.check(() => checkExtraRecords(input.extraRecords, fields.refused('zone') ? null : zone, memberIds)),
  }
  fields.done()
  const saved = await store.saveConfig(db, config)
  await recordAudit(db, actor, { action: 'failover.configure', targetType: 'pool', targetId: poolId, poolId, detail: { enabled, hostnames, zone, providerId, delaySeconds: saved.delaySeconds, ttl: saved.ttl } })
  return saved
}

/** Sentences that point out settings that work but are probably not meant. */
export function configWarnings(c: store.FailoverConfig, providerKind?: string | null): string[] {
  const warnings: string[] = []
  // Never suggest a TTL the provider would refuse.
  const suggested = Math.max(c.delaySeconds * 2, ttlFloor(providerKind, c.cloudflareEnterprise))
  if (c.ttl > c.delaySeconds * 4 && c.ttl > suggested) {
    warnings.push(`A TTL of ${c.ttl} s keeps resolvers on the old address for up to ${c.ttl} s after a cut; with a ${c.delaySeconds} s delay, a TTL of ${suggested} s or less makes more sense.`)
  }
  if (c.enabled && !c.providerId) warnings.push('No DNS provider: failover tracks the active member but changes no DNS record.')
  return warnings
}

type MemberAddresses = { id: string; name: string; publicIpv4: string | null; publicIpv6?: string | null }

/**
 * What a cut will do to names that are more than one A record: a round-robin
 * set keeps its other addresses, and an AAAA follows only members with an IPv6.
 */
export function recordWarnings(c: Pick<store.FailoverConfig, 'hostnames' | 'hostnameRecords' | 'memberOrder'>, members: MemberAddresses[]): string[] {
  const warnings: string[] = []
  const order = c.memberOrder.length ? members.filter((m) => c.memberOrder.includes(m.id)) : members
  for (const name of c.hostnames) {
    const rec = c.hostnameRecords[name]
    if (rec?.alongside?.length) {
      warnings.push(`${name} is a round-robin name (${rec.alongside.length + 1} A records): a cut puts the new active member's address in place of the old one's and keeps ${rec.alongside.join(', ')}.`)
    }
    const without = rec?.aaaa ? order.filter((m) => !m.publicIpv6).map((m) => m.name) : []
    if (without.length) {
      warnings.push(`${name} has an AAAA record, and ${without.join(', ')} ${without.length === 1 ? 'has' : 'have'} no public IPv6 address: after a cut to ${without.length === 1 ? 'it' : 'one of them'}, the AAAA record still sends IPv6 clients to the old member. Set the public IPv6 in the member's Settings.`)
    }
  }
  return warnings
}

export function defaultConfig(poolId: string): store.FailoverConfig {
  return {
    poolId,
    enabled: false,
    hostnames: [],
    zone: null,
    providerId: null,
    delaySeconds: DEFAULTS.delaySeconds,
    ttl: DEFAULTS.ttl,
    memberOrder: [],
    autoFailback: false,
    failbackAfterSeconds: DEFAULTS.failbackAfterSeconds,
    probe: null,
    extraRecords: [],
    hostnameRecords: {},
    cloudflareEnterprise: false,
    updatedAt: new Date(0),
  }
}

export async function getFailoverConfig(db: Db, poolId: string) {
  await getPool(db, poolId)
  return failoverConfigOf(db, poolId)
}

/** The settings of a pool already known to exist: its own, or the defaults. */
export async function failoverConfigOf(db: Db, poolId: string) {
  return (await store.findConfig(db, poolId)) ?? defaultConfig(poolId)
}
