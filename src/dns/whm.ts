// WHM (cPanel) through its JSON API 1, with an API token:
//   GET https://HOST:2087/json-api/<function>?api.version=1&...
//   Authorization: whm USERNAME:TOKEN
// listzones lists zones; dumpzone reads one (records carry their zone-file Line);
// editzonerecord changes a record at a line, addzonerecord appends one and
// removezonerecord removes one. Every answer has metadata.result (1 = done)
// and metadata.reason. Names are written absolute, with the trailing dot.
import { bareName, canonicalValue, checkRecordSet, DEFAULT_TIMEOUT_MS, dotted, formatMx, formatSrv, networkError, redact, statusError, parseMx, parseSrv } from './common'
import { providerFetch, type OutboundPolicy } from '../net/outbound'
import { DnsProviderError, type DnsProvider, type RecordSet, type RecordType, type ZoneInfo, type ZoneRecordSet, type ZoneRecordType } from './provider'

export type WhmOptions = {
  /** "whm.example.com", "whm.example.com:2087" or "https://whm.example.com:2087" (http only for a loopback address). */
  host: string
  username: string
  apiToken: string
  /** Per request; 10 s unless given. */
  timeoutMs?: number
  /** Which addresses may be called; public ones only unless given. */
  outbound?: OutboundPolicy
}

const PROVIDER = 'WHM'

/** A record as dumpzone gives it (only the fields this adapter reads). */
type WhmRecord = {
  Line?: number
  line?: number
  type?: string
  name?: string
  ttl?: number | string
  address?: string
  exchange?: string
  preference?: number | string
  priority?: number | string
  weight?: number | string
  port?: number | string
  target?: string
  cname?: string
  txtdata?: string
}

type WhmAnswer = { metadata?: { result?: number | string; reason?: string; command?: string }; data?: any }

function isLoopback(hostname: string): boolean {
  const h = hostname.replace(/^\[|\]$/g, '').toLowerCase()
  return h === 'localhost' || h === '::1' || /^127\.\d+\.\d+\.\d+$/.test(h)
}

/** The API's base URL (scheme, host, port) from what an operator typed. */
export function whmBaseUrl(host: string): string {
  const h = host.trim().replace(/\/+$/, '')
  if (!h) throw new DnsProviderError('WHM: no host configured', false)
  let url: URL
  try {
    if (/^[a-z][a-z0-9+.-]*:\/\//i.test(h)) {
      url = new URL(h)
    } else {
      // A bare host or host:port (IPv6 in brackets); WHM's port is 2087.
      const hasPort = /^(\[[^\]]+\]|[^:\[\]]+):\d+$/.test(h)
      url = new URL(`https://${hasPort ? h : `${h.includes(':') && !h.startsWith('[') ? `[${h}]` : h}:2087`}`)
    }
  } catch {
    throw new DnsProviderError(`WHM: "${h}" is not a host name or URL`, false)
  }
  if (url.protocol !== 'https:' && !(url.protocol === 'http:' && isLoopback(url.hostname))) {
    throw new DnsProviderError('WHM must be reached over https (plain http is accepted only on a loopback address)', false)
  }
  const path = url.pathname.replace(/\/+$/, '').replace(/\/json-api$/i, '')
  return `${url.protocol}//${url.host}${path}`
}

export class WhmProvider implements DnsProvider {
  private readonly base: string
  private readonly username: string
  private readonly apiToken: string
  private readonly timeoutMs: number
  private readonly outbound: OutboundPolicy

  constructor(opts: WhmOptions) {
    if (!opts.username) throw new DnsProviderError('WHM: no username configured', false)
    if (!opts.apiToken) throw new DnsProviderError('WHM: no API token configured', false)
    this.base = whmBaseUrl(opts.host)
    this.username = opts.username
    this.apiToken = opts.apiToken
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.outbound = opts.outbound ?? { allowPrivate: false }
  }

  private where(): string {
    return new URL(this.base).origin
  }

