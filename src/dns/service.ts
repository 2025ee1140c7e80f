// A pool's DNS API providers: add (secret sealed at rest), list (masked),
// remove, and "Test connection".
import type { Db } from '../db'
import type { Deps } from '../server/deps'
import { newId } from '../crypto/tokens'
import { recordAudit, type Actor } from '../audit/service'
import { badInput, notFound } from '../http/errors'
import { getPool } from '../pools/service'
import { urlProblem } from '../net/outbound'
import { createProvider } from './index'
import { powerDnsBaseUrl } from './powerdns'
import { DnsProviderError, kindLabel, type ProviderSettings } from './provider'
import { whmBaseUrl } from './whm'
import * as store from './store'
import { countDnsErrors } from '../metrics/providers'

type ServiceDeps = Pick<Deps, 'db' | 'secrets' | 'config'>

export type ProviderInput =
  | { kind: 'powerdns'; name: string; apiUrl: string; apiKey: string; serverId?: string }
  | { kind: 'cloudflare'; name: string; apiToken: string; global?: boolean }
  | { kind: 'whm'; name: string; host: string; username: string; apiToken: string }

export { kindLabel } from './provider'

function required(value: unknown, field: string, label: string): string {
  const v = typeof value === 'string' ? value.trim() : ''
  if (!v) throw badInput(`Enter the ${label}`, field)
  if (v.length > 500) throw badInput(`The ${label} is too long`, field)
  return v
}

function httpUrl(value: unknown, field: string, label: string): string {
  const v = required(value, field, label)
  try {
    const u = new URL(v)
    if (u.protocol !== 'http:' && u.protocol !== 'https:') throw new Error()
  } catch {
    throw badInput(`The ${label} must be an http(s) address, such as http://pdns.example.com:8081`, field)
  }
  return v.replace(/\/+$/, '')
}

/** It once was a field: a user could send the stored Cloudflare token to any address. */
export function refuseBaseUrl(raw: unknown) {
  if (raw && typeof raw === 'object' && 'baseUrl' in raw) {
    throw badInput("baseUrl is no longer accepted: serversctl always calls Cloudflare's own API", 'form')
  }
}

function whmHost(value: unknown): string {
  const host = required(value, 'host', 'WHM host')
  try {
    whmBaseUrl(host)
  } catch (err) {
    throw badInput(err instanceof DnsProviderError ? err.message.replace(/^WHM: /, '') : 'The WHM host is not a host name or URL', 'host')
  }
  return host
}

/**
 * Refuses a provider address the server may not call (cloud metadata, this
 * server, a private network unless allowed), next to the field it came from.
 * The call checks again: a name can resolve elsewhere later.
 */
async function checkProviderAddress(input: ReturnType<typeof checkProviderInput>, allowPrivate: boolean) {
  const s = input.settings as Record<string, string>
  const [url, field] = input.kind === 'powerdns' ? [powerDnsBaseUrl(s.apiUrl!), 'apiUrl'] : input.kind === 'whm' ? [whmBaseUrl(s.host!), 'host'] : [null, '']
  if (!url) return
  const problem = await urlProblem(url, { allowPrivate })
  if (problem) throw badInput(problem, field)
}

/** Validates what the operator typed: settings to keep in clear, and the one secret to seal. */
export function checkProviderInput(raw: Record<string, unknown>): { kind: ProviderInput['kind']; name: string; settings: Record<string, string | boolean>; secret: string; isGlobal: boolean } {
  const name = required(raw.name, 'name', 'name')
  switch (raw.kind) {
    case 'powerdns':
      return {
        kind: 'powerdns',
        name,
        settings: { apiUrl: httpUrl(raw.apiUrl, 'apiUrl', 'API URL'), serverId: (typeof raw.serverId === 'string' && raw.serverId.trim()) || 'localhost' },
        secret: required(raw.apiKey, 'apiKey', 'API key'),
        isGlobal: false,
      }
    case 'cloudflare':
      refuseBaseUrl(raw)
      return { kind: 'cloudflare', name, settings: {}, secret: required(raw.apiToken, 'apiToken', 'API token'), isGlobal: raw.global === true || raw.global === 'on' || raw.global === 'true' }
    case 'whm':
      return {
        kind: 'whm',
        name,
        settings: { host: whmHost(raw.host), username: required(raw.username, 'username', 'WHM user name') },
        secret: required(raw.apiToken, 'apiToken', 'API token'),
        isGlobal: false,
      }
    default:
      throw badInput('Choose PowerDNS, Cloudflare or WHM', 'kind')
  }
}

