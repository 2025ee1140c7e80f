// Attempt counters in one table (login_failures): sign-in, setup and
// enrolment attempts per account and per client address.
import { eq, sql } from 'drizzle-orm'
import type { Db } from '../db'
import { loginFailures } from '../db/schema'

/**
 * Counts one attempt in one statement and returns the count in the current
 * window. Read-then-write would let forty parallel attempts all see a count
 * of zero; the database serialises this upsert on the key, so the n-th
 * concurrent attempt sees n.
 */
export async function countAttempt(db: Db, key: string, windowMs: number, now: Date): Promise<{ count: number; windowEndsAt: Date }> {
  // Dates inside sql`` reach postgres.js unmapped: pass them as text.
  const windowStart = sql`${new Date(now.getTime() - windowMs).toISOString()}::timestamptz`
  const expired = sql`${loginFailures.windowStartedAt} <= ${windowStart}`
  const [row] = await db
    .insert(loginFailures)
    .values({ key, failures: 1, windowStartedAt: now })
    .onConflictDoUpdate({
      target: loginFailures.key,
      set: {
        failures: sql`case when ${expired} then 1 else ${loginFailures.failures} + 1 end`,
        windowStartedAt: sql`case when ${expired} then ${now.toISOString()}::timestamptz else ${loginFailures.windowStartedAt} end`,
      },
    })
    .returning({ count: loginFailures.failures, windowStartedAt: loginFailures.windowStartedAt })
  return { count: row!.count, windowEndsAt: new Date(row!.windowStartedAt.getTime() + windowMs) }
}

/** Takes back one counted attempt (it turned out not to be a failure). */
export async function uncountAttempt(db: Db, key: string): Promise<void> {
  await db
    .update(loginFailures)
    .set({ failures: sql`greatest(${loginFailures.failures} - 1, 0)` })
    .where(eq(loginFailures.key, key))
}

export async function clearAttempts(db: Db, key: string): Promise<void> {
  await db.delete(loginFailures).where(eq(loginFailures.key, key))
}