  /** Calls one function; returns its data when metadata.result is 1. */
  private async call(fn: string, params: Record<string, string | number>, action: string): Promise<any> {
    const query = new URLSearchParams({ 'api.version': '1' })
    for (const [k, v] of Object.entries(params)) query.set(k, String(v))
    let res: Response
    try {
      const headers = { Authorization: `whm ${this.username}:${this.apiToken}`, accept: 'application/json' }
      res = await providerFetch(`${this.base}/json-api/${fn}?${query}`, { headers, signal: AbortSignal.timeout(this.timeoutMs) }, this.outbound)
    } catch (err) {
      throw networkError(PROVIDER, this.where(), err, this.timeoutMs)
    }
    const text = await res.text().catch(() => '')
    if (!res.ok) {
      throw statusError(PROVIDER, res.status, { credential: `API token of user ${this.username}`, action })
    }
    let body: WhmAnswer
    try {
      body = JSON.parse(text) as WhmAnswer
    } catch {
      throw new DnsProviderError(`WHM at ${this.where()} did not answer ${fn} with JSON: is this the WHM address (port 2087)?`, false)
    }
    if (Number(body.metadata?.result) !== 1) {
      const reason = redact(String(body.metadata?.reason ?? 'no reason given'), [this.apiToken])
      // A busy zone is worth another try; anything else needs a person.
      const retryable = /\b(lock|locked|try again|temporar|timed? ?out)/i.test(reason)
      throw new DnsProviderError(`WHM could not ${action}: ${reason}`, retryable)
    }
    return body.data
  }

  async listZones(): Promise<ZoneInfo[]> {
    const data = await this.call('listzones', {}, 'list zones')
    const zones = (data?.zone ?? []) as { domain: string }[]
    return zones.map((z) => ({ name: bareName(z.domain), id: bareName(z.domain) }))
  }

  /** The zone's records with their line numbers. */
  private async dump(zone: string): Promise<WhmRecord[]> {
    const z = bareName(zone)
    try {
      const data = await this.call('dumpzone', { domain: z }, `read zone ${z}`)
      const zones = (data?.zone ?? []) as { record?: WhmRecord[] }[]
      return zones[0]?.record ?? []
    } catch (err) {
      // WHM's wording for a missing zone varies by version: ask for the list to be sure.
      if (err instanceof DnsProviderError && !err.retryable && !/refused/.test(err.message)) {
        const zones = await this.listZones().catch(() => null)
        if (zones && !zones.some((x) => x.name === z)) throw new DnsProviderError(`zone ${z} not found at WHM`, false)
      }
      throw err
    }
  }

  /**
   * Every A, AAAA, MX, SRV, CNAME and TXT set of the zone, from one dumpzone
   * (WHM API 1: data.zone[0].record[], each with its type, name, ttl and the
   * fields of its type: address, exchange and preference, priority, weight,
   * port and target, cname, txtdata). SOA, NS and the file's comments are left out.
   */
  async listRecords(zone: string): Promise<ZoneRecordSet[]> {
    const z = bareName(zone)
    const sets = new Map<string, ZoneRecordSet>()
    for (const r of await this.dump(z)) {
      const type = String(r.type ?? '').toUpperCase() as ZoneRecordType
      if (!ZONE_TYPES.includes(type)) continue
      const name = absoluteName(r.name ?? '', z)
      const key = `${name} ${type}`
      let set = sets.get(key)
      if (!set) sets.set(key, (set = { name, type, ttl: Number(r.ttl), values: [] }))
      const value = valueOf(type, r, z)
      if (!set.values.includes(value)) set.values.push(value)
    }
    return [...sets.values()]
  }

  private recordsAt(zone: string, records: WhmRecord[], name: string, type: ZoneRecordType) {
    const z = bareName(zone)
    return records
      .filter((r) => r.type === type && absoluteName(r.name ?? '', z) === name)
      .map((r) => ({ line: Number(r.Line ?? r.line), ttl: Number(r.ttl), value: valueOf(type, r, z) }))
      .filter((r) => Number.isInteger(r.line) && r.line > 0)
  }

