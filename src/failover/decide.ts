// The failover rule, as one pure function of what the pool looks like now.
// The evaluator feeds it, acts on its answer, and records why. Health is the
// members' deadlines (members/status.ts), the same the status badge reads.
import type { Deadlines } from '../members/status'

export type Candidate = Deadlines & {
  id: string
  healthySince: Date | null
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
}

export type Decision =
  | { kind: 'none' }
  | { kind: 'cut'; from: string | null; to: string; reason: 'initial' | 'active_down' | 'failback' }
  | { kind: 'blocked'; from: string; reason: 'no_healthy_standby' }

const age = (at: Date | null, now: Date) => (at ? (now.getTime() - at.getTime()) / 1000 : Infinity)

/** Healthy: not past its late deadline. */
export const isFresh = (m: Candidate, now: Date) => !!m.lateAt && now.getTime() <= m.lateAt.getTime()

/** Past its down deadline, or never heard from. */
export const isDown = (m: Candidate, now: Date) => !m.downAt || now.getTime() > m.downAt.getTime()

/** A Galera node counts only when Synced in a Primary component; DNS active is not Galera primary. */
export const galeraReady = (m: Candidate) =>
  !m.galera || (m.galera.clusterStatus === 'Primary' && m.galera.localState === 'Synced')

/** Fresh, ready, and healthy for at least `stableSeconds`: a member that flaps waits. */
export function isEligible(m: Candidate, now: Date, stableSeconds: number): boolean {
  // Never a member that is itself down by the delay: no failover to a worse place.
  return isFresh(m, now) && !isDown(m, now) && galeraReady(m) && age(m.healthySince, now) >= stableSeconds
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
  const eligible = s.members.filter((m) => isEligible(m, s.now, stable))
  const active = s.members.find((m) => m.id === s.activeMemberId) ?? null

  if (!active) {
    const first = eligible[0]
    return first ? { kind: 'cut', from: null, to: first.id, reason: 'initial' } : { kind: 'none' }
  }
  if (isDown(active, s.now)) {
    const standby = eligible.find((m) => m.id !== active.id)
    return standby ? { kind: 'cut', from: active.id, to: standby.id, reason: 'active_down' } : { kind: 'blocked', from: active.id, reason: 'no_healthy_standby' }
  }
  if (s.autoFailback) {
    const preferred = s.members[0]!
    if (preferred.id !== active.id && isEligible(preferred, s.now, Math.max(stable, s.failbackAfterSeconds))) {
      return { kind: 'cut', from: active.id, to: preferred.id, reason: 'failback' }
    }
  }
  return { kind: 'none' }
}
