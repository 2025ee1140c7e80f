// Limits on attempts that guess a secret (a password, a setup code, an
// enrolment secret). An attempt is counted before the secret is checked, so
// however many arrive at once, at most `limit` per window get a check.
import type { Db } from '../db'
import { HttpError } from '../http/errors'
import * as store from './store'

export type Limit = { key: string; limit: number; windowMs: number }

export class TooManyAttempts extends HttpError {
  constructor(
    public retryAfterSeconds: number,
    what = 'failed sign-ins',
  ) {
    const minutes = Math.max(1, Math.ceil(retryAfterSeconds / 60))
    super(429, 'too_many_attempts', `Too many ${what}. Try again in ${minutes} minute${minutes === 1 ? '' : 's'}.`)
  }
}

/**
 * Counts an attempt against every limit; throws TooManyAttempts when any is
 * over. The attempt stays counted either way: a refused guess is still a guess.
 */
export async function takeAttempt(db: Db, limits: Limit[], what?: string, now = new Date()): Promise<void> {
  let wait = 0
  for (const { key, limit, windowMs } of limits) {
    const { count, windowEndsAt } = await store.countAttempt(db, key, windowMs, now)
    if (count > limit) wait = Math.max(wait, Math.ceil((windowEndsAt.getTime() - now.getTime()) / 1000))
  }
  if (wait > 0) throw new TooManyAttempts(wait, what)
}

/** The attempt succeeded: forget the failures on `clear`, and take back this attempt on `uncount`. */
export async function attemptSucceeded(db: Db, opts: { clear?: string[]; uncount?: string[] }): Promise<void> {
  for (const key of opts.clear ?? []) await store.clearAttempts(db, key)
  for (const key of opts.uncount ?? []) await store.uncountAttempt(db, key)
}
