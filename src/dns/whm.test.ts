// The WHM adapter against the WHM JSON API 1 stand-in.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { start, type WhmStandin } from '../testing/standins/whm'
import { createProvider } from './index'
import { DnsProviderError } from './provider'
import { WhmProvider, whmBaseUrl } from './whm'

// The stand-ins listen on loopback, a private address the adapters refuse by default.
const LOOPBACK = { allowPrivate: true }
const ENV = { allowPrivateProviderHosts: true, cloudflareApiUrl: null }

const USER = 'root'
const TOKEN = 'whm-test-token-0123456789'
let whm: WhmStandin
let provider: WhmProvider

beforeAll(async () => {
  whm = await start()
})
afterAll(async () => {
  await whm?.stop()
})
beforeEach(() => {
  whm.state.reset()
  whm.state.users = new Map([[USER, TOKEN]])
  whm.state.addZone('example.com')
  whm.state.addZone('example.org')
  provider = new WhmProvider({ host: whm.url, username: USER, apiToken: TOKEN, outbound: LOOPBACK })
})

async function expectError(p: Promise<unknown>): Promise<DnsProviderError> {
  try {
    await p
  } catch (e) {
    expect(e).toBeInstanceOf(DnsProviderError)
    return e as DnsProviderError
  }
  throw new Error('expected a DnsProviderError')
}

const addresses = (name: string, type = 'A') =>
  whm.state
    .find('example.com', name, type)
    .map((r) => r.address)
    .sort()

