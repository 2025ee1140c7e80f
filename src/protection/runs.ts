// Replication runs: a protected account packaged on its source
// (backup.cpanel_account, uncompressed so chunks deduplicate between runs),
// restored from that snapshot on the standby (restore.cpanel_account, which
// checks every chunk before it writes, so a failed run leaves the last good
// copy in place), then the snapshot deleted so prune frees the chunks no other
// snapshot holds. Each step is one conditional update on the run, in the same
// transaction as the log entry it writes, so it happens once.
import type { Db } from '../db'
import { isUniqueViolation } from '../db'
import type { Deps } from '../server/deps'
import { recordAudit, type Actor } from '../audit/service'
import { newId } from '../crypto/tokens'
import { conflict, HttpError, notFound } from '../http/errors'
import { queueJob, type Job } from '../jobs/service'
import { deleteSnapshot, getSnapshot } from '../backups/service'
import { backupOutcome, jobEnding, queueRestoreOnce } from '../cpanel/chain'
import { getPool } from '../pools/service'
import { getProtected, nextRunAfter, SCHEDULE_SECONDS, staleAfter, type ProtectedAccount } from './service'
import * as store from './store'

export type ReplicationRun = store.RunRow
export type Trigger = store.RunRow['trigger']

/** Who the later jobs of a run are queued for: whoever started it (the scheduler for scheduled runs). */
const requester = (run: store.RunRow): Actor => ({ userId: null, label: run.requestedBy, ip: null })
export const schedulerActor: Actor = { userId: null, label: 'protection schedule', ip: null }

const mib = (bytes: number | null) => (bytes === null ? 'unknown size' : `${(bytes / 1024 / 1024).toFixed(1)} MiB`)
const names = (pa: ProtectedAccount) => ({ user: pa.user, sourceName: pa.sourceName, standbyName: pa.standbyName })

export async function getRun(db: Db, id: string): Promise<ReplicationRun> {
  const run = await store.findRun(db, id)
  if (!run) throw notFound('Replication run')
  return run
}

/**
 * The 409 of a manual run while one is in flight. Right after protecting,
 * that is usually the first copy the schedule queued by itself: say so, so
 * "Replicate now" does not read as a refusal of something never started.
 */
const underWay = (pa: ProtectedAccount, run: store.RunRow | undefined) => {
  const which = run && !pa.lastGoodCopyAt && run.trigger === 'schedule' ? `The first copy of ${pa.user}` : `A replication run of ${pa.user}`
  const how = run ? (run.trigger === 'schedule' ? ', queued by its schedule' : `, asked for by ${run.requestedBy}`) : ''
  return conflict(`${which} is under way${how}; wait for it to end.`)
}

/**
 * Starts a run of the account: a manual one is refused with 409 while another
 * runs; a scheduled one that finds one running is recorded as skipped, with
 * its log entry. A scheduled run whose backup the source refuses (cPanel gone)
 * is recorded as failed and mailed; a manual one answers the refusal.
 */
export async function replicate(deps: Pick<Deps, 'db'>, actor: Actor, protectedAccountId: string, trigger: Trigger = 'manual', now = new Date()): Promise<ReplicationRun> {
  const db = deps.db
  const pa = await getProtected(db, protectedAccountId)
  const running = await store.runInFlight(db, pa.id)
  if (running) {
    if (trigger === 'manual') throw underWay(pa, running)
    return recordSkipped(db, actor, pa, now)
  }
  try {
    return await startRun(db, actor, pa, trigger, now)
  } catch (err) {
    if (isUniqueViolation(err)) {
      if (trigger === 'manual') throw underWay(pa, await store.runInFlight(db, pa.id))
      return recordSkipped(db, actor, pa, now)
    }
    if (trigger === 'schedule' && err instanceof HttpError) return recordRefused(db, actor, pa, err.message, now)
    throw err
  }
}

/** The row of a new run of the account as it stands now; `patch` says what kind of run. */
const newRunRow = (pa: ProtectedAccount, actor: Actor, now: Date, patch: Pick<store.NewRun, 'status' | 'trigger'> & Partial<store.NewRun>): store.NewRun => ({
  id: newId('rr'),
  protectedAccountId: pa.id,
  poolId: pa.poolId,
  user: pa.user,
  sourceMemberId: pa.sourceMemberId,
  standbyMemberId: pa.standbyMemberId,
  requestedBy: actor.label,
  createdAt: now,
  ...patch,
})

