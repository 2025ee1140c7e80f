// A member's status counts "down" from its pool's failover delay, as failover
// itself does, and "late" from its own heartbeat interval, wherever the
// status shows.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { failoverConfigs, members } from '../db/schema'
import { testServer, type Browser, type TestServer } from '../testing/harness'

let s: TestServer
let b: Browser
beforeAll(async () => {
  s = await testServer()
  b = await s.browser().signIn()
})
afterAll(() => s.close())

describe('status and the failover delay', () => {
  test.each([
    ['waits 60 s before failover: late', 60, null, 'late', 'warn'],
    ['keeps the default 30 s: down', null, null, 'down', 'bad'],
    // SERVERSCTL_HEARTBEAT_SECONDS=60: 45 s of quiet is not even one missed beat.
    ['waits 120 s, from an agent that reports every 60 s: healthy', 120, 60, 'healthy', 'ok'],
  ] as const)('a member silent for 45 s in a pool that %s', async (label, delay, interval, status, tone) => {
    const pool = (await s.api('POST', '/api/v1/pools', { name: label, preset: 'generic' })).json.id
    if (delay) await s.db.insert(failoverConfigs).values({ poolId: pool, delaySeconds: delay })
    const id = (await s.api('POST', `/api/v1/pools/${pool}/members`, { name: 'quiet', hostname: 'quiet.example.com', egressIps: ['203.0.113.40'] })).json.id
    const summary = interval ? { interval } : {}
    await s.db.update(members).set({ lastHeartbeatAt: new Date(Date.now() - 45_000), enrolledAt: new Date(), summary }).where(eq(members.id, id))

    const overview = await b.get(`/pools/${pool}`)
    expect(/<li class="tile tile-(\w+)"/.exec(overview.text)?.[1]).toBe(status)
    expect(/class="member-tab"[^>]*>\s*<span class="dot dot-(\w+)"/.exec(overview.text)?.[1]).toBe(tone)
    expect((await b.get(`/pools/${pool}/tiles`, { 'hx-request': 'true' })).text).toContain(`data-status="${status}"`)
    const workspace = await b.get(`/pools/${pool}/members/${id}`)
    expect(/<header class="workspace-head">[\s\S]*?data-status="(\w+)"/.exec(workspace.text)?.[1]).toBe(status)
    expect((await s.api('GET', `/api/v1/members/${id}`)).json.status).toBe(status)
    expect((await s.api('GET', `/api/v1/pools/${pool}/members`)).json[0].status).toBe(status)
  })
})
