// The per-account DNS cut against a real PowerDNS, checked with dig, and the
// cut of a failed member's accounts after the pool's failover, once.
import { afterAll, afterEach, beforeAll, beforeEach, expect, test } from 'bun:test'
import { and, eq } from 'drizzle-orm'
import { auditEvents, jobs, members, protectedAccounts as protectedAccountsTable, protectionEvents } from '../db/schema'
import { testServer, type TestServer } from '../testing/harness'
import { startPowerDns, type PowerDns } from '../testing/powerdns'
import { dig } from '../testing/drill'
import { describeNeeding, missingProgram } from '../testing/needs'
import { PowerDnsProvider } from '../dns/powerdns'
import type { RecordSet, RecordType } from '../dns/provider'
import { account, cpanelStacks } from '../cpanel/test-kit'
import { saveFailoverConfig } from '../failover/config'
import { evaluatePool } from '../failover/evaluator'
import { systemActor } from '../audit/service'
import { cutAfterFailover, swapValues, zoneOf } from './cut'
import { insertProtected } from './store'

const SRC_IP = '203.0.113.10'
const SB_IP = '203.0.113.20'
const OTHER_IP = '198.51.100.9'

let pdns: PowerDns
let dns: PowerDnsProvider
let s: TestServer
let poolId: string
let providerId: string

const needs = missingProgram('pdns_server', 'pdns-server') ?? missingProgram('dig', 'bind9-dnsutils')

/** Like dig +short for any type, for MX and the TTL. */
async function digAnswer(name: string, type: RecordType): Promise<string[]> {
  const proc = Bun.spawn(['dig', '@127.0.0.1', '-p', String(pdns.dnsPort), '+noall', '+answer', '+time=1', '+tries=2', name, type], { stdout: 'pipe', stderr: 'pipe' })
  const out = await new Response(proc.stdout).text()
  await proc.exited
  return out.split('\n').map((l) => l.trim()).filter(Boolean).map((l) => l.split(/\s+/).slice(1).join(' ')).sort()
}

const write = (name: string, type: RecordType, values: string[], ttl = 3600) => dns.writeRecords('example.com', { name, type, ttl, values } as RecordSet)
const read = (name: string, type: RecordType) => dns.readRecords('example.com', name, type)

async function member(id: string, ip: string, users: string[], lastSeen = new Date()) {
  await s.db.insert(members).values({
    id,
    poolId,
    name: id,
    hostname: `${id.replace('mem_', '')}.example.net`,
    egressIps: [ip],
    publicIpv4: ip,
    lastHeartbeatAt: lastSeen,
    healthySince: new Date(lastSeen.getTime() - 3_600_000),
    stacks: cpanelStacks(users.map((u) => ({ ...account(u, `${u}.example.com`), domains: [`${u}-two.example.com`] }))) as never,
  })
}

async function protect(id: string, user: string, patch: Record<string, unknown> = {}) {
  const now = new Date()
  await insertProtected(s.db, [
    { id, poolId, sourceMemberId: 'mem_src', user, standbyMemberId: 'mem_sb', schedule: '1d', ttl: 120, providerId, nextRunAt: now, staleAt: new Date(now.getTime() + 86_400_000), ...patch },
  ])
}

const cut = (id: string) => s.api('POST', `/api/v1/protected-accounts/${id}/cut`, {})
const events = (kind: 'cut' | 'failure') => s.db.select().from(protectionEvents).where(and(eq(protectionEvents.poolId, poolId), eq(protectionEvents.kind, kind)))