async function startRun(db: Db, actor: Actor, pa: ProtectedAccount, trigger: Trigger, now: Date): Promise<ReplicationRun> {
  const id = await db.transaction(async (tx) => {
    const t = tx as unknown as Db
    const backup = await queueJob(t, actor, pa.sourceMemberId, 'backup.cpanel_account', { user: pa.user, uncompressed: true }, { now })
    const run = await store.insertRun(t, newRunRow(pa, actor, now, { status: 'queued', phase: 'backup', trigger, backupJobId: backup.id }))
    await store.updateProtected(t, pa.id, { lastRunAt: now, lastRunId: run.id, nextRunAt: nextRunAfter({ ...pa, lastRunAt: now }) })
    await recordAudit(t, actor, {
      action: 'protection.replicate',
      targetType: 'protected_account',
      targetId: pa.id,
      targetLabel: pa.user,
      poolId: pa.poolId,
      detail: { runId: run.id, trigger, backupJobId: backup.id, ...names(pa), standbyMemberId: pa.standbyMemberId },
    })
    return run.id
  })
  return getRun(db, id)
}

/** A scheduled run that ended before it began, stored with what `log` writes of it, at once. */
function recordUnstarted(db: Db, actor: Actor, pa: ProtectedAccount, ended: { status: 'skipped' | 'failed'; error: string }, now: Date, log: (t: Db, run: store.RunRow) => Promise<unknown>) {
  return db.transaction(async (tx) => {
    const t = tx as unknown as Db
    const run = await store.insertRun(t, newRunRow(pa, actor, now, { ...ended, trigger: 'schedule', finishedAt: now }))
    await log(t, run)
    return run
  })
}

function recordSkipped(db: Db, actor: Actor, pa: ProtectedAccount, now: Date): Promise<ReplicationRun> {
  return recordUnstarted(db, actor, pa, { status: 'skipped', error: 'The previous run is still going.' }, now, (t, run) =>
    store.insertEvent(t, {
      poolId: pa.poolId,
      protectedAccountId: pa.id,
      kind: 'skipped',
      message: `run skipped: the previous run of ${pa.user} is still going`,
      detail: { runId: run.id, ...names(pa) },
      at: now,
    }),
  )
}

function recordRefused(db: Db, actor: Actor, pa: ProtectedAccount, reason: string, now: Date): Promise<ReplicationRun> {
  const error = `The backup was not queued: ${reason}`
  return recordUnstarted(db, actor, pa, { status: 'failed', error }, now, async (t, run) => {
    await store.updateProtected(t, pa.id, { lastRunAt: now, lastRunId: run.id })
    await failureEvent(t, pa, run, error, now)
  })
}

/** A failed run is tried again this soon (or at its schedule, when that is sooner), not a whole day or month later. */
export const RETRY_SECONDS = 1800

/**
 * Logs a failed run and brings the account's next run forward. Only the first
 * failure after a good run is mailed: an account failing every retry would
 * otherwise mail every half hour; the log keeps each one.
 */
async function failureEvent(db: Db, pa: Pick<ProtectedAccount, 'id' | 'poolId' | 'user'>, run: store.RunRow, error: string, now: Date) {
  const account = await store.findProtected(db, pa.id)
  const retryAt = account ? new Date(now.getTime() + Math.min(SCHEDULE_SECONDS[account.schedule], RETRY_SECONDS) * 1000) : null
  if (account && retryAt && account.enabled) await store.runNoLaterThan(db, pa.id, retryAt)
  const repeated = (await store.previousEndedRun(db, pa.id, run.id))?.status === 'failed'
  return store.insertEvent(db, {
    poolId: pa.poolId,
    protectedAccountId: pa.id,
    kind: 'failure',
    message: `replication of ${pa.user} failed: ${error}`,
    detail: {
      runId: run.id,
      user: pa.user,
      sourceMemberId: run.sourceMemberId,
      standbyMemberId: run.standbyMemberId,
      backupJobId: run.backupJobId,
      restoreJobId: run.restoreJobId,
      error,
      retryAt: account?.enabled && retryAt ? retryAt.toISOString() : null,
      repeated,
    },
    at: now,
    notifyPending: !repeated,
  })
}

export type ReplicateAllResult = { runs: ReplicationRun[]; skipped: { protectedAccountId: string; user: string; reason: string }[] }

/** "Replicate protected": a manual run of every enabled account of the pool that is not running already. */
export async function replicateAll(deps: Pick<Deps, 'db'>, actor: Actor, poolId: string, now = new Date()): Promise<ReplicateAllResult> {
  await getPool(deps.db, poolId)
  const result: ReplicateAllResult = { runs: [], skipped: [] }
  for (const pa of await store.listPoolProtected(deps.db, poolId)) {
    if (!pa.enabled) continue
    try {
      result.runs.push(await replicate(deps, actor, pa.id, 'manual', now))
    } catch (err) {
      if (!(err instanceof HttpError)) throw err
      result.skipped.push({ protectedAccountId: pa.id, user: pa.user, reason: err.message })
    }
  }
  return result
}

