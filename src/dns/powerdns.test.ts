// The PowerDNS adapter against a real PowerDNS Authoritative (gsqlite3 backend),
// checked through its API and through DNS itself (dig).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startPowerDns, type PowerDns } from '../testing/powerdns'
import { DnsProviderError } from './provider'
import { PowerDnsProvider, powerDnsBaseUrl } from './powerdns'
import { createProvider } from './index'

// The stand-ins listen on loopback, a private address the adapters refuse by default.
const LOOPBACK = { allowPrivate: true }
const ENV = { allowPrivateProviderHosts: true, cloudflareApiUrl: null }

let pdns: PowerDns
let provider: PowerDnsProvider

beforeAll(async () => {
  pdns = await startPowerDns()
  console.log(`PowerDNS ${pdns.version} answered its API ${pdns.startupMs} ms after spawn`)
  await pdns.addZone('example.com')
  await pdns.addZone('example.org')
  provider = new PowerDnsProvider({ apiUrl: pdns.apiUrl, apiKey: pdns.apiKey, serverId: pdns.serverId, outbound: LOOPBACK })
}, 30_000)

afterAll(async () => {
  await pdns?.stop()
})

function dig(name: string, type: string): string[] {
  const r = Bun.spawnSync(['dig', `@127.0.0.1`, '-p', String(pdns.dnsPort), '+short', '+time=2', '+tries=1', name, type])
  if (r.exitCode !== 0) throw new Error(`dig failed: ${r.stderr.toString()}`)
  return r.stdout
    .toString()
    .split('\n')
    .map((l) => l.trim())
    .filter(Boolean)
    .sort()
}

async function expectError(p: Promise<unknown>): Promise<DnsProviderError> {
  try {
    await p
  } catch (e) {
    expect(e).toBeInstanceOf(DnsProviderError)
    return e as DnsProviderError
  }
  throw new Error('expected a DnsProviderError')
}

