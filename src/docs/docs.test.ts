import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { testServer, visibleText, type TestServer } from '../testing/harness'

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

  test('every operation declares at least one success answer, and a 204 declares no body', async () => {
    const { json } = await s.api('GET', '/api/v1/openapi.json')
    const operations = Object.entries(json.paths as Record<string, Record<string, { responses?: Record<string, { content?: Record<string, unknown> }> }>>).flatMap(
      ([path, item]) => Object.entries(item).map(([method, op]) => ({ op: `${method.toUpperCase()} ${path}`, responses: op.responses ?? {} })),
    )
    expect(operations.length).toBeGreaterThan(40)
    expect(operations.filter((o) => !Object.keys(o.responses).some((status) => status.startsWith('2'))).map((o) => o.op)).toEqual([])
    for (const { op, responses } of operations) {
      if (responses['204']) expect({ op, content: responses['204'].content }).toEqual({ op, content: undefined })
      for (const [status, r] of Object.entries(responses)) {
        // OpenAPI wants media types here, not a schema.
        for (const media of Object.keys(r.content ?? {})) expect({ op, status, media }).toEqual({ op, status, media: expect.stringMatching(/^[a-z]+\/[a-z0-9.+-]+$/) })
      }
    }
  })

  test('the docs page reads request bodies and answers as lists of fields, not JSON Schema', async () => {
    const b = await s.browser().signIn()
    const page = (await b.get('/docs')).text
    expect(page).not.toContain('^(.*)$')
    expect(page).not.toContain('&quot;type&quot;: &quot;object&quot;')
    const endpoint = (summary: string) => {
      const at = page.indexOf(summary.replaceAll("'", '&#x27;'))
      expect({ summary, found: at > 0 }).toEqual({ summary, found: true })
      return /<details class="endpoint">[\s\S]*?<\/details>/.exec(page.slice(page.lastIndexOf('<details class="endpoint">', at)))?.[0] ?? ''
    }
    const row = (html: string, field: string) => {
      const tr = new RegExp(`<tr><td><code>${field.replace(/[.[\]]/g, '\\$&')}</code></td>([\\s\\S]*?)</tr>`).exec(html)?.[1] ?? ''
      return visibleText(tr).trim()
    }
    const create = endpoint('Create a pool')
    expect(row(create, 'name')).toBe('string yes 1 to 80 characters')
    expect(row(create, 'preset')).toBe('"generic" yes')
    const provider = endpoint('Add a DNS provider')
    expect(visibleText(provider)).toMatch(/When kind is "cloudflare" ?:/)
    expect(row(provider, 'apiToken')).toStartWith('string yes')
    const alerts = endpoint("Set a member's alerts")
    expect(row(alerts, 'cpu.percent')).toBe('integer no Alert above this percentage; 1 to 100')
    expect(row(alerts, 'recipients')).toBe('array of strings no Team inboxes told besides the account; at most 20 items')
    const jobs = endpoint("A member's latest 50 jobs")
    expect(visibleText(jobs)).toContain('An array; each item has:')
    expect(row(jobs, 'steps[].title')).toBe('string yes')
    expect(row(jobs, 'exitCode')).toBe('integer or null yes')
    expect(visibleText(endpoint('Delete a pool'))).toMatch(/204 no body 404 the error answer/)
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
