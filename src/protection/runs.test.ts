import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { and, eq } from 'drizzle-orm'
import { jobs, outbox, protectedAccounts, protectionEvents, replicationRuns, snapshots } from '../db/schema'
import * as jobStore from '../jobs/store'
import { fakeChunk } from '../backups/test-kit'
import { cpanelKit, type CpanelKit, type KitMember } from '../cpanel/test-kit'
import { getProtected, poolProtectionSummary, protectAccounts, type ProtectedAccount } from './service'
import { advanceRuns, flagStale, getRun, replicate, replicateAll, runDueSchedules, sweepRunSnapshots } from './runs'
import { notifyProtection } from './notify'

let k: CpanelKit
let poolId: string
let src: KitMember
let dst: KitMember
beforeAll(async () => {
  k = await cpanelKit()
  poolId = await k.pool('Protected runs')
  src = await k.cpanelMember(poolId, 'web-1', ['bob', 'carol', 'dave', 'erin', 'fred', 'gina', 'hank', 'ivan', 'judy', 'kate', 'liam'])
  dst = await k.cpanelMember(poolId, 'web-2', [])
})
afterAll(() => k.close())

const actor = { userId: null, label: 'alice@example.com', ip: null }
const protect = async (user: string, schedule = '1h') =>
  (await protectAccounts(k.s.db, actor, poolId, [{ sourceMemberId: src.id, user, standbyMemberId: dst.id, schedule, ttl: 300, providerId: null }]))[0]!
const events = async (kind?: string) => (await k.s.db.select().from(protectionEvents)).filter((e) => !kind || e.kind === kind)
const mails = async () => k.s.db.select().from(outbox)
const restoresOf = async (snapshotId: string) => (await k.s.db.select().from(jobs).where(and(eq(jobs.memberId, dst.id), eq(jobs.name, 'restore.cpanel_account')))).filter((j) => j.params.snapshotId === snapshotId)

/** The source's agent takes the run's backup, stores the account as a snapshot; finishing is left to the caller. */
async function backUp(runId: string, user: string) {
  const run = await getRun(k.s.db, runId)
  const claimed = await k.claim(src)
  expect(claimed).toMatchObject({ id: run.backupJobId!, name: 'backup.cpanel_account', params: { user, uncompressed: true } })
  const res = await k.backUp(src, run.backupJobId!, { kind: 'cpanel_account', source: user, chunks: [fakeChunk(3000), fakeChunk(1200)] })
  expect(res.status).toBe(201)
  return { jobId: run.backupJobId!, snapshotId: res.json.snapshotId as string }
}

/** The standby's agent restores the snapshot (reads every chunk) and finishes as told. */
async function restore(runId: string, outcome: { status: 'succeeded' } | { status: 'failed'; error: string }) {
  const run = await getRun(k.s.db, runId)
  const claimed = await k.claim(dst)
  expect(claimed).toMatchObject({ id: run.restoreJobId!, name: 'restore.cpanel_account', params: { snapshotId: run.snapshotId!, replace: true } })
  const start = await k.call(dst, claimed!.id, 'start', {})
  expect((await k.call(dst, claimed!.id, 'read', { ids: start.json.snapshot.chunks.map((c: any) => c.id) })).status).toBe(200)
  expect((await k.finish(dst, claimed!.id, outcome)).status).toBe(200)
}

async function finishRun(pa: ProtectedAccount) {
  const run = await replicate(k.s.deps, actor, pa.id)
  const { jobId } = await backUp(run.id, pa.user)
  await k.finish(src, jobId, { status: 'succeeded' })
  await restore(run.id, { status: 'succeeded' })
  return getRun(k.s.db, run.id)
}

