// Failover settings of a pool: checked, saved, and read back with the pool's
// current failover state.
import { isIPv6 } from 'node:net'
import type { Db } from '../db'
import type { ExtraRecord, FailoverProbe } from '../db/schema'
import { recordAudit, type Actor } from '../audit/service'
import { badInput } from '../http/errors'
import { fieldChecks } from '../http/field-errors'
import { getPool } from '../pools/service'
import { listMembers } from '../members/store'
import { getProvider } from '../dns/service'
import * as store from './store'

export const DELAY_RANGE = [10, 120] as const
export const DEFAULTS = { delaySeconds: 30, ttl: 60, failbackAfterSeconds: 300 }

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
}

export async function saveFailoverConfig(db: Db, actor: Actor, poolId: string, input: FailoverInput) {
  await getPool(db, poolId)
  const members = await listMembers(db, poolId)
  const memberIds = new Set(members.map((m) => m.id))
  const fields = fieldChecks()
  const enabled = bool(input.enabled)
  const zone = fields.check(() => checkZone(input.zone))
  const hostnames = fields.check(() => checkHostnames(input, fields.refused('zone') ? null : zone))
  const providerId = typeof input.providerId === 'string' && input.providerId ? (await getProvider(db, poolId, input.providerId)).id : null
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
    ttl: fields.check(() => int(input.ttl, 'ttl', 'The TTL', 1, 86_400, DEFAULTS.ttl)),
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
export function configWarnings(c: store.FailoverConfig): string[] {
  const warnings: string[] = []
  if (c.ttl > c.delaySeconds * 4) {
    warnings.push(`A TTL of ${c.ttl} s keeps resolvers on the old address for up to ${c.ttl} s after a cut; with a ${c.delaySeconds} s delay, a TTL of ${c.delaySeconds * 2} s or less makes more sense.`)
  }
  if (c.enabled && !c.providerId) warnings.push('No DNS provider: failover tracks the active member but changes no DNS record.')
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
