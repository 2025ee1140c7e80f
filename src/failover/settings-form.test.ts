// The failover settings form reports every bad field of one submit, each next
// to its field, and saves nothing.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { testServer, visibleText, type Browser, type TestServer } from '../testing/harness'

let s: TestServer
let b: Browser
let poolId: string
beforeAll(async () => {
  s = await testServer()
  b = await s.browser().signIn()
  poolId = (await s.api('POST', '/api/v1/pools', { name: 'Web', preset: 'generic' })).json.id
}, 60_000)
afterAll(() => s.close())

function fieldErrors(html: string): Record<string, string> {
  return Object.fromEntries([...html.matchAll(/<p class="field-error" id="field-(\w+)-error">([^<]*)<\/p>/g)].map((m) => [m[1]!, visibleText(m[2]!).trim()]))
}

test('it reports every bad failover setting at once and saves none', async () => {
  await b.get(`/pools/${poolId}/settings`)
  const res = await b.post(`/pools/${poolId}/failover`, {
    back: `/pools/${poolId}/settings`,
    enabled: 'on',
    hostnames: 'www.example.com',
    zone: 'not a zone',
    delaySeconds: '5',
    ttl: '0',
    failbackAfterSeconds: '10',
    probeKind: 'http',
    probePort: '99999',
    probePath: 'health',
  })
  expect(res.status).toBe(422)
  expect(fieldErrors(res.text)).toEqual({
    zone: '"not a zone" is not a valid zone',
    delaySeconds: 'The failover delay must be a whole number from 10 to 120',
    ttl: 'The TTL must be a whole number from 1 to 86400',
    failbackAfterSeconds: 'The failback wait must be a whole number from 60 to 86400',
    probePort: 'The probe port must be a whole number from 1 to 65535',
    probePath: 'The probe path must start with /',
  })
  expect(res.text).toContain('value="not a zone"')
  expect((await s.api('GET', `/api/v1/pools/${poolId}/failover`)).json).toMatchObject({ enabled: false, zone: null })
})

test('a hostname outside a good zone is refused with the other bad fields', async () => {
  await b.get(`/pools/${poolId}/settings`)
  const res = await b.post(`/pools/${poolId}/failover`, { back: `/pools/${poolId}/settings`, hostnames: 'www.other.org', zone: 'example.com', ttl: 'x' })
  expect(fieldErrors(res.text)).toEqual({ hostnames: 'www.other.org is not in the zone example.com', ttl: 'The TTL must be a whole number from 1 to 86400' })
})
