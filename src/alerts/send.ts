// The send step: takes the alert emails the evaluation wrote (notices), one at
// a time with a lease, sends each under its fixed Message-ID, then marks it
// done with its history row. A crash after sending and before marking sends
// it again once the lease ends: the same message to the receiving side.
import type { Deps } from '../server/deps'
import { logMail, transmit } from '../mail'
import * as store from './store'

/** Tries before a notice is recorded as failed: the first, then after each wait. */
export const BACKOFF_SECONDS = [15, 60, 300]
export const MAX_ATTEMPTS = BACKOFF_SECONDS.length + 1
// Longer than one SMTP conversation can last under mail/index.ts's timeouts (10 + 10 + 20 s).
export const LEASE_SECONDS = 120

export type SendResult = { sent: number; retrying: number; failed: number }

/** One claimed notice: sent and marked, freed for a later try, or recorded as failed on its last. */
export async function deliverNotice(deps: Deps, notice: store.AlertNotice, clock: () => Date = () => new Date()): Promise<keyof SendResult> {
  const mail = { to: notice.recipients, subject: notice.subject, text: notice.text, html: notice.html }
  try {
    const delivery = await transmit(deps, mail, notice.messageId)
    if (await store.finishNotice(deps.db, notice, delivery, null, clock())) logMail(deps, mail, delivery)
    return 'sent'
  } catch (err) {
    const error = (err as Error).message
    if (notice.attempts >= MAX_ATTEMPTS) {
      if (await store.finishNotice(deps.db, notice, 'failed', error, clock())) logMail(deps, mail, 'failed', error)
      return 'failed'
    }
    const wait = BACKOFF_SECONDS[notice.attempts - 1] ?? BACKOFF_SECONDS.at(-1)!
    await store.retryNotice(deps.db, notice.id, new Date(clock().getTime() + wait * 1000), error)
    deps.log.warn('alerts.send', `to ${mail.to.join(', ')}: ${mail.subject}: try ${notice.attempts} of ${MAX_ATTEMPTS} failed (${error}); next in ${wait} s`)
    return 'retrying'
  }
}

/**
 * Sends the notices that are due, oldest first, until none is left or
 * `budgetMs` has passed (the rest wait for the next tick).
 */
export async function sendAlertNotices(deps: Deps, opts: { clock?: () => Date; budgetMs?: number } = {}): Promise<SendResult> {
  const clock = opts.clock ?? (() => new Date())
  const until = Date.now() + (opts.budgetMs ?? 20_000)
  const result: SendResult = { sent: 0, retrying: 0, failed: 0 }
  while (Date.now() < until) {
    const notice = await store.claimNotice(deps.db, clock(), LEASE_SECONDS)
    if (!notice) break
    result[await deliverNotice(deps, notice, clock)]++
  }
  return result
}

/** How long a sent notice is kept after it went out: the history and the Outbox keep what it said. */
export const KEEP_DONE_DAYS = 30

export const pruneSentNotices = (deps: Deps, now = new Date()) => store.pruneNotices(deps.db, new Date(now.getTime() - KEEP_DONE_DAYS * 86_400_000))
