// GET /metrics as Prometheus scrapes it: who may read it, and that what an
// operator watches (heartbeats, members, jobs, cuts, provider failures,
// request durations) is in it.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { members } from '../db/schema'
import { testServer, type TestServer } from '../testing/harness'
import { reportHeartbeat } from '../jobs/tab-fixture'
import { sampleHeartbeat } from '../testing/heartbeat-fixture'

const TOKEN = 'metrics-token-0123456789abcdef'

/** The value of one sample line, by its name and labels as Prometheus prints them. */
function sample(body: string, series: string): number | null {
  const line = body.split('\n').find((l) => l.startsWith(`${series} `))
  return line ? Number(line.slice(series.length + 1)) : null
}

describe('who may read /metrics', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await testServer({ env: { METRICS_TOKEN: TOKEN } })
  })
  afterAll(() => s.close())

  test('with METRICS_TOKEN set, it answers that token and no other, with a 401 like the rest of the API', async () => {
    const ok = await s.handle('/metrics', { headers: { authorization: `Bearer ${TOKEN}` } })
    expect(ok.status).toBe(200)
    expect(ok.headers.get('content-type')).toBe('text/plain; version=0.0.4; charset=utf-8')
    expect(await ok.text()).toContain('# TYPE serversctl_heartbeats_received_total counter')
    for (const authorization of [undefined, 'Bearer wrong', `Bearer ${TOKEN}x`, `Bearer ${TOKEN.slice(0, -1)}`, TOKEN]) {
      const res = await s.handle('/metrics', { headers: authorization ? { authorization } : {} })
      expect({ authorization, status: res.status }).toEqual({ authorization, status: 401 })
      expect(await res.json()).toEqual({ error: { code: 'unauthorized', message: 'Send the METRICS_TOKEN as "Authorization: Bearer <token>"' } })
    }
  })

  test("an admin's API token is not a metrics token", async () => {
    const res = await s.api('GET', '/metrics')
    expect(res.status).toBe(401)
  })
})

describe('/metrics without METRICS_TOKEN', () => {
  let s: TestServer
  let base: string
  beforeAll(async () => {
    s = await testServer()
    base = s.serve()
  })
  afterAll(() => s.close())

  test('a scraper on this host (loopback socket) reads it', async () => {
    const res = await fetch(`${base}/metrics`)
    expect(res.status).toBe(200)
    expect(await res.text()).toContain('serversctl_members{status="pending"} 0')
  })

  test('a request through a proxy, or with no socket peer known, is refused with what to set', async () => {
    for (const res of [await fetch(`${base}/metrics`, { headers: { 'x-forwarded-for': '203.0.113.7' } }), await s.handle('/metrics')]) {
      expect(res.status).toBe(403)
      expect(((await res.json()) as { error: { message: string } }).error.message).toContain('set METRICS_TOKEN')
    }
  })
})

