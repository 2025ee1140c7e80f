// A hostname typed into the failover settings is read from the provider once,
// as "Import from Cloudflare" would read it: a round-robin set is kept and
// said, an AAAA and a proxied flag are kept, and a provider that cannot be
// read leaves the save standing.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { members } from '../db/schema'
import { start as startCloudflare, type CloudflareStandin } from '../testing/standins/cloudflare'
import { testServer, visibleText, type TestServer } from '../testing/harness'
import { hostnameRecordFrom } from './learn'

let s: TestServer
let cf: CloudflareStandin
let poolId: string
let providerId: string
const TOKEN = 'cf-test-token-learn'

beforeAll(async () => {
  cf = await startCloudflare()
  cf.state.tokens = new Set([TOKEN])
  cf.state.addZone('typed.test')
  cf.state.addRecord('typed.test', { name: 'www.typed.test', type: 'A', content: '192.0.2.10', ttl: 1, proxied: true })
  cf.state.addRecord('typed.test', { name: 'www.typed.test', type: 'AAAA', content: '2001:db8::a', ttl: 1, proxied: true })
  cf.state.addRecord('typed.test', { name: 'rr.typed.test', type: 'A', content: '192.0.2.10', ttl: 60 })
  cf.state.addRecord('typed.test', { name: 'rr.typed.test', type: 'A', content: '198.51.100.7', ttl: 60 })
  cf.state.addRecord('typed.test', { name: 'api.typed.test', type: 'A', content: '192.0.2.10', ttl: 60 })
  s = await testServer({ env: { CLOUDFLARE_API_URL: cf.url } })
  poolId = (await s.api('POST', '/api/v1/pools', { name: 'Typed', preset: 'generic' })).json.id
  for (const [id, ip] of [['mem_t1', '192.0.2.10'], ['mem_t2', '192.0.2.20']] as const) {
    await s.db.insert(members).values({ id, poolId, name: id, hostname: `${id}.typed.test`, egressIps: ['127.0.0.1'], publicIpv4: ip })
  }
  providerId = (await s.api('POST', `/api/v1/pools/${poolId}/dns-providers`, { kind: 'cloudflare', name: 'CF', apiToken: TOKEN, global: true })).json.id
}, 60_000)
afterAll(async () => {
  await s?.close()
  await cf?.stop()
})

const config = async () => (await s.api('GET', `/api/v1/pools/${poolId}/failover`)).json

describe('hostnames typed into the settings', () => {
  test('it reads them from the provider: the round-robin set is kept and said, AAAA and proxied are kept', async () => {
    const b = await s.browser().signIn()
    await b.get(`/pools/${poolId}/settings`)
    const saved = await b.post(`/pools/${poolId}/failover`, { back: `/pools/${poolId}/settings`, hostnames: 'rr.typed.test\nwww.typed.test', zone: 'typed.test', providerId, ttl: '60' })
    expect(saved.status).toBe(303)
    const c = await config()
    expect(c.hostnameRecords['rr.typed.test']).toEqual({ alongside: ['198.51.100.7'] })
    expect(c.hostnameRecords['www.typed.test']).toEqual({ proxied: true, aaaa: true })
    const page = visibleText((await b.get(`/pools/${poolId}/settings`)).text)
    expect(page).toContain("rr.typed.test is a round-robin name (2 A records): a cut puts the new active member's address in place of the old one's and keeps 198.51.100.7.")
  })

  test('a name added later through the API is read too; a provider that cannot be read leaves the save standing', async () => {
    cf.state.failNext(2, 429)
    const busy = await s.api('PUT', `/api/v1/pools/${poolId}/failover`, { enabled: false, hostnames: ['rr.typed.test', 'www.typed.test', 'api.typed.test'], zone: 'typed.test', providerId, ttl: 60 })
    expect(busy.status).toBe(200)
    expect(busy.json.hostnames).toContain('api.typed.test')
    expect(busy.json.hostnameRecords['api.typed.test'] ?? {}).toEqual({})
    expect(s.log.lines.some((l: string) => l.includes('could not read api.typed.test'))).toBe(true)
    // What was learned before stays.
    expect(busy.json.hostnameRecords['rr.typed.test']).toEqual({ alongside: ['198.51.100.7'] })
  })
})

describe('hostnameRecordFrom', () => {
  const ours = new Set(['192.0.2.10', '192.0.2.20'])
  test.each([
    ['one address of a member', { values: ['192.0.2.10'] }, null, {}],
    ['one address of no member: the record a cut rewrites', { values: ['203.0.113.5'] }, null, {}],
    ['a set with a member and another address', { values: ['192.0.2.10', '198.51.100.7'] }, null, { alongside: ['198.51.100.7'] }],
    ['proxied, with an AAAA', { values: ['192.0.2.10'], proxied: true }, { values: ['2001:db8::a'] }, { proxied: true, aaaa: true }],
    ['no A at all', null, null, {}],
  ] as const)('%s', (_label, a, aaaa, want) => {
    expect(hostnameRecordFrom(a as never, aaaa, ours)).toEqual(want as never)
  })
})
