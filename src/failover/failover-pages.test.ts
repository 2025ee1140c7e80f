// The failover block of pool pages, against a real PowerDNS.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { dnsProviders, members } from '../db/schema'
import { startPowerDns, type PowerDns } from '../testing/powerdns'
import { testServer, visibleText, type Browser, type TestServer } from '../testing/harness'
import { createProvider } from '../dns'

let s: TestServer
let pdns: PowerDns
let b: Browser
let poolId: string
const now = () => new Date()

beforeAll(async () => {
  pdns = await startPowerDns()
  await pdns.addZone('example.test')
  s = await testServer()
  b = await s.browser().signIn()
  poolId = (await s.api('POST', '/api/v1/pools', { name: 'Web', preset: 'generic' })).json.id
  for (const [id, ip] of [['mem_a', '192.0.2.10'], ['mem_b', '192.0.2.20']] as const) {
    await s.db.insert(members).values({ id, poolId, name: id, hostname: `${id}.example.test`, egressIps: ['127.0.0.1'], publicIpv4: ip, lastHeartbeatAt: now(), healthySince: new Date(Date.now() - 3_600_000) })
  }
})
afterAll(async () => {
  await s?.close()
  await pdns?.stop()
})

const settings = () => `/pools/${poolId}/settings`

describe('API providers on pool Settings', () => {
  test('adding one keeps the key sealed and shows only its last four characters', async () => {
    await b.get(settings())
    const res = await b.post(`/pools/${poolId}/dns-providers`, { back: settings(), kind: 'powerdns', name: 'Local PowerDNS', apiUrl: pdns.apiUrl, apiKey: pdns.apiKey, serverId: 'localhost' })
    expect(res.status).toBe(303)
    const page = await b.get(settings())
    expect(visibleText(page.text)).toContain(`Local PowerDNS PowerDNS ••••${pdns.apiKey.slice(-4)}`)
    expect(page.text).not.toContain(pdns.apiKey)
    const [row] = await s.db.select().from(dnsProviders)
    expect(row!.secretSealed).not.toContain(pdns.apiKey)
    expect(JSON.stringify((await s.api('GET', `/api/v1/pools/${poolId}/dns-providers`)).json)).not.toContain(pdns.apiKey)
  })

  test('a missing key is refused next to the field, and the key typed is not echoed back', async () => {
    await b.get(settings())
    const res = await b.post(`/pools/${poolId}/dns-providers`, { back: settings(), kind: 'cloudflare', name: 'CF', apiToken: '' })
    expect(res.status).toBe(422)
    expect(visibleText(res.text)).toContain('Enter the API token')
    const bad = await b.post(`/pools/${poolId}/dns-providers`, { back: settings(), kind: 'powerdns', name: 'X', apiUrl: 'not a url', apiKey: 'secret-typed-1234' })
    expect(bad.status).toBe(422)
    expect(bad.text).not.toContain('secret-typed-1234')
    expect((await s.api('GET', `/api/v1/pools/${poolId}/dns-providers`)).json).toHaveLength(1)
  })

  test('Test connection lists the zones the key can see, or says why not', async () => {
    const [row] = await s.db.select().from(dnsProviders)
    const ok = await b.post(`/pools/${poolId}/dns-providers/${row!.id}/test`, {}, { 'hx-request': 'true' })
    expect(visibleText(ok.text)).toContain('Connected. Zones: example.test')
    const wrong = (await s.api('POST', `/api/v1/pools/${poolId}/dns-providers`, { kind: 'powerdns', name: 'Wrong key', apiUrl: pdns.apiUrl, apiKey: 'not-the-key' })).json
    const refused = await b.post(`/pools/${poolId}/dns-providers/${wrong.id}/test`, {}, { 'hx-request': 'true' })
    expect(visibleText(refused.text)).toContain('PowerDNS refused the API key')
    expect((await s.api('DELETE', `/api/v1/pools/${poolId}/dns-providers/${wrong.id}`)).status).toBe(204)
  })
})

