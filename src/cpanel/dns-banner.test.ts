import { afterAll, beforeEach, describe, expect, test } from 'bun:test'
import { ConfigError, loadConfig } from '../config'
import { startPowerDns, type PowerDns } from '../testing/powerdns'
import { missingProgram, testNeeding } from '../testing/needs'
import { DNS_CACHE_MS, DNS_MAX_ACCOUNTS, dnsBanner, forgetDnsBanners, type Resolve4 } from './dns-banner'
import { account, cpanelStacks } from './test-kit'

beforeEach(() => forgetDnsBanners())

const member = (id: string, users: Parameters<typeof cpanelStacks>[0], extra: Record<string, unknown> = {}) => ({
  id,
  stacks: cpanelStacks(users, extra),
  publicIpv4: '203.0.113.7',
  egressIps: ['198.51.100.1', '203.0.113.7'],
})

const codeError = (code: string) => Object.assign(new Error(code), { code })

/** Answers from a table; a name not in it never answers. Counts calls and the most in flight at once. */
function fakeResolver(table: Record<string, string[] | string>) {
  const seen: string[] = []
  let flying = 0
  let most = 0
  const resolve4: Resolve4 = async (name) => {
    seen.push(name)
    flying++
    most = Math.max(most, flying)
    try {
      await Bun.sleep(5)
      const answer = table[name]
      if (answer === undefined) return await new Promise<string[]>(() => {})
      if (typeof answer === 'string') throw codeError(answer)
      return answer
    } finally {
      flying--
    }
  }
  return { resolve4, seen, most: () => most }
}

describe('the DNS banner', () => {
  test('it sorts accounts into here, elsewhere and unresolved, comparing with the public and egress addresses', async () => {
    const r = fakeResolver({
      'here.example.com': ['203.0.113.7'],
      'egress.example.com': ['198.51.100.1'],
      'both.example.com': ['192.0.2.10', '203.0.113.7'],
      'away.example.com': ['192.0.2.50'],
      'gone.example.com': 'ENOTFOUND',
      'empty.example.com': 'ENODATA',
      'broken.example.com': 'ESERVFAIL',
    })
    const m = member('mem_dns1', [
      account('here', 'here.example.com'),
      account('egress', 'egress.example.com'),
      account('both', 'Both.Example.com'),
      account('away', 'away.example.com'),
      account('gone', 'gone.example.com'),
      account('empty', 'empty.example.com'),
      account('broken', 'broken.example.com'),
      account('slow', 'slow.example.com'),
      account('nodomain', null),
    ])
    const started = Date.now()
    const banner = await dnsBanner(m, { resolve4: r.resolve4 })
    expect(Date.now() - started).toBeLessThan(3500)
    expect(banner.addresses).toEqual(['203.0.113.7', '198.51.100.1'])
    expect(banner.here).toEqual([
      { user: 'here', domain: 'here.example.com', addresses: ['203.0.113.7'] },
      { user: 'egress', domain: 'egress.example.com', addresses: ['198.51.100.1'] },
      { user: 'both', domain: 'both.example.com', addresses: ['192.0.2.10', '203.0.113.7'] },
    ])
    expect(banner.elsewhere).toEqual([{ user: 'away', domain: 'away.example.com', addresses: ['192.0.2.50'] }])
    expect(banner.unresolved).toEqual([
      { user: 'gone', domain: 'gone.example.com', problem: 'no such domain (NXDOMAIN)' },
      { user: 'empty', domain: 'empty.example.com', problem: 'no A record' },
      { user: 'broken', domain: 'broken.example.com', problem: 'the DNS server failed (SERVFAIL)' },
      { user: 'slow', domain: 'slow.example.com', problem: 'no answer within 2 s' },
    ])
    expect(banner.skipped).toBe(0)
    expect(banner.checkedAt).toBeInstanceOf(Date)
  })

  test(`it looks up at most ${DNS_MAX_ACCOUNTS} accounts, 8 at a time, and counts the rest as skipped`, async () => {
    const users = Array.from({ length: 230 }, (_, i) => account(`u${i}`, `u${i}.example.com`))
    const r = fakeResolver(Object.fromEntries(users.map((u) => [u.domain!, ['192.0.2.1']])))
    // The agent listed 230 of the 260 accounts it found.
    const banner = await dnsBanner(member('mem_dns2', users, { accountCount: 260 }), { resolve4: r.resolve4 })
    expect(r.seen).toHaveLength(DNS_MAX_ACCOUNTS)
    expect(r.most()).toBe(8)
    expect(banner.elsewhere).toHaveLength(DNS_MAX_ACCOUNTS)
    expect(banner.skipped).toBe(60)
  })

  test('answers are kept five minutes per member, and asked again when the accounts or addresses change', async () => {
    const r = fakeResolver({ 'a.example.com': ['203.0.113.7'], 'b.example.com': ['192.0.2.2'] })
    const m = member('mem_dns3', [account('a', 'a.example.com')])
    const t0 = new Date()
    const first = await dnsBanner(m, { resolve4: r.resolve4, now: t0 })
    // Two asking at once share one lookup.
    const [again, also] = await Promise.all([dnsBanner(m, { resolve4: r.resolve4, now: new Date(t0.getTime() + 60_000) }), dnsBanner(m, { resolve4: r.resolve4 })])
    expect(again).toBe(first)
    expect(also).toBe(first)
    expect(r.seen).toEqual(['a.example.com'])
    await dnsBanner({ ...m, publicIpv4: '192.0.2.2' }, { resolve4: r.resolve4, now: t0 })
    expect(r.seen).toHaveLength(2)
    const more = await dnsBanner(member('mem_dns3', [account('a', 'a.example.com'), account('b', 'b.example.com')]), { resolve4: r.resolve4, now: t0 })
    expect(more.elsewhere.map((e) => e.user)).toEqual(['b'])
    expect(r.seen).toHaveLength(4)
    await dnsBanner(member('mem_dns3', [account('a', 'a.example.com'), account('b', 'b.example.com')]), { resolve4: r.resolve4, now: new Date(t0.getTime() + DNS_CACHE_MS + 1) })
    expect(r.seen).toHaveLength(6)
  })

  test('a member without cPanel or without accounts has an empty banner', async () => {
    const r = fakeResolver({})
    const none = await dnsBanner({ id: 'mem_dns4', stacks: {}, publicIpv4: null, egressIps: ['198.51.100.9'] }, { resolve4: r.resolve4 })
    expect(none).toMatchObject({ addresses: ['198.51.100.9'], here: [], elsewhere: [], unresolved: [], skipped: 0 })
    expect(r.seen).toEqual([])
  })
})

