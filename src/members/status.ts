// A member's health from its last heartbeat (the product's own words):
// pending (never heard from), healthy, late (missed one interval), down
// (silent past the pool's failover delay).
export type MemberStatus = 'pending' | 'healthy' | 'late' | 'down'

export const HEARTBEAT_SECONDS = 10
export const DEFAULT_FAILOVER_DELAY_SECONDS = 30

/** What a status is read from: the deadlines the database sets when a heartbeat is stored (migration 0009). */
export type Deadlines = { lastHeartbeatAt: Date | null; lateAt: Date | null; downAt: Date | null }

/** Heard within an interval and a half of its own beat: the slack the rule gives a heartbeat. */
export const beatSlackSeconds = (intervalSeconds: number) => intervalSeconds * 1.5

const plus = (at: Date, seconds: number) => new Date(at.getTime() + seconds * 1000)

/**
 * The deadlines of a heartbeat heard at `at`, as the database's trigger
 * sets them (migration 0009); pure code and tests use this copy.
 */
export function deadlinesFor(at: Date | null, intervalSeconds = HEARTBEAT_SECONDS, delaySeconds = DEFAULT_FAILOVER_DELAY_SECONDS): Deadlines {
  if (!at) return { lastHeartbeatAt: null, lateAt: null, downAt: null }
  const downAt = plus(at, delaySeconds)
  return { lastHeartbeatAt: at, lateAt: new Date(Math.min(downAt.getTime(), plus(at, beatSlackSeconds(intervalSeconds)).getTime())), downAt }
}

/**
 * The one health rule. The deadlines are the heartbeat's time plus one and a
 * half of the member's own interval (a heartbeat that is merely slow is not
 * "late") and plus its pool's failover delay; a delay shorter than that slack
 * ends health too, so no member is ever both healthy and past its delay.
 */
export function memberStatus(m: Deadlines, now: Date): MemberStatus {
  if (!m.lastHeartbeatAt) return 'pending'
  if (m.lateAt && now.getTime() <= m.lateAt.getTime()) return 'healthy'
  if (m.downAt && now.getTime() <= m.downAt.getTime()) return 'late'
  return 'down'
}

export function heartbeatAge(lastHeartbeatAt: Date | null, now: Date): string {
  if (!lastHeartbeatAt) return 'never'
  const s = Math.max(0, Math.round((now.getTime() - lastHeartbeatAt.getTime()) / 1000))
  // Ten-second steps: a polled page changes when a heartbeat does, not every second.
  if (s < 10) return 'just now'
  if (s < 60) return `${Math.floor(s / 10) * 10}s ago`
  if (s < 3600) return `${Math.floor(s / 60)}m ago`
  if (s < 86400) return `${Math.floor(s / 3600)}h ago`
  return `${Math.floor(s / 86400)}d ago`
}
