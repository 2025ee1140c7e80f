// Cloudflare through the official SDK (npm "cloudflare"), with an API token.
// Zones are found by name; a record set is the records of one exact name and
// type. Writing a set edits the records that are there (PATCH, keeping each
// one's proxied flag), creates the missing ones and deletes the surplus.
// MX: content is the exchange, priority the preference. SRV: data holds
// priority, weight, port and target.
import Cloudflare, { APIConnectionError, APIConnectionTimeoutError, APIError } from 'cloudflare'
import type { RecordListParams } from 'cloudflare/resources/dns/records'
import { bareName, canonicalValue, checkRecordSet, DEFAULT_TIMEOUT_MS, formatMx, formatSrv, originOf, parseMx, parseSrv, redact, statusError } from './common'
import { DnsProviderError, type DnsProvider, type RecordSet, type RecordType, type ZoneInfo, type ZoneRecordSet, type ZoneRecordType } from './provider'

export type CloudflareOptions = {
  apiToken: string
  /** https://api.cloudflare.com/client/v4 unless given (tests point it at a stand-in). */
  baseUrl?: string
  /** Per request; 10 s unless given. */
  timeoutMs?: number
  /** Records asked for per page when listing (1 to 5,000,000; the most unless given). */
  pageSize?: number
}

const PROVIDER = 'Cloudflare'
export const CLOUDFLARE_API = 'https://api.cloudflare.com/client/v4'

/** One of Cloudflare's errors; a wrapper such as 1004 "DNS Validation Error" carries its reasons in error_chain. */
type CfMessage = { code?: number; message?: string; error_chain?: CfMessage[] }

/** What a call was about, so a refusal can name it. */
type Where = { zone?: string; record?: { name: string; type: ZoneRecordType; ttl: number } }

/** The fields of a DNS record this adapter reads. */
type CfRecord = {
  id: string
  name: string
  type: string
  content?: string
  ttl: number
  proxied?: boolean
  priority?: number
  data?: { priority?: number; weight?: number; port?: number; target?: string }
}

export class CloudflareProvider implements DnsProvider {
  private readonly client: Cloudflare
  private readonly apiToken: string
  private readonly baseUrl: string
  private readonly timeoutMs: number
  private readonly pageSize: number
  private readonly zoneIds = new Map<string, string>()

  constructor(opts: CloudflareOptions) {
    if (!opts.apiToken) throw new DnsProviderError('Cloudflare: no API token configured', false)
    this.apiToken = opts.apiToken
    this.baseUrl = (opts.baseUrl || CLOUDFLARE_API).replace(/\/+$/, '')
    this.timeoutMs = opts.timeoutMs ?? DEFAULT_TIMEOUT_MS
    this.pageSize = opts.pageSize ?? MAX_PAGE_SIZE
    this.client = new Cloudflare({
      apiToken: opts.apiToken,
      // Only the token: never pick up a global key or e-mail from the environment.
      apiKey: null,
      apiEmail: null,
      userServiceKey: null,
      baseURL: this.baseUrl,
      maxRetries: 0, // failover retries on its own
      timeout: this.timeoutMs,
      logLevel: 'off',
    })
  }

  /** Runs one SDK call and turns whatever it throws into a DnsProviderError. */
  private async call<T>(action: string, fn: () => Promise<T>, where: Where = {}): Promise<T> {
    try {
      return await fn()
    } catch (err) {
      throw this.mapError(err, action, where)
    }
  }

  private mapError(err: unknown, action: string, where: Where): DnsProviderError {
    if (err instanceof DnsProviderError) return err
    const origin = originOf(this.baseUrl)
    if (err instanceof APIConnectionTimeoutError) {
      return new DnsProviderError(`Cloudflare at ${origin} did not answer within ${Math.round(this.timeoutMs / 1000)} s`, true)
    }
    if (err instanceof APIConnectionError) {
      const cause = (err as { cause?: { code?: string; name?: string } }).cause
      return new DnsProviderError(`could not reach Cloudflare at ${origin} (${cause?.code ?? cause?.name ?? 'network error'})`, true)
    }
    if (err instanceof APIError && typeof err.status === 'number') {
      return this.refusal(err.status, (err.errors ?? []) as CfMessage[], action, where, err.headers)
    }
    return new DnsProviderError(this.say(`Cloudflare: ${action} failed: ${err instanceof Error ? err.message : String(err)}`), false)
  }

