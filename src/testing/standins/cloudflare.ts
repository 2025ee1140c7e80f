// A stand-in for the Cloudflare API v4 (https://api.cloudflare.com/client/v4),
// for the parts the DNS adapter uses, shaped as the public API documents them:
//   GET    /client/v4/zones?name=&page=&per_page=
//   GET    /client/v4/zones/:zone_id/dns_records?name=|name.exact=&type=&page=&per_page=
//   POST   /client/v4/zones/:zone_id/dns_records
//   GET    /client/v4/zones/:zone_id/dns_records/:id
//   PATCH  /client/v4/zones/:zone_id/dns_records/:id   (fields given are changed, others kept)
//   PUT    /client/v4/zones/:zone_id/dns_records/:id   (the record is overwritten)
//   DELETE /client/v4/zones/:zone_id/dns_records/:id
// Every answer is the v4 envelope {success, errors, messages, result[, result_info]}.
// Authorization: Bearer <token>, checked against state.tokens.
// Serves on 127.0.0.1, port 0.
//
// Refusals as Cloudflare sends them (cloudflare.test.ts checks the shapes
// against Cloudflare's OpenAPI document, kept in cloudflare-schemas.ts):
// - a field it will not take: 400, code 1004 "DNS Validation Error" with the
//   reasons in error_chain, e.g. TTL 2–59 on a zone that is not Enterprise
//   (9021 "TTL must be between 60 and 86400 seconds, or 1 for Automatic.";
//   Enterprise zones take 30 and up), as reported from the real API in
//   github.com/timothymiller/cloudflare-ddns/issues/179;
// - an A or AAAA record on a name that has a CNAME: 400, 81054 "A CNAME
//   record with that host already exists…"; a CNAME on a name that has an A,
//   AAAA or CNAME: 400, 81053 "An A, AAAA, or CNAME record with that host
//   already exists…" (github.com/favonia/cloudflare-ddns/issues/990,
//   github.com/cloudflare/terraform-provider-cloudflare/issues/1247);
// - a record id that is not there: 404, 81044 "Record does not exist.";
// - over the account's rate limit (1,200 calls in 5 minutes, after which
//   every call is refused for 5 minutes, developers.cloudflare.com/fundamentals/api/reference/limits/):
//   429 with Retry-After in seconds and 971 "Please wait and consider
//   throttling your request speed" (github.com/cloudflare/terraform-provider-cloudflare/issues/5494).

export type CfRecord = {
  id: string
  zone_id: string
  zone_name: string
  name: string
  type: string
  content: string
  proxiable: boolean
  proxied: boolean
  ttl: number
  locked: boolean
  priority?: number
  data?: { priority?: number; weight?: number; port?: number; target?: string }
  /** Absent when the record has none. */
  comment?: string
  tags: string[]
  settings: Record<string, unknown>
  meta: Record<string, unknown>
  created_on: string
  modified_on: string
}

export type CfPlan = { id: string; name: string; legacy_id: 'free' | 'enterprise' }

export type CfZone = {
  id: string
  name: string
  status: 'active'
  paused: boolean
  type: 'full'
  development_mode: number
  name_servers: string[]
  original_name_servers: string[] | null
  original_registrar: string | null
  original_dnshost: string | null
  owner: { id: string; name: string; type: string }
  account: { id: string; name: string }
  meta: Record<string, unknown>
  /** The lowest TTL the zone takes depends on it (30 on Enterprise, else 60). */
  plan: CfPlan
  created_on: string
  modified_on: string
  activated_on: string
}

export type CloudflareRequest = { method: string; path: string; query: Record<string, string>; body: unknown; authorization: string | null }

