// Every API operation's success answer matches the schema the OpenAPI
// document declares for it: the routes validate what they send, so a call
// that answers 2xx here proves the document true for that answer.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { members } from '../db/schema'
import { testServer, type TestServer } from '../testing/harness'
import { reportHeartbeat } from '../jobs/tab-fixture'
import { seedSnapshot } from '../backups/test-kit'
import { start as startCloudflare, type CloudflareStandin } from '../testing/standins/cloudflare'
import { start as startWhm, type WhmStandin } from '../testing/standins/whm'

let s: TestServer
let cf: CloudflareStandin
let whm: WhmStandin
beforeAll(async () => {
  ;[cf, whm] = await Promise.all([startCloudflare(), startWhm()])
  cf.state.tokens = new Set(['cf-docs-token'])
  cf.state.addZone('carol.example.com')
  whm.state.addZone('carol.example.com')
  s = await testServer({ env: { CLOUDFLARE_API_URL: cf.url } })
}, 60_000)
afterAll(async () => {
  await s.close()
  await cf.stop()
  await whm.stop()
})

const called = new Set<string>()

/** Calls the API and remembers which documented operation it was, by its path template. */
async function call(method: string, template: string, ids: Record<string, string>, body?: unknown) {
  const path = template.replace(/\{(\w+)\}/g, (_m, k: string) => ids[k]!)
  const res = await s.api(method, path, body)
  called.add(`${method} ${template}`)
  const op = `${method} ${template}`
  expect({ op, success: res.status >= 200 && res.status < 300, answer: res.status >= 300 ? `${res.status} ${res.text.slice(0, 300)}` : '' }).toEqual({ op, success: true, answer: '' })
  return res.json
}

