import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { visibleText, type Browser, type TestServer } from '../testing/harness'
import { cpanelHeartbeat } from '../testing/heartbeat-fixture'
import { memberWith, signedInWithPool } from '../jobs/tab-fixture'
import { jobs, members } from '../db/schema'
import { queueJob } from '../jobs/service'
import * as jobStore from '../jobs/store'
import * as service from './service'
import * as store from './store'
import { newId } from '../crypto/tokens'

let s: TestServer
let b: Browser
let poolId: string

const EVIL = '<script>alert(1)</script>'

type M = Awaited<ReturnType<typeof memberWith>>
let east: M
let west: M
const admin = { userId: null, label: 'test', ip: null }
const tab = () => `/pools/${poolId}/protection`
const PANEL = { 'hx-request': 'true', 'hx-target': 'div#pool-panel' }

beforeAll(async () => {
  ;({ s, b, poolId } = await signedInWithPool('Protected'))
  east = await memberWith(s, poolId, 'east-1', cpanelHeartbeat([
    { user: 'alice', domain: 'alice.example.com' },
    { user: 'bob', domain: 'bob.example.com' },
    { user: 'carol', domain: 'carol.example.com' },
    { user: 'dave', domain: EVIL },
  ]))
  west = await memberWith(s, poolId, 'west-1', cpanelHeartbeat([{ user: 'erin', domain: 'erin.example.com' }]))
  await s.db.update(members).set({ location: { lat: 40.7, lon: -74, label: 'New York' } }).where(eq(members.id, east.id))
})
afterAll(() => s.close())