  /** An answer that is not a success, worded from its reasons (not from a 1004 wrapper that only says validation failed). */
  private refusal(status: number, errors: CfMessage[], action: string, where: Where, headers?: Headers): DnsProviderError {
    const found = reasons(errors)
    const detail = this.say(found.map(quote).join('; ').slice(0, 400))
    if (status === 429) return rateLimited(retryAfterSeconds(headers), detail)
    const specific = this.recordRefusal(found, action, where.record)
    if (specific) return specific
    if (status === 404 && where.zone) this.zoneIds.delete(bareName(where.zone))
    return statusError(PROVIDER, status, { credential: 'API token', detail, action, zone: status === 404 ? where.zone : undefined })
  }

  /** Refusals of a record write that the operator (or writeRecords) acts on once told exactly what happened. */
  private recordRefusal(found: CfMessage[], action: string, record: Where['record']): DnsProviderError | null {
    const gone = found.find((e) => e.code === RECORD_GONE)
    if (gone) return new RecordGone(this.say(`Cloudflare could not ${action}: a record listed a moment ago no longer exists: ${quote(gone)}`), true)
    if (!record) return null
    const ttl = found.find((e) => e.code === TTL_OUT_OF_RANGE)
    if (ttl) return new DnsProviderError(this.say(`Cloudflare refused TTL ${record.ttl} for ${record.name} ${record.type}: ${quote(ttl)}`), false)
    const sameName = found.find((e) => e.code !== undefined && e.code in SAME_NAME)
    if (sameName) return new DnsProviderError(this.say(`Cloudflare refused to ${action}: ${SAME_NAME[sameName.code!]}: ${quote(sameName)}`), false)
    return null
  }

  /** Never let the token into a message, whatever the API echoed back. */
  private say(message: string): string {
    return redact(message, [this.apiToken])
  }

  async listZones(): Promise<ZoneInfo[]> {
    return this.call('list zones', async () => {
      const zones: ZoneInfo[] = []
      for await (const z of this.client.zones.list({ per_page: 50 })) zones.push({ name: bareName(z.name), id: z.id })
      // A zone's records are read by its id next: knowing it here saves a lookup per zone against the account's rate limit.
      for (const z of zones) this.zoneIds.set(z.name, z.id)
      return zones
    })
  }

  private async zoneId(zone: string): Promise<string> {
    const name = bareName(zone)
    const cached = this.zoneIds.get(name)
    if (cached) return cached
    const id = await this.call(`find zone ${name}`, async () => {
      for await (const z of this.client.zones.list({ name, per_page: 50 })) {
        if (bareName(z.name) === name) return z.id
      }
      return null
    })
    if (!id) throw new DnsProviderError(`zone ${name} not found at Cloudflare`, false)
    this.zoneIds.set(name, id)
    return id
  }

  private async listSet(zoneId: string, zone: string, name: string, type: ZoneRecordType): Promise<CfRecord[]> {
    return this.call(
      `read ${name} ${type}`,
      async () => {
        const records = await this.listAll({ zone_id: zoneId, name: { exact: name }, type })
        // The filter is the server's; check it here too.
        return records.filter((rec) => rec.type === type && bareName(rec.name) === name)
      },
      { zone },
    )
  }

  /** Every A record of a zone, for "Import from Cloudflare". */
  async listARecords(zone: string): Promise<{ name: string; value: string; proxied: boolean }[]> {
    const zoneId = await this.zoneId(zone)
    return this.call(
      `list A records of ${zone}`,
      async () => {
        const records = await this.listAll({ zone_id: zoneId, type: 'A' })
        return records.filter((rec) => rec.type === 'A').map((rec) => ({ name: bareName(rec.name), value: valueOf('A', rec), proxied: rec.proxied === true }))
      },
      { zone },
    )
  }

