import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { and, eq } from 'drizzle-orm'
import { auditEvents, cpanelCopies, jobs, members, snapshots } from '../db/schema'
import * as jobStore from '../jobs/store'
import { memberActivity } from '../members/activity'
import { seedSnapshot, fakeChunk } from '../backups/test-kit'
import { advanceCopies, getCopy, listCopies, startPushCopy } from './copies'
import { cpanelKit, type CpanelKit, type KitMember } from './test-kit'

let k: CpanelKit
let poolId: string
let src: KitMember
let dst: KitMember
let third: KitMember
let plain: KitMember
beforeAll(async () => {
  k = await cpanelKit()
  poolId = await k.pool('cPanel copies')
  src = await k.cpanelMember(poolId, 'web-1', ['bob', 'carol', 'dave', 'erin', 'fred', 'gina'])
  dst = await k.cpanelMember(poolId, 'web-2', ['zoe'])
  third = await k.cpanelMember(poolId, 'web-3', [])
  plain = await k.cpanelMember(poolId, 'db-1', null)
})
afterAll(() => k.close())

const actor = { userId: null, label: 'alice@example.com', ip: null }
const jobsNamed = async (memberId: string, name: string) => k.s.db.select().from(jobs).where(and(eq(jobs.memberId, memberId), eq(jobs.name, name)))
const copyRows = async () => k.s.db.select().from(cpanelCopies)
const jobCount = async () => (await k.s.db.select().from(jobs)).length

/** The source's agent takes the backup job, stores the account as a snapshot, and finishes. */
async function backUp(copyId: string, user: string) {
  const copy = await getCopy(k.s.db, copyId)
  const claimed = await k.claim(src)
  expect(claimed).toMatchObject({ id: copy.backupJobId, name: 'backup.cpanel_account', params: { user } })
  const res = await k.backUp(src, copy.backupJobId, { kind: 'cpanel_account', source: user, chunks: [fakeChunk(3000), fakeChunk(1200)] })
  expect(res.status).toBe(201)
  return { jobId: copy.backupJobId, snapshotId: res.json.snapshotId as string }
}

