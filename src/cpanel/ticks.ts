// The cPanel domain's scheduler ticks, listed in scheduler/index.ts beside the others.
import type { Deps } from '../server/deps'
import { advanceCopies } from './copies'
import { sweepSecrets } from './secrets'

type Tick = { name: string; pattern: string; run: (deps: Deps, startedAt: Date) => Promise<string | null> }

export const cpanelTicks: Tick[] = [
  {
    name: 'cpanel.copies',
    pattern: '*/5 * * * * *', // every 5 s: a copy's restore is usually queued as its backup finishes; this catches the rest
    run: async (deps) => {
      const { restoring, succeeded, failed } = await advanceCopies(deps.db)
      if (!restoring && !succeeded && !failed) return null
      return `account copies: ${restoring} restore(s) queued, ${succeeded} done, ${failed} failed`
    },
  },
  {
    name: 'cpanel.secrets',
    pattern: '*/30 * * * * *', // every 30 s: a secret outlives its REVEAL_SECONDS by at most this
    run: async (deps) => {
      const erased = await sweepSecrets(deps.db)
      return erased ? `erased ${erased} one-time cPanel secret(s) expired or left by an ended job` : null
    },
  },
]