  async readRecords(zone: string, name: string, type: RecordType): Promise<RecordSet | null> {
    const n = bareName(name)
    const found = this.recordsAt(zone, await this.dump(zone), n, type)
    if (found.length === 0) return null
    return { name: n, type, ttl: found[0]!.ttl, values: found.map((r) => r.value) }
  }

  async writeRecords(zone: string, set: RecordSet | ZoneRecordSet): Promise<void> {
    const s = checkRecordSet(PROVIDER, zone, set)
    const z = bareName(zone)
    const existing = this.recordsAt(z, await this.dump(z), s.name, s.type)

    const wanted = [...s.values]
    const keep: typeof existing = []
    const spare: typeof existing = []
    for (const r of existing) {
      const i = wanted.indexOf(canonicalValue(s.type, r.value))
      if (i >= 0) {
        wanted.splice(i, 1)
        keep.push(r)
      } else spare.push(r)
    }
    const act = `write ${s.name} ${s.type}`

    // Edits keep line numbers; additions go to the end of the file; removals
    // come last, bottom-up, so no line still to be used moves.
    for (const r of keep) {
      if (r.ttl !== s.ttl) await this.call('editzonerecord', { domain: z, line: r.line, ...fields(s.type, s.name, s.ttl, r.value) }, act)
    }
    while (wanted.length && spare.length) {
      const r = spare.shift()!
      await this.call('editzonerecord', { domain: z, line: r.line, ...fields(s.type, s.name, s.ttl, wanted.shift()!) }, act)
    }
    for (const value of wanted) {
      await this.call('addzonerecord', { domain: z, ...fields(s.type, s.name, s.ttl, value) }, act)
    }
    for (const r of spare.sort((a, b) => b.line - a.line)) {
      await this.call('removezonerecord', { zone: z, line: r.line }, act)
    }
  }
}

/** A name from dumpzone, absolute and without the dot. Names without a dot and one label are relative. */
function absoluteName(name: string, zone: string): string {
  const n = name.trim()
  if (n === '' || n === '@') return zone
  if (n.endsWith('.')) return bareName(n)
  return n.includes('.') ? bareName(n) : `${bareName(n)}.${zone}`
}

const ZONE_TYPES: ZoneRecordType[] = ['A', 'AAAA', 'MX', 'SRV', 'CNAME', 'TXT']

function fields(type: ZoneRecordType, name: string, ttl: number, value: string): Record<string, string | number> {
  const common = { name: dotted(name), class: 'IN', ttl, type }
  if (type === 'CNAME') return { ...common, cname: dotted(value) }
  if (type === 'TXT') return { ...common, txtdata: value }
  if (type === 'MX') {
    const mx = parseMx(value)!
    return { ...common, exchange: dotted(mx.exchange), preference: mx.preference }
  }
  if (type === 'SRV') {
    const srv = parseSrv(value)!
    return { ...common, priority: srv.priority, weight: srv.weight, port: srv.port, target: dotted(srv.target) }
  }
  return { ...common, address: value }
}

function valueOf(type: ZoneRecordType, r: WhmRecord, zone: string): string {
  if (type === 'CNAME') return absoluteName(r.cname ?? '', zone)
  if (type === 'TXT') return canonicalValue('TXT', String(r.txtdata ?? ''))
  if (type === 'MX') return formatMx({ preference: Number(r.preference ?? 0), exchange: absoluteName(r.exchange ?? '', zone) })
  if (type === 'SRV') {
    return formatSrv({ priority: Number(r.priority ?? 0), weight: Number(r.weight ?? 0), port: Number(r.port ?? 0), target: absoluteName(r.target ?? '', zone) })
  }
  return canonicalValue(type, String(r.address ?? ''))
}