export async function addProvider(deps: ServiceDeps, actor: Actor, poolId: string, raw: Record<string, unknown>) {
  const { db, secrets } = deps
  await getPool(db, poolId)
  const input = checkProviderInput(raw)
  await checkProviderAddress(input, deps.config.allowPrivateProviderHosts)
  if (input.isGlobal) await store.clearGlobal(db, poolId)
  const row = await store.insertProvider(db, {
    id: newId('dns'),
    poolId,
    kind: input.kind,
    name: input.name,
    settings: input.settings,
    secretSealed: secrets.seal(input.secret),
    secretLastFour: input.secret.slice(-4),
    isGlobal: input.isGlobal,
  })
  await recordAudit(db, actor, { action: 'dns_provider.add', targetType: 'dns_provider', targetId: row.id, targetLabel: row.name, poolId, detail: { kind: row.kind } })
  return row
}

export async function removeProvider(db: Db, actor: Actor, poolId: string, id: string) {
  const row = await store.deleteProvider(db, poolId, id)
  if (!row) throw notFound('DNS provider')
  await recordAudit(db, actor, { action: 'dns_provider.remove', targetType: 'dns_provider', targetId: id, targetLabel: row.name, poolId })
  return row
}

export const listProviders = (db: Db, poolId: string) => store.listProviders(db, poolId)

export async function getProvider(db: Db, poolId: string, id: string) {
  const row = await store.findProvider(db, id)
  if (!row || row.poolId !== poolId) throw notFound('DNS provider')
  return row
}

/** The provider's settings with its secret opened, for the adapter. */
export function providerSettings(row: store.DnsProviderRow, secrets: Deps['secrets']): ProviderSettings {
  const secret = secrets.open(row.secretSealed)
  const s = row.settings as Record<string, string>
  switch (row.kind) {
    case 'powerdns':
      return { kind: 'powerdns', apiUrl: s.apiUrl!, apiKey: secret, serverId: s.serverId ?? 'localhost' }
    case 'cloudflare':
      // A baseUrl stored before it was removed is ignored: the server's setting decides.
      return { kind: 'cloudflare', apiToken: secret }
    case 'whm':
      return { kind: 'whm', host: s.host!, username: s.username!, apiToken: secret }
  }
}

export const adapterFor = (row: store.DnsProviderRow, deps: Pick<Deps, 'secrets' | 'config'> & Partial<Pick<Deps, 'metrics'>>) =>
  countDnsErrors(createProvider(providerSettings(row, deps.secrets), deps.config), row.kind, deps.metrics)

/** "Test connection": the zones the key can see, or why it cannot. */
export async function testConnection(deps: ServiceDeps, poolId: string, id: string) {
  const row = await getProvider(deps.db, poolId, id)
  try {
    const zones = await adapterFor(row, deps).listZones()
    return { ok: true as const, zones: zones.map((z) => z.name) }
  } catch (err) {
    const message = err instanceof DnsProviderError ? err.message : `${kindLabel(row.kind)} could not be reached`
    return { ok: false as const, error: message }
  }
}

/** The settings still in use: a Cloudflare baseUrl stored by an older version is left out. */
function shownSettings(row: store.DnsProviderRow) {
  const { baseUrl: _ignored, ...rest } = (row.settings ?? {}) as Record<string, unknown>
  return rest
}

/** What pages and the API show of a provider: never the secret, only its last four characters. */
export function providerJson(row: store.DnsProviderRow) {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    global: row.isGlobal,
    settings: shownSettings(row),
    secret: `••••${row.secretLastFour}`,
    createdAt: row.createdAt.toISOString(),
  }
}
