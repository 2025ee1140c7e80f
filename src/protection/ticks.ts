// Protection's scheduler ticks, listed in scheduler/index.ts beside the others.
import type { Deps } from '../server/deps'
import { notifyProtection } from './notify'
import { advanceRuns, flagStale, runDueSchedules, sweepRunSnapshots } from './runs'

type Tick = { name: string; pattern: string; run: (deps: Deps, startedAt: Date) => Promise<string | null> }

export const protectionTicks: Tick[] = [
  {
    name: 'protection.runs',
    pattern: '*/5 * * * * *', // every 5 s: a run's restore is usually queued as its backup finishes; this catches the rest
    run: async (deps) => {
      const { started, restoring, succeeded, failed } = await advanceRuns(deps)
      const mailed = await notifyProtection(deps)
      if (!started && !restoring && !succeeded && !failed && !mailed) return null
      return `replication runs: ${started} started, ${restoring} restore(s) queued, ${succeeded} done, ${failed} failed${mailed ? `; ${mailed} notice(s) mailed` : ''}`
    },
  },
  {
    name: 'protection.schedule',
    pattern: '10,25,40,55 * * * * *', // every 15 s: a newly protected account's first copy is due at once, and the operator is watching for it
    run: async (deps) => {
      const now = new Date()
      const { started, skipped, failed } = await runDueSchedules(deps, now)
      const stale = await flagStale(deps, now)
      const swept = await sweepRunSnapshots(deps)
      const mailed = await notifyProtection(deps, now)
      if (!started && !skipped && !failed && !stale && !swept && !mailed) return null
      return `${started} scheduled replication run(s) started, ${skipped} skipped (previous run still going), ${failed} refused by their source; ${stale} account(s) newly stale; ${swept} run snapshot(s) deleted late; ${mailed} notice(s) mailed`
    },
  },
]