describe('a replication run', () => {
  test('backs up on the source, restores over the standby, deletes the snapshot and records the recovery point', async () => {
    const pa = await protect('bob')
    const res = await k.s.api('POST', `/api/v1/protected-accounts/${pa.id}/replicate`, {})
    expect(res.status).toBe(201)
    expect(res.json).toMatchObject({ protectedAccountId: pa.id, status: 'queued', phase: 'backup', trigger: 'manual', restoreJobId: null, snapshotId: null, bytesUploaded: null, startedAt: null, finishedAt: null, error: null })
    const id = res.json.id as string
    expect(id).toStartWith('rr_')

    const { jobId, snapshotId } = await backUp(id, 'bob')
    // The agent has started it: the tick marks the run running from the backup's start.
    expect((await advanceRuns(k.s.deps)).started).toBe(1)
    const backupJob = await jobStore.findJob(k.s.db, jobId)
    expect(await getRun(k.s.db, id)).toMatchObject({ status: 'running', phase: 'backup', startedAt: backupJob!.startedAt })

    await k.finish(src, jobId, { status: 'succeeded' })
    // The finish moved it on at once, with the snapshot's figures.
    const restoring = await getRun(k.s.db, id)
    expect(restoring).toMatchObject({ status: 'running', phase: 'restore', snapshotId, bytesUploaded: 4200, sizeBytes: 4200 })
    expect(await restoresOf(snapshotId)).toHaveLength(1)

    await restore(id, { status: 'succeeded' })
    const done = await k.s.api('GET', `/api/v1/replication-runs/${id}`)
    expect(done.json).toMatchObject({ id, status: 'succeeded', bytesUploaded: 4200, sizeBytes: 4200, error: null })
    expect(done.json.finishedAt).toBeString()
    // The snapshot was only the way across.
    expect(await k.s.db.select().from(snapshots).where(eq(snapshots.id, snapshotId))).toHaveLength(0)
    const shown = (await k.s.api('GET', `/api/v1/protected-accounts/${pa.id}`)).json
    expect(shown.lastGoodCopyAt).toBe(backupJob!.startedAt!.toISOString())
    expect(shown.recoveryPointSeconds).toBeGreaterThanOrEqual(0)
    expect(shown.recoveryPointSeconds).toBeLessThan(60)
    expect(shown.lastRun).toMatchObject({ id, status: 'succeeded' })
    const [sync] = await events('sync')
    expect(sync).toMatchObject({ poolId, protectedAccountId: pa.id, detail: { runId: id, sizeBytes: 4200, bytesUploaded: 4200 } })
    expect(sync!.message).toContain('bob copied from web-1 to web-2')
    const log = await k.s.api('GET', `/api/v1/pools/${poolId}/protection/events?kind=sync`)
    expect(log.json.map((e: any) => e.kind)).toEqual(['sync'])
  })

  test('the restore is queued exactly once, however many advances run at once', async () => {
    const pa = await protect('carol')
    const run = await replicate(k.s.deps, actor, pa.id)
    const { jobId, snapshotId } = await backUp(run.id, 'carol')
    // Finished behind the hook's back: only the ticks can move it.
    await jobStore.updateWhere(k.s.db, jobId, ['running'], { status: 'succeeded', finishedAt: new Date() })
    const all = await Promise.all([advanceRuns(k.s.deps), advanceRuns(k.s.deps), advanceRuns(k.s.deps)])
    expect(all.reduce((n, r) => n + r.restoring, 0)).toBe(1)
    expect(await restoresOf(snapshotId)).toHaveLength(1)
    await restore(run.id, { status: 'succeeded' })
    expect(await getRun(k.s.db, run.id)).toMatchObject({ status: 'succeeded' })
  })

  test('a failed restore keeps the last good copy, logs the reason and mails once', async () => {
    const pa = await protect('dave')
    await finishRun(pa)
    const good = (await getProtected(k.s.db, pa.id)).lastGoodCopyAt
    expect(good).toBeInstanceOf(Date)
    const before = (await mails()).length

    const run = await replicate(k.s.deps, actor, pa.id)
    const { jobId, snapshotId } = await backUp(run.id, 'dave')
    await k.finish(src, jobId, { status: 'succeeded' })
    await restore(run.id, { status: 'failed', error: 'restorepkg: chunk 00ab does not check' })
    expect(await getRun(k.s.db, run.id)).toMatchObject({ status: 'failed', error: 'restorepkg: chunk 00ab does not check' })
    expect((await getProtected(k.s.db, pa.id)).lastGoodCopyAt).toEqual(good)
    expect(await k.s.db.select().from(snapshots).where(eq(snapshots.id, snapshotId))).toHaveLength(0)
    const [failure] = (await events('failure')).filter((e) => e.protectedAccountId === pa.id)
    expect(failure!.message).toContain('restorepkg: chunk 00ab does not check')
    const sent = (await mails()).slice(before)
    expect(sent).toHaveLength(1)
    expect(sent[0]!.subject).toContain('replication of dave failed')
    expect(sent[0]!.text).toContain('restorepkg: chunk 00ab does not check')
    expect(await notifyProtection(k.s.deps)).toBe(0)
    const summary = await poolProtectionSummary(k.s.db, poolId)
    expect(summary.failing).toBe(1)
  })

  test('a failed run is tried again within half an hour, and failures in a row are logged but mailed once', async () => {
    const pa = await protect('liam', '1d')
    await finishRun(pa)
    const before = (await mails()).length
    const fail = async () => {
      const run = await replicate(k.s.deps, actor, pa.id)
      const { jobId } = await backUp(run.id, 'liam')
      await k.finish(src, jobId, { status: 'succeeded' })
      const failedAt = Date.now()
      await restore(run.id, { status: 'failed', error: 'restorepkg: the disk is full' })
      return failedAt
    }
    const failedAt = await fail()
    const next = (await getProtected(k.s.db, pa.id)).nextRunAt.getTime()
    // Not a day later, as the schedule would have it.
    expect(next).toBeGreaterThanOrEqual(failedAt + 1790_000)
    expect(next).toBeLessThanOrEqual(Date.now() + 1800_000)
    await fail()
    await notifyProtection(k.s.deps)
    const failures = (await events('failure')).filter((e) => e.protectedAccountId === pa.id)
    expect(failures).toHaveLength(2)
    const sent = (await mails()).slice(before).filter((m) => m.subject.includes('replication of liam failed'))
    expect(sent).toHaveLength(1)
    expect(sent[0]!.text).toContain('It is tried again by')
    // A good copy ends the episode: the next failure mails again.
    await finishRun(pa)
    await fail()
    await notifyProtection(k.s.deps)
    expect((await mails()).slice(before).filter((m) => m.subject.includes('replication of liam failed'))).toHaveLength(2)
  })

  test('a failed backup fails the run with its reason; no restore is queued', async () => {
    const pa = await protect('erin')
    const run = await replicate(k.s.deps, actor, pa.id)
    await k.claim(src)
    await k.finish(src, run.backupJobId!, { status: 'failed', error: 'pkgacct exited with status 1' })
    expect(await getRun(k.s.db, run.id)).toMatchObject({ status: 'failed', error: 'pkgacct exited with status 1', restoreJobId: null })
    expect((await getProtected(k.s.db, pa.id)).lastGoodCopyAt).toBeNull()
  })

  test('a manual run while one runs answers 409; a scheduled one is recorded as skipped, with its log entry', async () => {
    const pa = await protect('fred')
    const first = await replicate(k.s.deps, actor, pa.id)
    const again = await k.s.api('POST', `/api/v1/protected-accounts/${pa.id}/replicate`, {})
    expect(again.status).toBe(409)
    expect(again.json.error.message).toContain('under way')
    const both = await Promise.all([1, 2].map(() => replicate(k.s.deps, actor, pa.id).catch((e) => e)))
    expect(both.every((r) => r.status === 409)).toBe(true)

    const skipped = await replicate(k.s.deps, actor, pa.id, 'schedule')
    expect(skipped).toMatchObject({ status: 'skipped', trigger: 'schedule', backupJobId: null })
    const [entry] = (await events('skipped')).filter((e) => e.protectedAccountId === pa.id)
    expect(entry!.message).toBe('run skipped: the previous run of fred is still going')
    const runs = await k.s.db.select().from(replicationRuns).where(eq(replicationRuns.protectedAccountId, pa.id))
    expect(runs.map((r) => r.status).sort()).toEqual(['queued', 'skipped'])
    // The account still shows the run under way.
    expect((await getProtected(k.s.db, pa.id)).lastRun!.id).toBe(first.id)
    await k.s.api('POST', `/api/v1/jobs/${first.backupJobId}/cancel`)
    await advanceRuns(k.s.deps)
    expect(await getRun(k.s.db, first.id)).toMatchObject({ status: 'failed', error: 'The backup was cancelled.' })
  })
})

