// SIGTERM as systemd or Kubernetes sends it: the real server process answers
// an agent's long-poll at once, says each step it took, and exits 0.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { startServerProcess, httpApi, ok, type ServerProcess } from '../testing/drill'
import { testServer, type TestServer } from '../testing/harness'
import { sampleHeartbeat } from '../testing/heartbeat-fixture'

describe('a real server stopped with SIGTERM', () => {
  let server: ServerProcess
  beforeAll(async () => {
    server = await startServerProcess({})
  }, 60_000)
  afterAll(() => server.stop('SIGKILL'))

  test("it answers a waiting agent's long-poll at once, stops step by step and exits 0", async () => {
    const api = httpApi(server.url)
    const pool = ok(await api('POST', '/api/v1/pools', { name: 'Stop', preset: 'generic' }), 'pool')
    const member = ok(await api('POST', `/api/v1/pools/${pool.id}/members`, { name: 'web-1', hostname: 'web-1.example.com', egressIps: ['127.0.0.1'] }), 'member')
    const enrolled = await fetch(`${server.url}/api/v1/agent/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ secret: member.enrollment.secret, hostname: 'web-1.example.com', agentVersion: '0.1.0', os: sampleHeartbeat().os }),
    })
    expect(enrolled.status).toBe(201)
    const { token } = (await enrolled.json()) as { token: string }

    const asked = performance.now()
    const claim = fetch(`${server.url}/api/v1/agent/jobs/claim`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify({ waitSeconds: 25 }),
    }).then(async (res) => ({ status: res.status, body: await res.json(), afterMs: performance.now() - asked }))
    // The claim is waiting once its first look found nothing.
    await Bun.sleep(500)
    const sent = performance.now()
    server.proc.kill('SIGTERM')
    const answered = await claim
    expect(answered.status).toBe(200)
    expect(answered.body).toEqual({ job: null })
    expect(answered.afterMs).toBeLessThan(20_000)
    const code = await server.proc.exited
    const stoppedMs = performance.now() - sent
    expect(code).toBe(0)
    expect(stoppedMs).toBeLessThan(5_000)
    const steps = server
      .log()
      .split('\n')
      .filter((l) => l.includes('[server.stop]'))
      .map((l) => l.replace(/^\S+ INFO \[server\.stop\] /, ''))
      // Each domain's own hook says its name and time (tested below); the steps are what this test reads.
      .filter((l) => !l.startsWith('stop hook "'))
    expect(steps).toEqual([
      'SIGTERM: stopping; a second signal exits at once',
      expect.stringMatching(/^draining: \/healthz answers 503 "draining" \(\d+ ms\)$/),
      expect.stringMatching(/^scheduler stopped, ticks in progress finished \(\d+ ms\)$/),
      expect.stringMatching(/^agents' job long-polls answered \(\d+ ms\)$/),
      expect.stringMatching(/^no longer accepting connections; requests in flight answered \(\d+ ms\)$/),
      expect.stringMatching(/^stop hooks run \(\d+ ms\)$/),
      expect.stringMatching(/^leadership released: another replica may lead at once \(\d+ ms\)$/),
      expect.stringMatching(/^database closed \(\d+ ms\)$/),
      expect.stringMatching(/^stopped in \d+ ms$/),
    ])
    console.log(`long-poll answered ${Math.round(answered.afterMs - (sent - asked))} ms after SIGTERM; exit after ${Math.round(stoppedMs)} ms`)
  }, 60_000)
})

describe('a stopping server in the app', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await testServer()
  })
  afterAll(() => s.close())

  test('/healthz answers 503 "draining" so a load balancer sends no more, and stop hooks run in order, a failing one not stopping the rest', async () => {
    expect((await s.api('GET', '/healthz', undefined, null)).status).toBe(200)
    s.lifecycle.drain()
    const res = await s.api('GET', '/healthz', undefined, null)
    expect(res.status).toBe(503)
    expect(res.json).toMatchObject({ status: 'draining', database: 'ok' })

    const ran: string[] = []
    s.deps.lifecycle.onStop('heartbeat batch', async () => void ran.push('heartbeat batch'))
    s.deps.lifecycle.onStop('broken', async () => {
      throw new Error('nope')
    })
    s.deps.lifecycle.onStop('slow', () => Bun.sleep(5_000))
    s.deps.lifecycle.onStop('last', async () => void ran.push('last'))
    await s.lifecycle.runStopHooks(s.log, 100)
    expect(ran).toEqual(['heartbeat batch', 'last'])
    expect(s.log.lines.filter((l) => l.includes('[server.stop]')).map((l) => l.replace(/^\S+ \w+ \[server\.stop\] /, '').replace(/\d+ ms/, 'N ms').split('\n')[0])).toEqual([
      'stop hook "heartbeat batch" done in N ms',
      'stop hook "broken" failed ',
      'stop hook "slow" still running after N ms; going on without it',
      'stop hook "last" done in N ms',
    ])
  })
})