describe('failover settings, make active, DNS health', () => {
  test('the form saves settings, refuses a bad delay, and Make active moves DNS', async () => {
    const [row] = await s.db.select().from(dnsProviders)
    await b.get(settings())
    const bad = await b.post(`/pools/${poolId}/failover`, { back: settings(), enabled: 'on', hostnames: 'www.example.test', zone: 'example.test', providerId: row!.id, delaySeconds: '5', ttl: '60', order_mem_a: '1', order_mem_b: '2' })
    expect(bad.status).toBe(422)
    expect(visibleText(bad.text)).toContain('The failover delay must be a whole number from 10 to 120')
    const saved = await b.post(`/pools/${poolId}/failover`, {
      back: settings(), enabled: 'on', hostnames: 'www.example.test', zone: 'example.test', providerId: row!.id, delaySeconds: '20', ttl: '60',
      order_mem_a: '2', order_mem_b: '1', probeKind: 'none', x0_type: 'AAAA', x0_name: 'www.example.test', x0_v_mem_a: '2001:db8::a', x0_v_mem_b: '2001:db8::b',
    })
    expect(saved.status).toBe(303)
    const config = (await s.api('GET', `/api/v1/pools/${poolId}/failover`)).json
    expect(config).toMatchObject({ enabled: true, hostnames: ['www.example.test'], delaySeconds: 20, memberOrder: ['mem_b', 'mem_a'], extraRecords: [{ type: 'AAAA', name: 'www.example.test' }] })

    await b.get(settings())
    const moved = await b.post(`/pools/${poolId}/failover/make-active`, { back: settings(), memberId: 'mem_a' })
    expect(moved.status).toBe(303)
    const dns = createProvider({ kind: 'powerdns', apiUrl: pdns.apiUrl, apiKey: pdns.apiKey, serverId: 'localhost' }, s.deps.config)
    expect((await dns.readRecords('example.test', 'www.example.test', 'A'))!.values).toEqual(['192.0.2.10'])
    expect((await dns.readRecords('example.test', 'www.example.test', 'AAAA'))!.values).toEqual(['2001:db8::a'])
    const page = visibleText((await b.get(settings())).text)
    expect(page).toContain('Active member mem_a')
    expect(page).toContain('made active by hand')
  })

  test('DNS health shows drift, and Fix rewrites the records', async () => {
    const dns = createProvider({ kind: 'powerdns', apiUrl: pdns.apiUrl, apiKey: pdns.apiKey, serverId: 'localhost' }, s.deps.config)
    const health = visibleText((await b.get(`/pools/${poolId}/dns/health`, { 'hx-request': 'true' })).text)
    expect(health).toContain('Primary: mem_a')
    expect(health).toContain('in sync')
    await dns.writeRecords('example.test', { name: 'www.example.test', type: 'A', ttl: 60, values: ['198.51.100.66'] })
    const drifted = await b.get(`/pools/${poolId}/dns/health`, { 'hx-request': 'true' })
    expect(visibleText(drifted.text)).toContain('www.example.test A 198.51.100.66 192.0.2.10 drift')
    await b.get(settings())
    expect((await b.post(`/pools/${poolId}/dns/fix`, { back: settings() })).status).toBe(303)
    expect((await dns.readRecords('example.test', 'www.example.test', 'A'))!.values).toEqual(['192.0.2.10'])
  })

  test('after an automatic cut the pool header says "Failover active"', async () => {
    const { evaluatePool } = await import('./evaluator')
    await s.db.update(members).set({ lastHeartbeatAt: new Date(Date.now() - 60_000) }).where(eq(members.id, 'mem_a'))
    await s.db.update(members).set({ lastHeartbeatAt: new Date() }).where(eq(members.id, 'mem_b'))
    await evaluatePool(s.deps, poolId, new Date(), async () => false)
    const page = visibleText((await b.get(`/pools/${poolId}`)).text)
    expect(page).toContain('Failover active since')
    expect(page).toContain('Active member changed from mem_a to mem_b; DNS moved and verified.')
    expect(visibleText((await b.get(settings())).text)).toContain('Moved and verified at Local PowerDNS: www.example.test A 192.0.2.20, www.example.test AAAA 2001:db8::b.')
  })
})
