// The Cloudflare adapter through the official SDK against the API stand-in.
import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { start, type CloudflareStandin } from '../testing/standins/cloudflare'
import { CloudflareProvider, retryAfterSeconds } from './cloudflare'
import { createProvider } from './index'
import { DnsProviderError } from './provider'

const TOKEN = 'cf-test-token'
let cf: CloudflareStandin
let provider: CloudflareProvider

beforeAll(async () => {
  cf = await start()
})
afterAll(async () => {
  await cf?.stop()
})
beforeEach(() => {
  cf.state.reset()
  cf.state.tokens = new Set([TOKEN])
  cf.state.addZone('example.com')
  cf.state.addZone('example.org')
  provider = new CloudflareProvider({ apiToken: TOKEN, baseUrl: cf.url })
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

const contents = (name: string, type = 'A') =>
  cf.state
    .find('example.com', name, type)
    .map((r) => r.content)
    .sort()

describe('Cloudflare adapter (official SDK, stand-in API)', () => {
  test('lists zones and sends the token as a Bearer header', async () => {
    const zones = await provider.listZones()
    expect(zones.map((z) => z.name).sort()).toEqual(['example.com', 'example.org'])
    expect(zones.find((z) => z.name === 'example.com')!.id).toBe(cf.state.zones[0]!.id)
    expect(cf.state.requests.at(-1)!.authorization).toBe(`Bearer ${TOKEN}`)
  })

  test('finds the zone by name and lists records by exact name and type', async () => {
    cf.state.addRecord('example.com', { name: 'www.example.com', type: 'A', content: '192.0.2.1', ttl: 120 })
    cf.state.addRecord('example.com', { name: 'www.example.com', type: 'AAAA', content: '2001:db8::1', ttl: 120 })
    cf.state.addRecord('example.com', { name: 'wwww.example.com', type: 'A', content: '192.0.2.9', ttl: 120 })
    expect(await provider.readRecords('example.com', 'www.example.com', 'A')).toEqual({
      name: 'www.example.com',
      type: 'A',
      ttl: 120,
      values: ['192.0.2.1'],
      proxied: false,
    })
    const zoneLookup = cf.state.requests.find((r) => r.path === '/client/v4/zones')!
    expect(zoneLookup.query.name).toBe('example.com')
    const list = cf.state.requests.find((r) => r.path.endsWith('/dns_records'))!
    expect(list.query['name.exact']).toBe('www.example.com')
    expect(list.query.type).toBe('A')
    expect(await provider.readRecords('example.com', 'nothing.example.com', 'A')).toBeNull()
  })

  test('replacing an A set keeps the proxied flag and edits in place (PATCH)', async () => {
    const rec = cf.state.addRecord('example.com', { name: 'shop.example.com', type: 'A', content: '192.0.2.10', proxied: true })
    const before = await provider.readRecords('example.com', 'shop.example.com', 'A')
    expect(before).toEqual({ name: 'shop.example.com', type: 'A', ttl: 1, values: ['192.0.2.10'], proxied: true })

    cf.state.requests = []
    await provider.writeRecords('example.com', { ...before!, values: ['198.51.100.20'] })
    const after = cf.state.find('example.com', 'shop.example.com', 'A')
    expect(after.length).toBe(1)
    expect(after[0]!.id).toBe(rec.id) // edited, not recreated
    expect(after[0]!.content).toBe('198.51.100.20')
    expect(after[0]!.proxied).toBe(true)
    const writes = cf.state.requests.filter((r) => r.method !== 'GET')
    expect(writes.map((r) => `${r.method} ${r.path.replace(/.*\/dns_records/, '/dns_records')}`)).toEqual([`PATCH /dns_records/${rec.id}`])
  })

  test('an unproxied record stays unproxied even when the set says proxied for new ones', async () => {
    cf.state.addRecord('example.com', { name: 'api.example.com', type: 'A', content: '192.0.2.1', ttl: 300, proxied: false })
    await provider.writeRecords('example.com', { name: 'api.example.com', type: 'A', ttl: 300, values: ['192.0.2.2'], proxied: false })
    expect(cf.state.find('example.com', 'api.example.com', 'A').map((r) => r.proxied)).toEqual([false])
  })

  test('creates missing records and deletes surplus ones', async () => {
    cf.state.addRecord('example.com', { name: 'pool.example.com', type: 'A', content: '192.0.2.1', ttl: 300 })
    const keep = cf.state.addRecord('example.com', { name: 'pool.example.com', type: 'A', content: '192.0.2.2', ttl: 300 })
    cf.state.addRecord('example.com', { name: 'pool.example.com', type: 'A', content: '192.0.2.3', ttl: 300 })

    // 3 → 1: one kept as it is, two deleted.
    cf.state.requests = []
    await provider.writeRecords('example.com', { name: 'pool.example.com', type: 'A', ttl: 300, values: ['192.0.2.2'] })
    expect(contents('pool.example.com')).toEqual(['192.0.2.2'])
    expect(cf.state.find('example.com', 'pool.example.com', 'A')[0]!.id).toBe(keep.id)
    expect(cf.state.requests.filter((r) => r.method === 'DELETE').length).toBe(2)
    expect(cf.state.requests.filter((r) => r.method === 'PATCH' || r.method === 'POST').length).toBe(0)

    // 1 → 3: two created.
    cf.state.requests = []
    await provider.writeRecords('example.com', { name: 'pool.example.com', type: 'A', ttl: 300, values: ['192.0.2.2', '203.0.113.1', '203.0.113.2'] })
    expect(contents('pool.example.com')).toEqual(['192.0.2.2', '203.0.113.1', '203.0.113.2'])
    expect(cf.state.requests.filter((r) => r.method === 'POST').length).toBe(2)

    // A new name: everything created, with the TTL asked for.
    await provider.writeRecords('example.com', { name: 'new.example.com', type: 'A', ttl: 60, values: ['192.0.2.77'] })
    expect(cf.state.find('example.com', 'new.example.com', 'A').map((r) => [r.content, r.ttl, r.proxied])).toEqual([['192.0.2.77', 60, false]])

    // Other names and types are untouched.
    cf.state.addRecord('example.com', { name: 'pool.example.com', type: 'AAAA', content: '2001:db8::5', ttl: 300 })
    await provider.writeRecords('example.com', { name: 'pool.example.com', type: 'A', ttl: 300, values: ['192.0.2.2'] })
    expect(contents('pool.example.com', 'AAAA')).toEqual(['2001:db8::5'])
  })

  test('new records inherit the proxied flag of the set', async () => {
    cf.state.addRecord('example.com', { name: 'cdn.example.com', type: 'A', content: '192.0.2.1', proxied: true })
    const set = await provider.readRecords('example.com', 'cdn.example.com', 'A')
    await provider.writeRecords('example.com', { ...set!, values: ['198.51.100.1', '198.51.100.2'] })
    expect(cf.state.find('example.com', 'cdn.example.com', 'A').map((r) => r.proxied)).toEqual([true, true])
  })

  test('changing the TTL edits records whose value stays', async () => {
    cf.state.addRecord('example.com', { name: 'ttl.example.com', type: 'A', content: '192.0.2.1', ttl: 3600 })
    await provider.writeRecords('example.com', { name: 'ttl.example.com', type: 'A', ttl: 60, values: ['192.0.2.1'] })
    expect(cf.state.find('example.com', 'ttl.example.com', 'A')[0]!.ttl).toBe(60)
  })

  test('lists a large record set in one call, asking for the largest page Cloudflare documents', async () => {
    // Plenty of other records in the zone, and 130 values at one name (two pages at the API's default of 100).
    for (let i = 0; i < 150; i++) cf.state.addRecord('example.com', { name: `host${i}.example.com`, type: 'A', content: `10.0.${i >> 8}.${i & 255}`, ttl: 300 })
    const values: string[] = []
    for (let i = 0; i < 130; i++) {
      const v = `10.1.${i >> 8}.${i & 255}`
      values.push(v)
      cf.state.addRecord('example.com', { name: 'big.example.com', type: 'A', content: v, ttl: 300 })
    }
    cf.state.requests = []
    const set = await provider.readRecords('example.com', 'big.example.com', 'A')
    expect(set!.values.length).toBe(130)
    expect(set!.values.sort()).toEqual(values.sort())
    const lists = cf.state.requests.filter((r) => r.path.endsWith('/dns_records'))
    expect(lists.map((r) => [r.query.page ?? '1', r.query.per_page])).toEqual([['1', '5000000']]) // no second call for an empty page

    // And replacing it works across pages too: 130 → 2.
    await provider.writeRecords('example.com', { name: 'big.example.com', type: 'A', ttl: 300, values: ['10.1.0.5', '192.0.2.200'] })
    expect(contents('big.example.com')).toEqual(['10.1.0.5', '192.0.2.200'])
    expect(cf.state.records.filter((r) => r.name.startsWith('host')).length).toBe(150)
  })

  test('pages with a smaller page size, stopping at the last page instead of asking for an empty one', async () => {
    const small = new CloudflareProvider({ apiToken: TOKEN, baseUrl: cf.url, pageSize: 5 })
    const pagesAsked = () => cf.state.requests.filter((r) => r.path.endsWith('/dns_records')).map((r) => r.query.page ?? '1')
    for (let i = 0; i < 10; i++) cf.state.addRecord('example.com', { name: 'rr.example.com', type: 'A', content: `192.0.2.${i + 1}`, ttl: 300 })
    cf.state.requests = []
    expect((await small.readRecords('example.com', 'rr.example.com', 'A'))!.values.length).toBe(10)
    expect(pagesAsked()).toEqual(['1', '2'])

    for (let i = 10; i < 12; i++) cf.state.addRecord('example.com', { name: 'rr.example.com', type: 'A', content: `192.0.2.${i + 1}`, ttl: 300 })
    cf.state.requests = []
    const set = await small.readRecords('example.com', 'rr.example.com', 'A')
    expect(set!.values.sort()).toEqual(Array.from({ length: 12 }, (_, i) => `192.0.2.${i + 1}`).sort())
    expect(pagesAsked()).toEqual(['1', '2', '3'])

    // Import lists the whole zone's A records the same way.
    cf.state.requests = []
    expect((await small.listARecords('example.com')).length).toBe(12)
    expect(pagesAsked()).toEqual(['1', '2', '3'])
  })

  test('MX round-trips through content and priority', async () => {
    await provider.writeRecords('example.com', { name: 'example.com', type: 'MX', ttl: 3600, values: ['10 mail.example.com', '20 backup.example.net'] })
    const stored = cf.state.find('example.com', 'example.com', 'MX').map((r) => [r.priority, r.content]).sort()
    expect(stored).toEqual([
      [10, 'mail.example.com'],
      [20, 'backup.example.net'],
    ])
    const set = await provider.readRecords('example.com', 'example.com', 'MX')
    expect(set!.values.sort()).toEqual(['10 mail.example.com', '20 backup.example.net'])
    expect(set!.proxied).toBeUndefined()
    // Change one exchange's preference: edited, not duplicated.
    await provider.writeRecords('example.com', { name: 'example.com', type: 'MX', ttl: 3600, values: ['10 mail.example.com', '30 backup.example.net'] })
    expect((await provider.readRecords('example.com', 'example.com', 'MX'))!.values.sort()).toEqual(['10 mail.example.com', '30 backup.example.net'])
  })

  test('SRV round-trips through data', async () => {
    await provider.writeRecords('example.com', { name: '_sip._udp.example.com', type: 'SRV', ttl: 600, values: ['10 5 5060 sip.example.com'] })
    const stored = cf.state.find('example.com', '_sip._udp.example.com', 'SRV')
    expect(stored.map((r) => r.data)).toEqual([{ priority: 10, weight: 5, port: 5060, target: 'sip.example.com' }])
    expect(await provider.readRecords('example.com', '_sip._udp.example.com', 'SRV')).toEqual({
      name: '_sip._udp.example.com',
      type: 'SRV',
      ttl: 600,
      values: ['10 5 5060 sip.example.com'],
    })
  })

  test('a zone it cannot see is reported as not found', async () => {
    const e = await expectError(provider.readRecords('nope.example', 'www.nope.example', 'A'))
    expect(e.message).toBe('zone nope.example not found at Cloudflare')
    expect(e.retryable).toBe(false)
  })

  test('a zone deleted after it was found is reported as not found, and looked up afresh next time', async () => {
    await provider.readRecords('example.com', 'www.example.com', 'A')
    const id = cf.state.zones[0]!.id
    cf.state.zones = cf.state.zones.filter((z) => z.id !== id)
    const e = await expectError(provider.readRecords('example.com', 'www.example.com', 'A'))
    expect(e.message).toBe('zone example.com not found at Cloudflare')
    expect(e.retryable).toBe(false)
    cf.state.requests = []
    await expectError(provider.readRecords('example.com', 'www.example.com', 'A'))
    expect(cf.state.requests.map((r) => r.path)).toEqual(['/client/v4/zones'])
  })

  test('a record deleted between listing and writing: listed again and written at once, the zone kept', async () => {
    cf.state.addRecord('example.com', { name: 'pool.example.com', type: 'A', content: '192.0.2.1', ttl: 300 })
    cf.state.addRecord('example.com', { name: 'pool.example.com', type: 'A', content: '192.0.2.2', ttl: 300 })
    await provider.readRecords('example.com', 'pool.example.com', 'A') // the zone is found and kept
    cf.state.requests = []
    cf.state.vanishBeforeNextWrite()
    await provider.writeRecords('example.com', { name: 'pool.example.com', type: 'A', ttl: 300, values: ['198.51.100.1'] })
    expect(contents('pool.example.com')).toEqual(['198.51.100.1'])
    const steps = cf.state.requests.map((r) => `${r.method} ${r.path.includes('dns_records/') ? 'record' : r.path.endsWith('dns_records') ? 'list' : r.path}`)
    expect(steps.filter((step, i) => step !== steps[i - 1])).toEqual([
      'GET list',
      'PATCH record', // 81044: the record it was editing had been deleted
      'GET list',
      'PATCH record',
    ])
  })

  test('a surplus record already deleted by someone else is not an error', async () => {
    cf.state.addRecord('example.com', { name: 'pool.example.com', type: 'A', content: '192.0.2.1', ttl: 300 })
    cf.state.addRecord('example.com', { name: 'pool.example.com', type: 'A', content: '192.0.2.2', ttl: 300 })
    cf.state.vanishBeforeNextWrite()
    await provider.writeRecords('example.com', { name: 'pool.example.com', type: 'A', ttl: 300, values: ['192.0.2.1'] })
    expect(contents('pool.example.com')).toEqual(['192.0.2.1'])
  })

  test('records vanishing on the retry too: a retryable error about the record, not "zone not found"', async () => {
    cf.state.addRecord('example.com', { name: 'pool.example.com', type: 'A', content: '192.0.2.1', ttl: 300 })
    cf.state.addRecord('example.com', { name: 'pool.example.com', type: 'A', content: '192.0.2.2', ttl: 300 })
    cf.state.vanishBeforeNextWrite(2)
    const e = await expectError(provider.writeRecords('example.com', { name: 'pool.example.com', type: 'A', ttl: 300, values: ['198.51.100.1'] }))
    expect(e.retryable).toBe(true)
    expect(e.message).toBe('Cloudflare could not update pool.example.com A: a record listed a moment ago no longer exists: Record does not exist. [81044]')
    cf.state.requests = []
    await provider.writeRecords('example.com', { name: 'pool.example.com', type: 'A', ttl: 300, values: ['198.51.100.1'] })
    expect(cf.state.requests.some((r) => r.path === '/client/v4/zones')).toBe(false) // the zone was not forgotten
    expect(contents('pool.example.com')).toEqual(['198.51.100.1'])
  })

  test('a bad token gives a non-retryable error naming Cloudflare, without the token', async () => {
    const secret = 'wrong-token-abcdef-123456'
    const bad = new CloudflareProvider({ apiToken: secret, baseUrl: cf.url })
    const calls = [
      () => bad.listZones(),
      () => bad.readRecords('example.com', 'www.example.com', 'A'),
      () => bad.writeRecords('example.com', { name: 'www.example.com', type: 'A', ttl: 60, values: ['192.0.2.1'] }),
    ]
    for (const call of calls) {
      const e = await expectError(call())
      expect(e.retryable).toBe(false)
      expect(e.message).toStartWith('Cloudflare refused the API token (403)')
      expect(e.message).toContain('9109')
      expect(e.message).not.toContain(secret)
    }
  })

  test('5xx and 429 are retryable, and the SDK does not retry on its own', async () => {
    cf.state.failNext(1, 500)
    cf.state.requests = []
    let e = await expectError(provider.listZones())
    expect(e.retryable).toBe(true)
    expect(e.message).toContain('500')
    expect(cf.state.requests.length).toBe(1) // maxRetries: 0
    expect(await provider.listZones()).toHaveLength(2) // the next call goes through

    cf.state.failNext(1, 503)
    e = await expectError(provider.writeRecords('example.com', { name: 'www.example.com', type: 'A', ttl: 60, values: ['192.0.2.1'] }))
    expect(e.retryable).toBe(true)

    cf.state.failNext(1, 429)
    e = await expectError(provider.readRecords('example.com', 'www.example.com', 'A'))
    expect(e.retryable).toBe(true)
    expect(e.message).toContain('429')
  })

  test('a TTL under the zone\'s floor is refused in words, with the reason from error_chain, and not retried', async () => {
    // Past the adapter's own checks, the API has the last word: 60 s at least unless the zone is Enterprise.
    for (const ttl of [30, 59, 100_000]) {
      const e = await expectError(provider.writeRecords('example.com', { name: 'www.example.com', type: 'A', ttl, values: ['192.0.2.1'] }))
      expect(e.retryable).toBe(false)
      expect(e.message).toBe(`Cloudflare refused TTL ${ttl} for www.example.com A: TTL must be between 60 and 86400 seconds, or 1 for Automatic. [9021]`)
    }
    expect(cf.state.find('example.com', 'www.example.com', 'A')).toEqual([])

    // Editing a record to a low TTL is refused the same way.
    cf.state.addRecord('example.com', { name: 'low.example.com', type: 'A', content: '192.0.2.1', ttl: 300 })
    const e = await expectError(provider.writeRecords('example.com', { name: 'low.example.com', type: 'A', ttl: 30, values: ['192.0.2.1'] }))
    expect(e.message).toStartWith('Cloudflare refused TTL 30 for low.example.com A: TTL must be between 60')
  })

  test('an Enterprise zone takes a TTL of 30', async () => {
    cf.state.addZone('example.net', { enterprise: true })
    await provider.writeRecords('example.net', { name: 'www.example.net', type: 'A', ttl: 30, values: ['192.0.2.1'] })
    expect(cf.state.find('example.net', 'www.example.net', 'A').map((r) => r.ttl)).toEqual([30])
    const e = await expectError(provider.writeRecords('example.net', { name: 'www.example.net', type: 'A', ttl: 29, values: ['192.0.2.1'] }))
    expect(e.message).toBe('Cloudflare refused TTL 29 for www.example.net A: TTL must be between 30 and 86400 seconds, or 1 for Automatic. [9021]')
  })

  test('an A or AAAA record on a name that has a CNAME is refused, saying so', async () => {
    cf.state.addRecord('example.com', { name: 'shop.example.com', type: 'CNAME', content: 'shops.example.org' })
    for (const [type, value] of [['A', '192.0.2.1'], ['AAAA', '2001:db8::1']] as const) {
      const e = await expectError(provider.writeRecords('example.com', { name: 'shop.example.com', type, ttl: 300, values: [value] }))
      expect(e.retryable).toBe(false)
      expect(e.message).toStartWith(`Cloudflare refused to create shop.example.com ${type}: the name has a CNAME record, and Cloudflare allows no A or AAAA record beside it: A CNAME record with that host already exists.`)
      expect(e.message).toEndWith('[81054]')
    }
    expect(cf.state.find('example.com', 'shop.example.com').map((r) => r.type)).toEqual(['CNAME'])
  })

  test('a rate limit carries how long Cloudflare asked to wait, and the SDK does not retry into it', async () => {
    cf.state.rateLimitFor(300)
    cf.state.requests = []
    for (const call of [
      () => provider.readRecords('example.com', 'www.example.com', 'A'),
      () => provider.writeRecords('example.com', { name: 'www.example.com', type: 'A', ttl: 60, values: ['192.0.2.1'] }),
    ]) {
      const e = await expectError(call())
      expect(e.retryable).toBe(true)
      expect(e.retryAfterSeconds).toBeGreaterThanOrEqual(299)
      expect(e.retryAfterSeconds).toBeLessThanOrEqual(300)
      expect(e.message).toMatch(
        /^Cloudflare is rate limiting this account \(429\) and asked to wait (299 s \(4 min 59 s\)|300 s \(5 min\)) before the next call: Please wait and consider throttling your request speed \[971\]$/,
      )
    }
    expect(cf.state.requests.length).toBe(2) // one each: maxRetries 0, and the SDK's own wait is not taken
    cf.state.rateLimitFor(0)
    expect(await provider.readRecords('example.com', 'www.example.com', 'A')).toBeNull()
  })

  test('Retry-After is read as seconds or as an HTTP date', () => {
    const at = Date.parse('2026-11-01T12:00:00Z')
    const h = (v: string) => new Headers({ 'retry-after': v })
    expect(retryAfterSeconds(h('120'), at)).toBe(120)
    expect(retryAfterSeconds(h('Sun, 01 Nov 2026 12:05:00 GMT'), at)).toBe(300)
    expect(retryAfterSeconds(h('Sun, 01 Nov 2026 11:00:00 GMT'), at)).toBe(0)
    expect(retryAfterSeconds(h('soon'), at)).toBeUndefined()
    expect(retryAfterSeconds(new Headers(), at)).toBeUndefined()
  })

  test('an unreachable API is retryable', async () => {
    const dead = await start()
    const url = dead.url
    await dead.stop()
    const e = await expectError(new CloudflareProvider({ apiToken: TOKEN, baseUrl: url }).listZones())
    expect(e.retryable).toBe(true)
    expect(e.message).toContain('could not reach Cloudflare at http://127.0.0.1:')
  })

  test('createProvider builds the Cloudflare adapter from settings', async () => {
    const p = createProvider({ kind: 'cloudflare', apiToken: TOKEN }, { allowPrivateProviderHosts: false, cloudflareApiUrl: cf.url })
    expect(p).toBeInstanceOf(CloudflareProvider)
    expect((await p.listZones()).length).toBe(2)
  })
})

describe('Cloudflare zone listing and proxy (Managed DNS)', () => {
  test('listRecords groups the zone into sets with proxied, and setProxied switches the proxy keeping values', async () => {
    cf.state.addRecord('example.com', { name: 'example.com', type: 'A', content: '192.0.2.1', ttl: 1, proxied: true })
    cf.state.addRecord('example.com', { name: 'www.example.com', type: 'A', content: '192.0.2.1', ttl: 300 })
    cf.state.addRecord('example.com', { name: 'www.example.com', type: 'A', content: '192.0.2.2', ttl: 300 })
    cf.state.addRecord('example.com', { name: 'example.com', type: 'TXT', content: '"v=spf1 -all"', ttl: 300 })
    cf.state.addRecord('example.com', { name: 'example.com', type: 'NS', content: 'ns1.example.net', ttl: 300 })
    const sets = await provider.listRecords('example.com')
    const byKey = Object.fromEntries(sets.map((s) => [`${s.name} ${s.type}`, s]))
    expect(Object.keys(byKey).sort()).toEqual(['example.com A', 'example.com TXT', 'www.example.com A'])
    expect(byKey['www.example.com A']).toMatchObject({ values: ['192.0.2.1', '192.0.2.2'], proxied: false, ttl: 300 })
    expect(byKey['example.com A']!.proxied).toBe(true)
    expect(byKey['example.com TXT']!.values).toEqual(['v=spf1 -all'])
    expect(byKey['example.com TXT']!.proxied).toBeUndefined()

    expect(await provider.setProxied('example.com', 'www.example.com', 'A', true)).toBe(2)
    expect(cf.state.find('example.com', 'www.example.com', 'A').map((r) => [r.content, r.proxied]).sort()).toEqual([
      ['192.0.2.1', true],
      ['192.0.2.2', true],
    ])
    expect(await provider.setProxied('example.com', 'www.example.com', 'A', true)).toBe(0)
    const refused = await expectError(provider.setProxied('example.com', 'example.com', 'TXT', true))
    expect(refused.message).toContain('only A, AAAA and CNAME')
  })

  test('writes a CNAME keeping proxied and a TXT set', async () => {
    await provider.writeRecords('example.com', { name: 'shop.example.com', type: 'CNAME', ttl: 300, values: ['Example.com.'], proxied: true })
    await provider.writeRecords('example.com', { name: 'example.com', type: 'TXT', ttl: 300, values: ['v=spf1 a mx -all'] })
    expect(cf.state.find('example.com', 'shop.example.com', 'CNAME')[0]).toMatchObject({ content: 'example.com', proxied: true })
    expect(contents('example.com', 'TXT')).toEqual(['v=spf1 a mx -all'])
  })
})