describe('a push copy', () => {
  test('backs up on the source, restores that snapshot on the target as the backup finishes, and ends when the restore does', async () => {
    const res = await k.s.api('POST', `/api/v1/members/${src.id}/cpanel/copies`, { user: 'bob', targetMemberId: dst.id })
    expect(res.status).toBe(201)
    expect(res.json).toMatchObject({ poolId, user: 'bob', sourceMemberId: src.id, sourceName: 'web-1', targetMemberId: dst.id, targetName: 'web-2', state: 'backing_up', restoreJobId: null, snapshotId: null, error: null, finishedAt: null })
    const id = res.json.id as string

    const { jobId, snapshotId } = await backUp(id, 'bob')
    expect((await k.finish(src, jobId, { status: 'succeeded' })).status).toBe(200)
    // The finish moved it on at once: no tick needed.
    const restoring = await getCopy(k.s.db, id)
    expect(restoring).toMatchObject({ state: 'restoring', snapshotId })
    const [restore] = await jobsNamed(dst.id, 'restore.cpanel_account')
    expect(restore).toMatchObject({ id: restoring.restoreJobId!, status: 'queued', params: { snapshotId }, requestedBy: (await k.s.api('GET', `/api/v1/jobs/${jobId}`)).json.requestedBy })

    // The snapshot is the source's, listed with its others.
    const listed = await k.s.api('GET', `/api/v1/members/${src.id}/snapshots`)
    expect(listed.json.find((s: any) => s.id === snapshotId)).toMatchObject({ kind: 'cpanel_account', source: 'bob', memberId: src.id })

    // The target's agent reads the snapshot and restores it.
    const claimed = await k.claim(dst)
    expect(claimed!.id).toBe(restore!.id)
    const start = await k.call(dst, restore!.id, 'start', {})
    expect(start.json.snapshot).toMatchObject({ id: snapshotId, kind: 'cpanel_account', source: 'bob' })
    expect((await k.call(dst, restore!.id, 'read', { ids: start.json.snapshot.chunks.map((c: any) => c.id) })).status).toBe(200)
    await k.finish(dst, restore!.id, { status: 'succeeded' })
    const done = await getCopy(k.s.db, id)
    expect(done).toMatchObject({ state: 'succeeded', error: null })
    expect(done.finishedAt).toBeInstanceOf(Date)
    expect((await k.s.api('GET', `/api/v1/cpanel-copies/${id}`)).json).toMatchObject({ id, state: 'succeeded', restoreJobId: restore!.id })

    const audit = JSON.stringify(await k.s.db.select().from(auditEvents))
    expect(audit).toContain('cpanel.copy.start')
    // The member's history names the account.
    const activity = await memberActivity(k.s.db, src.id, 1)
    expect(activity.items.map((i) => i.job?.title)).toContain('Back up a cPanel account: bob')
  })

  test('the restore is queued exactly once, however many ticks run at once', async () => {
    const copy = await startPushCopy(k.s.db, actor, { sourceMemberId: src.id, user: 'carol', targetMemberId: dst.id })
    const { jobId } = await backUp(copy.id, 'carol')
    // Finished behind the hook's back: only the ticks can move it.
    await jobStore.updateWhere(k.s.db, jobId, ['running'], { status: 'succeeded', finishedAt: new Date() })
    const runs = await Promise.all([advanceCopies(k.s.db), advanceCopies(k.s.db), advanceCopies(k.s.db)])
    expect(runs.reduce((n, r) => n + r.restoring, 0)).toBe(1)
    const current = await getCopy(k.s.db, copy.id)
    expect(current.state).toBe('restoring')
    const restores = (await jobsNamed(dst.id, 'restore.cpanel_account')).filter((j) => j.params.snapshotId === current.snapshotId)
    expect(restores.map((j) => j.id)).toEqual([current.restoreJobId!])
    expect(await advanceCopies(k.s.db)).toEqual({ restoring: 0, succeeded: 0, failed: 0 })
    await jobStore.updateWhere(k.s.db, current.restoreJobId!, ['queued'], { status: 'failed', error: 'restorepkg: the account bob already exists', finishedAt: new Date() })
    expect(await advanceCopies(k.s.db)).toEqual({ restoring: 0, succeeded: 0, failed: 1 })
    expect(await getCopy(k.s.db, copy.id)).toMatchObject({ state: 'failed', error: 'restorepkg: the account bob already exists' })
  })

  test('a backup that failed, was cancelled or timed out fails the copy with its reason', async () => {
    const failed = await startPushCopy(k.s.db, actor, { sourceMemberId: src.id, user: 'dave', targetMemberId: dst.id })
    const claimed = await k.claim(src)
    expect(claimed!.id).toBe(failed.backupJobId)
    await k.finish(src, failed.backupJobId, { status: 'failed', error: 'pkgacct exited with status 1' })
    expect(await getCopy(k.s.db, failed.id)).toMatchObject({ state: 'failed', error: 'pkgacct exited with status 1', restoreJobId: null })

    const cancelled = await startPushCopy(k.s.db, actor, { sourceMemberId: src.id, user: 'dave', targetMemberId: dst.id })
    expect((await k.s.api('POST', `/api/v1/jobs/${cancelled.backupJobId}/cancel`)).status).toBe(200)
    await advanceCopies(k.s.db)
    expect(await getCopy(k.s.db, cancelled.id)).toMatchObject({ state: 'failed', error: 'The backup was cancelled.' })

    const late = await startPushCopy(k.s.db, actor, { sourceMemberId: src.id, user: 'dave', targetMemberId: dst.id })
    await k.claim(src)
    await jobStore.updateWhere(k.s.db, late.backupJobId, ['running'], { status: 'timed_out', finishedAt: new Date() })
    await advanceCopies(k.s.db)
    expect(await getCopy(k.s.db, late.id)).toMatchObject({ state: 'failed', error: 'The backup timed out.' })

    // A backup that "succeeded" without storing a snapshot is no copy either.
    const empty = await startPushCopy(k.s.db, actor, { sourceMemberId: src.id, user: 'dave', targetMemberId: dst.id })
    await k.claim(src)
    await k.finish(src, empty.backupJobId, { status: 'succeeded' })
    expect(await getCopy(k.s.db, empty.id)).toMatchObject({ state: 'failed', error: 'The backup ended without a snapshot.' })
    expect(await jobsNamed(dst.id, 'restore.cpanel_account').then((js) => js.filter((j) => j.createdAt > failed.createdAt).length)).toBe(0)
  })

  test('a target that cannot take the restore any more fails the copy instead of leaving it stuck', async () => {
    const copy = await startPushCopy(k.s.db, actor, { sourceMemberId: src.id, user: 'erin', targetMemberId: third.id })
    const { jobId } = await backUp(copy.id, 'erin')
    // cPanel removed from the target meanwhile.
    await k.s.db.update(members).set({ stacks: {} }).where(eq(members.id, third.id))
    await k.finish(src, jobId, { status: 'succeeded' })
    const now = await getCopy(k.s.db, copy.id)
    expect(now.state).toBe('failed')
    expect(now.error).toContain('The restore was not queued: cPanel is not installed')
    expect(await jobsNamed(third.id, 'restore.cpanel_account')).toHaveLength(0)
    await k.setAccounts(third, [])
  })

  test('refusals are clear 4xx answers that queue nothing', async () => {
    const far = await k.cpanelMember(await k.pool('Far away'), 'far-1', ['bob'])
    await k.setAccounts(dst, ['zoe', 'fred'])
    const inFlight = await startPushCopy(k.s.db, actor, { sourceMemberId: src.id, user: 'gina', targetMemberId: dst.id })
    const before = await jobCount()
    const copies = (await copyRows()).length
    const cases: [string, unknown, number, RegExp][] = [
      [src.id, { user: 'bob', targetMemberId: far.id }, 422, /another pool/],
      [src.id, { user: 'bob', targetMemberId: 'mem_nope' }, 422, /no such member/],
      [src.id, { user: 'bob', targetMemberId: plain.id }, 422, /cPanel is not installed on db-1/],
      [plain.id, { user: 'bob', targetMemberId: dst.id }, 422, /cPanel is not installed on db-1/],
      [src.id, { user: 'bob', targetMemberId: src.id }, 422, /on this server already/],
      [src.id, { user: 'nobody', targetMemberId: dst.id }, 422, /web-1 has no cPanel account called nobody/],
      [src.id, { user: 'Bob', targetMemberId: dst.id }, 422, /cPanel user name/],
      [src.id, { user: 'fred', targetMemberId: dst.id }, 409, /web-2 has an account called fred already/],
      [src.id, { user: 'fred', targetMemberId: dst.id, replace: false }, 409, /replace/],
      [src.id, { user: 'gina', targetMemberId: dst.id }, 409, /under way/],
      [src.id, { user: 'bob', targetMemberId: dst.id, replace: 'yes' }, 422, /./],
      [src.id, { user: 'bob', targetMemberId: dst.id, shell: 'id' }, 422, /./],
      [src.id, { user: 'x'.repeat(17), targetMemberId: dst.id }, 422, /./],
      [src.id, { targetMemberId: dst.id }, 422, /./],
      ['mem_nope', { user: 'bob', targetMemberId: dst.id }, 404, /Member not found/],
    ]
    for (const [source, body, status, message] of cases) {
      const res = await k.s.api('POST', `/api/v1/members/${source}/cpanel/copies`, body)
      expect({ source, body, status: res.status }).toEqual({ source, body, status })
      expect(res.json.error.message).toMatch(message)
    }
    expect(await jobCount()).toBe(before)
    expect((await copyRows()).length).toBe(copies)
    expect((await k.s.api('GET', '/api/v1/cpanel-copies/copy_nope')).status).toBe(404)
    expect((await k.s.api('GET', '/api/v1/members/mem_nope/cpanel/copies')).status).toBe(404)
    expect((await k.s.api('GET', `/api/v1/members/${src.id}/cpanel/copies`, undefined, null)).status).toBe(401)

    // Replace allows it; two at once let exactly one through.
    const both = await Promise.all([1, 2].map(() => k.s.api('POST', `/api/v1/members/${src.id}/cpanel/copies`, { user: 'fred', targetMemberId: dst.id, replace: true })))
    expect(both.map((r) => r.status).sort()).toEqual([201, 409])
    const made = both.find((r) => r.status === 201)!.json
    expect(made).toMatchObject({ user: 'fred', state: 'backing_up' })
    expect(await jobCount()).toBe(before + 1)
    await k.s.api('POST', `/api/v1/jobs/${made.backupJobId}/cancel`)
    await k.s.api('POST', `/api/v1/jobs/${inFlight.backupJobId}/cancel`)
    await advanceCopies(k.s.db)
    await k.setAccounts(dst, ['zoe'])
  })

  test('copies from or to a member, newest first, at most 20, with both names', async () => {
    const listed = await listCopies(k.s.db, { memberId: dst.id })
    expect(listed.length).toBeGreaterThan(3)
    expect(listed.length).toBeLessThanOrEqual(20)
    expect(listed.every((c) => c.targetMemberId === dst.id || c.sourceMemberId === dst.id)).toBe(true)
    const times = listed.map((c) => c.createdAt.getTime())
    expect([...times].sort((a, b) => b - a)).toEqual(times)
    expect(listed[0]).toMatchObject({ sourceName: 'web-1', targetName: 'web-2' })
    const api = await k.s.api('GET', `/api/v1/members/${src.id}/cpanel/copies`)
    expect(api.status).toBe(200)
    expect(api.json.length).toBeGreaterThan(3)
    expect(await listCopies(k.s.db, { memberId: plain.id })).toEqual([])
  })
})

