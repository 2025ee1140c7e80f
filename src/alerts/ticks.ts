// The alerts' scheduler ticks, listed in scheduler/index.ts beside the others:
// evaluation writes transitions and their emails; sending is its own tick, so
// a slow mail server holds only the sending.
import type { Deps } from '../server/deps'
import { evaluateAlerts } from './engine'
import { KEEP_DONE_DAYS, pruneSentNotices, sendAlertNotices } from './send'

type Tick = { name: string; pattern: string; run: (deps: Deps, startedAt: Date) => Promise<string | null> }

export const alertTicks: Tick[] = [
  {
    name: 'alerts.evaluate',
    pattern: '*/5 * * * * *', // every 5 s: delays are counted in tens of seconds
    run: async (deps) => {
      await evaluateAlerts(deps)
      // What it wrote goes out now rather than at the next send tick, without
      // this tick waiting on the mail server (sends claim each email, so the
      // send tick running beside it cannot send one twice).
      if (!deps.lifecycle.draining) void sendAlertNotices(deps).catch((err) => deps.log.error('scheduler.alerts.send', 'sending right after the evaluation failed', err))
      return null
    },
  },
  {
    name: 'alerts.send',
    pattern: '*/2 * * * * *', // every 2 s: an email goes out within about 2 s of what caused it
    run: async (deps) => {
      const { sent, retrying, failed } = await sendAlertNotices(deps)
      if (!retrying && !failed) return null
      return `${sent} alert email(s) sent, ${retrying} to try again later, ${failed} failed after their last try (see the Outbox)`
    },
  },
  {
    name: 'alerts.prune_notices',
    pattern: '0 27 * * * *', // hourly, off the hour
    run: async (deps) => {
      const removed = await pruneSentNotices(deps)
      return removed ? `forgot ${removed} alert email(s) sent more than ${KEEP_DONE_DAYS} days ago (their history stays)` : null
    },
  },
]
