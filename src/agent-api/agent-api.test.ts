import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { testServer, visibleText, type TestServer } from '../testing/harness'
import { sampleHeartbeat } from '../testing/heartbeat-fixture'
import { join } from 'node:path'
import { detectCpanel } from '../../agent/detect/cpanel'
import { fitInspection } from '../../agent/collect/limits'
import { MAX_LISTENERS, type CpanelAccount } from '../../agent/protocol'

let s: TestServer
let base: string
let poolId: string
beforeAll(async () => {
  s = await testServer()
  base = s.serve()
  poolId = (await s.api('POST', '/api/v1/pools', { name: 'Agents', preset: 'generic' })).json.id
})
afterAll(() => s.close())

async function addMember(egress = '127.0.0.1', hostname = 'web-1.example.com') {
  const res = await s.api('POST', `/api/v1/pools/${poolId}/members`, { name: hostname.split('.')[0], hostname, egressIps: [egress] })
  return { id: res.json.id as string, secret: res.json.enrollment.secret as string }
}

const os = { id: 'ubuntu', versionId: '22.04', family: 'debian', prettyName: 'Ubuntu 22.04.4 LTS' }

async function post(path: string, body: unknown, token?: string) {
  const text = JSON.stringify(body)
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: text,
  })
  return { status: res.status, json: (await res.json().catch(() => null)) as any }
}

const enroll = (secret: string, hostname = 'web-1.example.com') => post('/api/v1/agent/enroll', { secret, hostname, agentVersion: '0.1.0', os })

async function events(memberId: string) {
  const { memberEvents } = await import('../db/schema')
  const { asc, eq } = await import('drizzle-orm')
  return s.db.select({ kind: memberEvents.kind, message: memberEvents.message }).from(memberEvents).where(eq(memberEvents.memberId, memberId)).orderBy(asc(memberEvents.id))
}

async function activity(memberId: string) {
  const b = await s.browser().signIn()
  return visibleText((await b.get(`/pools/${poolId}/members/${memberId}/status`)).text)
}

describe('enrolment', () => {
  test('it trades the secret for a member token once; the secret then dies', async () => {
    const m = await addMember()
    const first = await enroll(m.secret)
    expect(first.status).toBe(201)
    expect(first.json).toEqual({ memberId: m.id, poolId, token: expect.stringMatching(/^sctla_/), heartbeatSeconds: 10 })
    const reused = await enroll(m.secret)
    expect(reused.status).toBe(401)
    expect(reused.json.error.code).toBe('secret_used')
    expect(await activity(m.id)).toContain('Enrolment refused: this secret was already used')
    const member = (await s.api('GET', `/api/v1/members/${m.id}`)).json
    expect(member.agentVersion).toBe('0.1.0')
    expect(member.status).toBe('pending')
  })

  test('it refuses an address outside the egress IPs, says why on the page, and keeps the secret usable', async () => {
    const m = await addMember('203.0.113.50')
    const res = await enroll(m.secret)
    expect(res.status).toBe(403)
    expect(res.json.error.message).toContain('came from 127.0.0.1, which is not one of this member')
    expect(await activity(m.id)).toContain('came from 127.0.0.1')
    await s.api('PATCH', `/api/v1/members/${m.id}`, { egressIps: ['127.0.0.1'] })
    expect((await enroll(m.secret)).status).toBe(201)
  })

  test('it refuses a hostname that is not the member\'s', async () => {
    const m = await addMember('127.0.0.1', 'db-1.example.com')
    const res = await enroll(m.secret, 'other.example.com')
    expect(res.status).toBe(403)
    expect(res.json.error.code).toBe('hostname_mismatch')
    expect(res.json.error.message).toContain('BALCTL_HOSTNAME=db-1.example.com')
  })

  test('it refuses a made-up secret naming a real member with 401 and writes nothing to that member', async () => {
    const m = await addMember('127.0.0.1', 'edge-0.example.com')
    const before = await events(m.id)
    for (const guess of [`${m.id}.not-the-secret`, `${m.id}.${'A'.repeat(40)}`]) {
      const res = await enroll(guess, 'edge-0.example.com')
      expect(res.status).toBe(401)
      expect(res.json.error).toEqual({ code: 'secret_invalid', message: expect.stringContaining('Enrolment refused: the secret is not valid') })
    }
    expect(await events(m.id)).toEqual(before)
    expect(await activity(m.id)).not.toContain('the secret is not valid')
    // The member's own secret still works: a stranger's guesses cost it nothing.
    expect((await enroll(m.secret, 'edge-0.example.com')).status).toBe(201)
  })

  test('it refuses a replaced and an expired secret, and says so in the member\'s activity', async () => {
    const m = await addMember('127.0.0.1', 'edge-1.example.com')
    const fresh = (await s.api('POST', `/api/v1/members/${m.id}/enrollment`)).json.secret
    const replaced = await enroll(m.secret, 'edge-1.example.com')
    expect(replaced.json.error.code).toBe('secret_replaced')
    expect(await activity(m.id)).toContain('this secret was replaced by a newer install command')

    const { enrollmentSecrets } = await import('../db/schema')
    await s.db.update(enrollmentSecrets).set({ expiresAt: new Date(Date.now() - 1000) })
    const expired = await enroll(fresh, 'edge-1.example.com')
    expect(expired.json.error.code).toBe('secret_expired')
    expect((await events(m.id)).map((e) => e.kind)).toEqual(['enroll.secret_replaced', 'enroll.secret_expired'])
  })

  test('it refuses a malformed enrolment with 422', async () => {
    expect((await post('/api/v1/agent/enroll', { secret: 'x' })).status).toBe(422)
  })
})