  /** Every A and AAAA record of a zone, so that import sees the whole address set of a name. */
  async listAddressRecords(zone: string): Promise<{ name: string; type: 'A' | 'AAAA'; value: string; proxied: boolean }[]> {
    const zoneId = await this.zoneId(zone)
    const out: { name: string; type: 'A' | 'AAAA'; value: string; proxied: boolean }[] = []
    for (const type of ['A', 'AAAA'] as const) {
      const records = await this.call(`list ${type} records of ${zone}`, () => this.listAll({ zone_id: zoneId, type }), { zone })
      for (const rec of records) if (rec.type === type) out.push({ name: bareName(rec.name), type, value: valueOf(type, rec), proxied: rec.proxied === true })
    }
    return out
  }

  /** Every record a listing matches, page after page until the answer says there are no more. */
  private async listAll(params: Omit<RecordListParams, 'per_page' | 'page'>): Promise<CfRecord[]> {
    let page = await this.client.dns.records.list({ ...params, per_page: this.pageSize } as RecordListParams)
    const out = [...(page.result as unknown as CfRecord[])]
    while (morePages(page, out.length, this.pageSize)) {
      page = await page.getNextPage()
      out.push(...(page.result as unknown as CfRecord[]))
    }
    return out
  }

  async readRecords(zone: string, name: string, type: RecordType): Promise<RecordSet | null> {
    const n = bareName(name)
    const zoneId = await this.zoneId(zone)
    const records = await this.listSet(zoneId, zone, n, type)
    if (records.length === 0) return null
    const set: RecordSet = { name: n, type, ttl: records[0]!.ttl, values: records.map((r) => valueOf(type, r)) }
    if (type === 'A' || type === 'AAAA') set.proxied = records.some((r) => r.proxied === true)
    return set
  }

  /**
   * Every A, AAAA, MX, SRV, CNAME and TXT set of the zone, in one listing
   * (paged only past the largest page): what Managed DNS compares with WHM.
   */
  async listRecords(zone: string): Promise<ZoneRecordSet[]> {
    const zoneId = await this.zoneId(zone)
    const records = await this.call(`list the records of ${bareName(zone)}`, () => this.listAll({ zone_id: zoneId }), { zone })
    const sets = new Map<string, ZoneRecordSet>()
    for (const r of records) {
      const type = r.type as ZoneRecordType
      if (!ZONE_TYPES.includes(type)) continue
      const name = bareName(r.name)
      const key = `${name} ${type}`
      let set = sets.get(key)
      if (!set) {
        set = { name, type, ttl: r.ttl, values: [] }
        if (PROXIABLE.includes(type)) set.proxied = false
        sets.set(key, set)
      }
      set.values.push(valueOf(type, r))
      if (r.proxied === true) set.proxied = true
    }
    return [...sets.values()]
  }

  /**
   * Turns Cloudflare's proxy on or off for every record of one name and type
   * (A, AAAA, CNAME), values and TTL as they are; returns how many changed.
   */
  async setProxied(zone: string, name: string, type: ZoneRecordType, proxied: boolean): Promise<number> {
    if (!PROXIABLE.includes(type)) throw new DnsProviderError(`Cloudflare proxies only A, AAAA and CNAME records, not ${type}`, false)
    const n = bareName(name)
    const zoneId = await this.zoneId(zone)
    const records = await this.listSet(zoneId, zone, n, type)
    if (!records.length) throw new DnsProviderError(`Cloudflare has no ${type} record for ${n}`, false)
    let changed = 0
    for (const r of records) {
      if ((r.proxied === true) === proxied) continue
      await this.call(`set proxied on ${n} ${type}`, () => this.client.dns.records.edit(r.id, { zone_id: zoneId, name: n, type, proxied } as any), { zone, record: { name: n, type, ttl: r.ttl } })
      changed++
    }
    return changed
  }

