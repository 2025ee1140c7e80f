// A member's health from its last heartbeat (the product's own words):
// pending (never heard from), healthy, late (missed one interval), down
// (silent past the pool's failover delay).
export type MemberStatus = 'pending' | 'healthy' | 'late' | 'down'

export const HEARTBEAT_SECONDS = 10
export const DEFAULT_FAILOVER_DELAY_SECONDS = 30

export function memberStatus(
  lastHeartbeatAt: Date | null,
  now: Date,
  opts: { heartbeatSeconds?: number; failoverDelaySeconds?: number } = {},
): MemberStatus {
  if (!lastHeartbeatAt) return 'pending'
  const interval = opts.heartbeatSeconds ?? HEARTBEAT_SECONDS
  const delay = opts.failoverDelaySeconds ?? DEFAULT_FAILOVER_DELAY_SECONDS
  const age = (now.getTime() - lastHeartbeatAt.getTime()) / 1000
  // Half an interval of slack: a heartbeat that is merely slow is not "late".
  if (age <= interval * 1.5) return 'healthy'
  if (age <= delay) return 'late'
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