/** The scheduler's step: a scheduled run of every enabled account that is due, each claimed once. */
export async function runDueSchedules(deps: Pick<Deps, 'db'>, now = new Date()): Promise<{ started: number; skipped: number; failed: number }> {
  const counts = { started: 0, skipped: 0, failed: 0 }
  for (const pa of await store.dueAccounts(deps.db, now)) {
    // Moves the due time on first: a second leader or tick reading the same row claims nothing.
    const claimed = await store.claimDue(deps.db, pa.id, pa.nextRunAt, { nextRunAt: new Date(now.getTime() + SCHEDULE_SECONDS[pa.schedule] * 1000) })
    if (!claimed) continue
    const run = await replicate(deps, schedulerActor, pa.id, 'schedule', now).catch((err) => {
      if (err instanceof HttpError && err.status === 404) return null // unprotected meanwhile
      throw err
    })
    if (!run) continue
    if (run.status === 'skipped') counts.skipped++
    else if (run.status === 'failed') counts.failed++
    else counts.started++
  }
  return counts
}

type Counts = { started: number; restoring: number; succeeded: number; failed: number }

/**
 * Moves every run whose current job has ended (`jobId`: only the run of that
 * job, as an agent finishes it), and marks running the queued runs whose
 * backup an agent has started.
 */
export async function advanceRuns(deps: Pick<Deps, 'db'>, now = new Date(), opts: { jobId?: string } = {}): Promise<Counts> {
  const db = deps.db
  const counts: Counts = { started: 0, restoring: 0, succeeded: 0, failed: 0 }
  if (!opts.jobId) {
    for (const { run, startedAt } of await store.runsStarted(db)) {
      if (await store.updateRunWhere(db, run.id, { status: ['queued'], phase: 'backup' }, { status: 'running', startedAt: startedAt ?? now })) counts.started++
    }
  }
  for (const { run, job } of await store.runsToAdvance(db, opts.jobId)) {
    const outcome = run.phase === 'restore' ? await restoreEnded(db, run, job, now) : await backupEnded(db, run, job, now)
    if (outcome) counts[outcome]++
  }
  return counts
}

async function backupEnded(db: Db, run: store.RunRow, job: Job, now: Date): Promise<'restoring' | 'failed' | null> {
  const inBackup = { status: store.IN_FLIGHT, phase: 'backup' as const }
  const startedAt = run.startedAt ?? job.startedAt ?? run.createdAt
  const backup = backupOutcome(job)
  if ('error' in backup) return failRun(db, run, inBackup, backup.error, now, { startedAt })
  const { snapshotId } = backup
  const snap = await getSnapshot(db, snapshotId).catch(() => null)
  const result = (job.result ?? {}) as { uploadedBytes?: unknown; sizeBytes?: unknown }
  const figure = (v: unknown, fallback: number | undefined) => (typeof v === 'number' ? v : (fallback ?? null))
  return queueRestoreOnce(db, {
    claim: async (t) =>
      !!(await store.updateRunWhere(t, run.id, inBackup, {
        status: 'running',
        phase: 'restore',
        snapshotId,
        startedAt,
        bytesUploaded: figure(result.uploadedBytes, snap?.uploadedBytes),
        sizeBytes: figure(result.sizeBytes, snap?.sizeBytes),
      })),
    queued: async (t, restore) => void (await store.updateRunWhere(t, run.id, { status: ['running'], phase: 'restore' }, { restoreJobId: restore.id })),
    refused: async (t, error) => {
      const failed = await store.updateRunWhere(t, run.id, { status: ['running'], phase: 'restore' }, { status: 'failed', error, finishedAt: now })
      if (failed) await failureEvent(t, { id: run.protectedAccountId, poolId: run.poolId, user: run.user }, failed, error, now)
    },
    actor: requester(run),
    targetMemberId: run.standbyMemberId,
    params: { snapshotId, replace: true },
    now,
  })
}

