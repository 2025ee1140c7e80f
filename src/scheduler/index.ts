// Background ticks. Each tick is thin: it calls one service function that
// does the work and can be tested on its own.
import { Cron } from 'croner'
import type { Deps } from '../server/deps'
import { pruneHistory } from '../members/history'

type Tick = { name: string; pattern: string; run: (deps: Deps) => Promise<string | null> }

const TICKS: Tick[] = [
  {
    name: 'members.prune_history',
    pattern: '17 * * * *', // hourly, off the hour
    run: async (deps) => {
      const removed = await pruneHistory(deps.db)
      return removed ? `removed ${removed} points older than 30 days` : null
    },
  },
]

export function startScheduler(deps: Deps): () => void {
  const jobs = TICKS.map(
    (tick) =>
      new Cron(
        tick.pattern,
        { protect: true, timezone: 'UTC', catch: (err) => deps.log.error(`scheduler.${tick.name}`, 'tick failed', err) },
        async () => {
          const said = await tick.run(deps)
          if (said) deps.log.info(`scheduler.${tick.name}`, said)
        },
      ),
  )
  return () => jobs.forEach((j) => j.stop())
}
