import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { auditEvents, protectedAccounts } from '../db/schema'
import { cpanelKit, type CpanelKit, type KitMember } from '../cpanel/test-kit'
import { poolProtectionSummary, protectAccounts, type ProtectInput } from './service'
import { listPoolProtected } from './store'

let k: CpanelKit
let poolId: string
let src: KitMember
let dst: KitMember
let plain: KitMember
let far: KitMember
let providerId: string
let farProviderId: string
beforeAll(async () => {
  k = await cpanelKit()
  poolId = await k.pool('Protected')
  src = await k.cpanelMember(poolId, 'web-1', ['bob', 'carol', 'dave', 'erin'])
  dst = await k.cpanelMember(poolId, 'web-2', [])
  plain = await k.cpanelMember(poolId, 'db-1', null)
  const farPool = await k.pool('Far away')
  far = await k.cpanelMember(farPool, 'far-1', ['bob'])
  const provider = (pool: string) => k.s.api('POST', `/api/v1/pools/${pool}/dns-providers`, { kind: 'powerdns', name: 'Nowhere', apiUrl: 'http://127.0.0.1:9', apiKey: 'key-1234' })
  providerId = (await provider(poolId)).json.id
  farProviderId = (await provider(farPool)).json.id
})
afterAll(() => k.close())

const actor = { userId: null, label: 'alice@example.com', ip: null }
const body = (over: Record<string, unknown> = {}) => ({ sourceMemberId: src.id, user: 'bob', standbyMemberId: dst.id, schedule: '1h', ttl: 300, providerId: null, ...over })
const rows = async () => k.s.db.select().from(protectedAccounts)
const audits = async (action: string) => (await k.s.db.select().from(auditEvents)).filter((a) => a.action === action)