describe('PowerDNS adapter (real pdns_server)', () => {
  test('lists zones without trailing dots', async () => {
    const zones = await provider.listZones()
    expect(zones.map((z) => z.name).sort()).toEqual(['example.com', 'example.org'])
    expect(zones.find((z) => z.name === 'example.com')!.id).toBe('example.com.')
  })

  test('accepts the API URL with or without /api/v1', async () => {
    expect(powerDnsBaseUrl('http://127.0.0.1:8081')).toBe('http://127.0.0.1:8081')
    expect(powerDnsBaseUrl('http://127.0.0.1:8081/')).toBe('http://127.0.0.1:8081')
    expect(powerDnsBaseUrl('http://127.0.0.1:8081/api/v1')).toBe('http://127.0.0.1:8081')
    expect(powerDnsBaseUrl('http://127.0.0.1:8081/api/v1/')).toBe('http://127.0.0.1:8081')
    const withPath = new PowerDnsProvider({ apiUrl: `${pdns.apiUrl}/api/v1`, apiKey: pdns.apiKey, serverId: 'localhost', outbound: LOOPBACK })
    expect((await withPath.listZones()).length).toBe(2)
  })

  test('reads null for a name with no records', async () => {
    expect(await provider.readRecords('example.com', 'nothing.example.com', 'A')).toBeNull()
  })

  test('writes then reads an A set, and DNS answers the new address at once', async () => {
    await provider.writeRecords('example.com', { name: 'www.example.com', type: 'A', ttl: 60, values: ['192.0.2.10'] })
    expect(await provider.readRecords('example.com', 'www.example.com', 'A')).toEqual({
      name: 'www.example.com',
      type: 'A',
      ttl: 60,
      values: ['192.0.2.10'],
    })
    expect(dig('www.example.com', 'A')).toEqual(['192.0.2.10'])

    // Failover: the active server died, point at the standby.
    await provider.writeRecords('example.com', { name: 'www.example.com', type: 'A', ttl: 60, values: ['198.51.100.20'] })
    expect(dig('www.example.com', 'A')).toEqual(['198.51.100.20'])
  })

  test('replaces every value of a set and changes its TTL', async () => {
    await provider.writeRecords('example.com', { name: 'pool.example.com', type: 'A', ttl: 300, values: ['192.0.2.1', '192.0.2.2', '192.0.2.3'] })
    let set = await provider.readRecords('example.com', 'pool.example.com', 'A')
    expect(set!.values.sort()).toEqual(['192.0.2.1', '192.0.2.2', '192.0.2.3'])
    expect(set!.ttl).toBe(300)

    await provider.writeRecords('example.com', { name: 'pool.example.com', type: 'A', ttl: 30, values: ['192.0.2.2', '203.0.113.9'] })
    set = await provider.readRecords('example.com', 'pool.example.com', 'A')
    expect(set!.values.sort()).toEqual(['192.0.2.2', '203.0.113.9'])
    expect(set!.ttl).toBe(30)
    expect(dig('pool.example.com', 'A')).toEqual(['192.0.2.2', '203.0.113.9'])

    // The TTL DNS hands out is the one written.
    const r = Bun.spawnSync(['dig', '@127.0.0.1', '-p', String(pdns.dnsPort), '+noall', '+answer', 'pool.example.com', 'A'])
    expect(r.stdout.toString()).toMatch(/pool\.example\.com\.\s+30\s+IN\s+A/)
  })

  test('AAAA round-trips (in canonical form)', async () => {
    await provider.writeRecords('example.com', { name: 'v6.example.com', type: 'AAAA', ttl: 120, values: ['2001:0db8:0:0::10'] })
    expect((await provider.readRecords('example.com', 'v6.example.com', 'AAAA'))!.values).toEqual(['2001:db8::10'])
    expect(dig('v6.example.com', 'AAAA')).toEqual(['2001:db8::10'])
  })

  test('MX round-trips with absolute hostnames in PowerDNS', async () => {
    await provider.writeRecords('example.com', { name: 'example.com', type: 'MX', ttl: 3600, values: ['10 mail.example.com', '20 backup-mx.example.net'] })
    const set = await provider.readRecords('example.com', 'example.com', 'MX')
    expect(set!.values.sort()).toEqual(['10 mail.example.com', '20 backup-mx.example.net'])
    expect(dig('example.com', 'MX')).toEqual(['10 mail.example.com.', '20 backup-mx.example.net.'])
    // Stored as PowerDNS wants it: with the trailing dot.
    const res = await fetch(`${pdns.apiUrl}/api/v1/servers/localhost/zones/example.com.?rrset_name=example.com.&rrset_type=MX`, {
      headers: { 'X-API-Key': pdns.apiKey },
    })
    const body = (await res.json()) as { rrsets: { records: { content: string }[] }[] }
    expect(body.rrsets[0]!.records.map((r) => r.content).sort()).toEqual(['10 mail.example.com.', '20 backup-mx.example.net.'])
  })

  test('SRV round-trips', async () => {
    await provider.writeRecords('example.com', { name: '_sip._udp.example.com', type: 'SRV', ttl: 600, values: ['10 5 5060 sip.example.com'] })
    expect(await provider.readRecords('example.com', '_sip._udp.example.com', 'SRV')).toEqual({
      name: '_sip._udp.example.com',
      type: 'SRV',
      ttl: 600,
      values: ['10 5 5060 sip.example.com'],
    })
    expect(dig('_sip._udp.example.com', 'SRV')).toEqual(['10 5 5060 sip.example.com.'])
  })

  test('accepts names and values given with trailing dots and in upper case', async () => {
    await provider.writeRecords('Example.COM.', { name: 'Mixed.Example.com.', type: 'MX', ttl: 60, values: ['5 MX1.Example.com.'] })
    expect((await provider.readRecords('example.com', 'mixed.example.com', 'MX'))!.values).toEqual(['5 mx1.example.com'])
  })

  test('writing no values removes the set', async () => {
    await provider.writeRecords('example.com', { name: 'gone.example.com', type: 'A', ttl: 60, values: ['192.0.2.50'] })
    await provider.writeRecords('example.com', { name: 'gone.example.com', type: 'A', ttl: 60, values: [] })
    expect(await provider.readRecords('example.com', 'gone.example.com', 'A')).toBeNull()
    expect(dig('gone.example.com', 'A')).toEqual([])
  })

  test('a wrong API key is refused, not retryable, names PowerDNS and hides the key', async () => {
    const wrongKey = 'definitely-wrong-key-1234567890'
    const bad = new PowerDnsProvider({ apiUrl: pdns.apiUrl, apiKey: wrongKey, serverId: 'localhost', outbound: LOOPBACK })
    const calls = [
      () => bad.listZones(),
      () => bad.readRecords('example.com', 'www.example.com', 'A'),
      () => bad.writeRecords('example.com', { name: 'www.example.com', type: 'A', ttl: 60, values: ['192.0.2.1'] }),
    ]
    for (const call of calls) {
      const e = await expectError(call())
      expect(e.retryable).toBe(false)
      expect(e.message).toBe('PowerDNS refused the API key (401)')
      expect(e.message).not.toContain(wrongKey)
      expect(e.message).not.toContain(pdns.apiKey)
    }
  })

  test('an unknown zone is reported as not found, not retryable', async () => {
    const e = await expectError(provider.readRecords('nope.example', 'www.nope.example', 'A'))
    expect(e.message).toBe('zone nope.example not found at PowerDNS')
    expect(e.retryable).toBe(false)
    const w = await expectError(provider.writeRecords('nope.example', { name: 'www.nope.example', type: 'A', ttl: 60, values: ['192.0.2.1'] }))
    expect(w.message).toBe('zone nope.example not found at PowerDNS')
  })

  test('bad input is refused before anything is sent', async () => {
    const e = await expectError(provider.writeRecords('example.com', { name: 'www.example.org', type: 'A', ttl: 60, values: ['192.0.2.1'] }))
    expect(e.retryable).toBe(false)
    expect(e.message).toContain('not inside zone example.com')
    expect((await expectError(provider.writeRecords('example.com', { name: 'www.example.com', type: 'A', ttl: 60, values: ['mail.example.com'] }))).message).toContain('IPv4')
    expect((await expectError(provider.writeRecords('example.com', { name: 'example.com', type: 'MX', ttl: 60, values: ['mail.example.com'] }))).message).toContain('10 mail.example.com')
  })

  test('a server that does not answer gives a retryable error', async () => {
    // A port nothing listens on (the DNS port is UDP/TCP DNS, not HTTP: use a closed one).
    const closed = Bun.listen({ hostname: '127.0.0.1', port: 0, socket: { data() {} } })
    const port = closed.port
    closed.stop(true)
    const down = new PowerDnsProvider({ apiUrl: `http://127.0.0.1:${port}`, apiKey: 'secret-key-abcdef', serverId: 'localhost', outbound: LOOPBACK })
    const e = await expectError(down.listZones())
    expect(e.retryable).toBe(true)
    expect(e.message).toContain('could not reach PowerDNS at http://127.0.0.1:')
    expect(e.message).not.toContain('secret-key-abcdef')
  })

  test('a server that hangs times out with a retryable error', async () => {
    const hang = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Promise<Response>(() => {}) })
    try {
      const slow = new PowerDnsProvider({ apiUrl: hang.url.origin, apiKey: 'k-123456', timeoutMs: 200, outbound: LOOPBACK })
      const e = await expectError(slow.listZones())
      expect(e.retryable).toBe(true)
      expect(e.message).toContain('did not answer within')
    } finally {
      hang.stop(true)
    }
  })

  test('5xx and 429 are retryable', async () => {
    let status = 503
    const srv = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => Response.json({ error: 'backend down' }, { status }) })
    try {
      const p = new PowerDnsProvider({ apiUrl: srv.url.origin, apiKey: 'k-123456', outbound: LOOPBACK })
      let e = await expectError(p.readRecords('example.com', 'www.example.com', 'A'))
      expect(e.retryable).toBe(true)
      expect(e.message).toContain('503')
      status = 429
      e = await expectError(p.listZones())
      expect(e.retryable).toBe(true)
      status = 422
      e = await expectError(p.writeRecords('example.com', { name: 'www.example.com', type: 'A', ttl: 60, values: ['192.0.2.1'] }))
      expect(e.retryable).toBe(false)
      expect(e.message).toContain('backend down')
    } finally {
      srv.stop(true)
    }
  })

  test('createProvider builds the PowerDNS adapter from settings', async () => {
    const p = createProvider({ kind: 'powerdns', apiUrl: `${pdns.apiUrl}/api/v1/`, apiKey: pdns.apiKey, serverId: 'localhost' }, ENV)
    expect(p).toBeInstanceOf(PowerDnsProvider)
    expect((await p.listZones()).length).toBe(2)
  })
})