describe('DNS_RESOLVER', () => {
  test('it takes an address with an optional port, and refuses anything else', () => {
    expect(loadConfig({}).dnsResolver).toBeNull()
    expect(loadConfig({ DNS_RESOLVER: '127.0.0.1:5353' }).dnsResolver).toBe('127.0.0.1:5353')
    expect(loadConfig({ DNS_RESOLVER: '9.9.9.9' }).dnsResolver).toBe('9.9.9.9:53')
    expect(loadConfig({ DNS_RESOLVER: '[::1]:5353' }).dnsResolver).toBe('[::1]:5353')
    for (const bad of ['dns.example.com:53', '127.0.0.1:0', '127.0.0.1:70000', '300.1.1.1', '::1', '[nope]:53', '127.0.0.1:53; rm']) {
      expect(() => loadConfig({ DNS_RESOLVER: bad })).toThrow(ConfigError)
    }
  })
})

let pdns: PowerDns | null = null
afterAll(async () => {
  await pdns?.stop()
})

describe('against PowerDNS', () => {
  testNeeding(missingProgram('pdns_server', 'pdns-server'))(
    'it asks the configured resolver',
    async () => {
      pdns = await startPowerDns()
      await pdns.addZone('example.com')
      const rrset = (name: string, ip: string) => ({ name: `${name}.`, type: 'A', ttl: 60, changetype: 'REPLACE', records: [{ content: ip, disabled: false }] })
      const res = await fetch(`${pdns.apiUrl}/api/v1/servers/localhost/zones/example.com.`, {
        method: 'PATCH',
        headers: { 'x-api-key': pdns.apiKey, 'content-type': 'application/json' },
        body: JSON.stringify({ rrsets: [rrset('here.example.com', '203.0.113.7'), rrset('away.example.com', '192.0.2.50')] }),
      })
      expect(res.status).toBe(204)
      const config = loadConfig({ DNS_RESOLVER: `127.0.0.1:${pdns.dnsPort}` })
      const m = member('mem_pdns', [account('here', 'here.example.com'), account('away', 'away.example.com'), account('gone', 'gone.example.com'), account('other', 'shop.example.net')])
      const banner = await dnsBanner(m, { resolver: config.dnsResolver })
      expect(banner.here).toEqual([{ user: 'here', domain: 'here.example.com', addresses: ['203.0.113.7'] }])
      expect(banner.elsewhere).toEqual([{ user: 'away', domain: 'away.example.com', addresses: ['192.0.2.50'] }])
      expect(banner.unresolved).toEqual([
        { user: 'gone', domain: 'gone.example.com', problem: 'no such domain (NXDOMAIN)' },
        // Not a zone this server holds: an authoritative server refuses it.
        { user: 'other', domain: 'shop.example.net', problem: 'the DNS server refused the query' },
      ])
    },
    30_000,
  )
})
