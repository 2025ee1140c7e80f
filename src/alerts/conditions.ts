// What is wrong right now, member by member and pool-wide: pure functions of
// the last heartbeat and the settings. The engine feeds them to the machine.
import type { AgentVersion, AlertMember, SilentMember } from './store'
import type { Delays } from './machine'
import type { MemberAlerts, PoolAlerts } from './settings'

export type Condition = Delays & {
  kind: string
  bad: boolean
  /** One line for the email subject and the history, e.g. "disk 93 % (over 90 %)". */
  summary: string
  /** The figures behind it, for the email body. */
  figures: string[]
}

const secondsSince = (at: Date | null, now: Date) => (at ? Math.round((now.getTime() - at.getTime()) / 1000) : Infinity)
/** Past a deadline of `seconds` after `at`: a comparison of times, as every reader of a deadline makes it. */
const past = (at: Date, seconds: number, now: Date) => now.getTime() > at.getTime() + seconds * 1000
const pct = (used: number, total: number) => (total > 0 ? Math.round((used / total) * 1000) / 10 : 0)
// Resource figures older than this are not judged: the heartbeat alert covers silence.
const STALE_SECONDS = 60

export function memberConditions(m: AlertMember, s: MemberAlerts, now: Date): Condition[] {
  if (!m.lastHeartbeatAt) return [] // never enrolled: nothing to miss yet
  const out: Condition[] = []
  const silent = secondsSince(m.lastHeartbeatAt, now)
  if (s.heartbeat.enabled) {
    const bad = past(m.lastHeartbeatAt, s.heartbeat.afterSeconds, now)
    // Whole seconds, never fewer than the delay it is past.
    const seconds = Math.ceil((now.getTime() - m.lastHeartbeatAt.getTime()) / 1000)
    out.push({
      kind: 'heartbeat',
      bad,
      summary: bad ? `no heartbeat for ${seconds} s` : 'heartbeats arriving',
      figures: [`Last heartbeat: ${m.lastHeartbeatAt.toISOString()}`, `Alert after: ${s.heartbeat.afterSeconds} s of silence`],
      downAfterMs: 0,
      upAfterMs: 20_000,
    })
  }
  const state = m.hostState
  if (!state || silent > STALE_SECONDS) return out
  const resources: [keyof Pick<MemberAlerts, 'cpu' | 'memory' | 'disk'>, string, number | null][] = [
    ['cpu', 'CPU', state.cpuPercent ?? null],
    ['memory', 'memory', state.memory ? pct(state.memory.usedBytes, state.memory.totalBytes) : null],
    ['disk', 'disk', state.disks?.length ? Math.max(...state.disks.map((d) => pct(d.usedBytes, d.totalBytes))) : null],
  ]
  for (const [key, label, value] of resources) {
    const t = s[key]
    if (!t.enabled || value === null) continue
    out.push({
      kind: key,
      bad: value > t.percent,
      summary: `${label} ${value} % (limit ${t.percent} % for ${t.minutes} min)`,
      figures: [`${label}: ${value} %`, `Limit: over ${t.percent} % for ${t.minutes} min`],
      downAfterMs: t.minutes * 60_000,
      upAfterMs: 60_000,
    })
  }
  if (s.services.enabled && state.services?.length) {
    const down = state.services.filter((svc) => svc.state === 'failed' || svc.state === 'inactive')
    out.push({
      kind: 'services',
      bad: down.length > 0,
      summary: down.length ? `service down: ${down.map((d) => d.unit).join(', ')}` : 'services running',
      figures: state.services.map((svc) => `${svc.unit} (${svc.stack}): ${svc.state}`),
      downAfterMs: 60_000,
      upAfterMs: 30_000,
    })
  }
  if (s.tls.enabled && state.certificates?.length) {
    const soon = state.certificates.filter((c) => c.notAfter && Date.parse(c.notAfter) - now.getTime() < s.tls.days * 86_400_000)
    out.push({
      kind: 'tls',
      bad: soon.length > 0,
      summary: soon.length ? `certificate expiring: ${soon.map((c) => c.domain).join(', ')}` : 'certificates valid',
      figures: soon.map((c) => `${c.domain} expires ${c.notAfter}`),
      downAfterMs: 0,
      upAfterMs: 0,
    })
  }
  return out
}

/** What a pool's conditions are judged from, as the store finds them: its silent members, and those whose agent is behind. */
export type PoolFacts = { silent: SilentMember[]; outdated: AgentVersion[] }

export function poolConditions(facts: PoolFacts, s: PoolAlerts): Condition[] {
  const out: Condition[] = []
  if (s.anySilent.enabled) {
    const silent = facts.silent
    out.push({
      kind: 'pool.any_silent',
      bad: silent.length > 0,
      summary: silent.length ? `${silent.length} member${silent.length === 1 ? '' : 's'} silent: ${silent.map((m) => m.name).join(', ')}` : 'all members reporting',
      figures: silent.map((m) => `${m.name}: last heartbeat ${m.lastHeartbeatAt.toISOString()}`),
      downAfterMs: 0,
      upAfterMs: 20_000,
    })
  }
  if (s.outdatedAgents.enabled) {
    const old = facts.outdated
      .flatMap((v) => v.names.map((name) => ({ name, agentVersion: v.agentVersion })))
      .sort((a, b) => a.name.localeCompare(b.name))
    out.push({
      kind: 'pool.outdated_agents',
      bad: old.length > 0,
      summary: old.length ? `outdated agents on ${old.map((m) => m.name).join(', ')}` : 'agents up to date',
      figures: old.map((m) => `${m.name}: agent ${m.agentVersion}`),
      downAfterMs: 0,
      upAfterMs: 0,
    })
  }
  return out
}
