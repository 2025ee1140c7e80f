// What the cPanel domain does when an agent finishes a job, beside the
// leader's ticks (ticks.ts) that catch whatever this misses: a copy moves on
// (or a replication run) at once instead of at the next tick, and a
// transfer's unused login goes.
import type { Deps } from '../server/deps'
import type { Job } from '../jobs/service'
import { advanceCopies } from './copies'
import { forgetCredentials } from './secrets'
import { advanceRuns } from '../protection/runs'
import { notifyProtection } from '../protection/notify'

const COPY_JOBS = new Set(['backup.cpanel_account', 'restore.cpanel_account'])

/** Never throws: the agent's finish is recorded already, and the tick retries whatever failed here. */
export async function afterJobFinished(deps: Deps, job: Pick<Job, 'id' | 'name'>, now = new Date()): Promise<void> {
  try {
    if (COPY_JOBS.has(job.name)) {
      await advanceCopies(deps.db, now, { jobId: job.id })
      // Protection's replication runs are the same chain.
      if ((await advanceRuns(deps, now, { jobId: job.id })).failed) await notifyProtection(deps, now)
    }
    if (job.name === 'cpanel.account.transfer') await forgetCredentials(deps.db, job.id)
  } catch (err) {
    deps.log.error('cpanel.afterJobFinished', `job ${job.id} (${job.name})`, err)
  }
}
