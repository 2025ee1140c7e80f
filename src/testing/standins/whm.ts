// A stand-in for WHM's JSON API 1 (https://HOST:2087/json-api/<function>?api.version=1),
// for the DNS functions the adapter uses, shaped as cPanel documents them:
//   listzones                               data.zone[] = {domain, zonefile}
//   dumpzone?domain=                        data.zone[0].record[] = {Line, Lines, type, name, ttl, class, address|exchange+preference|priority+weight+port+target|...}
//   addzonerecord?domain=&name=&type=&ttl=&class=&...
//   editzonerecord?domain=&line=&name=&type=&ttl=&...
//   removezonerecord?zone=&line=
// Every answer is {metadata:{result, reason, version:1, command}, data}. Parameters
// may come in the query or as a form body (GET or POST). Authorization: whm USER:TOKEN.
// Line numbers are those of the zone file: removing a record moves the ones after it up.
// Serves on 127.0.0.1, port 0 (plain http: the real one is https on 2087).

export type WhmRecord = {
  type: string
  name?: string
  ttl?: number
  class?: string
  /** Lines the entry takes in the zone file (an SOA takes several). */
  Lines?: number
  address?: string
  exchange?: string
  preference?: number
  priority?: number
  weight?: number
  port?: number
  target?: string
  nsdname?: string
  cname?: string
  txtdata?: string
  raw?: string
  mname?: string
  rname?: string
  serial?: string
  refresh?: number
  retry?: number
  expire?: number
  minimum?: number
}

export type WhmRequest = { command: string; params: Record<string, string>; authorization: string | null; method: string }

export type WhmState = {
  /** username → API token that is accepted. */
  users: Map<string, string>
  /** zone name → entries in file order (Line is computed from order and Lines). */
  zones: Map<string, WhmRecord[]>
  requests: WhmRequest[]
  /** A zone as WHM creates it: comment, $TTL, SOA, two NS, the apex A, mail CNAME and MX. */
  addZone(name: string, ip?: string): void
  addRecord(zone: string, r: WhmRecord): void
  /** The records at name (absolute, no dot) and type, with their Line. */
  find(zone: string, name: string, type: string): (WhmRecord & { Line: number })[]
  /** The next n requests get this HTTP status (500 unless given). */
  failNext(n: number, status?: number): void
  reset(): void
}

export type WhmStandin = { url: string; stop: () => Promise<void>; state: WhmState }

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
const u16 = (s: string | undefined) => s !== undefined && /^\d{1,5}$/.test(s) && Number(s) <= 65535

class Fail extends Error {}

