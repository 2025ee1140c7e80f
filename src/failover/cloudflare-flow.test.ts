// Failover through Cloudflare's official SDK against the stand-in that
// follows its documented DNS records API: import, cut with proxied kept, and
// through WHM likewise.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { members } from '../db/schema'
import { start as startCloudflare, type CloudflareStandin } from '../testing/standins/cloudflare'
import { start as startWhm } from '../testing/standins/whm'
import { testServer, visibleText, type Browser, type TestServer } from '../testing/harness'
import { evaluatePool } from './evaluator'

let s: TestServer
let cf: CloudflareStandin
let b: Browser
let poolId: string
const TOKEN = 'cf-test-token-abcd'

beforeAll(async () => {
  cf = await startCloudflare()
  cf.state.tokens = new Set([TOKEN])
  cf.state.addZone('shop.test')
  cf.state.addRecord('shop.test', { name: 'www.shop.test', type: 'A', content: '192.0.2.10', ttl: 60, proxied: true })
  cf.state.addRecord('shop.test', { name: 'api.shop.test', type: 'A', content: '192.0.2.10', ttl: 60, proxied: false })
  cf.state.addRecord('shop.test', { name: 'other.shop.test', type: 'A', content: '198.51.100.1', ttl: 60 })
  s = await testServer({ env: { CLOUDFLARE_API_URL: cf.url } })
  b = await s.browser().signIn()
  poolId = (await s.api('POST', '/api/v1/pools', { name: 'Shop', preset: 'generic' })).json.id
  for (const [id, ip] of [['mem_a', '192.0.2.10'], ['mem_b', '192.0.2.20']] as const) {
    await s.db.insert(members).values({ id, poolId, name: id, hostname: `${id}.shop.test`, egressIps: ['127.0.0.1'], publicIpv4: ip, lastHeartbeatAt: new Date(), healthySince: new Date(Date.now() - 3_600_000) })
  }
})
afterAll(async () => {
  await s?.close()
  await cf?.stop()
})

describe('Cloudflare', () => {
  test('Import from Cloudflare adds the A records that point at members, then a cut moves them and keeps proxied', async () => {
    const provider = (await s.api('POST', `/api/v1/pools/${poolId}/dns-providers`, { kind: 'cloudflare', name: 'CF', apiToken: TOKEN, global: true })).json
    const settings = `/pools/${poolId}/settings`
    await b.get(settings)
    const imported = await b.post(`/pools/${poolId}/dns/import-cloudflare`, { back: settings })
    expect(imported.status).toBe(303)
    expect(visibleText((await b.get(settings)).text)).toContain('Imported 2 records from Cloudflare.')
    const config = (await s.api('GET', `/api/v1/pools/${poolId}/failover`)).json
    expect(config.hostnames.sort()).toEqual(['api.shop.test', 'www.shop.test'])
    expect(config.zone).toBe('shop.test')

    await s.api('PUT', `/api/v1/pools/${poolId}/failover`, { ...config, enabled: true, providerId: provider.id, memberOrder: ['mem_a', 'mem_b'], hostname: undefined, activeMemberId: undefined, state: undefined, warnings: undefined })
    await evaluatePool(s.deps, poolId, new Date(), async () => false)
    expect((await s.api('GET', `/api/v1/pools/${poolId}/failover`)).json.activeMemberId).toBe('mem_a')

    await s.db.update(members).set({ lastHeartbeatAt: new Date(Date.now() - 60_000) }).where(eq(members.id, 'mem_a'))
    await evaluatePool(s.deps, poolId, new Date(), async () => false)
    const records = cf.state.records.filter((r) => r.type === 'A')
    expect(records.find((r) => r.name === 'www.shop.test')).toMatchObject({ content: '192.0.2.20', proxied: true })
    expect(records.find((r) => r.name === 'api.shop.test')).toMatchObject({ content: '192.0.2.20', proxied: false })
    expect(records.find((r) => r.name === 'other.shop.test')).toMatchObject({ content: '198.51.100.1' })
    const [cut] = (await s.api('GET', `/api/v1/pools/${poolId}/failover/events`)).json
    expect(cut).toMatchObject({ reason: 'active_down', status: 'done', dnsResult: { kind: 'cloudflare', verified: true } })
  })

  test('a provider error is retried with backoff and shown on the page, then the cut completes', async () => {
    await s.db.update(members).set({ lastHeartbeatAt: new Date() }).where(eq(members.id, 'mem_a'))
    await s.db.update(members).set({ lastHeartbeatAt: new Date(Date.now() - 60_000) }).where(eq(members.id, 'mem_b'))
    cf.state.failNext(3)
    await evaluatePool(s.deps, poolId, new Date(), async () => false)
    const [pending] = (await s.api('GET', `/api/v1/pools/${poolId}/failover/events`)).json
    expect(pending).toMatchObject({ status: 'pending', toMemberId: 'mem_a', attempts: 1 })
    expect(pending.lastError).toContain('Cloudflare')
    const page = visibleText((await b.get(`/pools/${poolId}/settings`)).text)
    expect(page).toContain(`Cut in progress. mem_b is still the active member: moving DNS to mem_a failed (try 1): ${pending.lastError}`)
    // Retries wait their backoff; evaluate as if time had passed.
    const byId = async () => (await s.api('GET', `/api/v1/pools/${poolId}/failover/events`)).json.find((e: { id: string }) => e.id === pending.id)
    for (let i = 1; i <= 5 && (await byId()).status === 'pending'; i++) await evaluatePool(s.deps, poolId, new Date(Date.now() + i * 60_000), async () => false)
    const done = await byId()
    expect(done).toMatchObject({ status: 'done', toMemberId: 'mem_a' })
    expect(cf.state.records.find((r) => r.name === 'www.shop.test')).toMatchObject({ content: '192.0.2.10' })
  })
})

describe('WHM DNS', () => {
  test('a cut rewrites the zone record through WHM JSON API 1', async () => {
    const whm = await startWhm()
    try {
      const pool = (await s.api('POST', '/api/v1/pools', { name: 'WHM', preset: 'generic' })).json.id
      for (const [id, ip] of [['mem_w1', '192.0.2.31'], ['mem_w2', '192.0.2.32']] as const) {
        await s.db.insert(members).values({ id, poolId: pool, name: id, hostname: `${id}.whm.test`, egressIps: ['127.0.0.1'], publicIpv4: ip, lastHeartbeatAt: new Date(), healthySince: new Date(Date.now() - 3_600_000) })
      }
      whm.state.addZone('whm.test')
      const provider = (await s.api('POST', `/api/v1/pools/${pool}/dns-providers`, { kind: 'whm', name: 'WHM', host: whm.url, username: 'root', apiToken: 'whm-test-token' })).json
      const put = await s.api('PUT', `/api/v1/pools/${pool}/failover`, { enabled: true, hostname: 'www.whm.test', zone: 'whm.test', providerId: provider.id, memberOrder: ['mem_w1', 'mem_w2'] })
      expect(put.status).toBe(200)
      await evaluatePool(s.deps, pool, new Date(), async () => false)
      const [first] = (await s.api('GET', `/api/v1/pools/${pool}/failover/events`)).json
      expect(first).toMatchObject({ reason: 'initial', status: 'done', dnsResult: { kind: 'whm', verified: true } })
    } finally {
      await whm.stop()
    }
  })
})