describe('WHM adapter (JSON API 1 stand-in)', () => {
  test('the host may be bare, host:port or a URL; http only on loopback', () => {
    expect(whmBaseUrl('whm.example.com')).toBe('https://whm.example.com:2087')
    expect(whmBaseUrl('whm.example.com:2087')).toBe('https://whm.example.com:2087')
    expect(whmBaseUrl('whm.example.com:443')).toBe('https://whm.example.com')
    expect(whmBaseUrl('https://whm.example.com:2087/')).toBe('https://whm.example.com:2087')
    expect(whmBaseUrl('https://whm.example.com:2087/json-api')).toBe('https://whm.example.com:2087')
    expect(whmBaseUrl('203.0.113.5')).toBe('https://203.0.113.5:2087')
    expect(whmBaseUrl('[2001:db8::5]:2087')).toBe('https://[2001:db8::5]:2087')
    expect(whmBaseUrl('2001:db8::5')).toBe('https://[2001:db8::5]:2087')
    expect(whmBaseUrl('http://127.0.0.1:1234')).toBe('http://127.0.0.1:1234')
    expect(() => whmBaseUrl('http://whm.example.com:2087')).toThrow(/https/)
  })

  test('lists zones and sends the whm authorization header with api.version=1', async () => {
    const zones = await provider.listZones()
    expect(zones).toEqual([
      { name: 'example.com', id: 'example.com' },
      { name: 'example.org', id: 'example.org' },
    ])
    const req = whm.state.requests.at(-1)!
    expect(req.command).toBe('listzones')
    expect(req.authorization).toBe(`whm ${USER}:${TOKEN}`)
    expect(req.params['api.version']).toBe('1')
    expect(JSON.stringify(req.params)).not.toContain(TOKEN) // the token travels only in the header
  })

  test('reads a record set from dumpzone, by exact name and type', async () => {
    whm.state.addRecord('example.com', { type: 'A', name: 'www.example.com.', ttl: 300, address: '192.0.2.1' })
    whm.state.addRecord('example.com', { type: 'A', name: 'wwww.example.com.', ttl: 300, address: '192.0.2.9' })
    whm.state.addRecord('example.com', { type: 'AAAA', name: 'www.example.com.', ttl: 300, address: '2001:db8::1' })
    expect(await provider.readRecords('example.com', 'www.example.com', 'A')).toEqual({ name: 'www.example.com', type: 'A', ttl: 300, values: ['192.0.2.1'] })
    expect(await provider.readRecords('example.com', 'example.com', 'A')).toEqual({ name: 'example.com', type: 'A', ttl: 14400, values: ['192.0.2.100'] })
    expect(await provider.readRecords('example.com', 'nothing.example.com', 'A')).toBeNull()
    // The apex MX a new cPanel zone has ("0 example.com", exchange without the dot).
    expect((await provider.readRecords('example.com', 'example.com', 'MX'))!.values).toEqual(['0 example.com'])
  })

  test('replacing one A value edits the record in place', async () => {
    whm.state.addRecord('example.com', { type: 'A', name: 'www.example.com.', ttl: 300, address: '192.0.2.1' })
    const line = whm.state.find('example.com', 'www.example.com', 'A')[0]!.Line
    whm.state.requests = []
    await provider.writeRecords('example.com', { name: 'www.example.com', type: 'A', ttl: 300, values: ['198.51.100.20'] })
    expect(addresses('www.example.com')).toEqual(['198.51.100.20'])
    expect(whm.state.find('example.com', 'www.example.com', 'A')[0]!.Line).toBe(line)
    const writes = whm.state.requests.filter((r) => r.command !== 'dumpzone')
    expect(writes.map((r) => [r.command, r.params.line, r.params.name, r.params.address])).toEqual([['editzonerecord', String(line), 'www.example.com.', '198.51.100.20']])
  })

  test('creates missing records and removes surplus ones, bottom-up', async () => {
    whm.state.addRecord('example.com', { type: 'A', name: 'pool.example.com.', ttl: 300, address: '192.0.2.1' })
    whm.state.addRecord('example.com', { type: 'A', name: 'other.example.com.', ttl: 300, address: '192.0.2.50' })
    whm.state.addRecord('example.com', { type: 'A', name: 'pool.example.com.', ttl: 300, address: '192.0.2.2' })
    whm.state.addRecord('example.com', { type: 'A', name: 'pool.example.com.', ttl: 300, address: '192.0.2.3' })
    whm.state.addRecord('example.com', { type: 'A', name: 'after.example.com.', ttl: 300, address: '192.0.2.60' })

    // 3 → 1 where the kept value is the middle one: two removals, the later line first.
    whm.state.requests = []
    await provider.writeRecords('example.com', { name: 'pool.example.com', type: 'A', ttl: 300, values: ['192.0.2.2'] })
    expect(addresses('pool.example.com')).toEqual(['192.0.2.2'])
    const removes = whm.state.requests.filter((r) => r.command === 'removezonerecord')
    expect(removes.length).toBe(2)
    expect(Number(removes[0]!.params.line)).toBeGreaterThan(Number(removes[1]!.params.line))
    expect(removes[0]!.params.zone).toBe('example.com')
    // Neighbours untouched.
    expect(addresses('other.example.com')).toEqual(['192.0.2.50'])
    expect(addresses('after.example.com')).toEqual(['192.0.2.60'])

    // 1 → 3: two added.
    whm.state.requests = []
    await provider.writeRecords('example.com', { name: 'pool.example.com', type: 'A', ttl: 300, values: ['192.0.2.2', '203.0.113.1', '203.0.113.2'] })
    expect(addresses('pool.example.com')).toEqual(['192.0.2.2', '203.0.113.1', '203.0.113.2'])
    expect(whm.state.requests.filter((r) => r.command === 'addzonerecord').length).toBe(2)
    expect(whm.state.requests.filter((r) => r.command === 'editzonerecord').length).toBe(0)

    // 3 → 2 new values: two edits, one removal.
    whm.state.requests = []
    await provider.writeRecords('example.com', { name: 'pool.example.com', type: 'A', ttl: 300, values: ['198.51.100.1', '198.51.100.2'] })
    expect(addresses('pool.example.com')).toEqual(['198.51.100.1', '198.51.100.2'])
    expect(whm.state.requests.filter((r) => r.command === 'editzonerecord').length).toBe(2)
    expect(whm.state.requests.filter((r) => r.command === 'removezonerecord').length).toBe(1)
    expect(addresses('after.example.com')).toEqual(['192.0.2.60'])

    // A new name is added with the TTL asked for.
    await provider.writeRecords('example.com', { name: 'new.example.com', type: 'A', ttl: 60, values: ['192.0.2.77'] })
    expect(whm.state.find('example.com', 'new.example.com', 'A').map((r) => [r.address, r.ttl])).toEqual([['192.0.2.77', 60]])

    // No values: the set is removed.
    await provider.writeRecords('example.com', { name: 'pool.example.com', type: 'A', ttl: 300, values: [] })
    expect(addresses('pool.example.com')).toEqual([])
    expect(addresses('after.example.com')).toEqual(['192.0.2.60'])
  })

  test('a TTL change edits records whose value stays', async () => {
    whm.state.addRecord('example.com', { type: 'A', name: 'ttl.example.com.', ttl: 14400, address: '192.0.2.1' })
    await provider.writeRecords('example.com', { name: 'ttl.example.com', type: 'A', ttl: 60, values: ['192.0.2.1'] })
    expect(whm.state.find('example.com', 'ttl.example.com', 'A').map((r) => r.ttl)).toEqual([60])
    expect((await provider.readRecords('example.com', 'ttl.example.com', 'A'))!.ttl).toBe(60)
  })

  test('AAAA round-trips', async () => {
    await provider.writeRecords('example.com', { name: 'v6.example.com', type: 'AAAA', ttl: 300, values: ['2001:db8::10'] })
    expect((await provider.readRecords('example.com', 'v6.example.com', 'AAAA'))!.values).toEqual(['2001:db8::10'])
  })

  test('MX round-trips through exchange and preference', async () => {
    await provider.writeRecords('example.com', { name: 'example.com', type: 'MX', ttl: 3600, values: ['10 mail.example.com', '20 backup.example.net'] })
    const stored = whm.state.find('example.com', 'example.com', 'MX').map((r) => [r.preference, r.exchange])
    expect(stored).toEqual([
      [10, 'mail.example.com.'],
      [20, 'backup.example.net.'],
    ])
    expect((await provider.readRecords('example.com', 'example.com', 'MX'))!.values).toEqual(['10 mail.example.com', '20 backup.example.net'])
  })

  test('SRV round-trips through priority, weight, port and target', async () => {
    await provider.writeRecords('example.com', { name: '_sip._udp.example.com', type: 'SRV', ttl: 600, values: ['10 5 5060 sip.example.com'] })
    const stored = whm.state.find('example.com', '_sip._udp.example.com', 'SRV')
    expect(stored.map((r) => [r.priority, r.weight, r.port, r.target])).toEqual([[10, 5, 5060, 'sip.example.com.']])
    expect(await provider.readRecords('example.com', '_sip._udp.example.com', 'SRV')).toEqual({
      name: '_sip._udp.example.com',
      type: 'SRV',
      ttl: 600,
      values: ['10 5 5060 sip.example.com'],
    })
  })

  test('relative names in a zone file are read as inside the zone', async () => {
    whm.state.addRecord('example.com', { type: 'MX', name: 'rel.example.com.', ttl: 300, exchange: 'mx1', preference: 5 })
    whm.state.addRecord('example.com', { type: 'A', name: 'short', ttl: 300, address: '192.0.2.8' })
    expect((await provider.readRecords('example.com', 'rel.example.com', 'MX'))!.values).toEqual(['5 mx1.example.com'])
    expect((await provider.readRecords('example.com', 'short.example.com', 'A'))!.values).toEqual(['192.0.2.8'])
  })

  test('a zone WHM does not have is reported as not found', async () => {
    const e = await expectError(provider.readRecords('nope.example', 'www.nope.example', 'A'))
    expect(e.message).toBe('zone nope.example not found at WHM')
    expect(e.retryable).toBe(false)
  })

  test('metadata.result 0 surfaces metadata.reason, not retryable', async () => {
    // Past the adapter's own checks, WHM still has the last word (an SRV target that is no host name).
    const e = await expectError(provider.writeRecords('example.com', { name: '_sip._udp.example.com', type: 'SRV', ttl: 300, values: ['10 5 5060 bad!host.example.com'] }))
    expect(e.retryable).toBe(false)
    expect(e.message).toBe('WHM could not write _sip._udp.example.com SRV: Invalid target: “bad!host.example.com.”')
  })

  test('an unknown function reason is surfaced', async () => {
    const e = await expectError((provider as any).call('nosuchfunction', {}, 'do something'))
    expect(e.message).toContain('Unknown app')
    expect(e.retryable).toBe(false)
  })

  test('a bad token gives a non-retryable error naming WHM, without the token', async () => {
    const secret = 'not-the-right-token-987654321'
    const bad = new WhmProvider({ host: whm.url, username: USER, apiToken: secret, outbound: LOOPBACK })
    const calls = [
      () => bad.listZones(),
      () => bad.readRecords('example.com', 'www.example.com', 'A'),
      () => bad.writeRecords('example.com', { name: 'www.example.com', type: 'A', ttl: 60, values: ['192.0.2.1'] }),
    ]
    for (const call of calls) {
      const e = await expectError(call())
      expect(e.retryable).toBe(false)
      expect(e.message).toBe('WHM refused the API token of user root (403)')
      expect(e.message).not.toContain(secret)
    }
  })

  test('5xx and 429 are retryable', async () => {
    whm.state.failNext(1, 500)
    let e = await expectError(provider.listZones())
    expect(e.retryable).toBe(true)
    expect(e.message).toContain('500')
    expect((await provider.listZones()).length).toBe(2)

    whm.state.failNext(1, 503)
    e = await expectError(provider.writeRecords('example.com', { name: 'www.example.com', type: 'A', ttl: 60, values: ['192.0.2.1'] }))
    expect(e.retryable).toBe(true)

    whm.state.failNext(1, 429)
    e = await expectError(provider.readRecords('example.com', 'www.example.com', 'A'))
    expect(e.retryable).toBe(true)
  })

  test('an unreachable WHM is retryable', async () => {
    const dead = await start()
    const url = dead.url
    await dead.stop()
    const e = await expectError(new WhmProvider({ host: url, username: USER, apiToken: TOKEN, outbound: LOOPBACK }).listZones())
    expect(e.retryable).toBe(true)
    expect(e.message).toContain('could not reach WHM at http://127.0.0.1:')
  })

  test('createProvider builds the WHM adapter from settings', async () => {
    const p = createProvider({ kind: 'whm', host: whm.url, username: USER, apiToken: TOKEN }, ENV)
    expect(p).toBeInstanceOf(WhmProvider)
    expect((await p.listZones()).length).toBe(2)
  })
})