export async function start(): Promise<WhmStandin> {
  let failures = { n: 0, status: 500 }

  const withLines = (records: WhmRecord[]) => {
    let line = 1
    return records.map((r) => {
      const out = { Line: line, ...r }
      line += r.Lines ?? 1
      return out
    })
  }

  const state: WhmState = {
    users: new Map([['root', 'whm-test-token']]),
    zones: new Map(),
    requests: [],
    addZone(name, ip = '192.0.2.100') {
      const z = name.toLowerCase()
      state.zones.set(z, [
        { type: ':RAW', raw: '; cPanel first:11.110.0.0 (update_time):1700000000 Cpanel::ZoneFile::VERSION:1.3 hostname:server.example.net latest:11.110.0.0' },
        { type: ':RAW', raw: '; Zone file for ' + z },
        { type: '$TTL', ttl: 14400 },
        {
          type: 'SOA',
          name: `${z}.`,
          class: 'IN',
          ttl: 86400,
          Lines: 7,
          mname: 'ns1.example.net',
          rname: 'hostmaster.example.net',
          serial: '2024010101',
          refresh: 3600,
          retry: 1800,
          expire: 1209600,
          minimum: 86400,
        },
        { type: 'NS', name: `${z}.`, class: 'IN', ttl: 86400, nsdname: 'ns1.example.net' },
        { type: 'NS', name: `${z}.`, class: 'IN', ttl: 86400, nsdname: 'ns2.example.net' },
        { type: 'A', name: `${z}.`, class: 'IN', ttl: 14400, address: ip },
        { type: 'CNAME', name: `mail.${z}.`, class: 'IN', ttl: 14400, cname: z },
        { type: 'MX', name: `${z}.`, class: 'IN', ttl: 14400, exchange: z, preference: 0 },
      ])
    },
    addRecord(zone, r) {
      const list = state.zones.get(zone.toLowerCase())
      if (!list) throw new Error(`stand-in: no zone ${zone}`)
      list.push({ class: 'IN', ttl: 14400, ...r })
    },
    find(zone, name, type) {
      const list = state.zones.get(zone.toLowerCase()) ?? []
      return withLines(list).filter((r) => r.type === type && (r.name ?? '').replace(/\.$/, '').toLowerCase() === name.toLowerCase())
    },
    failNext(n, status = 500) {
      failures = { n, status }
    },
    reset() {
      state.zones = new Map()
      state.requests = []
      failures = { n: 0, status: 500 }
    },
  }

  const ok = (command: string, data: unknown, reason = 'OK') => Response.json({ metadata: { result: 1, reason, version: 1, command }, data })
  const notOk = (command: string, reason: string) => Response.json({ metadata: { result: 0, reason, version: 1, command } })

  /** The typed fields of a record from request parameters, checked as WHM does. */
  function recordFrom(zone: string, p: Record<string, string>, existing?: WhmRecord): WhmRecord {
    const type = (p.type ?? existing?.type ?? '').toUpperCase()
    if (!type) throw new Fail('You must specify a record type.')
    let name = p.name ?? existing?.name
    if (!name) throw new Fail('You must specify a name.')
    if (name === '@') name = `${zone}.`
    else if (!name.endsWith('.')) name = `${name}.${zone}.`
    const bare = name.slice(0, -1).toLowerCase()
    if (bare !== zone && !bare.endsWith('.' + zone)) throw new Fail(`“${name}” is not within the zone “${zone}”.`)
    const ttl = p.ttl !== undefined ? Number(p.ttl) : (existing?.ttl ?? 14400)
    if (!Number.isInteger(ttl) || ttl < 1) throw new Fail(`Invalid TTL: ${p.ttl}`)
    const rec: WhmRecord = { type, name: name.toLowerCase(), ttl, class: p.class ?? existing?.class ?? 'IN' }
    switch (type) {
      case 'A':
        if (!IPV4.test(p.address ?? '')) throw new Fail(`Invalid IPv4 address: “${p.address ?? ''}”`)
        rec.address = p.address
        break
      case 'AAAA':
        if (!isIpv6(p.address ?? '')) throw new Fail(`Invalid IPv6 address: “${p.address ?? ''}”`)
        rec.address = p.address
        break
      case 'MX':
        if (!u16(p.preference)) throw new Fail('The “preference” parameter must be an integer between 0 and 65535.')
        if (!HOST.test(p.exchange ?? '')) throw new Fail(`Invalid exchange: “${p.exchange ?? ''}”`)
        rec.preference = Number(p.preference)
        rec.exchange = p.exchange
        break
      case 'SRV':
        for (const k of ['priority', 'weight', 'port'] as const) {
          if (!u16(p[k])) throw new Fail(`The “${k}” parameter must be an integer between 0 and 65535.`)
          rec[k] = Number(p[k])
        }
        if (!HOST.test(p.target ?? '')) throw new Fail(`Invalid target: “${p.target ?? ''}”`)
        rec.target = p.target
        break
      case 'CNAME':
        rec.cname = p.cname
        break
      case 'TXT':
        rec.txtdata = p.txtdata
        break
      default:
        throw new Fail(`The record type “${type}” is not supported by this stand-in.`)
    }
    return rec
  }

  async function handle(req: Request): Promise<Response> {
    const url = new URL(req.url)
    const params: Record<string, string> = Object.fromEntries(url.searchParams)
    if (req.method === 'POST') {
      const body = await req.text()
      Object.assign(params, Object.fromEntries(new URLSearchParams(body)))
    }
    const command = url.pathname.replace(/^\/json-api\//, '')
    const authorization = req.headers.get('authorization')
    state.requests.push({ command, params, authorization, method: req.method })

    if (failures.n > 0) {
      failures.n--
      return new Response('Internal Server Error', { status: failures.status, headers: { 'content-type': 'text/plain' } })
    }
    if (!url.pathname.startsWith('/json-api/')) return new Response('Not Found', { status: 404 })

    const m = /^whm ([^:]+):(.+)$/.exec(authorization ?? '')
    if (!m || state.users.get(m[1]!) !== m[2]) {
      return Response.json(
        { cpanelresult: { apiversion: '2', error: 'Access denied', data: { reason: 'Access denied', result: '0' }, type: 'text' } },
        { status: 403 },
      )
    }
    if (params['api.version'] !== '1') return notOk(command, 'This stand-in answers only api.version=1.')

    try {
      switch (command) {
        case 'listzones':
          return ok(command, { zone: [...state.zones.keys()].map((domain) => ({ domain, zonefile: `${domain}.db` })) })

        case 'dumpzone': {
          const zone = (params.domain ?? '').toLowerCase()
          const list = state.zones.get(zone)
          if (!list) throw new Fail(`You do not have access to a domain named “${params.domain ?? ''}”.`)
          return ok(command, { zone: [{ record: withLines(list) }] }, 'Zone Serialized')
        }

        case 'addzonerecord': {
          const zone = (params.domain ?? params.zone ?? '').toLowerCase()
          const list = state.zones.get(zone)
          if (!list) throw new Fail(`You do not have access to a domain named “${params.domain ?? ''}”.`)
          list.push(recordFrom(zone, params))
          return ok(command, null, 'Bind reloading on server using rndc zone: [' + zone + ']')
        }

        case 'editzonerecord': {
          const zone = (params.domain ?? '').toLowerCase()
          const list = state.zones.get(zone)
          if (!list) throw new Fail(`You do not have access to a domain named “${params.domain ?? ''}”.`)
          const line = Number(params.line)
          const idx = withLines(list).findIndex((r) => r.Line === line)
          if (idx < 0 || !params.line) throw new Fail(`There is no record on line “${params.line ?? ''}”.`)
          const existing = list[idx]!
          if (existing.type === ':RAW' || existing.type === '$TTL' || existing.type === 'SOA') throw new Fail(`The record on line ${line} cannot be edited.`)
          list[idx] = recordFrom(zone, params, existing)
          return ok(command, null, 'Bind reloading on server using rndc zone: [' + zone + ']')
        }

        case 'removezonerecord': {
          const zone = (params.zone ?? '').toLowerCase()
          const list = state.zones.get(zone)
          if (!list) throw new Fail(`You do not have access to a domain named “${params.zone ?? ''}”.`)
          const line = Number(params.line)
          const idx = withLines(list).findIndex((r) => r.Line === line)
          if (idx < 0 || !params.line) throw new Fail(`There is no record on line “${params.line ?? ''}”.`)
          list.splice(idx, 1)
          return ok(command, null, 'Bind reloading on server using rndc zone: [' + zone + ']')
        }

        default:
          return notOk(command, `Unknown app (“${command}”) requested for this version (1) of the API.`)
      }
    } catch (e) {
      if (e instanceof Fail) return notOk(command, e.message)
      throw e
    }
  }

  const server = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: handle })
  return {
    url: `http://127.0.0.1:${server.port}`,
    stop: async () => {
      await server.stop(true)
    },
    state,
  }
}
