// Failover against the Cloudflare stand-in as Cloudflare really behaves: a
// proxied name recreated by a cut stays proxied, AAAA moves with A, a
// round-robin set keeps its other addresses, a 429 with Retry-After delays
// the next try by that long and the log says so, and the settings refuse a
// TTL Cloudflare would refuse.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { members } from '../db/schema'
import { start as startCloudflare, type CloudflareStandin } from '../testing/standins/cloudflare'
import { testServer, visibleText, type Browser, type TestServer } from '../testing/harness'
import { evaluatePool } from './evaluator'

let s: TestServer
let cf: CloudflareStandin
let b: Browser
let poolId: string
let providerId: string
const TOKEN = 'cf-test-token-wxyz'
const V6 = { mem_a: '2001:db8::a', mem_b: '2001:db8::b' }

beforeAll(async () => {
  cf = await startCloudflare()
  cf.state.tokens = new Set([TOKEN])
  cf.state.addZone('dual.test')
  cf.state.addRecord('dual.test', { name: 'www.dual.test', type: 'A', content: '192.0.2.10', ttl: 1, proxied: true })
  cf.state.addRecord('dual.test', { name: 'www.dual.test', type: 'AAAA', content: V6.mem_a, ttl: 1, proxied: true })
  cf.state.addRecord('dual.test', { name: 'rr.dual.test', type: 'A', content: '192.0.2.10', ttl: 60 })
  cf.state.addRecord('dual.test', { name: 'rr.dual.test', type: 'A', content: '198.51.100.7', ttl: 60 })
  s = await testServer({ env: { CLOUDFLARE_API_URL: cf.url } })
  b = await s.browser().signIn()
  poolId = (await s.api('POST', '/api/v1/pools', { name: 'Dual', preset: 'generic' })).json.id
  for (const [id, ip] of [['mem_a', '192.0.2.10'], ['mem_b', '192.0.2.20']] as const) {
    await s.db.insert(members).values({ id, poolId, name: id, hostname: `${id}.dual.test`, egressIps: ['127.0.0.1'], publicIpv4: ip, lastHeartbeatAt: new Date(), healthySince: new Date(Date.now() - 3_600_000) })
  }
  providerId = (await s.api('POST', `/api/v1/pools/${poolId}/dns-providers`, { kind: 'cloudflare', name: 'CF', apiToken: TOKEN, global: true })).json.id
}, 60_000)
afterAll(async () => {
  await s?.close()
  await cf?.stop()
})

const config = async () => (await s.api('GET', `/api/v1/pools/${poolId}/failover`)).json
const events = async () => (await s.api('GET', `/api/v1/pools/${poolId}/failover/events`)).json
const settings = () => `/pools/${poolId}/settings`
const silence = (id: string) => s.db.update(members).set({ lastHeartbeatAt: new Date(Date.now() - 60_000) }).where(eq(members.id, id))
const wake = (id: string) => s.db.update(members).set({ lastHeartbeatAt: new Date() }).where(eq(members.id, id))
const evaluate = (at = new Date()) => evaluatePool(s.deps, poolId, at, async () => false)

describe('TTL floor', () => {
  test('a Cloudflare provider refuses TTL 2–59 on the form and the API, saying why; 1 and 60 pass; Enterprise allows 30', async () => {
    await b.get(settings())
    const form = await b.post(`/pools/${poolId}/failover`, { back: settings(), hostnames: 'www.dual.test', zone: 'dual.test', providerId, ttl: '20' })
    expect(form.status).toBe(422)
    expect(form.text).toMatch(/id="field-ttl-error">Cloudflare refuses a TTL under 60 s on a zone that is not Enterprise: enter 60 to 86400, or 1 for automatic</)
    const api = await s.api('PUT', `/api/v1/pools/${poolId}/failover`, { enabled: false, hostname: 'www.dual.test', zone: 'dual.test', providerId, ttl: 30 })
    expect(api.status).toBe(422)
    expect(JSON.stringify(api.json)).toContain('Cloudflare refuses a TTL under 60 s')
    for (const ttl of [1, 60]) expect((await s.api('PUT', `/api/v1/pools/${poolId}/failover`, { enabled: false, hostname: 'www.dual.test', zone: 'dual.test', providerId, ttl })).status).toBe(200)
    expect((await s.api('PUT', `/api/v1/pools/${poolId}/failover`, { enabled: false, hostname: 'www.dual.test', zone: 'dual.test', providerId, ttl: 30, cloudflareEnterprise: true })).status).toBe(200)
    expect((await s.api('PUT', `/api/v1/pools/${poolId}/failover`, { enabled: false, hostname: 'www.dual.test', zone: 'dual.test', providerId, ttl: 29, cloudflareEnterprise: true })).status).toBe(422)
    // Without a provider, the range stays 1–86400.
    expect((await s.api('PUT', `/api/v1/pools/${poolId}/failover`, { enabled: false, hostname: 'www.dual.test', zone: 'dual.test', ttl: 20 })).status).toBe(200)
    await s.api('PUT', `/api/v1/pools/${poolId}/failover`, { enabled: false, hostnames: [], zone: null, ttl: 60, cloudflareEnterprise: false })
  })
})