export type CloudflareState = {
  /** Bearer tokens that are accepted. */
  tokens: Set<string>
  zones: CfZone[]
  records: CfRecord[]
  /** Every request, in order (the Authorization header as sent). */
  requests: CloudflareRequest[]
  /** A zone on the Free plan unless enterprise. */
  addZone(name: string, opts?: { enterprise?: boolean }): CfZone
  /** A record as if made in the dashboard; ttl 1 is "automatic". */
  addRecord(zone: string, r: { name: string; type: string; content?: string; ttl?: number; proxied?: boolean; priority?: number; data?: CfRecord['data'] }): CfRecord
  /** The records at name (and type) in zone, as stored. */
  find(zone: string, name: string, type?: string): CfRecord[]
  /** The next n requests get this status (500 unless given) with an error envelope. */
  failNext(n: number, status?: number): void
  /** Every request is refused with 429 and Retry-After for this many seconds from now; 0 lifts it. */
  rateLimitFor(seconds: number): void
  /** The next n writes (PATCH, PUT, DELETE) to a record find it deleted first, as if by someone else. */
  vanishBeforeNextWrite(n?: number): void
  reset(): void
}

export type CloudflareStandin = { url: string; stop: () => Promise<void>; state: CloudflareState }

const hex32 = () => crypto.randomUUID().replace(/-/g, '')
const now = () => new Date().toISOString()

