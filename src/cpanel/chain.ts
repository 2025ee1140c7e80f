// The step push copies (copies.ts) and Protection's replication runs share:
// an account's backup on one member has ended, and its snapshot is to be
// restored on another, exactly once however many ticks and finishing agents
// reach it at the same moment.
import type { Db } from '../db'
import type { Actor } from '../audit/service'
import { HttpError } from '../http/errors'
import { queueJob, type Job } from '../jobs/service'
import { wakeMember } from '../jobs/wake'

const ENDINGS: Partial<Record<Job['status'], string>> = { failed: 'failed', cancelled: 'was cancelled', timed_out: 'timed out' }

/** Why a job of the chain ended unsuccessfully: the job's own error, else its ending in words. */
export const jobEnding = (job: Pick<Job, 'error' | 'status'>, what: 'backup' | 'restore') => job.error ?? `The ${what} ${ENDINGS[job.status] ?? job.status}.`

/** A finished backup.cpanel_account: the snapshot it made, or why there is none. */
export function backupOutcome(job: Pick<Job, 'error' | 'status' | 'result'>): { snapshotId: string } | { error: string } {
  const snapshotId = (job.result as { snapshotId?: unknown } | null)?.snapshotId
  if (job.status === 'succeeded' && typeof snapshotId === 'string') return { snapshotId }
  return { error: job.status === 'succeeded' ? 'The backup ended without a snapshot.' : jobEnding(job, 'backup') }
}

export type RestoreStep = {
  /** Moves the row from backing up to restoring; false when another step did first (then nothing is queued). */
  claim: (tx: Db) => Promise<boolean>
  /** Records the queued restore job on the row. */
  queued: (tx: Db, job: Job) => Promise<void>
  /** Fails the row: the target refused the restore (cPanel gone, the account made there meanwhile). */
  refused: (tx: Db, error: string) => Promise<void>
  actor: Actor
  targetMemberId: string
  params: { snapshotId: string; replace?: boolean }
  now: Date
}

/**
 * Claims the row and queues restore.cpanel_account on the target in one
 * transaction, so it is queued once. null: another step had claimed it.
 */
export async function queueRestoreOnce(db: Db, step: RestoreStep): Promise<'restoring' | 'failed' | null> {
  const outcome = await db.transaction(async (tx) => {
    const t = tx as unknown as Db
    if (!(await step.claim(t))) return null
    try {
      const restore = await queueJob(t, step.actor, step.targetMemberId, 'restore.cpanel_account', step.params, { through: true, now: step.now })
      await step.queued(t, restore)
      return 'restoring' as const
    } catch (err) {
      if (!(err instanceof HttpError)) throw err
      await step.refused(t, `The restore was not queued: ${err.message}`)
      return 'failed' as const
    }
  })
  if (outcome === 'restoring') wakeMember(step.targetMemberId)
  return outcome
}