describe('a cut on Cloudflare', () => {
  test('import keeps proxied, AAAA and the round-robin set; the page says what a cut does to them', async () => {
    await b.get(settings())
    expect((await b.post(`/pools/${poolId}/dns/import-cloudflare`, { back: settings() })).status).toBe(303)
    const c = await config()
    expect(c.hostnames.sort()).toEqual(['rr.dual.test', 'www.dual.test'])
    expect(c.hostnameRecords).toEqual({ 'www.dual.test': { proxied: true, aaaa: true }, 'rr.dual.test': { alongside: ['198.51.100.7'] } })
    const page = visibleText((await b.get(settings())).text)
    expect(page).toContain('rr.dual.test is a round-robin name (2 A records): a cut puts the new active member\'s address in place of the old one\'s and keeps 198.51.100.7.')
    expect(page).toContain('www.dual.test has an AAAA record, and mem_a, mem_b have no public IPv6 address')
    for (const [id, v6] of Object.entries(V6)) expect((await s.api('PATCH', `/api/v1/members/${id}`, { publicIpv6: v6 })).status).toBe(200)
    expect(visibleText((await b.get(settings())).text)).not.toContain('no public IPv6 address')
  })

  test('a proxied name missing at cut time is recreated proxied; AAAA moves with A; the round robin keeps its other address', async () => {
    const c = await config()
    await s.api('PUT', `/api/v1/pools/${poolId}/failover`, { ...c, enabled: true, providerId, memberOrder: ['mem_a', 'mem_b'], hostname: undefined, activeMemberId: undefined, state: undefined, warnings: undefined })
    await evaluate()
    expect((await config()).activeMemberId).toBe('mem_a')
    // Someone deleted the proxied records by hand: the cut creates them.
    cf.state.records = cf.state.records.filter((r) => r.name !== 'www.dual.test')
    await silence('mem_a')
    await evaluate()
    const www = cf.state.records.filter((r) => r.name === 'www.dual.test')
    expect(www.find((r) => r.type === 'A')).toMatchObject({ content: '192.0.2.20', proxied: true })
    expect(www.find((r) => r.type === 'AAAA')).toMatchObject({ content: V6.mem_b, proxied: true })
    expect(cf.state.records.filter((r) => r.name === 'rr.dual.test').map((r) => r.content).sort()).toEqual(['192.0.2.20', '198.51.100.7'])
    const [cut] = await events()
    expect(cut).toMatchObject({ status: 'done', toMemberId: 'mem_b', dnsResult: { verified: true } })
  })

  test('a 429 with Retry-After delays the next try by that long, and the log and banner say so', async () => {
    await wake('mem_a')
    await silence('mem_b')
    cf.state.rateLimitFor(300)
    const t0 = new Date()
    await evaluate(t0)
    const [pending] = await events()
    expect(pending).toMatchObject({ status: 'pending', toMemberId: 'mem_a', attempts: 1 })
    // 300 s from Cloudflare's answer, which came a moment after t0.
    const next = new Date(pending.dnsResult.nextTryAt)
    expect(next.getTime() - t0.getTime()).toBeGreaterThanOrEqual(300_000)
    expect(next.getTime() - t0.getTime()).toBeLessThan(305_000)
    const wait = `Cloudflare asked to wait 300 s; next try at ${next.toISOString().slice(11, 19)} UTC.`
    expect(pending.dnsResult).toMatchObject({ retryAfterSeconds: 300 })
    const page = visibleText((await b.get(settings())).text)
    expect(page).toContain(wait)
    // Past the backoff but before the wait: no second try.
    await evaluate(new Date(t0.getTime() + 60_000))
    expect((await events())[0]).toMatchObject({ status: 'pending', attempts: 1 })
    cf.state.rateLimitFor(0)
    await evaluate(new Date(next.getTime() + 1000))
    expect((await events())[0]).toMatchObject({ id: pending.id, status: 'done', toMemberId: 'mem_a' })
  })
})
