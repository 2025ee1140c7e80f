import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { testServer, type TestServer } from '../testing/harness'

let s: TestServer
beforeAll(async () => {
  s = await testServer()
})
afterAll(() => s.close())

describe('API documentation', () => {
  test('the OpenAPI document describes the contract endpoints with their schemas', async () => {
    const { status, json } = await s.api('GET', '/api/v1/openapi.json')
    expect(status).toBe(200)
    expect(json.openapi).toStartWith('3.')
    expect(Object.keys(json.paths)).toEqual(expect.arrayContaining(['/api/v1/pools', '/api/v1/pools/{poolId}', '/api/v1/tokens', '/api/v1/audit', '/healthz']))
    expect(Object.keys(json.paths['/api/v1/pools'])).toEqual(expect.arrayContaining(['get', 'post']))
    expect(Object.keys(json.paths['/api/v1/pools/{poolId}'])).toEqual(expect.arrayContaining(['get', 'patch', 'delete']))
    const body = JSON.stringify(json.paths['/api/v1/pools'].post.requestBody)
    expect(body).toContain('preset')
    expect(JSON.stringify(json)).not.toContain('/pools/new')
  })

  test('the docs page lists the endpoints for a signed-in user', async () => {
    const b = await s.browser().signIn()
    const page = await b.get('/docs')
    expect(page.status).toBe(200)
    expect(page.text).toContain('/api/v1/pools/{poolId}')
    expect(page.text).toContain('Create a pool')
  })
})

describe('health', () => {
  test('/healthz answers 200 with JSON once the database answers', async () => {
    const res = await s.handle('/healthz')
    expect(res.status).toBe(200)
    expect(await res.json()).toEqual({ status: 'ok', database: 'ok' })
  })
})

describe('assets', () => {
  test('they are served by the app itself, with revalidation', async () => {
    for (const file of ['app.css', 'app.js', 'htmx.min.js', 'alpine.min.js', 'favicon.svg', 'world-map.svg']) {
      const res = await s.handle(`/assets/${file}`)
      expect({ file, status: res.status }).toEqual({ file, status: 200 })
      const etag = res.headers.get('etag')!
      expect((await s.handle(`/assets/${file}`, { headers: { 'if-none-match': etag } })).status).toBe(304)
    }
    expect((await s.handle('/assets/../package.json')).status).toBe(404)
    expect((await s.handle('/assets/nope.js')).status).toBe(404)
  })

  test('pages load nothing from other hosts', async () => {
    const b = await s.browser().signIn()
    const html = (await b.get('/pools')).text
    expect(html).not.toMatch(/(src|href)="(https?:)?\/\//)
  })
})
