// For the member page tests (Security, Control panel, Recipes, the workspace):
// a server with a pool and a signed-in browser, a member whose agent has
// reported a heartbeat, and the member's jobs as the API lists them.
import { eq } from 'drizzle-orm'
import { members } from '../db/schema'
import type { Firewall, Heartbeat } from '../../agent/protocol'
import { testServer, type TestServer } from '../testing/harness'
import { sampleHeartbeat } from '../testing/heartbeat-fixture'
import { summarize } from '../members/summary'

/** A fresh test server, a browser signed in as the admin, and one pool (generic preset). */
export async function signedInWithPool(poolName: string) {
  const s = await testServer()
  const b = await s.browser().signIn()
  const poolId = (await s.api('POST', '/api/v1/pools', { name: poolName, preset: 'generic' })).json.id as string
  return { s, b, poolId }
}

/** What the heartbeat handler stores, written straight to the row. */
export async function reportHeartbeat(s: TestServer, memberId: string, hb: Heartbeat = sampleHeartbeat(), at = new Date()) {
  const { hostname: _h, agentVersion, os, stacks, apps, ...hostState } = hb
  await s.db
    .update(members)
    .set({ lastHeartbeatAt: at, agentVersion, os, stacks, apps, hostState, summary: summarize(hb), enrolledAt: at })
    .where(eq(members.id, memberId))
}

export async function memberWith(s: TestServer, poolId: string, name: string, hb?: Heartbeat) {
  const res = await s.api('POST', `/api/v1/pools/${poolId}/members`, { name, hostname: `${name}.example.com`, egressIps: ['203.0.113.9'] })
  if (res.status !== 201) throw new Error(`member ${name}: ${res.status} ${res.text}`)
  const id = res.json.id as string
  if (hb) await reportHeartbeat(s, id, hb)
  return { id, name, tab: (tab: string) => `/pools/${poolId}/members/${id}${tab === 'control' ? '' : `/${tab}`}`, jobs: `/pools/${poolId}/members/${id}/jobs` }
}

export async function jobsOf(s: TestServer, memberId: string): Promise<{ id: string; name: string; params: Record<string, unknown>; status: string }[]> {
  return (await s.api('GET', `/api/v1/members/${memberId}/jobs`)).json
}

/** The firewall as an agent that reports rules sends it. */
export const UFW_WITH_RULES: Firewall = {
  kind: 'ufw',
  active: true,
  ruleCount: 4,
  rules: [
    { port: '22', protocol: 'tcp', source: null, action: 'allow', raw: '22/tcp ALLOW IN Anywhere' },
    { port: '8000:8100', protocol: 'udp', source: '198.51.100.0/24', action: 'allow', raw: '8000:8100/udp ALLOW IN 198.51.100.0/24' },
    { port: '3306', protocol: 'tcp', source: '203.0.113.50', action: 'deny', raw: '3306/tcp DENY IN 203.0.113.50' },
    { port: 'OpenSSH', protocol: null, source: null, action: 'limit', raw: 'OpenSSH LIMIT IN Anywhere' },
  ],
}
