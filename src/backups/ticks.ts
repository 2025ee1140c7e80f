// The backups' scheduler ticks, listed in scheduler/index.ts beside the others.
import type { Deps } from '../server/deps'
import { queueDueDrills } from './drills'
import { notifyDrillFailures } from './notify'
import { pruneChunks } from './prune'
import { applyAllRetention } from './retention'

type Tick = { name: string; pattern: string; run: (deps: Deps, startedAt: Date) => Promise<string | null> }

const mib = (bytes: number) => `${(bytes / 1024 / 1024).toFixed(1)} MiB`

export const backupTicks: Tick[] = [
  {
    name: 'backups.prune',
    pattern: '0 */10 * * * *', // every 10 min: retention first, so what it expires is swept once its grace is over
    run: async (deps) => {
      const expired = await applyAllRetention(deps.db)
      const { deleted, bytes, failed } = await pruneChunks(deps)
      if (!expired && !deleted && !failed) return null
      return `${expired} snapshot(s) past their schedule's retention deleted; ${deleted} unreferenced chunk(s) (${mib(bytes)}) removed from storage${failed ? `, ${failed} could not be deleted (kept for the next prune)` : ''}`
    },
  },
  {
    name: 'backups.drills',
    pattern: '0 23 * * * *', // hourly, off the hour
    run: async (deps) => {
      const { queued, refused } = await queueDueDrills(deps.db)
      // A failure notice the outcome's own send did not get out (the process stopped) goes now.
      const mailed = await notifyDrillFailures(deps)
      if (!queued && !refused && !mailed) return null
      return `${queued} restore drill(s) queued${refused ? `, ${refused} refused by their member` : ''}${mailed ? `, ${mailed} failed drill(s) mailed` : ''}`
    },
  },
]
