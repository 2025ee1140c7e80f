import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { Elysia } from 'elysia'
import { accessPlugin, assertEveryRouteGuarded, declaredAccess } from './access'
import { testServer, type TestServer } from '../testing/harness'

let s: TestServer
beforeAll(async () => {
  s = await testServer()
})
afterAll(() => s.close())

// The only routes a stranger may reach.
const PUBLIC = new Set([
  'GET /login', 'POST /login', 'GET /setup', 'POST /setup', 'GET /healthz', 'GET /assets/:file',
  // What a server being enrolled fetches before it has any credential.
  'GET /install.sh', 'GET /agent/SHA256SUMS', 'GET /agent/download/:file', 'POST /api/v1/agent/enroll',
  // The folder store's objects, for agents holding a link the server signed (storage/object-routes.ts).
  'PUT /storage/o/*', 'GET /storage/o/*',
  // Prometheus: its own bearer token (METRICS_TOKEN) or a loopback peer, checked in the route (metrics/routes.ts).
  'GET /metrics',
])

const concrete = (path: string) => path.replace(/:(\w+)/g, (_m, name) => (name === 'file' ? 'app.css' : `${name}_x`))

describe('the route table', () => {
  test('every route declares its access, and only the known ones are public', () => {
    const routes = declaredAccess(s.app)
    expect(routes.length).toBeGreaterThan(15)
    for (const r of routes) expect(r.access).not.toBeNull()
    const open = routes.filter((r) => r.access === 'public' || r.access === 'static').map((r) => `${r.method} ${r.path}`)
    expect(routes.filter((r) => r.access === 'agent').map((r) => `${r.method} ${r.path}`)).toEqual([
      'POST /api/v1/agent/heartbeat',
      'POST /api/v1/agent/jobs/claim',
      'POST /api/v1/agent/jobs/:jobId/report',
      'POST /api/v1/agent/jobs/:jobId/finish',
      'POST /api/v1/agent/jobs/:jobId/release',
      'POST /api/v1/agent/backups/:jobId/start',
      'POST /api/v1/agent/backups/:jobId/chunks',
      'POST /api/v1/agent/backups/:jobId/read',
      'POST /api/v1/agent/backups/:jobId/snapshot',
      'POST /api/v1/agent/backups/:jobId/outcome',
      'POST /api/v1/agent/cpanel/:jobId/reveal',
      'POST /api/v1/agent/cpanel/:jobId/credentials',
    ])
    expect(new Set(open)).toEqual(PUBLIC)
  })

  test('every other route refuses an anonymous request', async () => {
    const guarded = declaredAccess(s.app).filter((r) => !PUBLIC.has(`${r.method} ${r.path}`))
    for (const route of guarded) {
      const path = concrete(route.path)
      const res = await s.handle(path, {
        method: route.method,
        headers: { 'content-type': 'application/json' },
        body: route.method === 'GET' ? undefined : '{}',
        redirect: 'manual',
      })
      const where = `${route.method} ${route.path}`
      if (path.startsWith('/api/')) {
        expect({ where, status: res.status }).toEqual({ where, status: 401 })
        expect((await res.json()).error.code).toBe('unauthorized')
      } else {
        expect({ where, status: res.status }).toEqual({ where, status: 303 })
        expect(res.headers.get('location')).toStartWith('/login?next=')
      }
    }
  })

  test('an htmx request without a session is sent to the login page whole', async () => {
    const res = await s.handle('/pools', { headers: { 'hx-request': 'true', 'hx-target': 'main#main' } })
    expect(res.headers.get('hx-redirect')).toBe('/login?next=%2Fpools')
  })

  test('a route without an access declaration stops the server from starting', () => {
    const app = new Elysia().get('/forgot', () => 'open')
    expect(() => assertEveryRouteGuarded(app)).toThrow('GET /forgot')
    const fine = new Elysia().use(accessPlugin(s.deps)).get('/ok', () => 'ok', { access: 'user' })
    expect(() => assertEveryRouteGuarded(fine)).not.toThrow()
  })
})