  async writeRecords(zone: string, set: RecordSet | ZoneRecordSet): Promise<void> {
    const s = checkRecordSet(PROVIDER, zone, set)
    const zoneId = await this.zoneId(zone)
    try {
      await this.replaceSet(zoneId, zone, s)
    } catch (err) {
      // Our listing went stale (a record was deleted before we wrote it), not the request: list again and redo, once.
      if (!(err instanceof RecordGone)) throw err
      await this.replaceSet(zoneId, zone, s)
    }
  }

  private async replaceSet(zoneId: string, zone: string, s: ZoneRecordSet): Promise<void> {
    const existing = await this.listSet(zoneId, zone, s.name, s.type)

    // Values already there stay where they are; the others are paired with
    // records to edit, then created; records left over are deleted.
    const wanted = [...s.values]
    const keep: CfRecord[] = []
    const spare: CfRecord[] = []
    for (const r of existing) {
      const i = wanted.indexOf(canonicalValue(s.type, valueOf(s.type, r)))
      if (i >= 0) {
        wanted.splice(i, 1)
        keep.push(r)
      } else spare.push(r)
    }
    const proxiable = PROXIABLE.includes(s.type)
    const newProxied = s.proxied ?? existing[0]?.proxied ?? false
    const where: Where = { zone, record: { name: s.name, type: s.type, ttl: s.ttl } }

    for (const r of keep) {
      // Proxied records have an automatic TTL (1); leave them be.
      if (r.ttl !== s.ttl && !r.proxied) {
        await this.call(`update ${s.name} ${s.type}`, () => this.client.dns.records.edit(r.id, { zone_id: zoneId, ...fields(s.type, s.name, s.ttl, valueOf(s.type, r)), ...(proxiable ? { proxied: r.proxied ?? false } : {}) } as any), where)
      }
    }
    while (wanted.length && spare.length) {
      const r = spare.shift()!
      const value = wanted.shift()!
      await this.call(
        `update ${s.name} ${s.type}`,
        () => this.client.dns.records.edit(r.id, { zone_id: zoneId, ...fields(s.type, s.name, s.ttl, value), ...(proxiable ? { proxied: r.proxied ?? false } : {}) } as any),
        where,
      )
    }
    for (const value of wanted) {
      await this.call(
        `create ${s.name} ${s.type}`,
        () => this.client.dns.records.create({ zone_id: zoneId, ...fields(s.type, s.name, s.ttl, value), ...(proxiable ? { proxied: newProxied } : {}) } as any),
        where,
      )
    }
    for (const r of spare) {
      await this.call(`delete ${s.name} ${s.type}`, () => this.client.dns.records.delete(r.id, { zone_id: zoneId }), where)
    }
  }
}

/**
 * Cloudflare refuses every call of the account for minutes once it is over
 * its limit (1,200 calls in 5 minutes), so the wait it asks for goes with the
 * error: a retry before then only meets the same refusal.
 */
function rateLimited(wait: number | undefined, detail: string): DnsProviderError {
  if (wait === undefined) return statusError(PROVIDER, 429, { credential: 'API token', detail })
  return new DnsProviderError(`Cloudflare is rate limiting this account (429) and asked to wait ${duration(wait)} before the next call: ${detail}`, true, wait)
}

/** Seconds from a Retry-After header, which holds either seconds or an HTTP date. */
export function retryAfterSeconds(headers: Headers | undefined, now = Date.now()): number | undefined {
  const value = headers?.get('retry-after')?.trim()
  if (!value) return undefined
  if (/^\d+$/.test(value)) return Number(value)
  const at = Date.parse(value)
  return Number.isNaN(at) ? undefined : Math.max(0, Math.ceil((at - now) / 1000))
}

/** "45 s", "300 s (5 min)", "90 s (1 min 30 s)". */
function duration(seconds: number): string {
  if (seconds < 60) return `${seconds} s`
  const rest = seconds % 60
  return `${seconds} s (${Math.floor(seconds / 60)} min${rest ? ` ${rest} s` : ''})`
}

