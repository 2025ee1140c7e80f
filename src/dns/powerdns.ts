// PowerDNS Authoritative through its HTTP API (X-API-Key).
//   GET   {apiUrl}/api/v1/servers/{serverId}/zones
//   GET   {apiUrl}/api/v1/servers/{serverId}/zones/{zone}.?rrset_name=&rrset_type=
//   PATCH {apiUrl}/api/v1/servers/{serverId}/zones/{zone}.  {rrsets:[{changetype:'REPLACE', ...}]}
// Names in the API are canonical (trailing dot); hostnames inside MX and SRV
// content must carry the dot too, or PowerDNS answers 422.
import {
  bareName,
  checkRecordSet,
  DEFAULT_TIMEOUT_MS,
  dotted,
  formatMx,
  formatSrv,
  networkError,
  originOf,
  parseMx,
  parseSrv,
  redact,
  statusError,
} from './common'
import { providerFetch, type OutboundPolicy } from '../net/outbound'
import { DnsProviderError, type DnsProvider, type RecordSet, type RecordType, type ZoneInfo } from './provider'

export type PowerDnsOptions = {
  /** http://host:8081 or http://host:8081/api/v1 (either is accepted). */
  apiUrl: string
  apiKey: string
  /** Usually "localhost". */
  serverId?: string
  /** Per request; 10 s unless given. */
  timeoutMs?: number
  /** Which addresses may be called; public ones only unless given. */
  outbound?: OutboundPolicy
}

const PROVIDER = 'PowerDNS'

type PdnsRrset = { name: string; type: string; ttl: number; records: { content: string; disabled: boolean }[] }

/** The base URL without a trailing /api/v1 (or /api) and without trailing slashes. */
export function powerDnsBaseUrl(apiUrl: string): string {
  let u = apiUrl.trim().replace(/\/+$/, '')
  u = u.replace(/\/api\/v1$/i, '').replace(/\/api$/i, '')
  return u.replace(/\/+$/, '')
}

export class PowerDnsProvider implements DnsProvider {
  private readonly base: string
  private readonly apiKey: string
  private readonly serverId: string
  private readonly timeoutMs: number
  private readonly outbound: OutboundPolicy

  constructor(opts: PowerDnsOptions) {
    if (!opts.apiUrl) throw new DnsProviderError('PowerDNS: no API URL configured', false)
    if (!opts.apiKey) throw new DnsProviderError('PowerDNS: no API key configured', false)
    this.base = powerDnsBaseUrl(opts.apiUrl)
    this.apiKey = opts.apiKey
    this.serverId = opts.serverId || 'localhost'
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.outbound = opts.outbound ?? { allowPrivate: false }
  }

  private zonesUrl(): string {
    return `${this.base}/api/v1/servers/${encodeURIComponent(this.serverId)}/zones`
  }

  private zoneUrl(zone: string): string {
    return `${this.zonesUrl()}/${encodeURIComponent(dotted(zone))}`
  }

  private async request(url: string, init: RequestInit, ctx: { zone?: string; action: string }): Promise<Response> {
    let res: Response
    try {
      const signal = AbortSignal.timeout(this.timeoutMs)
      const headers = { 'X-API-Key': this.apiKey, accept: 'application/json', ...(init.body ? { 'content-type': 'application/json' } : {}) }
      res = await providerFetch(url, { ...init, headers, signal }, this.outbound)
    } catch (err) {
      throw networkError(PROVIDER, originOf(this.base), err, this.timeoutMs)
    }
    if (res.ok) return res
    const text = await res.text().catch(() => '')
    let detail = ''
    try {
      detail = String((JSON.parse(text) as { error?: string }).error ?? '')
    } catch {
      detail = text.slice(0, 200).trim()
    }
    // "Unauthorized", "Not Found": the status says it already.
    if (res.status === 401 || res.status === 403 || res.status === 404) detail = ''
    // PowerDNS answers 404 for a zone it does not have; with a zone in hand that is what it means.
    if (res.status === 404 && !ctx.zone) detail = `check the API URL and server id "${this.serverId}"`
    throw statusError(PROVIDER, res.status, { credential: 'API key', zone: ctx.zone, detail: redact(detail, [this.apiKey]), action: ctx.action })
  }

  async listZones(): Promise<ZoneInfo[]> {
    const res = await this.request(this.zonesUrl(), { method: 'GET' }, { action: 'list zones' })
    const zones = (await res.json()) as { id: string; name: string }[]
    return zones.map((z) => ({ name: bareName(z.name), id: z.id }))
  }

  async readRecords(zone: string, name: string, type: RecordType): Promise<RecordSet | null> {
    const qname = dotted(name)
    const url = `${this.zoneUrl(zone)}?rrset_name=${encodeURIComponent(qname)}&rrset_type=${type}`
    const res = await this.request(url, { method: 'GET' }, { zone, action: `read ${bareName(name)} ${type}` })
    const body = (await res.json()) as { rrsets?: PdnsRrset[] }
    // Older servers ignore the rrset_name filter and send the whole zone: filter here as well.
    const rrset = (body.rrsets ?? []).find((r) => r.type === type && bareName(r.name) === bareName(name))
    const records = (rrset?.records ?? []).filter((r) => !r.disabled)
    if (!rrset || records.length === 0) return null
    return { name: bareName(name), type, ttl: rrset.ttl, values: records.map((r) => fromContent(type, r.content)) }
  }

  async writeRecords(zone: string, set: RecordSet): Promise<void> {
    const s = checkRecordSet(PROVIDER, zone, set)
    const rrset =
      s.values.length === 0
        ? { name: dotted(s.name), type: s.type, changetype: 'DELETE' }
        : {
            name: dotted(s.name),
            type: s.type,
            ttl: s.ttl,
            changetype: 'REPLACE',
            records: s.values.map((v) => ({ content: toContent(s.type, v), disabled: false })),
          }
    await this.request(
      this.zoneUrl(zone),
      { method: 'PATCH', body: JSON.stringify({ rrsets: [rrset] }) },
      { zone, action: `write ${s.name} ${s.type}` },
    )
  }
}

/** Our value to PowerDNS content: hostnames absolute, with the trailing dot. */
export function toContent(type: RecordType, value: string): string {
  if (type === 'MX') {
    const mx = parseMx(value)!
    return `${mx.preference} ${dotted(mx.exchange)}`
  }
  if (type === 'SRV') {
    const srv = parseSrv(value)!
    return `${srv.priority} ${srv.weight} ${srv.port} ${dotted(srv.target)}`
  }
  return value
}

/** PowerDNS content to our value: hostnames without the trailing dot. */
export function fromContent(type: RecordType, content: string): string {
  if (type === 'MX') {
    const mx = parseMx(content)
    return mx ? formatMx(mx) : content
  }
  if (type === 'SRV') {
    const srv = parseSrv(content)
    return srv ? formatSrv(srv) : content
  }
  return content
}