async function restoreEnded(db: Db, run: store.RunRow, job: Job, now: Date): Promise<'succeeded' | 'failed' | null> {
  const inRestore = { status: ['running' as const], phase: 'restore' as const }
  if (job.status !== 'succeeded') return failRun(db, run, inRestore, jobEnding(job, 'restore'), now)
  const done = await db.transaction(async (tx) => {
    const t = tx as unknown as Db
    const finished = await store.updateRunWhere(t, run.id, inRestore, { status: 'succeeded', finishedAt: now })
    if (!finished) return null
    const pa = await store.findProtected(t, run.protectedAccountId)
    if (!pa) return finished
    // The copy reflects the account as it was when its backup began.
    const copyAt = finished.startedAt ?? finished.createdAt
    const lastGoodCopyAt = pa.lastGoodCopyAt && pa.lastGoodCopyAt > copyAt ? pa.lastGoodCopyAt : copyAt
    await store.updateProtected(t, pa.id, { lastGoodCopyAt, staleAt: staleAfter({ ...pa, lastGoodCopyAt }), staleNotifiedAt: null })
    await store.insertEvent(t, {
      poolId: pa.poolId,
      protectedAccountId: pa.id,
      kind: 'sync',
      message: `${pa.user} copied from ${pa.sourceName} to ${pa.standbyName}: ${mib(finished.sizeBytes)}, ${mib(finished.bytesUploaded)} uploaded`,
      detail: { runId: run.id, ...names(pa), sizeBytes: finished.sizeBytes, bytesUploaded: finished.bytesUploaded, seconds: Math.round((now.getTime() - copyAt.getTime()) / 1000), copyAt: copyAt.toISOString() },
      at: now,
    })
    return finished
  })
  if (!done) return null
  await dropSnapshot(db, done)
  return 'succeeded'
}

async function failRun(db: Db, run: store.RunRow, from: { status: store.RunRow['status'][]; phase: 'backup' | 'restore' }, error: string, now: Date, extra: Partial<store.NewRun> = {}): Promise<'failed' | null> {
  const failed = await db.transaction(async (tx) => {
    const t = tx as unknown as Db
    const row = await store.updateRunWhere(t, run.id, from, { status: 'failed', error, finishedAt: now, ...extra })
    if (row) await failureEvent(t, { id: run.protectedAccountId, poolId: run.poolId, user: run.user }, row, error, now)
    return row
  })
  if (!failed) return null
  await dropSnapshot(db, failed)
  return 'failed'
}

/**
 * Deletes an ended run's snapshot: it was only the way across. Its chunks go
 * at the next prune unless another snapshot (a later run's) holds them. A
 * snapshot another job still reads is left for sweepRunSnapshots.
 */
async function dropSnapshot(db: Db, run: store.RunRow): Promise<boolean> {
  if (!run.snapshotId) return false
  try {
    await deleteSnapshot(db, requester(run), run.snapshotId)
    return true
  } catch (err) {
    if (err instanceof HttpError) return false
    throw err
  }
}

/** Snapshots of ended runs that could not be deleted as the run ended (a job was reading them). */
export async function sweepRunSnapshots(deps: Pick<Deps, 'db'>): Promise<number> {
  let n = 0
  for (const run of await store.runsWithSnapshotLeft(deps.db)) if (await dropSnapshot(deps.db, run)) n++
  return n
}

/**
 * Flags the accounts that went stale since their last good copy (once per
 * episode: a good copy ends it) with a log entry whose mail notify.ts sends.
 */
export async function flagStale(deps: Pick<Deps, 'db'>, now = new Date()): Promise<number> {
  return deps.db.transaction(async (tx) => {
    const t = tx as unknown as Db
    const claimed = await store.claimStale(t, now)
    for (const pa of claimed) {
      const behind = pa.lastGoodCopyAt ? `its standby copy is ${ago(now.getTime() - pa.lastGoodCopyAt.getTime())} old` : `it has had no good copy in ${ago(now.getTime() - pa.createdAt.getTime())}`
      await store.insertEvent(t, {
        poolId: pa.poolId,
        protectedAccountId: pa.id,
        kind: 'stale',
        message: `${pa.user} is stale: ${behind}, more than twice its schedule (${pa.schedule})`,
        detail: { user: pa.user, sourceMemberId: pa.sourceMemberId, standbyMemberId: pa.standbyMemberId, schedule: pa.schedule, lastGoodCopyAt: pa.lastGoodCopyAt?.toISOString() ?? null },
        at: now,
        notifyPending: true,
      })
    }
    return claimed.length
  })
}

/** "3 h 20 min", "2 d 4 h", "12 min". */
export function ago(ms: number): string {
  const min = Math.floor(ms / 60_000)
  if (min < 60) return `${min} min`
  const h = Math.floor(min / 60)
  if (h < 48) return `${h} h${min % 60 ? ` ${min % 60} min` : ''}`
  return `${Math.floor(h / 24)} d${h % 24 ? ` ${h % 24} h` : ''}`
}