describe('the schedule', () => {
  const runsOf = (id: string) => k.s.db.select().from(replicationRuns).where(eq(replicationRuns.protectedAccountId, id))

  test('a newly protected account has its first copy queued by the next tick, without anyone pressing anything', async () => {
    await k.s.db.update(protectedAccounts).set({ enabled: false })
    const pa = await protect('judy', '1mo')
    expect(await runsOf(pa.id)).toHaveLength(0)

    expect(await runDueSchedules(k.s.deps)).toEqual({ started: 1, skipped: 0, failed: 0 })
    const shown = (await k.s.api('GET', `/api/v1/protected-accounts/${pa.id}`)).json
    expect(shown.lastRun).toMatchObject({ trigger: 'schedule', status: 'queued', phase: 'backup', requestedBy: 'protection schedule' })
    // The source's agent has the account's backup to take.
    expect(await jobStore.findJob(k.s.db, shown.lastRun.backupJobId)).toMatchObject({ memberId: src.id, name: 'backup.cpanel_account', status: 'queued', params: { user: 'judy', uncompressed: true } })

    // "Replicate now" straight after protecting: the answer names the first copy already on its way.
    const pressed = await k.s.api('POST', `/api/v1/protected-accounts/${pa.id}/replicate`, {})
    expect(pressed.status).toBe(409)
    expect(pressed.json.error.message).toBe('The first copy of judy is under way, queued by its schedule; wait for it to end.')

    // Queued once: the next copy is a month on.
    expect(await runDueSchedules(k.s.deps)).toEqual({ started: 0, skipped: 0, failed: 0 })
    expect(await runsOf(pa.id)).toHaveLength(1)
    expect(Date.parse(shown.nextRunAt) - Date.parse(shown.lastRun.createdAt)).toBe(30 * 86400_000)
    await k.s.api('POST', `/api/v1/jobs/${shown.lastRun.backupJobId}/cancel`)
    await advanceRuns(k.s.deps)
  })

  test('Replicate now pressed before the tick starts the first copy; the tick then queues nothing more', async () => {
    await k.s.db.update(protectedAccounts).set({ enabled: false })
    const pa = await protect('kate', '1d')
    const pressed = await k.s.api('POST', `/api/v1/protected-accounts/${pa.id}/replicate`, {})
    expect(pressed.status).toBe(201)
    expect(pressed.json).toMatchObject({ trigger: 'manual', status: 'queued' })
    expect(await runDueSchedules(k.s.deps)).toEqual({ started: 0, skipped: 0, failed: 0 })
    expect((await runsOf(pa.id)).map((r) => r.trigger)).toEqual(['manual'])
    // A second press while it runs names who asked for it.
    const again = await k.s.api('POST', `/api/v1/protected-accounts/${pa.id}/replicate`, {})
    expect(again.status).toBe(409)
    expect(again.json.error.message).toMatch(/^A replication run of kate is under way, asked for by admin@example\.com.*; wait for it to end\.$/)
    await k.s.api('POST', `/api/v1/jobs/${pressed.json.backupJobId}/cancel`)
    await advanceRuns(k.s.deps)
  })

  test('picks the enabled accounts that are due, once each', async () => {
    // Everything so far is protected hourly; move them out of the way.
    await k.s.db.update(protectedAccounts).set({ enabled: false })
    const hourly = await protect('gina', '1h')
    const daily = await protect('hank', '1d')
    const now = new Date()
    // Both are new, so both are due at once; two ticks at the same moment queue each once.
    const ticks = await Promise.all([runDueSchedules(k.s.deps, now), runDueSchedules(k.s.deps, now)])
    expect(ticks.reduce((n, t) => n + t.started, 0)).toBe(2)
    const runs = [...(await runsOf(hourly.id)), ...(await runsOf(daily.id))]
    expect(runs.map((r) => r.protectedAccountId).sort()).toEqual([hourly.id, daily.id].sort())
    expect(runs[0]).toMatchObject({ trigger: 'schedule', status: 'queued', requestedBy: 'protection schedule' })
    const next = await getProtected(k.s.db, hourly.id)
    expect(next.nextRunAt.getTime()).toBe(now.getTime() + 3600_000)
    expect(await runDueSchedules(k.s.deps, new Date(now.getTime() + 3599_000))).toEqual({ started: 0, skipped: 0, failed: 0 })

    // An hour on, the hourly one's run is still going: skipped and logged; the daily one is not due.
    const inAnHour = new Date(now.getTime() + 3600_000)
    expect(await runDueSchedules(k.s.deps, inAnHour)).toEqual({ started: 0, skipped: 1, failed: 0 })
    // A disabled account is never due.
    await k.s.db.update(protectedAccounts).set({ enabled: false }).where(eq(protectedAccounts.id, daily.id))
    expect(await runDueSchedules(k.s.deps, new Date(Date.now() + 2 * 86400_000))).toMatchObject({ started: 0 })
    for (const r of runs) await k.s.api('POST', `/api/v1/jobs/${r.backupJobId}/cancel`)
    await advanceRuns(k.s.deps)
  })

  test('a stale account is flagged and mailed once per episode; a good copy ends it', async () => {
    await k.s.db.update(protectedAccounts).set({ enabled: false })
    const pa = await protect('ivan', '6h')
    const before = (await mails()).length
    expect(await flagStale(k.s.deps, new Date(Date.now() + 11 * 3600_000))).toBe(0)
    const stale = new Date(Date.now() + 12 * 3600_000 + 1000)
    const flagged = await Promise.all([flagStale(k.s.deps, stale), flagStale(k.s.deps, stale)])
    expect(flagged.reduce((a, b) => a + b, 0)).toBe(1)
    expect(await flagStale(k.s.deps, new Date(stale.getTime() + 3600_000))).toBe(0)
    await notifyProtection(k.s.deps)
    // (Earlier cancelled runs' failure notices go out in the same step.)
    const sent = (await mails()).slice(before).filter((m) => m.subject.includes('stale'))
    expect(sent).toHaveLength(1)
    expect(sent[0]!.subject).toContain('ivan is stale')
    const [entry] = (await events('stale')).filter((e) => e.protectedAccountId === pa.id)
    expect(entry!.message).toContain('no good copy')
    const shown = (await k.s.api('GET', `/api/v1/protected-accounts/${pa.id}`)).json
    expect(shown.stale).toBe(false) // not yet by the clock of now
    expect((await poolProtectionSummary(k.s.db, poolId, stale)).stale).toBe(1)

    // A good copy clears the episode: a later staleness mails again.
    await finishRun(await getProtected(k.s.db, pa.id))
    const after = await getProtected(k.s.db, pa.id)
    expect(after.staleNotifiedAt).toBeNull()
    expect(after.staleAt.getTime()).toBe(after.lastGoodCopyAt!.getTime() + 12 * 3600_000)
    expect(await flagStale(k.s.deps, new Date(after.staleAt.getTime() + 1000))).toBe(1)
  })

  test('replicate protected: a manual run of every enabled account not running, the rest reported', async () => {
    await k.s.db.update(protectedAccounts).set({ enabled: false })
    const a = await protect('erin', '1d').catch(() => null)
    expect(a).toBeNull() // protected already (disabled); enable the ones we want
    const rows = await k.s.db.select().from(protectedAccounts)
    const pick = rows.filter((r) => ['bob', 'carol', 'erin'].includes(r.user))
    for (const r of pick) await k.s.db.update(protectedAccounts).set({ enabled: true }).where(eq(protectedAccounts.id, r.id))
    const busy = await replicate(k.s.deps, actor, pick.find((r) => r.user === 'carol')!.id)
    const res = await k.s.api('POST', `/api/v1/pools/${poolId}/protected-accounts/replicate`, {})
    expect(res.status).toBe(201)
    expect(res.json.runs.map((r: any) => r.user).sort()).toEqual(['bob', 'erin'])
    expect(res.json.skipped).toEqual([{ protectedAccountId: busy.protectedAccountId, user: 'carol', reason: expect.stringContaining('under way') }])
    expect((await replicateAll(k.s.deps, actor, poolId)).runs).toHaveLength(0)
    expect((await k.s.api('POST', '/api/v1/pools/pool_nope/protected-accounts/replicate', {})).status).toBe(404)
    for (const r of [...res.json.runs, busy]) await k.s.api('POST', `/api/v1/jobs/${r.backupJobId}/cancel`)
    expect((await advanceRuns(k.s.deps)).failed).toBe(3)
  })

  test('an ended run whose snapshot another job was reading has it deleted by the sweep', async () => {
    const pa = (await k.s.db.select().from(protectedAccounts).where(eq(protectedAccounts.user, 'hank')))[0]!
    await k.s.db.update(protectedAccounts).set({ enabled: true }).where(eq(protectedAccounts.id, pa.id))
    const run = await replicate(k.s.deps, actor, pa.id)
    const { jobId, snapshotId } = await backUp(run.id, 'hank')
    await k.finish(src, jobId, { status: 'succeeded' })
    const verify = await k.s.api('POST', `/api/v1/snapshots/${snapshotId}/verify`, {})
    expect(verify.status).toBe(201)
    await restore(run.id, { status: 'succeeded' })
    expect(await getRun(k.s.db, run.id)).toMatchObject({ status: 'succeeded' })
    expect(await k.s.db.select().from(snapshots).where(eq(snapshots.id, snapshotId))).toHaveLength(1)
    expect(await sweepRunSnapshots(k.s.deps)).toBe(0)
    await k.s.api('POST', `/api/v1/jobs/${verify.json.id}/cancel`)
    expect(await sweepRunSnapshots(k.s.deps)).toBe(1)
    expect(await k.s.db.select().from(snapshots).where(eq(snapshots.id, snapshotId))).toHaveLength(0)
  })
})
