// Background ticks. Each tick is thin: it calls one service function that
// does the work and can be tested on its own.
import { Cron } from 'croner'
import type { Deps } from '../server/deps'
import { pruneHistory } from '../members/history'
import { forgetSpentInstallCommands } from '../members/service'
import { recordOutages } from '../members/outages'
import { evaluateAll } from '../failover/evaluator'
import { alertTicks } from '../alerts/ticks'
import { sweepJobs } from '../jobs/service'
import { fireDueSchedules } from '../jobs/schedules'
import { backupTicks } from '../backups/ticks'
import { cpanelTicks } from '../cpanel/ticks'
import { protectionTicks } from '../protection/ticks'
import { maintainEmbedded } from '../db/maintenance'

/** `startedAt`: when this process started its ticks. */
type Tick = { name: string; pattern: string; run: (deps: Deps, startedAt: Date) => Promise<string | null> }

const TICKS: Tick[] = [
  {
    name: 'failover.evaluate',
    pattern: '* * * * * *', // every second: a dead active member is noticed within one
    run: async (deps) => {
      await evaluateAll(deps)
      return null
    },
  },
  {
    name: 'jobs.sweep',
    pattern: '*/5 * * * * *', // every 5 s: leases last 30 s
    run: async (deps) => {
      const { lost, timedOut, expired } = await sweepJobs(deps.db)
      if (!lost && !timedOut && !expired) return null
      return `${lost} job(s) whose agent stopped answering, ${timedOut} past their timeout, ${expired} queued past their expiry (cancelled)`
    },
  },
  {
    name: 'jobs.schedules',
    pattern: '*/15 * * * * *', // every 15 s: schedules fire at most once a minute, within 15 s of their time
    run: async (deps) => {
      const { queued, refused, skipped } = await fireDueSchedules(deps.db)
      if (!queued && !refused && !skipped) return null
      return `${queued} scheduled job(s) queued${refused ? `, ${refused} refused by their member (see the audit log)` : ''}${skipped ? `, ${skipped} skipped: the previous job of that schedule has not ended` : ''}`
    },
  },
  {
    name: 'members.outages',
    pattern: '*/5 * * * * *', // every 5 s: the events carry when it happened, the tick only writes them down
    run: async (deps, startedAt) => {
      const { outages, recoveries } = await recordOutages(deps.db, new Date(), startedAt)
      return outages || recoveries ? `${outages} member(s) down, ${recoveries} back, written to their activity` : null
    },
  },
  {
    name: 'members.forget_install_commands',
    pattern: '40 * * * * *', // every minute: an expired install command's sealed secret does not outlive it by more
    run: async (deps) => {
      const erased = await forgetSpentInstallCommands(deps.db)
      return erased ? `erased the sealed secret of ${erased} install command(s) used, replaced or expired` : null
    },
  },
  {
    name: 'members.prune_history',
    pattern: '17 * * * *', // hourly, off the hour
    run: async (deps) => {
      const removed = await pruneHistory(deps.db)
      return removed ? `removed ${removed} points older than 30 days` : null
    },
  },
  {
    name: 'db.maintain',
    pattern: '23 */10 * * * *', // every 10 minutes: each pass has little to do, and the planner's figures stay near the truth
    run: async (deps) => {
      const done = await maintainEmbedded(deps.db)
      // Said only when a pass held the database long enough to be felt.
      if (!done || done.ms < 1000) return null
      return `vacuumed and analysed ${done.tables} tables of the embedded database in ${done.ms} ms (longest ${done.slowest?.table}, ${done.slowest?.ms} ms)`
    },
  },
  ...alertTicks,
  ...backupTicks,
  ...cpanelTicks,
  ...protectionTicks,
]

/**
 * Starts the ticks. The answer stops them: no tick starts after it is called,
 * and it resolves once the ticks already running have ended, or after `capMs`
 * with the names of those still running (they are cut short by the exit).
 */
export function startScheduler(deps: Deps): (capMs: number) => Promise<string[]> {
  const startedAt = new Date()
  const jobs = TICKS.map(
    (tick) =>
      new Cron(
        tick.pattern,
        { protect: true, timezone: 'UTC', catch: (err) => deps.log.error(`scheduler.${tick.name}`, 'tick failed', err) },
        async () => {
          // Only the leader acts; other replicas serve pages and agents.
          if (!(await deps.isLeader())) return
          const said = await tick.run(deps, startedAt)
          if (said) deps.log.info(`scheduler.${tick.name}`, said)
        },
      ),
  )
  return async (capMs) => {
    jobs.forEach((j) => j.stop())
    const until = Date.now() + capMs
    while (jobs.some((j) => j.isBusy()) && Date.now() < until) await Bun.sleep(20)
    return TICKS.filter((_, i) => jobs[i]!.isBusy()).map((t) => t.name)
  }
}
