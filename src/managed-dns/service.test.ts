// Managed DNS against the Cloudflare and WHM stand-ins: the catalogue of a
// protected account's records, Sync WHM → Cloudflare writing exactly the sets
// that differ, a cut kept by a sync, Add record's refusals changing nothing.
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { auditEvents, members, protectedAccounts } from '../db/schema'
import { start as startCloudflare, type CloudflareStandin } from '../testing/standins/cloudflare'
import { start as startWhm, type WhmStandin } from '../testing/standins/whm'
import { testServer, type TestServer } from '../testing/harness'
import { account, cpanelStacks } from '../cpanel/test-kit'
import { HttpError } from '../http/errors'
import { insertProtected } from '../protection/store'
import * as service from './service'
import * as store from './store'
import type { DnsProviderRow } from '../dns/store'
import type { Member } from '../members/store'

const SRC_IP = '203.0.113.10'
const SB_IP = '203.0.113.20'
const CF_TOKEN = 'cf-token-managed-dns'
const WHM_TOKEN = 'whm-token-managed-dns'
const actor = { userId: null, label: 'test', ip: null }

let cf: CloudflareStandin
let whm: WhmStandin
let s: TestServer
let poolId: string
let cfId: string
let whmId: string

/** Requests that change something at Cloudflare. */
const cfWrites = () => cf.state.requests.filter((r) => r.method !== 'GET')

async function member(id: string, ip: string, users: string[]) {
  await s.db.insert(members).values({
    id,
    poolId,
    name: id.replace('mem_', ''),
    hostname: `${id.replace('mem_', '')}.example.net`,
    egressIps: [ip],
    publicIpv4: ip,
    lastHeartbeatAt: new Date(),
    stacks: cpanelStacks(users.map((u) => account(u, `${u}.example.com`))) as never,
  })
}

async function protect(id: string, user: string, patch: Record<string, unknown> = {}) {
  const now = new Date()
  await insertProtected(s.db, [
    { id, poolId, sourceMemberId: 'mem_src', user, standbyMemberId: 'mem_sb', schedule: '1d', ttl: 120, providerId: cfId, managed: true, nextRunAt: now, staleAt: new Date(now.getTime() + 86_400_000), ...patch },
  ])
}

const refusal = async (p: Promise<unknown>) => {
  try {
    await p
  } catch (err) {
    expect(err).toBeInstanceOf(HttpError)
    return err as HttpError
  }
  throw new Error('expected a refusal')
}

beforeAll(async () => {
  ;[cf, whm] = await Promise.all([startCloudflare(), startWhm()])
})
afterAll(async () => {
  await cf?.stop()
  await whm?.stop()
})

beforeEach(async () => {
  cf.state.reset()
  cf.state.tokens = new Set([CF_TOKEN])
  whm.state.reset()
  whm.state.users = new Map([['root', WHM_TOKEN]])
  // WHM as cPanel makes the zone: apex A, mail CNAME, apex MX; and www and SPF beside them.
  whm.state.addZone('shop.example.com', SRC_IP)
  whm.state.addRecord('shop.example.com', { type: 'A', name: 'www.shop.example.com.', address: SRC_IP })
  whm.state.addRecord('shop.example.com', { type: 'TXT', name: 'shop.example.com.', txtdata: 'v=spf1 +a +mx ~all' })
  // Cloudflare has the apex behind its proxy and the MX; the rest is missing.
  cf.state.addZone('shop.example.com')
  cf.state.addRecord('shop.example.com', { name: 'shop.example.com', type: 'A', content: SRC_IP, proxied: true })
  cf.state.addRecord('shop.example.com', { name: 'shop.example.com', type: 'MX', content: 'shop.example.com', priority: 0, ttl: 14400 })
  cf.state.addRecord('shop.example.com', { name: 'verify.shop.example.com', type: 'TXT', content: 'cloudflare-only', ttl: 300 })

  s = await testServer({ env: { CLOUDFLARE_API_URL: cf.url } })
  poolId = (await s.api('POST', '/api/v1/pools', { name: 'Managed', preset: 'generic' })).json.id
  cfId = (await s.api('POST', `/api/v1/pools/${poolId}/dns-providers`, { kind: 'cloudflare', name: 'CF', apiToken: CF_TOKEN })).json.id
  whmId = (await s.api('POST', `/api/v1/pools/${poolId}/dns-providers`, { kind: 'whm', name: 'WHM src', host: whm.url, username: 'root', apiToken: WHM_TOKEN })).json.id
  await member('mem_src', SRC_IP, ['shop'])
  await member('mem_sb', SB_IP, [])
  cf.state.requests = []
  whm.state.requests = []
}, 60_000)