describe('protected accounts', () => {
  test('it protects an account, lists it, shows it, changes it and unprotects it, each change audited', async () => {
    const res = await k.s.api('POST', `/api/v1/pools/${poolId}/protected-accounts`, body({ providerId }))
    expect(res.status).toBe(201)
    expect(res.json).toMatchObject({
      poolId,
      sourceMemberId: src.id,
      sourceName: 'web-1',
      user: 'bob',
      standbyMemberId: dst.id,
      standbyName: 'web-2',
      schedule: '1h',
      ttl: 300,
      providerId,
      enabled: true,
      managed: false,
      records: ['A'],
      lastGoodCopyAt: null,
      recoveryPointSeconds: null,
      stale: false,
      lastRun: null,
    })
    expect(res.json.id).toStartWith('pa_')
    const id = res.json.id as string
    // The first copy is due at once; stale if none arrives in twice the schedule.
    expect(res.json.nextRunAt).toBe(res.json.createdAt)
    expect(Date.parse(res.json.staleAt) - Date.parse(res.json.createdAt)).toBe(7200_000)

    const list = await k.s.api('GET', `/api/v1/pools/${poolId}/protected-accounts`)
    expect(list.json.map((p: any) => p.id)).toEqual([id])
    expect((await k.s.api('GET', `/api/v1/protected-accounts/${id}`)).json).toMatchObject({ id, user: 'bob' })

    const patched = await k.s.api('PATCH', `/api/v1/protected-accounts/${id}`, { schedule: '1d', ttl: 60, enabled: false, providerId: null, records: ['A', 'MX'] })
    expect(patched.status).toBe(200)
    expect(patched.json).toMatchObject({ schedule: '1d', ttl: 60, enabled: false, providerId: null, records: ['A', 'MX'], user: 'bob' })
    // Never copied yet: a change of schedule does not put the first copy off.
    expect(patched.json.nextRunAt).toBe(patched.json.createdAt)
    const [update] = await audits('protection.account.update')
    expect(update!.detail).toMatchObject({ changed: { schedule: { from: '1h', to: '1d' }, ttl: { from: 300, to: 60 }, enabled: { from: true, to: false } } })

    expect((await k.s.api('DELETE', `/api/v1/protected-accounts/${id}`)).status).toBe(204)
    expect((await k.s.api('GET', `/api/v1/protected-accounts/${id}`)).status).toBe(404)
    expect(await audits('protection.account.create')).toHaveLength(1)
    expect(await audits('protection.account.delete')).toHaveLength(1)
  })

  test('several at once (the tab protects a list of users): all stored, or none when one is refused', async () => {
    const several = (inputs: Record<string, unknown>[]) => protectAccounts(k.s.db, actor, poolId, inputs as ProtectInput[]).catch((e) => e)
    const refused = await several([body({ user: 'carol' }), body({ user: 'nobody' })])
    expect(refused.status).toBe(422)
    expect(refused.message).toContain('web-1 has no cPanel account called nobody')
    expect(await rows()).toHaveLength(0)
    expect((await several([body({ user: 'carol' }), body({ user: 'carol' })])).status).toBe(409)
    expect(await rows()).toHaveLength(0)
    const ok = await several([body({ user: 'dave', schedule: '1mo' }), body({ user: 'carol' })])
    expect(ok.map((p: any) => [p.user, p.schedule])).toEqual([['dave', '1mo'], ['carol', '1h']])
    // Even a monthly account gets its first copy at once.
    expect(ok[0].nextRunAt).toEqual(ok[0].createdAt)
    // Protected in one instant, they are listed by name, not in the random order of their ids.
    expect((await listPoolProtected(k.s.db, poolId)).map((p) => p.user)).toEqual(['carol', 'dave'])
    expect(await audits('protection.account.create')).toHaveLength(3)
  })

  test('refusals name their field and change nothing', async () => {
    const before = await rows()
    const auditCount = (await k.s.db.select().from(auditEvents)).length
    const cases: [unknown, number, string | null, RegExp][] = [
      [body({ standbyMemberId: far.id }), 422, 'standbyMemberId', /another pool/],
      [body({ sourceMemberId: far.id }), 422, 'sourceMemberId', /another pool/],
      [body({ standbyMemberId: 'mem_nope' }), 422, 'standbyMemberId', /no such member/],
      [body({ standbyMemberId: plain.id }), 422, 'standbyMemberId', /cPanel is not installed on db-1/],
      [body({ sourceMemberId: plain.id }), 422, 'sourceMemberId', /cPanel is not installed on db-1/],
      [body({ standbyMemberId: src.id }), 422, 'standbyMemberId', /another member/],
      [body({ user: 'nobody' }), 422, 'user', /web-1 has no cPanel account called nobody/],
      [body({ user: 'Bob' }), 422, 'user', /cPanel user name/],
      [body({ user: 'carol' }), 409, 'user', /protected already/],
      [body({ ttl: 29 }), 422, null, /ttl/i],
      [body({ ttl: 86401 }), 422, null, /ttl/i],
      [body({ ttl: 60.5 }), 422, null, /ttl/i],
      [body({ schedule: '2h' }), 422, null, /schedule/],
      [body({ providerId: farProviderId }), 422, 'providerId', /provider of this pool/],
      [body({ providerId: 'dns_nope' }), 422, 'providerId', /provider of this pool/],
      [body({ shell: 'id' }), 422, null, /./],
      [[body({ user: 'erin' })], 422, null, /./],
      [{ user: 'bob' }, 422, null, /./],
    ]
    for (const [payload, status, field, message] of cases) {
      const res = await k.s.api('POST', `/api/v1/pools/${poolId}/protected-accounts`, payload)
      expect({ payload, status: res.status }).toEqual({ payload, status })
      expect(res.json.error.message).toMatch(message)
      // The API answers {code, message}; forms put the message by the field the service names.
      if (field) {
        const err = await protectAccounts(k.s.db, actor, poolId, [payload as ProtectInput]).catch((e) => e)
        expect({ payload, field: err.field }).toEqual({ payload, field })
      }
    }
    expect((await k.s.api('POST', '/api/v1/pools/pool_nope/protected-accounts', body())).status).toBe(404)
    expect((await k.s.api('POST', `/api/v1/pools/${poolId}/protected-accounts`, body(), null)).status).toBe(401)

    const carol = before.find((r) => r.user === 'carol')!
    for (const [patch, status, message] of [
      [{ user: 'dave' }, 409, /protected already/],
      [{ standbyMemberId: src.id }, 422, /another member/],
      [{ ttl: 10 }, 422, /ttl/i],
      [{ records: ['A', 'TXT'] }, 422, /./],
      [{ enabled: 'yes' }, 422, /./],
    ] as [unknown, number, RegExp][]) {
      const res = await k.s.api('PATCH', `/api/v1/protected-accounts/${carol.id}`, patch)
      expect({ patch, status: res.status }).toEqual({ patch, status })
      expect(res.json.error.message).toMatch(message)
    }
    expect((await k.s.api('PATCH', '/api/v1/protected-accounts/pa_nope', { ttl: 60 })).status).toBe(404)
    expect((await k.s.api('DELETE', '/api/v1/protected-accounts/pa_nope')).status).toBe(404)
    expect(await rows()).toEqual(before)
    expect((await k.s.db.select().from(auditEvents)).length).toBe(auditCount)
  })

  test('an account the agent left out of a capped list may be protected; a change that keeps the user does not ask again', async () => {
    await k.setAccounts(src, ['bob'], { accountCount: 500 })
    const res = await k.s.api('POST', `/api/v1/pools/${poolId}/protected-accounts`, body({ user: 'zed' }))
    expect(res.status).toBe(201)
    await k.setAccounts(src, ['bob', 'carol', 'dave', 'erin'])
    // zed is gone from the now complete list; its TTL can still change.
    expect((await k.s.api('PATCH', `/api/v1/protected-accounts/${res.json.id}`, { ttl: 120 })).status).toBe(200)
  })

  test('the pool summary counts protected, healthy and never-copied accounts', async () => {
    const summary = await poolProtectionSummary(k.s.db, poolId)
    expect(summary).toMatchObject({ protected: 3, enabled: 3, healthy: 3, stale: 0, failing: 0, neverCopied: 3, lastSyncAt: null, worstRecoveryPointSeconds: null })
    const later = await poolProtectionSummary(k.s.db, poolId, new Date(Date.now() + 3 * 3600_000))
    // carol and zed (1h) are stale three hours on; dave (1mo) is not.
    expect(later).toMatchObject({ stale: 2, healthy: 1 })
  })
})