describeNeeding(needs)('the per-account DNS cut, with PowerDNS', () => {
  beforeAll(async () => {
    // The first open of the shared database takes long on a busy machine: not inside a test's time.
    const [started] = await Promise.all([startPowerDns(), testServer().then((warm) => warm.close())])
    pdns = started
    await pdns.addZone('example.com')
    dns = new PowerDnsProvider({ apiUrl: pdns.apiUrl, apiKey: pdns.apiKey, outbound: { allowPrivate: true } })
  }, 120_000)
  afterAll(() => pdns?.stop())

  beforeEach(async () => {
    s = await testServer()
    poolId = (await s.api('POST', '/api/v1/pools', { name: 'Protected', preset: 'generic' })).json.id
    providerId = (await s.api('POST', `/api/v1/pools/${poolId}/dns-providers`, { kind: 'powerdns', name: 'pdns', apiUrl: pdns.apiUrl, apiKey: pdns.apiKey })).json.id
    await member('mem_src', SRC_IP, ['shop'])
    await member('mem_sb', SB_IP, [])
    await write('shop.example.com', 'A', [SRC_IP])
    await write('www.shop.example.com', 'A', [SRC_IP])
    await write('shop-two.example.com', 'A', [SRC_IP, OTHER_IP])
    await write('shop.example.com', 'MX', ['10 src.example.net', '20 backup-mx.example.org'])
  })
  afterEach(() => s.close())

  test("it_rewrites_the_account's_A_records_to_the_standby_and_dig_answers_the_standby", async () => {
    await protect('pa_shop', 'shop')
    expect(await dig(pdns.dnsPort, 'shop.example.com')).toEqual([SRC_IP])
    const res = await cut('pa_shop')
    expect(res.status).toBe(200)
    expect(res.json).toMatchObject({ ok: true, user: 'shop', standbyMemberId: 'mem_sb', provider: 'pdns', domains: ['shop.example.com', 'shop-two.example.com'], hookJobId: null })
    const byName = Object.fromEntries(res.json.records.map((r: any) => [`${r.name} ${r.type}`, r]))
    expect(byName['shop.example.com A']).toEqual({ name: 'shop.example.com', type: 'A', before: [SRC_IP], after: [SB_IP], verified: true, state: 'moved' })
    expect(byName['www.shop.example.com A']).toMatchObject({ after: [SB_IP], verified: true, state: 'moved' })
    expect(byName['shop-two.example.com A'].after.sort()).toEqual([OTHER_IP, SB_IP].sort())
    // Only the chosen types: A by default, the MX is left.
    expect(res.json.records.every((r: any) => r.type === 'A')).toBe(true)
    expect((await read('shop.example.com', 'MX'))!.values).toContain('10 src.example.net')

    expect(await dig(pdns.dnsPort, 'shop.example.com')).toEqual([SB_IP])
    expect(await dig(pdns.dnsPort, 'www.shop.example.com')).toEqual([SB_IP])
    expect(await dig(pdns.dnsPort, 'shop-two.example.com')).toEqual([OTHER_IP, SB_IP].sort())
    expect((await digAnswer('shop.example.com', 'A'))[0]).toStartWith('120 ')

    const [event] = await events('cut')
    expect(event).toMatchObject({ protectedAccountId: 'pa_shop', kind: 'cut', notifyPending: false })
    expect(event!.detail).toMatchObject({ reason: 'manual', provider: 'pdns', to: 'mem_sb' })
    expect((event!.detail as any).records).toHaveLength(3)
    const audit = await s.db.select().from(auditEvents).where(eq(auditEvents.action, 'protection.cut'))
    expect(audit).toHaveLength(1)
    expect(audit[0]).toMatchObject({ targetId: 'pa_shop', actorLabel: expect.any(String) })
  })

  test('it_leaves_records_already_at_the_standby_and_says_so', async () => {
    await protect('pa_shop', 'shop')
    await write('shop.example.com', 'A', [SB_IP])
    const first = await cut('pa_shop')
    expect(first.status).toBe(200)
    expect(first.json.records.find((r: any) => r.name === 'shop.example.com')).toEqual({ name: 'shop.example.com', type: 'A', before: [SB_IP], after: [SB_IP], verified: true, state: 'at_standby' })
    // The TTL of a record left alone is left alone too.
    expect((await read('shop.example.com', 'A'))!.ttl).toBe(3600)

    const again = await cut('pa_shop')
    expect(again.status).toBe(200)
    expect(again.json.records.every((r: any) => r.state === 'at_standby' && r.verified)).toBe(true)
    expect(await dig(pdns.dnsPort, 'www.shop.example.com')).toEqual([SB_IP])
  })

  test('it_refuses_an_account_without_a_DNS_provider', async () => {
    await protect('pa_shop', 'shop', { providerId: null })
    const res = await cut('pa_shop')
    expect(res.status).toBe(422)
    expect(res.json.error.message).toContain('set a DNS provider')
    expect(await dig(pdns.dnsPort, 'shop.example.com')).toEqual([SRC_IP])
    expect((await cut('pa_nope')).status).toBe(404)
  })

  test('it_moves_MX_records_that_name_the_source_when_the_account_chose_MX', async () => {
    await protect('pa_shop', 'shop', { records: ['A', 'MX'] })
    const res = await cut('pa_shop')
    expect(res.status).toBe(200)
    expect(res.json.records.find((r: any) => r.type === 'MX')).toMatchObject({ name: 'shop.example.com', before: ['10 src.example.net', '20 backup-mx.example.org'], verified: true, state: 'moved' })
    expect(await digAnswer('shop.example.com', 'MX')).toEqual(['120 IN MX 10 sb.example.net.', '120 IN MX 20 backup-mx.example.org.'])
    // The other domain has no MX: said, not failed.
    expect(res.json.notes).toContain('shop-two.example.com MX: no record')
  })

  test('it_skips_AAAA_where_the_members_IPv6_is_not_known', async () => {
    await protect('pa_shop', 'shop', { records: ['A', 'AAAA'] })
    const res = await cut('pa_shop')
    expect(res.status).toBe(200)
    expect(res.json.notes.join(' ')).toContain('AAAA skipped: the IPv6 address of mem_src is not known')
    await s.db.update(members).set({ publicIpv6: '2001:db8::10' }).where(eq(members.id, 'mem_src'))
    await s.db.update(members).set({ publicIpv6: '2001:db8::20' }).where(eq(members.id, 'mem_sb'))
    await write('shop.example.com', 'AAAA', ['2001:db8::10'])
    const v6 = await cut('pa_shop')
    expect(v6.json.records.find((r: any) => r.type === 'AAAA')).toMatchObject({ after: ['2001:db8::20'], verified: true, state: 'moved' })
  })

  test('it_queues_the_post-failover_hook_on_the_standby_with_the_account_and_its_domains', async () => {
    await protect('pa_shop', 'shop')
    const set = await s.api('PUT', `/api/v1/pools/${poolId}/protection/hook`, { command: '  /usr/local/bin/after-cut "$@"  ' })
    expect(set.json).toEqual({ command: '/usr/local/bin/after-cut "$@"' })
    const res = await cut('pa_shop')
    expect(res.json.hookJobId).toStartWith('job_')
    const [job] = await s.db.select().from(jobs).where(eq(jobs.id, res.json.hookJobId))
    expect(job).toMatchObject({ memberId: 'mem_sb', name: 'protection.hook', status: 'queued', maxAttempts: 1, timeoutSeconds: 600 })
    expect(job!.params).toEqual({ command: '/usr/local/bin/after-cut "$@"', user: 'shop', domains: ['shop.example.com', 'shop-two.example.com'] })
    expect(((await events('cut'))[0]!.detail as any).hookJobId).toBe(job!.id)
    // Only through a cut: the jobs API refuses it.
    const direct = await s.api('POST', `/api/v1/members/mem_sb/jobs`, { name: 'protection.hook', params: job!.params })
    expect(direct.status).toBe(422)
  })

  test('it_keeps_the_hook_one_line_and_clears_it_with_null', async () => {
    expect((await s.api('GET', `/api/v1/pools/${poolId}/protection/hook`)).json).toEqual({ command: null })
    const bad = await s.api('PUT', `/api/v1/pools/${poolId}/protection/hook`, { command: 'true\nrm -rf /' })
    expect(bad.status).toBe(422)
    expect(bad.json.error.message).toContain('one line')
    expect((await s.api('PUT', `/api/v1/pools/${poolId}/protection/hook`, { command: 'x'.repeat(2001) })).status).toBe(422)
    await s.api('PUT', `/api/v1/pools/${poolId}/protection/hook`, { command: 'true' })
    expect((await s.api('PUT', `/api/v1/pools/${poolId}/protection/hook`, { command: null })).json).toEqual({ command: null })
    expect((await s.api('GET', `/api/v1/pools/${poolId}/protection/hook`)).json).toEqual({ command: null })
    expect((await s.api('PUT', `/api/v1/pools/pool_nope/protection/hook`, { command: 'true' })).status).toBe(404)
    const audit = await s.db.select().from(auditEvents).where(eq(auditEvents.action, 'protection.hook.set'))
    expect(audit).toHaveLength(2)
  })

  test('it_fails_the_cut_with_the_providers_words_when_the_provider_cannot_be_reached', async () => {
    const dead = (await s.api('POST', `/api/v1/pools/${poolId}/dns-providers`, { kind: 'powerdns', name: 'gone', apiUrl: 'http://127.0.0.1:9', apiKey: 'k' })).json.id
    await protect('pa_shop', 'shop', { providerId: dead })
    const res = await cut('pa_shop')
    expect(res.status).toBe(502)
    expect(res.json.error.message).toContain('could not reach PowerDNS')
    const [failure] = await events('failure')
    expect(failure).toMatchObject({ protectedAccountId: 'pa_shop', notifyPending: true })
    expect(await events('cut')).toHaveLength(0)
  })

  test('it_cuts_the_accounts_of_the_member_the_pool_failed_over_from_once_per_failover_event', async () => {
    const t0 = new Date(Math.floor(Date.now() / 1000) * 1000 - 60_000)
    const at = (sec: number) => new Date(t0.getTime() + sec * 1000)
    await s.db.update(members).set({ lastHeartbeatAt: at(0), healthySince: at(-3600) })
    await member('mem_other', '203.0.113.30', ['blog'], at(0))
    await protect('pa_shop', 'shop', { records: ['A', 'MX'] })
    await protect('pa_off', 'shop2', { enabled: false })
    await insertProtected(s.db, [{ id: 'pa_blog', poolId, sourceMemberId: 'mem_other', user: 'blog', standbyMemberId: 'mem_sb', schedule: '1d', ttl: 120, providerId, nextRunAt: at(0), staleAt: at(86400) }])
    await write('blog.example.com', 'A', ['203.0.113.30'])
    await s.api('PUT', `/api/v1/pools/${poolId}/protection/hook`, { command: 'echo "$@"' })
    await saveFailoverConfig(s.db, systemActor, poolId, { enabled: true, delaySeconds: 30, memberOrder: ['mem_src', 'mem_sb', 'mem_other'] })

    const noProbe = async () => false
    await evaluatePool(s.deps, poolId, at(1), noProbe)
    expect(await events('cut')).toHaveLength(0)
    await s.db.update(members).set({ lastHeartbeatAt: at(40) }).where(eq(members.id, 'mem_sb'))
    await s.db.update(members).set({ lastHeartbeatAt: at(40) }).where(eq(members.id, 'mem_other'))
    const decision = await evaluatePool(s.deps, poolId, at(40), noProbe)
    expect(decision).toMatchObject({ kind: 'cut', from: 'mem_src', to: 'mem_sb', reason: 'active_down' })

    const cuts = await events('cut')
    expect(cuts.map((c) => c.protectedAccountId)).toEqual(['pa_shop'])
    const failoverEventId = (cuts[0]!.detail as any).failoverEventId
    expect(failoverEventId).toEqual(expect.any(String))
    expect(cuts[0]!.detail).toMatchObject({ reason: 'failover' })
    expect(await dig(pdns.dnsPort, 'shop.example.com')).toEqual([SB_IP])
    expect(await digAnswer('shop.example.com', 'MX')).toContain('120 IN MX 10 sb.example.net.')
    expect(await dig(pdns.dnsPort, 'blog.example.com')).toEqual(['203.0.113.30'])

    // The same event again (a second call, a restart): no second cut, no second hook.
    const event = { id: failoverEventId, poolId, fromMemberId: 'mem_src', toMemberId: 'mem_sb', reason: 'active_down' }
    await cutAfterFailover(s.deps, event)
    await cutAfterFailover(s.deps, event)
    expect(await events('cut')).toHaveLength(1)
    expect(await s.db.select().from(jobs).where(eq(jobs.name, 'protection.hook'))).toHaveLength(1)
    // A new event is a new cut; a failback or the first choice of an active member cuts nothing.
    await cutAfterFailover(s.deps, { ...event, reason: 'failback', id: 'fo_back' })
    await cutAfterFailover(s.deps, { ...event, reason: 'initial', fromMemberId: null, id: 'fo_first' })
    expect(await events('cut')).toHaveLength(1)
    await cutAfterFailover(s.deps, { ...event, id: 'fo_next' })
    expect(await events('cut')).toHaveLength(2)
  })

  test('it_records_a_failure_for_an_account_it_cannot_cut_after_a_failover_and_goes_on', async () => {
    await s.db.update(members).set({ stacks: cpanelStacks([account('shop', 'shop.example.com'), account('shopb', 'shopb.example.com')]) as never }).where(eq(members.id, 'mem_src'))
    await write('shopb.example.com', 'A', [SRC_IP])
    await protect('pa_shop', 'shop', { providerId: null })
    await protect('pa_b', 'shopb')
    await cutAfterFailover(s.deps, { id: 'fo_1', poolId, fromMemberId: 'mem_src', toMemberId: 'mem_sb', reason: 'active_down' })
    const [failure] = await events('failure')
    expect(failure).toMatchObject({ protectedAccountId: 'pa_shop', notifyPending: true })
    expect(failure!.message).toContain('set a DNS provider')
    expect(failure!.detail).toMatchObject({ failoverEventId: 'fo_1', reason: 'failover' })
    expect((await events('cut')).map((e) => e.protectedAccountId)).toEqual(['pa_b'])
    expect(await dig(pdns.dnsPort, 'shopb.example.com')).toEqual([SB_IP])
    // The failed one is tried again for the same event; the one cut is not.
    await s.db.update(protectedAccountsTable).set({ providerId }).where(eq(protectedAccountsTable.id, 'pa_shop'))
    await cutAfterFailover(s.deps, { id: 'fo_1', poolId, fromMemberId: 'mem_src', toMemberId: 'mem_sb', reason: 'active_down' })
    expect((await events('cut')).map((e) => e.protectedAccountId).sort()).toEqual(['pa_b', 'pa_shop'])
  })
})