/**
 * The largest page of DNS records the API gives (dns-records_per_page in
 * Cloudflare's OpenAPI document: 1 to 5,000,000): each page is a call
 * counted against the account's 1,200 calls in 5 minutes.
 */
const MAX_PAGE_SIZE = 5_000_000

/**
 * Whether a listing goes on past this page, from the answer itself: the SDK
 * would ask for pages until one comes back empty, one call more every time.
 * total_count, when given, settles it (a count larger than the filtered
 * matches only costs that extra call); else a full page means there may be more.
 */
function morePages(page: { result: unknown[]; result_info?: unknown }, seen: number, asked: number): boolean {
  if (page.result.length === 0) return false
  const info = (page.result_info ?? {}) as { per_page?: number; total_count?: number }
  if (typeof info.total_count === 'number') return seen < info.total_count
  return page.result.length >= (info.per_page ?? asked)
}

/** Cloudflare's code when a record id is not (or no longer) in the zone; a 404 without it is the zone. */
const RECORD_GONE = 81044

/** A record deleted between listing and writing: the zone is there, the listing is stale. */
class RecordGone extends DnsProviderError {}

/** Cloudflare's code for a TTL under the zone's floor (60, or 30 on Enterprise), inside a 1004. */
const TTL_OUT_OF_RANGE = 9021

/** The refusals of a record because of another record at the same name, as the operator needs to hear them. */
const SAME_NAME: Record<number, string> = {
  81053: 'the name already has an A, AAAA or CNAME record, and Cloudflare allows no CNAME beside one',
  81054: 'the name has a CNAME record, and Cloudflare allows no A or AAAA record beside it',
}

/** The reasons inside Cloudflare's errors: a wrapper only says validation failed, its error_chain says why. */
function reasons(errors: CfMessage[]): CfMessage[] {
  return errors.flatMap((e) => (e.error_chain?.length ? reasons(e.error_chain) : [e]))
}

const quote = (e: CfMessage) => `${e.message ?? 'error'}${e.code !== undefined ? ` [${e.code}]` : ''}`

/** The types Managed DNS reads and writes; Cloudflare's proxy takes the first three. */
const ZONE_TYPES: ZoneRecordType[] = ['A', 'AAAA', 'CNAME', 'MX', 'SRV', 'TXT']
const PROXIABLE: ZoneRecordType[] = ['A', 'AAAA', 'CNAME']

/** The body fields for one value of a set. */
function fields(type: ZoneRecordType, name: string, ttl: number, value: string): Record<string, unknown> {
  if (type === 'MX') {
    const mx = parseMx(value)!
    return { name, type, ttl, content: mx.exchange, priority: mx.preference }
  }
  if (type === 'SRV') {
    const srv = parseSrv(value)!
    return { name, type, ttl, data: { priority: srv.priority, weight: srv.weight, port: srv.port, target: srv.target } }
  }
  return { name, type, ttl, content: value }
}

/** A Cloudflare record's value in our form. */
function valueOf(type: ZoneRecordType, r: CfRecord): string {
  const content = (r.content ?? '').trim()
  if (type === 'CNAME' || type === 'TXT') return canonicalValue(type, content)
  if (type === 'MX') {
    const mx = parseMx(`${r.priority ?? r.data?.priority ?? 0} ${content}`)
    return mx ? formatMx(mx) : content
  }
  if (type === 'SRV') {
    const d = r.data
    if (d && d.target !== undefined && d.port !== undefined) {
      return formatSrv({ priority: d.priority ?? r.priority ?? 0, weight: d.weight ?? 0, port: d.port, target: d.target })
    }
    // Without data: "priority weight port target", or "weight port target" with priority beside it.
    const parts = content.split(/\s+/)
    const full = parts.length === 3 ? `${r.priority ?? 0} ${content}` : content
    const srv = parseSrv(full)
    return srv ? formatSrv(srv) : content
  }
  return type === 'AAAA' ? canonicalValue('AAAA', content) : content
}
