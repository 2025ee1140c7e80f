// The failover rule, as one pure function of what the pool looks like now.
// The evaluator feeds it, acts on its answer, and records why.
import { HEARTBEAT_SECONDS } from '../members/status'
import { beatSlackSeconds, silentSeconds, type Outage } from './outage'

export type Candidate = {
  id: string
  lastHeartbeatAt: Date | null
  healthySince: Date | null
  /** The member's own heartbeat interval (seconds); the default when unknown. */
  intervalSeconds?: number
  galera: { clusterStatus: string | null; localState: string | null } | null
}

export type Situation = {
  now: Date
  activeMemberId: string | null
  /** Members in priority order (the configured order first, then the rest). */
  members: Candidate[]
  delaySeconds: number
  autoFailback: boolean
  failbackAfterSeconds: number
  /** The control plane's own outage: silence inside it counts against no member. */
  outage?: Outage | null
}

export type Decision =
  | { kind: 'none' }
  | { kind: 'cut'; from: string | null; to: string; reason: 'initial' | 'active_down' | 'failback' }
  | { kind: 'blocked'; from: string; reason: 'no_healthy_standby' }

const age = (at: Date | null, now: Date) => (at ? (now.getTime() - at.getTime()) / 1000 : Infinity)

/** Heard from within an interval and a half of its own beat. */
export const isFresh = (m: Candidate, now: Date, outage?: Outage | null) => silence(m, now, outage) <= beatSlackSeconds(m.intervalSeconds ?? HEARTBEAT_SECONDS)

export const isDown = (m: Candidate, now: Date, delaySeconds: number, outage?: Outage | null) => silence(m, now, outage) > delaySeconds

const silence = (m: Candidate, now: Date, outage?: Outage | null) => silentSeconds(m.lastHeartbeatAt, now, m.intervalSeconds ?? HEARTBEAT_SECONDS, outage)

/** A Galera node counts only when Synced in a Primary component; DNS active is not Galera primary. */
export const galeraReady = (m: Candidate) =>
  !m.galera || (m.galera.clusterStatus === 'Primary' && m.galera.localState === 'Synced')

/** Fresh, ready, and healthy for at least `stableSeconds`: a member that flaps waits. */
export function isEligible(m: Candidate, now: Date, stableSeconds: number, outage?: Outage | null): boolean {
  // Never a member that is itself down by the delay: no failover to a worse place.
  return isFresh(m, now, outage) && !isDown(m, now, stableSeconds, outage) && galeraReady(m) && age(m.healthySince, now) >= stableSeconds
}

export function orderMembers<T extends { id: string }>(members: T[], order: string[]): T[] {
  const rank = (id: string) => {
    const i = order.indexOf(id)
    return i === -1 ? order.length : i
  }
  // Stable sort: members not in the order keep their own (creation) order after it.
  return [...members].sort((a, b) => rank(a.id) - rank(b.id))
}

export function decide(s: Situation): Decision {
  const stable = s.delaySeconds
  const eligible = s.members.filter((m) => isEligible(m, s.now, stable, s.outage))
  const active = s.members.find((m) => m.id === s.activeMemberId) ?? null

  if (!active) {
    const first = eligible[0]
    return first ? { kind: 'cut', from: null, to: first.id, reason: 'initial' } : { kind: 'none' }
  }
  if (isDown(active, s.now, s.delaySeconds, s.outage)) {
    const standby = eligible.find((m) => m.id !== active.id)
    return standby ? { kind: 'cut', from: active.id, to: standby.id, reason: 'active_down' } : { kind: 'blocked', from: active.id, reason: 'no_healthy_standby' }
  }
  if (s.autoFailback) {
    const preferred = s.members[0]!
    if (preferred.id !== active.id && isEligible(preferred, s.now, Math.max(stable, s.failbackAfterSeconds), s.outage)) {
      return { kind: 'cut', from: active.id, to: preferred.id, reason: 'failback' }
    }
  }
  return { kind: 'none' }
}