test('swapValues rewrites only what names the source', () => {
  expect(swapValues('A', ['1.1.1.1', '2.2.2.2'], { from: '1.1.1.1', to: '3.3.3.3' })).toEqual(['3.3.3.3', '2.2.2.2'])
  expect(swapValues('A', ['2.2.2.2'], { from: '1.1.1.1', to: '3.3.3.3' })).toBeNull()
  expect(swapValues('A', ['1.1.1.1', '3.3.3.3'], { from: '1.1.1.1', to: '3.3.3.3' })).toEqual(['3.3.3.3'])
  expect(swapValues('AAAA', ['2001:DB8:0::1'], { from: '2001:db8::1', to: '2001:db8::2' })).toEqual(['2001:db8::2'])
  expect(swapValues('MX', ['10 SRC.example.net.', '20 other.example.org'], { from: 'src.example.net', to: 'sb.example.net' })).toEqual(['10 sb.example.net', '20 other.example.org'])
  expect(swapValues('SRV', ['0 0 443 src.example.net'], { from: 'src.example.net', to: 'sb.example.net' })).toEqual(['0 0 443 sb.example.net'])
})

test('zoneOf takes the longest zone the name ends with', () => {
  expect(zoneOf('shop.example.com', ['example.com', 'shop.example.com.', 'com'])).toBe('shop.example.com')
  expect(zoneOf('www.shop.example.com', ['example.com', 'ample.com'])).toBe('example.com')
  expect(zoneOf('notexample.com', ['example.com'])).toBeNull()
})