describe('heartbeats', () => {
  async function enrolled(hostname: string) {
    const m = await addMember('127.0.0.1', hostname)
    const token = (await enroll(m.secret, hostname)).json.token as string
    return { ...m, token }
  }

  test('a token replaced or dropped behind this server\'s back (another replica, a deleted pool) stops working within seconds, though tokens are cached', async () => {
    const { members } = await import('../db/schema')
    const { eq } = await import('drizzle-orm')
    const refusedSoon = async (token: string) => {
      for (let i = 0; i < 40; i++) {
        if ((await post('/api/v1/agent/heartbeat', sampleHeartbeat(), token)).status === 401) return true
        await Bun.sleep(50)
      }
      return false
    }
    const replaced = await enrolled('cache-1.example.com')
    expect((await post('/api/v1/agent/heartbeat', sampleHeartbeat(), replaced.token)).status).toBe(200)
    // As another replica's enrolment would: straight in the database, not through this server.
    await s.db.update(members).set({ tokenHash: 'f'.repeat(64) }).where(eq(members.id, replaced.id))
    expect(await refusedSoon(replaced.token)).toBe(true)

    const dropped = await enrolled('cache-2.example.com')
    expect((await post('/api/v1/agent/heartbeat', sampleHeartbeat(), dropped.token)).status).toBe(200)
    await s.db.delete(members).where(eq(members.id, dropped.id))
    expect(await refusedSoon(dropped.token)).toBe(true)
  })

  test('it stores the latest state and a point of history, and the member turns healthy', async () => {
    const m = await enrolled('web-1.example.com')
    const res = await post('/api/v1/agent/heartbeat', sampleHeartbeat(), m.token)
    expect(res.status).toBe(200)
    expect(res.json).toEqual({ ok: true, heartbeatSeconds: 10 })
    const member = (await s.api('GET', `/api/v1/members/${m.id}`)).json
    expect(member).toMatchObject({
      status: 'healthy',
      os: { id: 'ubuntu', versionId: '22.04', family: 'debian' },
      stacks: { openlitespeed: { version: '1.7.19' }, mariadb: { flavor: 'mariadb' }, galera: null, cpanel: null },
      metrics: { cpuPercent: 12.5, memUsedBytes: 2 * 2 ** 30, diskTotalBytes: 80 * 2 ** 30, load1: 0.42 },
    })
    const { memberMetrics } = await import('../db/schema')
    const points = await s.db.select().from(memberMetrics)
    expect(points.filter((p) => p.memberId === m.id)).toHaveLength(1)
    await post('/api/v1/agent/heartbeat', sampleHeartbeat({ cpuPercent: 50 }), m.token)
    // Two points when a minute began between the heartbeats: the newest is the last only when asked for in order.
    const again = (await s.db.select().from(memberMetrics).orderBy(memberMetrics.minute)).filter((p) => p.memberId === m.id)
    expect(again.length).toBeLessThanOrEqual(2)
    expect(again.at(-1)!.cpuPercent).toBe(50)
  })

  test('a heartbeat repeating the stored inventory writes only its figures; a changed one, or one another writer replaced, is stored whole', async () => {
    const { members } = await import('../db/schema')
    const { eq } = await import('drizzle-orm')
    const m = await enrolled('inventory-1.example.com')
    const row = async () => (await s.db.select().from(members).where(eq(members.id, m.id)))[0]!
    const beat = async (hb: ReturnType<typeof sampleHeartbeat>) => expect((await post('/api/v1/agent/heartbeat', hb, m.token)).status).toBe(200)
    const hb = sampleHeartbeat()
    await beat(hb)
    const first = await row()
    expect(first.inventoryFingerprint).toBeString()

    // Proof that the repeat leaves the inventory alone: a mark put in the stored apps survives it.
    await s.db.update(members).set({ apps: [{ mark: true }] }).where(eq(members.id, m.id))
    await beat({ ...hb, cpuPercent: 77, memory: { ...hb.memory!, usedBytes: 3 * 2 ** 30 } })
    const repeated = await row()
    expect(repeated.apps).toEqual([{ mark: true }])
    expect(repeated.hostState).toMatchObject({ cpuPercent: 77, memory: { usedBytes: 3 * 2 ** 30 }, services: hb.services, updates: hb.updates })
    expect(repeated.summary).toMatchObject({ cpu: 77, memPercent: 75 })

    const upgraded = { ...hb, stacks: { ...hb.stacks, mariadb: { ...hb.stacks.mariadb!, version: '10.11.7' } } }
    await beat(upgraded)
    expect(((await row()).stacks as any).mariadb.version).toBe('10.11.7')
    expect((await row()).apps).toEqual(hb.apps)

    // Another replica stores another inventory; this server still remembers the one before.
    await s.db.update(members).set({ stacks: {}, apps: [], inventoryFingerprint: 'another' }).where(eq(members.id, m.id))
    await beat({ ...upgraded, cpuPercent: 5 })
    const after = await row()
    expect((after.stacks as any).mariadb.version).toBe('10.11.7')
    expect(after.apps).toEqual(hb.apps)
    expect(after.hostState).toMatchObject({ cpuPercent: 5 })
    expect(after.inventoryFingerprint).not.toBe('another')
  })

  test('it refuses a bad token with 401, a foreign address with 403, and bad payloads with 422, storing nothing', async () => {
    const m = await enrolled('db-2.example.com')
    expect((await post('/api/v1/agent/heartbeat', sampleHeartbeat(), 'sctla_wrong')).status).toBe(401)
    expect((await post('/api/v1/agent/heartbeat', { ...sampleHeartbeat(), cpuPercent: 'lots' }, m.token)).status).toBe(422)
    expect((await post('/api/v1/agent/heartbeat', { ...sampleHeartbeat(), extra: 1 }, m.token)).status).toBe(422)
    expect((await s.api('GET', `/api/v1/members/${m.id}`)).json.status).toBe('pending')

    await s.api('PATCH', `/api/v1/members/${m.id}`, { egressIps: ['203.0.113.99'] })
    const foreign = await post('/api/v1/agent/heartbeat', sampleHeartbeat(), m.token)
    expect(foreign.status).toBe(403)
    expect((await s.api('GET', `/api/v1/members/${m.id}`)).json.lastHeartbeatAt).toBeNull()
  })

  test('it refuses a heartbeat over 256 KiB with 413', async () => {
    const m = await enrolled('big.example.com')
    const certificates = Array.from({ length: 2000 }, (_, i) => ({ domain: `d${i}.example.com`, path: `/etc/ssl/${'x'.repeat(100)}${i}.pem`, notAfter: null, issuer: null }))
    const res = await post('/api/v1/agent/heartbeat', sampleHeartbeat({ certificates }), m.token)
    expect(res.status).toBe(413)
  })

  test('a removed member\'s token stops working', async () => {
    const m = await enrolled('temp.example.com')
    await s.api('DELETE', `/api/v1/members/${m.id}`)
    const res = await post('/api/v1/agent/heartbeat', sampleHeartbeat(), m.token)
    expect(res.status).toBe(401)
  })

  describe('cPanel accounts and listeners', () => {
    const cpanelHost = join(import.meta.dir, '../../agent/fixtures/cpanel-host')
    const withCpanel = (cpanel: unknown, more: object = {}) => ({ ...sampleHeartbeat(), stacks: { ...sampleHeartbeat().stacks, cpanel }, ...more })
    const hostState = async (id: string) => {
      const { members } = await import('../db/schema')
      const { eq } = await import('drizzle-orm')
      const [row] = await s.db.select({ hostState: members.hostState, stacks: members.stacks }).from(members).where(eq(members.id, id))
      return row!
    }

    test('it stores the full report and the listeners; the member API shows the accounts as sent', async () => {
      const m = await enrolled('whm-1.example.com')
      const cpanel = detectCpanel(cpanelHost)!
      const listeners = [{ port: 25, address: '0.0.0.0', process: 'exim' }, { port: 2087, address: '::', process: null }]
      expect((await post('/api/v1/agent/heartbeat', withCpanel(cpanel, { listeners }), m.token)).status).toBe(200)
      const member = (await s.api('GET', `/api/v1/members/${m.id}`)).json
      expect(member.stacks.cpanel).toEqual(cpanel)
      expect(member.stacks.cpanel.accounts[1]).toMatchObject({ user: 'bob', domains: ['bobsbikes.example.net'], plan: 'Starter', owner: 'root', suspended: true, diskBytes: 13 })
      expect((await hostState(m.id)).hostState).toMatchObject({ listeners })
    })

    test('an older agent\'s accounts are stored as sent and read with defaults', async () => {
      const m = await enrolled('whm-2.example.com')
      const old = { version: '11.110.0.5', accounts: [{ user: 'carol', domain: 'carol.example' }] }
      expect((await post('/api/v1/agent/heartbeat', withCpanel(old), m.token)).status).toBe(200)
      expect((await hostState(m.id)).stacks.cpanel).toEqual(old)
      expect((await hostState(m.id)).hostState).not.toHaveProperty('listeners')
      const member = (await s.api('GET', `/api/v1/members/${m.id}`)).json
      expect(member.stacks.cpanel).toEqual({
        version: '11.110.0.5',
        accounts: [{
          user: 'carol', domain: 'carol.example', domains: [], plan: null, owner: null, suspended: false,
          suspendReason: null, contactEmail: null, ip: null, startDate: null, diskBytes: null,
        }],
        packages: [],
        backup: null,
        accountCount: 1,
      })
    })

    test('it refuses over-long lists with 422 and keeps what it had', async () => {
      const m = await enrolled('whm-3.example.com')
      const account = { user: 'dave', domain: 'dave.example', domains: Array.from({ length: 1001 }, (_, i) => `d${i}.example`) }
      const listeners = Array.from({ length: MAX_LISTENERS + 1 }, (_, i) => ({ port: i, address: '0.0.0.0', process: null }))
      expect((await post('/api/v1/agent/heartbeat', withCpanel({ version: null, accounts: [account] }), m.token)).status).toBe(422)
      expect((await post('/api/v1/agent/heartbeat', withCpanel({ version: null, accounts: [], packages: Array(2001).fill('p') }), m.token)).status).toBe(422)
      expect((await post('/api/v1/agent/heartbeat', sampleHeartbeat({ listeners }), m.token)).status).toBe(422)
      expect((await s.api('GET', `/api/v1/members/${m.id}`)).json.status).toBe('pending')
    })

    test('a shared host with thousands of accounts still gets its heartbeat through: the agent cuts the list to fit the body limit', async () => {
      const m = await enrolled('whm-4.example.com')
      const accounts: CpanelAccount[] = Array.from({ length: 5000 }, (_, i) => ({
        user: `user${String(i).padStart(4, '0')}`, domain: `site-${i}.example.com`, domains: [`www-${i}.example.net`, `shop-${i}.example.org`],
        plan: 'reseller_Business', owner: 'reseller1', suspended: false, suspendReason: null, contactEmail: `owner${i}@mail.example.com`,
        ip: '203.0.113.10', startDate: 1_704_067_200, diskBytes: 123_456_789,
      }))
      const hb = sampleHeartbeat()
      const inspection = fitInspection({ os: hb.os, stacks: { ...hb.stacks, cpanel: { version: '11.118.0.19', accounts, accountCount: 5000 } }, apps: hb.apps })
      const res = await post('/api/v1/agent/heartbeat', { ...hb, ...inspection }, m.token)
      expect(res.status).toBe(200)
      const member = (await s.api('GET', `/api/v1/members/${m.id}`)).json
      expect(member.stacks.cpanel.accountCount).toBe(5000)
      expect(member.stacks.cpanel.accounts.length).toBeGreaterThan(300)
    })
  })
})