test('every user operation answers its documented success shape', async () => {
  const ids: Record<string, string> = {}
  await call('GET', '/healthz', ids)
  ids.poolId = (await call('POST', '/api/v1/pools', ids, { name: 'Docs', preset: 'generic' })).id
  await call('GET', '/api/v1/pools', ids)
  await call('GET', '/api/v1/pools/{poolId}', ids)
  await call('PATCH', '/api/v1/pools/{poolId}', ids, { name: 'Docs 2' })

  const add = (name: string) => call('POST', '/api/v1/pools/{poolId}/members', ids, { name, hostname: `${name}.example.com`, egressIps: ['203.0.113.7'] })
  ids.memberId = (await add('web-1')).id
  const standby = (await add('web-2')).id
  for (const id of [ids.memberId, standby]) await reportHeartbeat(s, id)
  await s.db.update(members).set({ healthySince: new Date(Date.now() - 3_600_000) }).where(eq(members.poolId, ids.poolId))
  await call('GET', '/api/v1/pools/{poolId}/members', ids)
  await call('GET', '/api/v1/members/{memberId}', ids)
  await call('PATCH', '/api/v1/members/{memberId}', ids, { location: { lat: 52.37, lon: 4.9, label: 'Amsterdam' } })
  await call('POST', '/api/v1/members/{memberId}/enrollment', ids)
  await call('GET', '/api/v1/members/{memberId}/enrollment', ids)

  ids.providerId = (await call('POST', '/api/v1/pools/{poolId}/dns-providers', ids, { kind: 'powerdns', name: 'Nowhere', apiUrl: 'http://127.0.0.1:9', apiKey: 'key-1234' })).id
  await call('GET', '/api/v1/pools/{poolId}/dns-providers', ids)
  expect((await call('POST', '/api/v1/pools/{poolId}/dns-providers/{providerId}/test', ids)).ok).toBe(false)
  await call('PUT', '/api/v1/pools/{poolId}/failover', ids, { enabled: true, hostnames: ['www.example.com'], zone: 'example.com', probe: { kind: 'http', port: 443, path: '/up' }, extraRecords: [{ type: 'MX', name: 'example.com', values: { [ids.memberId]: '10 mail.example.com' } }] })
  await call('GET', '/api/v1/pools/{poolId}/failover', ids)
  await call('DELETE', '/api/v1/pools/{poolId}/dns-providers/{providerId}', ids)
  await call('POST', '/api/v1/pools/{poolId}/failover/make-active', ids, { memberId: standby })
  expect((await call('GET', '/api/v1/pools/{poolId}/failover/events', ids)).length).toBe(1)

  await call('GET', '/api/v1/members/{memberId}/alerts', ids)
  await call('PUT', '/api/v1/members/{memberId}/alerts', ids, { cpu: { percent: 80 }, recipients: ['ops@example.com'] })
  await call('GET', '/api/v1/pools/{poolId}/alerts', ids)
  await call('PUT', '/api/v1/pools/{poolId}/alerts', ids, { anySilent: { afterSeconds: 300 } })
  await call('GET', '/api/v1/pools/{poolId}/alerts/history', ids)

  await call('GET', '/api/v1/jobs/catalogue', ids)
  ids.jobId = (await call('POST', '/api/v1/members/{memberId}/jobs', ids, { name: 'ssh.key.list', params: { user: 'root' } })).id
  await call('GET', '/api/v1/members/{memberId}/jobs', ids)
  await call('GET', '/api/v1/jobs/{jobId}', ids)
  await call('GET', '/api/v1/jobs/{jobId}/output', ids)
  await call('POST', '/api/v1/jobs/{jobId}/cancel', ids)
  ids.runId = (await call('POST', '/api/v1/pools/{poolId}/runs', ids, { name: 'system.updates.check', memberIds: [ids.memberId, standby] })).id
  await call('GET', '/api/v1/runs/{runId}', ids)
  ids.scheduleId = (await call('POST', '/api/v1/members/{memberId}/schedules', ids, { name: 'system.updates.check', cron: '0 3 * * *' })).id
  await call('GET', '/api/v1/members/{memberId}/schedules', ids)
  await call('GET', '/api/v1/schedules/{scheduleId}', ids)
  await call('PATCH', '/api/v1/schedules/{scheduleId}', ids, { enabled: false })
  await call('DELETE', '/api/v1/schedules/{scheduleId}', ids)

  ids.snapshotId = await seedSnapshot(s.db, ids.poolId, ids.memberId)
  await call('GET', '/api/v1/members/{memberId}/snapshots', ids)
  await call('GET', '/api/v1/snapshots/{snapshotId}', ids)
  await call('POST', '/api/v1/snapshots/{snapshotId}/restore', ids, { memberId: standby, database: 'shop_copy' })
  await call('POST', '/api/v1/snapshots/{snapshotId}/verify', ids, {})
  // A snapshot no job reads can be deleted.
  ids.snapshotId = await seedSnapshot(s.db, ids.poolId, ids.memberId)
  await call('DELETE', '/api/v1/snapshots/{snapshotId}', ids)

  // cPanel on both members: an account to copy across, and one to transfer back.
  const cpanel = (users: string[]) => ({ cpanel: { version: '11.124.0.12', accounts: users.map((user) => ({ user, domain: `${user}.example.com` })) } })
  await s.db.update(members).set({ stacks: cpanel(['bob', 'carol']) }).where(eq(members.id, ids.memberId))
  await s.db.update(members).set({ stacks: cpanel([]) }).where(eq(members.id, standby))
  ids.copyId = (await call('POST', '/api/v1/members/{memberId}/cpanel/copies', ids, { user: 'bob', targetMemberId: standby })).id
  await call('GET', '/api/v1/members/{memberId}/cpanel/copies', ids)
  await call('GET', '/api/v1/cpanel-copies/{copyId}', ids)
  await call('POST', '/api/v1/members/{memberId}/cpanel/transfers', { ...ids, memberId: standby }, { sourceMemberId: ids.memberId, user: 'carol', password: 'root-password' })

  // Protection: carol kept warm on the standby.
  ids.protectedAccountId = (await call('POST', '/api/v1/pools/{poolId}/protected-accounts', ids, { sourceMemberId: ids.memberId, user: 'carol', standbyMemberId: standby, schedule: '1d', ttl: 300, providerId: null })).id
  await call('GET', '/api/v1/pools/{poolId}/protected-accounts', ids)
  await call('GET', '/api/v1/protected-accounts/{protectedAccountId}', ids)
  await call('PATCH', '/api/v1/protected-accounts/{protectedAccountId}', ids, { ttl: 600, records: ['A', 'MX'] })
  ids.runId = (await call('POST', '/api/v1/protected-accounts/{protectedAccountId}/replicate', ids, {})).id
  await call('GET', '/api/v1/replication-runs/{runId}', ids)
  await call('POST', '/api/v1/pools/{poolId}/protected-accounts/replicate', ids, {})
  await call('GET', '/api/v1/pools/{poolId}/protection/events', ids)
  // Its DNS cut, through a provider that holds none of its zones (answered, nothing moved), with the hook queued.
  await call('PUT', '/api/v1/pools/{poolId}/protection/hook', ids, { command: 'echo "$@"' })
  await call('GET', '/api/v1/pools/{poolId}/protection/hook', ids)
  const zoneless = Bun.serve({ port: 0, hostname: '127.0.0.1', fetch: () => Response.json([]) })
  const cutProvider = await call('POST', '/api/v1/pools/{poolId}/dns-providers', ids, { kind: 'powerdns', name: 'Zoneless', apiUrl: `http://127.0.0.1:${zoneless.port}`, apiKey: 'key-5678' })
  await call('PATCH', '/api/v1/protected-accounts/{protectedAccountId}', ids, { providerId: cutProvider.id })
  expect((await call('POST', '/api/v1/protected-accounts/{protectedAccountId}/cut', ids, {})).hookJobId).toStartWith('job_')
  zoneless.stop(true)
  // Managed DNS: carol's zone copied from WHM to Cloudflare (the stand-ins), and a record added there.
  const cloudflare = await call('POST', '/api/v1/pools/{poolId}/dns-providers', ids, { kind: 'cloudflare', name: 'CF', apiToken: 'cf-docs-token' })
  await call('POST', '/api/v1/pools/{poolId}/dns-providers', ids, { kind: 'whm', name: 'WHM', host: whm.url, username: 'root', apiToken: 'whm-test-token' })
  await call('PATCH', '/api/v1/protected-accounts/{protectedAccountId}', ids, { providerId: cloudflare.id, managed: true })
  expect((await call('POST', '/api/v1/protected-accounts/{protectedAccountId}/dns-sync', ids, {})).ok).toBe(true)
  await call('POST', '/api/v1/pools/{poolId}/managed-dns/sync', ids, {})
  await call('POST', '/api/v1/pools/{poolId}/managed-dns/records', ids, { protectedAccountId: ids.protectedAccountId, name: 'shop.carol.example.com', type: 'A', values: ['192.0.2.8'], ttl: 300 })
  expect((await call('GET', '/api/v1/pools/{poolId}/managed-dns', ids)).accounts[0].fqdns[0].records.length).toBeGreaterThan(0)
  await call('DELETE', '/api/v1/protected-accounts/{protectedAccountId}', ids)

  ids.tokenId = (await call('POST', '/api/v1/tokens', ids, { name: 'docs' })).id
  await call('GET', '/api/v1/tokens', ids)
  await call('DELETE', '/api/v1/tokens/{tokenId}', ids)
  await call('GET', '/api/v1/audit', ids)
  await call('GET', '/api/v1/storage', ids)
  await call('POST', '/api/v1/storage/test', ids)
  await call('GET', '/api/v1/openapi.json', ids)
  await call('DELETE', '/api/v1/members/{memberId}', ids)
  await call('DELETE', '/api/v1/pools/{poolId}', ids)

  // Agents' endpoints are called by agents, with their own tokens (src/agent-api tests); /metrics by a scraper (src/metrics tests).
  const doc = (await s.api('GET', '/api/v1/openapi.json')).json
  const documented = Object.entries(doc.paths as Record<string, object>).flatMap(([path, item]) => Object.keys(item).map((m) => `${m.toUpperCase()} ${path}`))
  expect(documented.filter((op) => !op.includes('/api/v1/agent/') && op !== 'GET /metrics' && !called.has(op)), 'documented operations this test does not call yet: add a call above').toEqual([])
}, 60_000)