afterEach(() => s.close())

describe('the catalogue', () => {
  test('it lists each name of the account with type, values, proxied, whether it cuts over and which member it names', async () => {
    await protect('pa_shop', 'shop', { records: ['A', 'MX'] })
    const c = await service.catalogue(s.deps, poolId)
    expect(c.accounts).toHaveLength(1)
    const a = c.accounts[0]!
    expect(a.error).toBeNull()
    expect(a.provider).toMatchObject({ id: cfId, kind: 'cloudflare' })
    expect(a.whm).toMatchObject({ id: whmId })
    const apex = a.fqdns.find((f) => f.name === 'shop.example.com')!
    expect(apex.zone).toBe('shop.example.com')
    expect(apex.records.find((r) => r.type === 'A')).toMatchObject({ values: [SRC_IP], proxied: true, cutOver: true, activeOn: 'source' })
    expect(apex.records.find((r) => r.type === 'MX')).toMatchObject({ values: ['0 shop.example.com'], proxied: null, cutOver: true, activeOn: 'neither' })
    // www is not at Cloudflare yet: not listed; the Cloudflare-only name is not one of the account's.
    expect(a.fqdns.map((f) => f.name)).toEqual(['shop.example.com'])
    expect(c.withZone).toBe(1)
    expect(c.missing).toEqual([])
    expect(c.zones.find((z) => z.provider.id === whmId)!.zones).toEqual(['shop.example.com'])
    expect(c.topology).toEqual([{ provider: 'CF (Cloudflare)', source: 'src', standby: 'sb' }])
  })

  test('it says when the provider cannot be reached, per account, and still answers', async () => {
    await protect('pa_shop', 'shop')
    cf.state.failNext(10, 500)
    const c = await service.catalogue(s.deps, poolId)
    expect(c.accounts[0]!.error).toContain('Cloudflare')
    expect(c.zones.find((z) => z.provider.id === cfId)!.error).toContain('Cloudflare')
  })
})

describe("the source member's WHM", () => {
  const whmAt = (id: string, host: string) => ({ id, kind: 'whm', name: id, settings: { host } }) as unknown as DnsProviderRow
  const src = { name: 'src', hostname: 'src.example.net', publicIpv4: SRC_IP, publicIpv6: null, egressIps: [SRC_IP] } as unknown as Member

  test('the tab says which WHM a sync reads and why, or what to add when none serves the member', () => {
    const byName = service.whmChoice([whmAt('other', 'https://sb.example.net:2087'), whmAt('own', 'src.example.net')], src)
    expect(byName.provider?.id).toBe('own')
    expect(byName.why).toBe("its host src.example.net is src's host name")
    expect(service.whmChoice([whmAt('own', `https://${SRC_IP}:2087`), whmAt('other', 'sb.example.net')], src).why).toBe(`its host ${SRC_IP} is src's address`)
    const cluster = service.whmChoice([whmAt('cluster', 'dns.example.net')], src)
    expect(cluster.provider?.id).toBe('cluster')
    expect(cluster.why).toContain("the pool's only WHM provider")
    const none = service.whmChoice([whmAt('a', 'a.example.net'), whmAt('b', 'b.example.net')], src)
    expect(none.provider).toBeNull()
    expect(none.why).toBe("No WHM provider's host is src's (src.example.net): add a WHM provider whose host is src.example.net under API providers.")
    expect(service.whmChoice([], src).why).toBe('No WHM provider serves src: add one whose host is src.example.net (or a single cPanel DNS cluster provider) under API providers.')
  })

  test('the catalogue carries the reason, and a sync with no WHM is refused in the same words, writing nothing', async () => {
    await protect('pa_shop', 'shop', { managed: true })
    expect((await service.catalogue(s.deps, poolId)).accounts[0]!.whmWhy).toContain("the pool's only WHM provider")
    await s.api('POST', `/api/v1/pools/${poolId}/dns-providers`, { kind: 'whm', name: 'WHM other', host: 'whm.example.org', username: 'root', apiToken: WHM_TOKEN })
    const a = (await service.catalogue(s.deps, poolId)).accounts[0]!
    expect(a.whm).toBeNull()
    expect(a.whmWhy).toBe("No WHM provider's host is src's (src.example.net): add a WHM provider whose host is src.example.net under API providers.")
    const refused = await service.syncAccount(s.deps, actor, 'pa_shop').catch((e) => e)
    expect(refused).toBeInstanceOf(HttpError)
    expect(refused.message).toBe(a.whmWhy)
    expect(cfWrites()).toHaveLength(0)
  })
})