describe('the Protection tab', () => {
  test('it serves the tab as a whole page and as a fragment, with honest empty states', async () => {
    const full = await b.get(tab())
    expect(full.status).toBe(200)
    expect(full.text).toContain('<html')
    expect(full.text).toContain('aria-current="page" data-tab="protection"')
    const text = visibleText(full.text)
    expect(text).toContain('No protected accounts yet')
    expect(text).toContain('No replication events yet')
    expect(text).toContain('Protected accounts')
    // Server cards: both cPanel members, their readiness and geography.
    expect(full.text).toContain(`data-member-id="${east.id}"`)
    expect(text).toContain('Location: New York')
    expect(text).toContain('No location set')
    expect(text).toContain('cPanel 11.120.0.9 · 4 accounts')
    expect(text).toContain('Storage: folder on the control plane')
    // The map says which members have no location.
    expect(text).toContain('Not on the map (no location set on their Settings tab): west-1')
    // No run in flight: no polling.
    expect(full.text).toContain('data-live="false"')
    expect(full.text).not.toContain('every 3s')

    const frag = await b.get(tab(), PANEL)
    expect(frag.status).toBe(200)
    expect(frag.text).not.toContain('<html')
    expect(frag.text).toContain('id="protection-tab"')
    expect(frag.text).toContain('id="pool-tabs"')
  })

  test('it refuses to protect with no account chosen, the same member as standby or a bad TTL, changing nothing', async () => {
    await b.get(tab())
    const base: [string, string][] = [['sourceMemberId', east.id], ['standbyMemberId', west.id], ['schedule', '1d'], ['ttl', '300'], ['providerId', '']]
    const none = await b.post(`${tab()}/protect`, base)
    expect(none.status).toBe(422)
    expect(visibleText(none.text)).toContain('Choose at least one account to protect.')

    const same = await b.post(`${tab()}/protect`, [['users', 'alice'], ...base.map(([k, v]) => [k, k === 'standbyMemberId' ? east.id : v] as [string, string])])
    expect(same.status).toBe(422)
    expect(same.text).toMatch(/field has-error[\s\S]*?name="standbyMemberId"[\s\S]*?The standby must be another member/)

    const ttl = await b.post(`${tab()}/protect`, [['users', 'alice'], ...base.map(([k, v]) => [k, k === 'ttl' ? '5' : v] as [string, string])])
    expect(ttl.status).toBe(422)
    expect(ttl.text).toMatch(/A DNS TTL of 30 to 86400 seconds/)
    // What was typed comes back.
    expect(ttl.text).toMatch(/name="ttl"[^>]*value="5"/)
    expect(await store.listPoolProtected(s.db, poolId)).toHaveLength(0)
  })

  test('it protects several accounts at once and lists them with their schedule, TTL and standby', async () => {
    await b.get(tab())
    const res = await b.post(`${tab()}/protect`, [
      ['sourceMemberId', east.id],
      ['users', 'alice'],
      ['users', 'dave'],
      ['standbyMemberId', west.id],
      ['schedule', '6h'],
      ['ttl', '120'],
      ['providerId', ''],
    ])
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(tab())
    const rows = await store.listPoolProtected(s.db, poolId)
    expect(rows.map((r) => r.user).sort()).toEqual(['alice', 'dave'])
    expect(rows.every((r) => r.schedule === '6h' && r.ttl === 120 && r.standbyMemberId === west.id)).toBe(true)

    const page = await b.get(tab())
    const text = visibleText(page.text)
    expect(text).toContain('Protected alice, dave: first copy to west-1 within 15 seconds, then on schedule.')
    expect(text).toContain('east-1 → west-1')
    expect(text).toContain('every 6 hours')
    expect(text).toContain('120 s')
    expect(text).toContain('no copy yet')
    // Nothing pressed yet: the first copies are due at once, and the tab says so.
    expect(text).toContain('first copy due now')
    // Already protected accounts are marked in the form.
    expect(page.text).toContain('alice (protected)')

    // Protecting one again is refused by its field.
    const again = await b.post(`${tab()}/protect`, [['sourceMemberId', east.id], ['users', 'alice'], ['standbyMemberId', west.id], ['schedule', '1d'], ['ttl', '300']])
    expect(again.status).toBe(409)
    expect(visibleText(again.text)).toContain('alice on that member is protected already')
    expect(await store.listPoolProtected(s.db, poolId)).toHaveLength(2)
  })

  test('the protect form lists the chosen source’s accounts', async () => {
    const res = await b.get(`${tab()}/protect/accounts?sourceMemberId=${west.id}`, { 'hx-request': 'true' })
    expect(res.status).toBe(200)
    expect(res.text).toContain('value="erin"')
    expect(res.text).not.toContain('value="alice"')
  })

  test('KPIs and rows read the runs: last good copy, N min behind, stale and failing, progress while running', async () => {
    const now = Date.now()
    const [alice, dave] = (await store.listPoolProtected(s.db, poolId)).sort((x, y) => x.user.localeCompare(y.user))
    // alice: copied 30 min ago, a run in flight at 40 %.
    const job = await queueJob(s.db, admin, east.id, 'backup.cpanel_account', { user: 'alice' })
    await s.db.update(jobs).set({ status: 'running', progress: 40, startedAt: new Date(now - 60_000) }).where(eq(jobs.id, job.id))
    const run = await store.insertRun(s.db, {
      id: newId('rr'), protectedAccountId: alice!.id, poolId, user: 'alice', sourceMemberId: east.id, standbyMemberId: west.id,
      status: 'running', phase: 'backup', trigger: 'manual', requestedBy: 'test', backupJobId: job.id, bytesUploaded: 5 * 2 ** 20, startedAt: new Date(now - 60_000),
    })
    await store.updateProtected(s.db, alice!.id, { lastGoodCopyAt: new Date(now - 30 * 60_000), lastRunId: run.id, staleAt: new Date(now + 3600_000) })
    // dave: copied 13 h ago on a 6 h schedule, the last run failed: stale and failing.
    const failed = await store.insertRun(s.db, {
      id: newId('rr'), protectedAccountId: dave!.id, poolId, user: 'dave', sourceMemberId: east.id, standbyMemberId: west.id,
      status: 'failed', phase: 'restore', trigger: 'schedule', requestedBy: 'test', error: `restore refused ${EVIL}`, finishedAt: new Date(now - 3600_000),
    })
    await store.updateProtected(s.db, dave!.id, { lastGoodCopyAt: new Date(now - 13 * 3600_000), lastRunId: failed.id, staleAt: new Date(now - 3600_000) })
    await store.insertEvent(s.db, { poolId, protectedAccountId: dave!.id, kind: 'failure', message: `replication of dave failed: ${EVIL}` })
    await store.insertEvent(s.db, { poolId, protectedAccountId: alice!.id, kind: 'sync', message: 'alice copied to west-1' })

    const page = await b.get(tab())
    const text = visibleText(page.text)
    expect(page.text).toMatch(/data-kpi="recovery-point"[\s\S]*?13 h/)
    expect(text).toContain('dave: standby west-1 is 13 h behind')
    expect(text).toContain('standby is 30 min behind')
    expect(page.text).toContain(`data-user="dave" data-health="failing" data-stale="true"`)
    expect(text).toContain('standby is 13 h behind · stale')
    // A run in flight: the table polls itself, and shows the progress.
    expect(page.text).toContain('data-live="true"')
    expect(page.text).toMatch(/id="protection-accounts"[^>]*hx-trigger="every 3s"/)
    expect(text).toContain('5.0 MiB up')
    expect(text).toContain('40%')
    // Agent and user text is escaped everywhere.
    expect(page.text).not.toContain(EVIL)
    expect(page.text).toContain('&lt;script&gt;')

    // The poll answers the table and the KPIs only.
    const poll = await b.get(tab(), { 'hx-request': 'true', 'hx-target': 'div#protection-accounts' })
    expect(poll.text.startsWith('<div id="protection-accounts"')).toBe(true)
    expect(poll.text).toContain('hx-target="#protection-kpis"')
    expect(poll.text).not.toContain('id="protection-log"')
  })

  test('the replication log filters by kind, deep-linkable', async () => {
    const all = visibleText((await b.get(tab())).text)
    expect(all).toContain('alice copied to west-1')
    const failures = await b.get(`${tab()}?kind=failure`)
    expect(failures.text).toContain('<html')
    expect(failures.text).toContain('data-kind="failure"')
    expect(visibleText(failures.text)).not.toContain('alice copied to west-1')
    expect(failures.text).toContain('data-event-kind="failure"')
    const frag = await b.get(`${tab()}?kind=sync`, { 'hx-request': 'true', 'hx-target': 'section#protection-log' })
    expect(frag.text.startsWith('<section class="card" id="protection-log"')).toBe(true)
    expect(frag.text).toContain('alice copied to west-1')
    expect(frag.text).not.toContain('data-event-kind="failure"')
    const none = visibleText((await b.get(`${tab()}?kind=cut`)).text)
    expect(none).toContain('No dns cut events')
  })

  test('Replicate now is refused while a run is in flight; edit changes the schedule; a bad TTL changes nothing', async () => {
    await b.get(tab())
    const [alice, dave] = (await store.listPoolProtected(s.db, poolId)).sort((x, y) => x.user.localeCompare(y.user))
    const busy = await b.post(`${tab()}/accounts/${alice!.id}/replicate`, {})
    expect(busy.status).toBe(409)
    expect(visibleText(busy.text)).toContain('A replication run of alice is under way')

    const ok = await b.post(`${tab()}/accounts/${dave!.id}/replicate`, {})
    expect(ok.status).toBe(303)
    const runs = await store.listAccountRuns(s.db, dave!.id, 5)
    expect(runs[0]!.status).toBe('queued')
    const backup = await jobStore.findJob(s.db, runs[0]!.backupJobId!)
    expect(backup!.name).toBe('backup.cpanel_account')
    expect(backup!.params).toMatchObject({ user: 'dave' })

    const edit = await b.post(`${tab()}/accounts/${dave!.id}/edit`, { schedule: '1w', ttl: '600', providerId: '' })
    expect(edit.status).toBe(303)
    const edited = await service.getProtected(s.db, dave!.id)
    expect(edited.schedule).toBe('1w')
    expect(edited.ttl).toBe(600)
    expect(edited.enabled).toBe(false)

    const bad = await b.post(`${tab()}/accounts/${dave!.id}/edit`, { schedule: '1w', ttl: 'x', providerId: '', enabled: 'on' })
    expect(bad.status).toBe(422)
    expect(bad.text).toContain(`id="pa-manage-${dave!.id}" class="confirm-dialog" aria-labelledby="pa-manage-${dave!.id}-title" data-reopen=""`)
    expect((await service.getProtected(s.db, dave!.id)).enabled).toBe(false)
  })

  test('Replicate protected queues every enabled account not running', async () => {
    await b.get(tab())
    const [alice, dave] = (await store.listPoolProtected(s.db, poolId)).sort((x, y) => x.user.localeCompare(y.user))
    await service.updateProtected(s.db, admin, dave!.id, { enabled: true })
    const before = (await store.listAccountRuns(s.db, dave!.id, 10)).length
    const res = await b.post(`${tab()}/replicate`, {})
    expect(res.status).toBe(303)
    // dave's earlier run is still queued: both are in flight, none is added.
    expect((await store.listAccountRuns(s.db, dave!.id, 10)).length).toBe(before)
    expect((await store.listAccountRuns(s.db, alice!.id, 10)).length).toBe(1)
  })

  test('Cut DNS needs the account name typed; without a provider it is refused by the form', async () => {
    await b.get(tab())
    const [alice] = (await store.listPoolProtected(s.db, poolId)).sort((x, y) => x.user.localeCompare(y.user))
    const untyped = await b.post(`${tab()}/accounts/${alice!.id}/cut`, { confirm: 'alic' })
    expect(untyped.status).toBe(422)
    expect(visibleText(untyped.text)).toContain('Type alice to cut its DNS to west-1. Nothing was changed.')
    expect(untyped.text).toContain(`id="pa-cut-${alice!.id}" class="confirm-dialog" aria-labelledby="pa-cut-${alice!.id}-title" data-reopen=""`)
    const typed = await b.post(`${tab()}/accounts/${alice!.id}/cut`, { confirm: 'alice' })
    expect(typed.status).toBeGreaterThanOrEqual(400)
    expect(typed.status).toBeLessThan(500)
    expect((await store.listPoolEvents(s.db, poolId, { kind: 'cut', limit: 5 })).length).toBe(0)
  })

  test('Unprotect removes the protection, and only in its own pool', async () => {
    await b.get(tab())
    const [alice, dave] = (await store.listPoolProtected(s.db, poolId)).sort((x, y) => x.user.localeCompare(y.user))
    const other = (await s.api('POST', '/api/v1/pools', { name: 'Other', preset: 'generic' })).json.id as string
    const wrong = await b.post(`/pools/${other}/protection/accounts/${dave!.id}/unprotect`, {})
    expect(wrong.status).toBe(404)
    const res = await b.post(`${tab()}/accounts/${dave!.id}/unprotect`, {})
    expect(res.status).toBe(303)
    expect((await store.listPoolProtected(s.db, poolId)).map((r) => r.id)).toEqual([alice!.id])
  })
})