describe('what /metrics counts', () => {
  let s: TestServer
  let base: string
  let poolId: string
  const scrape = async () => {
    // Requests are counted once answered (Elysia's afterResponse runs on the next turn).
    await Bun.sleep(10)
    return (await s.handle('/metrics', { headers: { authorization: `Bearer ${TOKEN}` } })).text()
  }

  beforeAll(async () => {
    s = await testServer({ env: { METRICS_TOKEN: TOKEN } })
    base = s.serve()
    poolId = (await s.api('POST', '/api/v1/pools', { name: 'Metrics', preset: 'generic' })).json.id
  })
  afterAll(() => s.close())

  async function enrolled(name: string) {
    const added = await s.api('POST', `/api/v1/pools/${poolId}/members`, { name, hostname: `${name}.example.com`, egressIps: ['127.0.0.1'] })
    const res = await fetch(`${base}/api/v1/agent/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ secret: added.json.enrollment.secret, hostname: `${name}.example.com`, agentVersion: '0.1.0', os: sampleHeartbeat().os }),
    })
    expect(res.status).toBe(201)
    return { id: added.json.id as string, token: ((await res.json()) as { token: string }).token }
  }
  const heartbeat = (token: string) =>
    fetch(`${base}/api/v1/agent/heartbeat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(sampleHeartbeat()),
    })

  test('heartbeats received, and those refused by their status', async () => {
    const m = await enrolled('hb-1')
    expect((await heartbeat(m.token)).status).toBe(200)
    expect((await heartbeat('not-a-token')).status).toBe(401)
    const body = await scrape()
    expect(sample(body, 'serversctl_heartbeats_received_total')).toBe(2)
    expect(sample(body, 'serversctl_heartbeats_rejected_total{status="401"}')).toBe(1)
  })

  test('members by status, with the same rule as the pages', async () => {
    const before = await scrape()
    await s.api('POST', `/api/v1/pools/${poolId}/members`, { name: 'never', hostname: 'never.example.com', egressIps: ['203.0.113.9'] })
    const gone = (await s.api('POST', `/api/v1/pools/${poolId}/members`, { name: 'gone', hostname: 'gone.example.com', egressIps: ['203.0.113.9'] })).json.id
    await reportHeartbeat(s, gone, sampleHeartbeat(), new Date(Date.now() - 3_600_000))
    const late = (await s.api('POST', `/api/v1/pools/${poolId}/members`, { name: 'late', hostname: 'late.example.com', egressIps: ['203.0.113.9'] })).json.id
    await reportHeartbeat(s, late, sampleHeartbeat(), new Date(Date.now() - 20_000))
    const body = await scrape()
    const delta = (status: string) => (sample(body, `serversctl_members{status="${status}"}`) ?? 0) - (sample(before, `serversctl_members{status="${status}"}`) ?? 0)
    expect({ pending: delta('pending'), healthy: delta('healthy'), late: delta('late'), down: delta('down') }).toEqual({ pending: 1, healthy: 0, late: 1, down: 1 })
    expect((await s.api('GET', `/api/v1/members/${late}`)).json.status).toBe('late')
  })

  test('jobs by status and the queue depth', async () => {
    const m = await enrolled('jobs-1')
    await s.db.update(members).set({ lastHeartbeatAt: new Date() }).where(eq(members.id, m.id))
    expect((await s.api('POST', `/api/v1/members/${m.id}/jobs`, { name: 'system.updates.install' })).status).toBe(201)
    const body = await scrape()
    expect(sample(body, 'serversctl_jobs{status="queued"}')).toBe(1)
    expect(sample(body, 'serversctl_jobs{status="running"}')).toBe(0)
    expect(sample(body, 'serversctl_jobs_queue_depth')).toBe(1)
  })

  test('a manual failover cut is counted by its reason', async () => {
    const target = (await s.api('POST', `/api/v1/pools/${poolId}/members`, { name: 'target', hostname: 'target.example.com', egressIps: ['203.0.113.9'] })).json.id
    await reportHeartbeat(s, target)
    const cut = await s.api('POST', `/api/v1/pools/${poolId}/failover/make-active`, { memberId: target })
    expect(cut.status).toBe(200)
    expect(sample(await scrape(), 'serversctl_failover_transitions_total{reason="manual"}')).toBe(1)
  })

  test('a DNS provider that cannot be reached is counted by kind and operation', async () => {
    const provider = await s.api('POST', `/api/v1/pools/${poolId}/dns-providers`, { kind: 'powerdns', name: 'Nowhere', apiUrl: 'http://127.0.0.1:9', apiKey: 'key-1234' })
    expect(provider.status).toBe(201)
    const tried = await s.api('POST', `/api/v1/pools/${poolId}/dns-providers/${provider.json.id}/test`)
    expect(tried.json.ok).toBe(false)
    expect(sample(await scrape(), 'serversctl_dns_provider_errors_total{provider="powerdns",operation="listZones"}')).toBe(1)
  })

  test('request durations are labelled by route template, never by the raw path', async () => {
    await s.api('GET', `/api/v1/pools/${poolId}`)
    await s.handle('/no/such/page/12345')
    const body = await scrape()
    expect(sample(body, `serversctl_http_request_duration_seconds_count{route="/api/v1/pools/:poolId",method="GET",status="2xx"}`)).toBeGreaterThanOrEqual(1)
    expect(sample(body, `serversctl_http_request_duration_seconds_count{route="unmatched",method="GET",status="4xx"}`)).toBeGreaterThanOrEqual(1)
    expect(body).toMatch(/serversctl_http_request_duration_seconds_bucket\{le="0\.005",route="\/api\/v1\/pools\/:poolId",method="GET",status="2xx"\} \d+/)
    expect(body).not.toContain(poolId)
    expect(body).not.toContain('12345')
  })
})