describe('Sync WHM → Cloudflare', () => {
  test('it writes exactly the sets that differ, keeps proxied, leaves Cloudflare-only sets, and a second sync writes nothing', async () => {
    await protect('pa_shop', 'shop')
    const r = await service.syncAccount(s.deps, actor, 'pa_shop')
    expect(r.ok).toBe(true)
    expect(r.cut).toBe(false)
    expect(r.before.map((d) => `${d.name} ${d.type}`).sort()).toEqual(['mail.shop.example.com CNAME', 'shop.example.com TXT', 'www.shop.example.com A'])
    expect(r.written.every((w) => w.verified)).toBe(true)
    expect(r.notes).toContain('verify.shop.example.com TXT: only at Cloudflare (cloudflare-only), left as it is')
    const writes = cfWrites()
    expect(writes).toHaveLength(3)
    expect(writes.every((w) => w.method === 'POST')).toBe(true)
    expect(cf.state.find('shop.example.com', 'www.shop.example.com', 'A')[0]).toMatchObject({ content: SRC_IP, ttl: 14400 })
    expect(cf.state.find('shop.example.com', 'mail.shop.example.com', 'CNAME')[0]).toMatchObject({ content: 'shop.example.com' })
    expect(cf.state.find('shop.example.com', 'shop.example.com', 'A')[0]).toMatchObject({ content: SRC_IP, proxied: true })
    expect(cf.state.find('shop.example.com', 'verify.shop.example.com', 'TXT')).toHaveLength(1)
    // WHM was only read.
    expect(new Set(whm.state.requests.map((q) => q.command))).toEqual(new Set(['listzones', 'dumpzone']))

    const status = await store.statusOf(s.db, 'pa_shop')
    expect(status).toMatchObject({ drift: 0, error: null })
    expect(status!.lastWritten).toHaveLength(3)
    const audit = await s.db.select().from(auditEvents).where(eq(auditEvents.action, 'managed_dns.sync'))
    expect(audit[0]!.detail).toMatchObject({ ok: true, drift: 3, written: 3 })

    cf.state.requests = []
    const again = await service.syncAccount(s.deps, actor, 'pa_shop')
    expect(again).toMatchObject({ ok: true, before: [], written: [] })
    expect(cfWrites()).toHaveLength(0)
  })

  test('while the account is cut, its cut types stay at the standby: WHM values are written with the standby swapped in', async () => {
    await protect('pa_shop', 'shop', { records: ['A'] })
    // The cut moved the apex and www to the standby at Cloudflare; WHM on the source still names the source.
    cf.state.records.find((r) => r.name === 'shop.example.com' && r.type === 'A')!.content = SB_IP
    cf.state.addRecord('shop.example.com', { name: 'www.shop.example.com', type: 'A', content: SB_IP, ttl: 14400 })
    whm.state.addRecord('shop.example.com', { type: 'A', name: 'ftp.shop.example.com.', address: SRC_IP })
    cf.state.requests = []
    const r = await service.syncAccount(s.deps, actor, 'pa_shop')
    expect(r.ok).toBe(true)
    expect(r.cut).toBe(true)
    // The apex and www are left at the standby; the new ftp goes straight to the standby.
    expect(r.before.map((d) => `${d.name} ${d.type}`).sort()).toEqual(['ftp.shop.example.com A', 'mail.shop.example.com CNAME', 'shop.example.com TXT'])
    expect(r.before.find((d) => d.type === 'A')!.want).toEqual([SB_IP])
    expect(cf.state.find('shop.example.com', 'shop.example.com', 'A')[0]!.content).toBe(SB_IP)
    expect(cf.state.find('shop.example.com', 'www.shop.example.com', 'A')[0]!.content).toBe(SB_IP)
    expect(cf.state.find('shop.example.com', 'ftp.shop.example.com', 'A')[0]!.content).toBe(SB_IP)
    expect(cfWrites().some((w) => (w.body as { content?: string } | null)?.content === SRC_IP)).toBe(false)
  })

  test('it refuses an account not marked Managed (409), one whose provider is not Cloudflare (422), writing nothing', async () => {
    await protect('pa_shop', 'shop', { managed: false })
    expect((await refusal(service.syncAccount(s.deps, actor, 'pa_shop'))).status).toBe(409)
    await s.db.delete(protectedAccounts)
    await protect('pa_shop', 'shop', { providerId: whmId })
    const r = await refusal(service.syncAccount(s.deps, actor, 'pa_shop'))
    expect(r.status).toBe(422)
    expect(r.message).toContain('is WHM DNS')
    expect(cfWrites()).toHaveLength(0)
    expect(whm.state.requests.filter((q) => q.command !== 'listzones' && q.command !== 'dumpzone')).toHaveLength(0)
  })

  test("a provider's failure is said in its words and kept as the account's status; Refresh DNS then counts the drift without writing", async () => {
    await protect('pa_shop', 'shop')
    cf.state.failNext(10, 500)
    const r = await service.syncAccount(s.deps, actor, 'pa_shop')
    expect(r.ok).toBe(false)
    expect(r.error).toContain('Cloudflare')
    expect((await store.statusOf(s.db, 'pa_shop'))!.error).toContain('Cloudflare')
    cf.state.failNext(0)
    cf.state.requests = []
    await service.refreshDrift(s.deps, poolId)
    expect(cfWrites()).toHaveLength(0)
    expect(await store.statusOf(s.db, 'pa_shop')).toMatchObject({ drift: 3, error: null })
    expect((await service.catalogue(s.deps, poolId)).drift).toBe(3)
  })

  test('Sync for the pool syncs every Managed account and reports the others', async () => {
    await protect('pa_shop', 'shop')
    const results = await service.syncPool(s.deps, actor, poolId)
    expect(results.map((r) => [r.user, r.ok, r.written.length])).toEqual([['shop', true, 3]])
  })
})