describe('WHM zone listing (Managed DNS)', () => {
  test('listRecords gives every A, AAAA, MX, SRV, CNAME and TXT set of the zone from one dumpzone, without SOA or NS', async () => {
    whm.state.addRecord('example.com', { type: 'A', name: 'www.example.com.', address: '192.0.2.100' })
    whm.state.addRecord('example.com', { type: 'TXT', name: 'example.com.', txtdata: 'v=spf1 +a +mx ~all' })
    whm.state.addRecord('example.com', { type: 'SRV', name: '_autodiscover._tcp.example.com.', priority: 0, weight: 0, port: 443, target: 'cpanelemaildiscovery.cpanel.net' })
    whm.state.requests = []
    const sets = await provider.listRecords('example.com')
    expect(whm.state.requests.map((r) => r.command)).toEqual(['dumpzone'])
    const byKey = Object.fromEntries(sets.map((s) => [`${s.name} ${s.type}`, s]))
    expect(Object.keys(byKey).sort()).toEqual(
      ['example.com A', 'example.com MX', 'example.com TXT', 'mail.example.com CNAME', 'www.example.com A', '_autodiscover._tcp.example.com SRV'].sort(),
    )
    expect(byKey['mail.example.com CNAME']!.values).toEqual(['example.com'])
    expect(byKey['example.com TXT']).toMatchObject({ values: ['v=spf1 +a +mx ~all'], ttl: 14400 })
    expect(byKey['example.com MX']!.values).toEqual(['0 example.com'])
    expect(byKey['_autodiscover._tcp.example.com SRV']!.values).toEqual(['0 0 443 cpanelemaildiscovery.cpanel.net'])
  })

  test('writes CNAME and TXT sets with cname and txtdata, and refuses a CNAME that is not a host name before calling', async () => {
    await provider.writeRecords('example.com', { name: 'shop.example.com', type: 'CNAME', ttl: 300, values: ['example.com'] })
    await provider.writeRecords('example.com', { name: '_dmarc.example.com', type: 'TXT', ttl: 300, values: ['"v=DMARC1; p=none"'] })
    expect(whm.state.find('example.com', 'shop.example.com', 'CNAME')[0]).toMatchObject({ cname: 'example.com.', ttl: 300 })
    expect(whm.state.find('example.com', '_dmarc.example.com', 'TXT')[0]).toMatchObject({ txtdata: 'v=DMARC1; p=none' })
    whm.state.requests = []
    await expectError(provider.writeRecords('example.com', { name: 'bad.example.com', type: 'CNAME', ttl: 300, values: ['not a host'] }))
    expect(whm.state.requests).toHaveLength(0)
  })
})