const IPV4 = /^(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)(\.(25[0-5]|2[0-4]\d|1\d\d|[1-9]?\d)){3}$/
function isIpv6(s: string) {
  if (!/^[0-9a-fA-F:.]+$/.test(s) || !s.includes(':')) return false
  try {
    new URL(`http://[${s}]/`)
    return true
  } catch {
    return false
  }
}
const HOST = /^(?=.{1,253}$)([a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)(\.[a-z0-9_]([a-z0-9_-]{0,61}[a-z0-9_])?)*\.?$/i
const PROXIABLE = new Set(['A', 'AAAA', 'CNAME'])

type ApiError = { code: number; message: string; error_chain?: ApiError[] }
class Fail extends Error {
  constructor(
    public status: number,
    public errors: ApiError[],
  ) {
    super(errors.map((e) => e.message).join('; '))
  }
}

function envelope(result: unknown, extra: Record<string, unknown> = {}) {
  return { success: true, errors: [], messages: [], result, ...extra }
}

function failure(status: number, errors: ApiError[], headers?: Record<string, string>) {
  return Response.json({ success: false, errors, messages: [], result: null }, { status, headers })
}

function rateLimited(seconds: number) {
  return failure(429, [{ code: 971, message: 'Please wait and consider throttling your request speed' }], { 'retry-after': String(seconds) })
}

const SAME_NAME_HELP = 'For more details, refer to <https://developers.cloudflare.com/dns/manage-dns-records/troubleshooting/records-with-same-name/>.'
const ADDRESS = new Set(['A', 'AAAA'])

/** Cloudflare refuses a CNAME beside any address or CNAME record of the same name, and an address record beside a CNAME. */
function nameConflict(type: string, others: CfRecord[]): ApiError | null {
  if (ADDRESS.has(type) && others.some((r) => r.type === 'CNAME')) {
    return { code: 81054, message: `A CNAME record with that host already exists. ${SAME_NAME_HELP}` }
  }
  if (type === 'CNAME' && others.some((r) => ADDRESS.has(r.type) || r.type === 'CNAME')) {
    return { code: 81053, message: `An A, AAAA, or CNAME record with that host already exists. ${SAME_NAME_HELP}` }
  }
  return null
}

function ttlError(ttl: number, zone: CfZone): ApiError | null {
  const floor = zone.plan.legacy_id === 'enterprise' ? 30 : 60
  if (ttl === 1 || (Number.isInteger(ttl) && ttl >= floor && ttl <= 86400)) return null
  return { code: 9021, message: `TTL must be between ${floor} and 86400 seconds, or 1 for Automatic.` }
}

export async function start(): Promise<CloudflareStandin> {
  let failures: { n: number; status: number } = { n: 0, status: 500 }
  let rateLimitedUntil = 0
  let vanishing = 0
  const accountId = hex32()

  const state: CloudflareState = {
    tokens: new Set(['cf-test-token']),
    zones: [],
    records: [],
    requests: [],
    addZone(name, opts = {}) {
      const zone: CfZone = {
        id: hex32(),
        name: name.toLowerCase(),
        status: 'active',
        paused: false,
        type: 'full',
        development_mode: 0,
        name_servers: ['ada.ns.cloudflare.com', 'bob.ns.cloudflare.com'],
        original_name_servers: null,
        original_registrar: null,
        original_dnshost: null,
        owner: { id: accountId, name: 'Stand-in account', type: 'organization' },
        account: { id: accountId, name: 'Stand-in account' },
        meta: { step: 2, custom_certificate_quota: 0, page_rule_quota: 3, phishing_detected: false },
        plan: opts.enterprise
          ? { id: hex32(), name: 'Enterprise Website', legacy_id: 'enterprise' }
          : { id: '0feeeeeeeeeeeeeeeeeeeeeeeeeeeeee', name: 'Free Website', legacy_id: 'free' },
        created_on: now(),
        modified_on: now(),
        activated_on: now(),
      }
      state.zones.push(zone)
      return zone
    },
    addRecord(zoneName, r) {
      const zone = state.zones.find((z) => z.name === zoneName.toLowerCase())
      if (!zone) throw new Error(`stand-in: no zone ${zoneName}`)
      const rec = buildRecord(zone, { ...r, ttl: r.ttl ?? 1 })
      state.records.push(rec)
      return rec
    },
    find(zoneName, name, type) {
      const zone = state.zones.find((z) => z.name === zoneName.toLowerCase())
      return state.records.filter((r) => r.zone_id === zone?.id && r.name === name.toLowerCase() && (!type || r.type === type))
    },
    failNext(n, status = 500) {
      failures = { n, status }
    },
    rateLimitFor(seconds) {
      rateLimitedUntil = Date.now() + seconds * 1000
    },
    vanishBeforeNextWrite(n = 1) {
      vanishing = n
    },
    reset() {
      state.zones = []
      state.records = []
      state.requests = []
      failures = { n: 0, status: 500 }
      rateLimitedUntil = 0
      vanishing = 0
    },
  }

  /** Validates fields as the API does and returns the stored shape. */
  function buildRecord(zone: CfZone, input: Record<string, any>, existing?: CfRecord): CfRecord {
    const type = String(input.type ?? existing?.type ?? '').toUpperCase()
    const name = String(input.name ?? existing?.name ?? '').replace(/\.$/, '').toLowerCase()
    const errs: ApiError[] = []
    if (!type) errs.push({ code: 9008, message: 'DNS record type is invalid.' })
    if (!name) errs.push({ code: 9007, message: 'DNS name is invalid.' })
    else if (name !== zone.name && !name.endsWith('.' + zone.name)) errs.push({ code: 9007, message: 'DNS name is invalid.' })
    const ttl = Number(input.ttl ?? existing?.ttl ?? 1)
    const badTtl = ttlError(ttl, zone)
    if (badTtl) errs.push(badTtl)
    const proxiable = PROXIABLE.has(type)
    const proxied = Boolean(input.proxied ?? existing?.proxied ?? false)
    if (proxied && !proxiable) errs.push({ code: 9004, message: 'This record type cannot be proxied.' })

    let content = String(input.content ?? (type === existing?.type ? existing?.content : '') ?? '').trim()
    let priority: number | undefined
    let data: CfRecord['data'] | undefined
    if (type === 'A' && !IPV4.test(content)) errs.push({ code: 9005, message: 'Content for A record must be a valid IPv4 address.' })
    if (type === 'AAAA' && !isIpv6(content)) errs.push({ code: 9006, message: 'Content for AAAA record must be a valid IPv6 address.' })
    if (type === 'MX') {
      priority = Number(input.priority ?? existing?.priority)
      if (!Number.isInteger(priority) || priority < 0 || priority > 65535) errs.push({ code: 9100, message: 'MX priority is required and must be between 0 and 65535.' })
      content = content.replace(/\.$/, '')
      if (!HOST.test(content)) errs.push({ code: 9101, message: 'Content for MX record must be a valid hostname.' })
    }
    if (type === 'SRV') {
      const d = input.data ?? (input.content === undefined ? existing?.data : undefined)
      if (d) {
        data = { priority: Number(d.priority), weight: Number(d.weight), port: Number(d.port), target: String(d.target ?? '').replace(/\.$/, '') }
      } else {
        const parts = content.split(/\s+/)
        if (parts.length === 4) data = { priority: Number(parts[0]), weight: Number(parts[1]), port: Number(parts[2]), target: parts[3]!.replace(/\.$/, '') }
      }
      const ok =
        data &&
        [data.priority, data.weight, data.port].every((n) => Number.isInteger(n) && n! >= 0 && n! <= 65535) &&
        HOST.test(data.target ?? '')
      if (!ok) errs.push({ code: 9102, message: 'SRV data must have priority, weight, port and target.' })
      else {
        priority = data!.priority
        content = `${data!.priority} ${data!.weight} ${data!.port} ${data!.target}`
      }
    }
    if (!['A', 'AAAA', 'MX', 'SRV', 'CNAME', 'TXT', 'NS'].includes(type) && type) errs.push({ code: 9008, message: 'DNS record type is invalid.' })
    if (errs.length) throw new Fail(400, [{ code: 1004, message: 'DNS Validation Error', error_chain: errs }])

    const others = state.records.filter((r) => r.zone_id === zone.id && r.id !== existing?.id && r.name === name)
    const conflict = nameConflict(type, others)
    if (conflict) throw new Fail(400, [conflict])
    if (others.some((r) => r.type === type && r.content === content)) throw new Fail(400, [{ code: 81058, message: 'An identical record already exists.' }])

    return {
      id: existing?.id ?? hex32(),
      zone_id: zone.id,
      zone_name: zone.name,
      name,
      type,
      content,
      proxiable,
      proxied,
      // Proxied records always have an automatic TTL.
      ttl: proxied ? 1 : ttl,
      locked: false,
      ...(priority !== undefined ? { priority } : {}),
      ...(data ? { data } : {}),
      ...commentOf(input.comment ?? existing?.comment),
      tags: input.tags ?? existing?.tags ?? [],
      settings: input.settings ?? existing?.settings ?? {},
      meta: existing?.meta ?? {},
      created_on: existing?.created_on ?? now(),
      modified_on: now(),
    }
  }

  function page<T>(items: T[], query: Record<string, string>, defaults: { perPage: number; min: number; max: number }) {
    const pageNo = query.page === undefined ? 1 : Number(query.page)
    const perPage = query.per_page === undefined ? defaults.perPage : Number(query.per_page)
    if (!Number.isInteger(pageNo) || pageNo < 1) throw new Fail(400, [{ code: 1004, message: 'page must be a positive integer' }])
    if (!Number.isInteger(perPage) || perPage < defaults.min || perPage > defaults.max) {
      throw new Fail(400, [{ code: 1004, message: `per_page must be between ${defaults.min} and ${defaults.max}` }])
    }
    const slice = items.slice((pageNo - 1) * perPage, pageNo * perPage)
    return envelope(slice, {
      result_info: { page: pageNo, per_page: perPage, count: slice.length, total_count: items.length, total_pages: Math.ceil(items.length / perPage) },
    })
  }

  function nameMatches(recordName: string, query: Record<string, string>): boolean {
    const exact = query['name.exact'] ?? query.name
    if (exact !== undefined && recordName !== exact.replace(/\.$/, '').toLowerCase()) return false
    if (query['name.contains'] !== undefined && !recordName.includes(query['name.contains'].toLowerCase())) return false
    if (query['name.startswith'] !== undefined && !recordName.startsWith(query['name.startswith'].toLowerCase())) return false
    if (query['name.endswith'] !== undefined && !recordName.endsWith(query['name.endswith'].toLowerCase())) return false
    return true
  }

  async function handle(req: Request): Promise<Response> {
    const url = new URL(req.url)
    const query = Object.fromEntries(url.searchParams)
    let body: unknown = null
    if (req.method !== 'GET' && req.method !== 'DELETE') {
      const text = await req.text()
      if (text) {
        try {
          body = JSON.parse(text)
        } catch {
          return failure(400, [{ code: 6007, message: 'Malformed JSON in request body' }])
        }
      }
    }
    const authorization = req.headers.get('authorization')
    state.requests.push({ method: req.method, path: url.pathname, query, body, authorization })

    const limited = Math.ceil((rateLimitedUntil - Date.now()) / 1000)
    if (limited > 0) return rateLimited(limited)
    if (failures.n > 0) {
      failures.n--
      const s = failures.status
      if (s === 429) return rateLimited(300)
      return failure(s, [{ code: 10000 + (s % 100), message: 'Internal server error' }])
    }

    const prefix = '/client/v4'
    if (!url.pathname.startsWith(prefix + '/')) return failure(404, [{ code: 7000, message: 'No route for that URI' }])
    const path = url.pathname.slice(prefix.length)

    if (!authorization) {
      return failure(400, [{ code: 9106, message: 'Missing X-Auth-Key, X-Auth-Email or Authorization headers' }])
    }
    const m = /^Bearer (.+)$/.exec(authorization)
    if (!m) return failure(400, [{ code: 6003, message: 'Invalid request headers' }])
    if (!state.tokens.has(m[1]!)) return failure(403, [{ code: 9109, message: 'Invalid access token' }])

    try {
      if (path === '/zones' && req.method === 'GET') {
        let zones = state.zones
        if (query.name !== undefined) zones = zones.filter((z) => z.name === query.name!.toLowerCase())
        return Response.json(page(zones, query, { perPage: 20, min: 5, max: 50 }))
      }
      const zm = /^\/zones\/([^/]+)\/dns_records(?:\/([^/]+))?$/.exec(path)
      if (zm) {
        const zone = state.zones.find((z) => z.id === zm[1])
        if (!zone) throw new Fail(404, [{ code: 7003, message: `Could not route to ${path}, perhaps your object identifier is invalid?` }])
        const id = zm[2]
        if (!id && req.method === 'GET') {
          const records = state.records.filter(
            (r) => r.zone_id === zone.id && nameMatches(r.name, query) && (query.type === undefined || r.type === query.type),
          )
          // dns-records_per_page in Cloudflare's OpenAPI document: 1 to 5,000,000, 100 unless given.
          return Response.json(page(records, query, { perPage: 100, min: 1, max: 5_000_000 }))
        }
        if (!id && req.method === 'POST') {
          const rec = buildRecord(zone, (body ?? {}) as Record<string, any>)
          state.records.push(rec)
          return Response.json(envelope(rec))
        }
        if (id) {
          if (vanishing > 0 && req.method !== 'GET') {
            vanishing--
            state.records = state.records.filter((r) => r.id !== id)
          }
          const i = state.records.findIndex((r) => r.zone_id === zone.id && r.id === id)
          if (i < 0) throw new Fail(404, [{ code: 81044, message: 'Record does not exist.' }])
          const existing = state.records[i]!
          if (req.method === 'GET') return Response.json(envelope(existing))
          if (req.method === 'PATCH') {
            state.records[i] = buildRecord(zone, (body ?? {}) as Record<string, any>, existing)
            return Response.json(envelope(state.records[i]))
          }
          if (req.method === 'PUT') {
            const b = (body ?? {}) as Record<string, any>
            state.records[i] = buildRecord(zone, { proxied: false, ...b }, { ...existing, proxied: false, comment: undefined, tags: [], settings: {}, priority: undefined, data: undefined })
            return Response.json(envelope(state.records[i]))
          }
          if (req.method === 'DELETE') {
            state.records.splice(i, 1)
            return Response.json(envelope({ id }))
          }
        }
      }
      return failure(405, [{ code: 10405, message: 'Method not allowed for this route' }])
    } catch (e) {
      if (e instanceof Fail) return failure(e.status, e.errors)
      throw e
    }
  }

  /** The document types comment as a string only; the live API sends null for none. Leaving it out fits both readings. */
  function commentOf(comment: unknown): { comment?: string } {
    return typeof comment === 'string' && comment !== '' ? { comment } : {}
  }

  const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: handle })
  return {
    url: `http://127.0.0.1:${server.port}/client/v4`,
    stop: async () => {
      await server.stop(true)
    },
    state,
  }
}