describe('Add record and proxied', () => {
  test('it writes one set inside a zone of the provider and reads it back', async () => {
    await protect('pa_shop', 'shop')
    const added = await service.addRecord(s.deps, actor, poolId, { protectedAccountId: 'pa_shop', name: 'Blog.Shop.Example.com', type: 'CNAME', values: ['shop.example.com'], ttl: 300, proxied: true })
    expect(added).toMatchObject({ zone: 'shop.example.com', name: 'blog.shop.example.com', type: 'CNAME', values: ['shop.example.com'], proxied: true, verified: true })
    expect(cf.state.find('shop.example.com', 'blog.shop.example.com', 'CNAME')[0]).toMatchObject({ proxied: true, ttl: 1 })
  })

  test('bad input is a clear 4xx and nothing is written', async () => {
    await protect('pa_shop', 'shop')
    const add = (patch: Partial<service.AddRecordInput>) => service.addRecord(s.deps, actor, poolId, { protectedAccountId: 'pa_shop', name: 'x.shop.example.com', type: 'A', values: ['192.0.2.5'], ttl: 300, ...patch })
    const outside = await refusal(add({ name: 'shop.example.org' }))
    expect([outside.status, outside.field]).toEqual([422, 'name'])
    expect(outside.message).toContain('is not inside a zone of CF')
    const value = await refusal(add({ values: ['300.1.1.1'] }))
    expect([value.status, value.field, value.message]).toEqual([422, 'values', '"300.1.1.1" is not an IPv4 address.'])
    expect((await refusal(add({ type: 'NS' }))).field).toBe('type')
    expect((await refusal(add({ ttl: 30 }))).message).toContain('Cloudflare takes 60 and up')
    expect((await refusal(add({ type: 'TXT', values: ['x'], proxied: true }))).field).toBe('proxied')
    const taken = await refusal(add({ name: 'shop.example.com' }))
    expect(taken.status).toBe(409)
    expect(taken.message).toContain(`already has A ${SRC_IP}`)
    expect((await refusal(add({ protectedAccountId: 'pa_nope' }))).field).toBe('protectedAccountId')
    expect(cfWrites()).toHaveLength(0)
  })

  test('the proxy is switched per set on Cloudflare, and only for the account\'s names', async () => {
    await protect('pa_shop', 'shop')
    const r = await service.setProxied(s.deps, actor, poolId, 'pa_shop', { name: 'shop.example.com', type: 'A', proxied: false })
    expect(r.changed).toBe(1)
    expect(cf.state.find('shop.example.com', 'shop.example.com', 'A')[0]!.proxied).toBe(false)
    cf.state.requests = []
    expect((await refusal(service.setProxied(s.deps, actor, poolId, 'pa_shop', { name: 'other.example.org', type: 'A', proxied: true }))).field).toBe('name')
    expect((await refusal(service.setProxied(s.deps, actor, poolId, 'pa_shop', { name: 'shop.example.com', type: 'MX', proxied: true }))).field).toBe('type')
    expect(cfWrites()).toHaveLength(0)
  })
})