describe('Protection elsewhere', () => {
  test('the cPanel Overview shows which accounts here are protected and which copies are kept here', async () => {
    const source = visibleText((await b.get(east.tab('cpanel'))).text)
    expect(source).toContain('Protected from here Standby Standby copy alice west-1')
    expect(source).toContain('This server keeps no standby copy of accounts elsewhere.')
    const standby = visibleText((await b.get(west.tab('cpanel'))).text)
    expect(standby).toContain('Standby copy kept here Lives on Copy alice east-1')
    expect(standby).toContain('No account on this server is protected.')
  })

  test('the pool Overview says the worst recovery point and how many are stale', async () => {
    const [alice] = await store.listPoolProtected(s.db, poolId)
    await store.updateProtected(s.db, alice!.id, { lastGoodCopyAt: new Date(Date.now() - 3 * 3600_000), staleAt: new Date(Date.now() - 60_000) })
    const page = await b.get(`/pools/${poolId}`)
    expect(page.text).toContain('id="fleet-protection" data-stale="1"')
    expect(visibleText(page.text)).toContain('Protection : 1 protected account · worst recovery point: standby 3 h behind · 1 stale.')
  })

  test('the pool Overview counts accounts still waiting for their first copy beside the worst recovery point', async () => {
    const [bob] = await service.protectAccounts(s.db, admin, poolId, [{ sourceMemberId: east.id, user: 'bob', standbyMemberId: west.id, schedule: '1d', ttl: 300, providerId: null }])
    try {
      const text = visibleText((await b.get(`/pools/${poolId}`)).text)
      expect(text).toContain('Protection : 2 protected accounts · worst recovery point: standby 3 h behind · 1 without a copy yet · 1 stale.')
    } finally {
      await store.deleteProtected(s.db, bob!.id)
    }
  })
})
