// Finding 5 of the security review: pages that show a one-time secret, and
// every signed-in page, must not be kept by a browser or a proxy.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { ADMIN, testServer, type Browser, type TestServer } from '../testing/harness'

let s: TestServer
let b: Browser
let poolId: string
beforeAll(async () => {
  s = await testServer()
  b = await s.browser().signIn()
  poolId = (await s.api('POST', '/api/v1/pools', { name: 'Cache', preset: 'generic' })).json.id
})
afterAll(() => s.close())

const auth = { authorization: `Bearer ${ADMIN.token}` }

describe('Cache-Control', () => {
  test('it sends no-store with a new API token and an install command', async () => {
    await b.get('/account/tokens')
    const token = await b.post('/account/tokens', { name: 'ci' })
    expect(token.status).toBe(201)
    expect(token.headers.get('cache-control')).toBe('no-store')

    await b.get(`/pools/${poolId}/members/new`)
    const added = await b.post(`/pools/${poolId}/members`, { osFamily: 'debian', name: 'web-1', hostname: 'web-1.example.com', egressIps: '203.0.113.7' })
    expect(added.headers.get('cache-control')).toBe('no-store')
    // The command is on the answer, or on the page it sends the browser to.
    const shown = added.status === 303 ? await b.get(added.headers.get('location')!) : added
    expect(shown.text).toContain('--secret mem_')
    expect(shown.headers.get('cache-control')).toBe('no-store')

    const created = await s.api('POST', '/api/v1/tokens', { name: 'api' })
    expect(created.status).toBe(201)
    expect(created.headers.get('cache-control')).toBe('no-store')
  })

  test('it sends no-store on pages, JSON, redirects and errors', async () => {
    const answers: [string, RequestInit, number][] = [
      ['/login', {}, 200],
      ['/pools', {}, 303],
      ['/nope', {}, 404],
      ['/api/v1/pools', {}, 401],
      ['/api/v1/pools', { headers: auth }, 200],
      ['/api/v1/nope', { headers: auth }, 404],
      ['/api/v1/pools', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{"name":' }, 400],
      ['/api/v1/pools', { method: 'POST', headers: { ...auth, 'content-type': 'application/json' }, body: '{}' }, 422],
      ['/api/v1/pools', { method: 'POST', headers: { ...auth, 'content-type': 'application/json', 'content-length': String(1024 * 1024) } }, 413],
    ]
    for (const [path, init, status] of answers) {
      const res = await s.handle(path, { redirect: 'manual', ...init })
      expect({ path, status: res.status, cacheControl: res.headers.get('cache-control') }).toEqual({ path, status, cacheControl: 'no-store' })
    }
    for (const path of ['/pools', `/pools/${poolId}`, '/account/tokens']) {
      const page = await b.get(path)
      expect({ path, status: page.status, cacheControl: page.headers.get('cache-control') }).toEqual({ path, status: 200, cacheControl: 'no-store' })
    }
    const fragment = await b.get(`/pools/${poolId}`, { 'hx-request': 'true' })
    expect(fragment.headers.get('cache-control')).toBe('no-store')
  })

  test('it leaves the caching of assets, the install script and the checksums as they were', async () => {
    const css = await s.handle('/assets/app.css')
    expect(css.headers.get('cache-control')).toBe('public, max-age=300, must-revalidate')
    const again = await s.handle('/assets/app.css', { headers: { 'if-none-match': css.headers.get('etag')! } })
    expect(again.status).toBe(304)
    expect(again.headers.get('cache-control')).toBe('public, max-age=300, must-revalidate')
    expect((await s.handle('/install.sh')).headers.get('cache-control')).toBe('no-cache')
    expect((await s.handle('/agent/SHA256SUMS')).headers.get('cache-control')).toBe('no-cache')
  })
})