describe('cPanel account snapshots through the snapshots API', () => {
  test('restore takes {memberId, replace?} and queues restore.cpanel_account on a cPanel member of the pool', async () => {
    const snap = await seedSnapshot(k.s.db, poolId, src.id, 'cpanel_account', 'bob')
    const ok = await k.s.api('POST', `/api/v1/snapshots/${snap}/restore`, { memberId: third.id })
    expect(ok.status).toBe(201)
    expect(ok.json).toMatchObject({ memberId: third.id, name: 'restore.cpanel_account', status: 'queued', params: { snapshotId: snap } })
    expect(ok.json.params.replace).toBeUndefined()
    const over = await k.s.api('POST', `/api/v1/snapshots/${snap}/restore`, { memberId: src.id, replace: true })
    expect(over.status).toBe(201)
    expect(over.json.params).toEqual({ snapshotId: snap, replace: true })
    const verify = await k.s.api('POST', `/api/v1/snapshots/${snap}/verify`, {})
    expect(verify.status).toBe(201)
    expect(verify.json).toMatchObject({ memberId: src.id, name: 'snapshot.verify', params: { snapshotId: snap } })
    expect((await k.s.api('GET', `/api/v1/snapshots/${snap}`)).json.kind).toBe('cpanel_account')
    for (const id of [ok.json.id, over.json.id, verify.json.id]) await k.s.api('POST', `/api/v1/jobs/${id}/cancel`)
  })

  test('bad restore input gets a clear 4xx and queues nothing', async () => {
    const snap = await seedSnapshot(k.s.db, poolId, src.id, 'cpanel_account', 'bob')
    const far = await k.cpanelMember(await k.pool('Elsewhere'), 'far-2', [])
    const before = await jobCount()
    const cases: [unknown, number, RegExp][] = [
      [{ memberId: third.id, database: 'bob' }, 422, /not database/],
      [{ memberId: third.id, path: '/home/bob' }, 422, /not path/],
      [{ memberId: plain.id }, 422, /cPanel is not installed/],
      [{ memberId: far.id }, 422, /another pool/],
      [{ memberId: 'mem_nope' }, 422, /no such member/],
      [{ memberId: src.id }, 409, /web-1 has an account called bob already/],
      [{ memberId: src.id, replace: false }, 409, /replace/],
      [{ memberId: third.id, replace: 'yes' }, 422, /./],
    ]
    for (const [body, status, message] of cases) {
      const res = await k.s.api('POST', `/api/v1/snapshots/${snap}/restore`, body)
      expect({ body, status: res.status }).toEqual({ body, status })
      expect(res.json.error.message).toMatch(message)
    }
    expect(await jobCount()).toBe(before)
    // The jobs API may not queue the restore itself.
    expect((await k.s.api('POST', `/api/v1/members/${third.id}/jobs`, { name: 'restore.cpanel_account', params: { snapshotId: snap } })).status).toBe(422)
  })

  test("a backup job's manifest must name its account", async () => {
    const job = await k.runningJob(src, 'backup.cpanel_account', { user: 'bob' })
    const wrong = await k.backUp(src, job.id, { kind: 'cpanel_account', source: 'carol', chunks: [fakeChunk(10)] })
    expect(wrong.status).toBe(422)
    const kind = await k.backUp(src, job.id, { kind: 'files', source: 'bob', chunks: [fakeChunk(10)] })
    expect(kind.status).toBe(422)
    expect((await k.s.db.select().from(snapshots).where(eq(snapshots.jobId, job.id))).length).toBe(0)
  })
})
