// A small fleet made through the JSON API and the agent API (no agent
// binary): an empty pool, and a pool whose members carry long names, one
// enrolled and heartbeating, one located, one never enrolled; a job and a
// fleet run. Pages that must hold up with real, awkward data read it.
import { sampleHeartbeat } from '../src/testing/heartbeat-fixture'

export type SeededFleet = {
  emptyPoolId: string
  poolId: string
  /** Enrolled, heartbeating, every name long. */
  memberId: string
  /** Enrolled and located on the map. */
  locatedId: string
  pendingId: string
  jobId: string
  runId: string
}

const LONG = 'customer-wordpress-production-frankfurt-primary-01'

export async function seedFleet(baseURL: string, apiToken: string): Promise<SeededFleet> {
  const call = async (method: string, path: string, body?: unknown, token = apiToken) => {
    const res = await fetch(`${baseURL}${path}`, {
      method,
      headers: { authorization: `Bearer ${token}`, 'content-type': 'application/json' },
      body: body === undefined ? undefined : JSON.stringify(body),
    })
    const text = await res.text()
    if (res.status >= 300) throw new Error(`${method} ${path} answered ${res.status}: ${text}`)
    return text ? JSON.parse(text) : null
  }
  const emptyPoolId = (await call('POST', '/api/v1/pools', { name: 'Empty pool', preset: 'generic' })).id
  const poolId = (await call('POST', '/api/v1/pools', { name: 'Hosting customers in Frankfurt and Amsterdam (production)', preset: 'generic' })).id
  const enrolled = async (name: string, hostname: string, heartbeat = sampleHeartbeat({ hostname })) => {
    const added = await call('POST', `/api/v1/pools/${poolId}/members`, { name, hostname, egressIps: ['127.0.0.1'] })
    const { token } = await call('POST', '/api/v1/agent/enroll', { secret: added.enrollment.secret, hostname, agentVersion: heartbeat.agentVersion, os: heartbeat.os })
    await call('POST', '/api/v1/agent/heartbeat', heartbeat, token)
    return added.id as string
  }
  const hostname = `${LONG}.hosting-customers.example.com`
  const domain = `${LONG}-shop.customer-domain-with-a-long-name.example`
  const base = sampleHeartbeat({ hostname })
  const memberId = await enrolled(LONG, hostname, {
    ...base,
    stacks: {
      ...base.stacks,
      openlitespeed: { ...base.stacks.openlitespeed!, vhosts: [{ name: `${LONG}-vhost`, root: `/home/${LONG}/public_html/${LONG}`, domains: [domain] }] },
      mariadb: { ...base.stacks.mariadb!, databases: [{ name: `${LONG.replaceAll('-', '_')}_wordpress_db`, sizeBytes: 5_242_880 }] },
    },
    apps: [{ kind: 'wordpress', path: `/home/${LONG}/public_html/${LONG}`, dbName: `${LONG.replaceAll('-', '_')}_wordpress_db`, dbUser: 'shop', dbHost: 'localhost' }],
    certificates: [{ domain, path: `/etc/letsencrypt/live/${domain}/cert.pem`, notAfter: new Date(Date.now() + 40 * 86_400_000).toISOString(), issuer: 'R11' }],
  })
  const locatedId = await enrolled('ams-2', 'ams-2.example.com')
  await call('PATCH', `/api/v1/members/${locatedId}`, { location: { lat: 52.37, lon: 4.9, label: 'Amsterdam' } })
  const pendingId = (await call('POST', `/api/v1/pools/${poolId}/members`, { name: `${LONG}-standby`, hostname: `standby.${hostname}`, egressIps: ['127.0.0.1'] })).id
  const jobId = (await call('POST', `/api/v1/members/${memberId}/jobs`, { name: 'system.updates.install' })).id
  const runId = (await call('POST', `/api/v1/pools/${poolId}/runs`, { name: 'system.updates.install', memberIds: [memberId, locatedId, pendingId] })).id
  return { emptyPoolId, poolId, memberId, locatedId, pendingId, jobId, runId }
}
