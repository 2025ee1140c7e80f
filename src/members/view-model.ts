// Turns a member row into what its tiles and tabs show. Pure: no queries.
import type { Member, PoolMember } from './store'
import { heartbeatAge, memberStatus, type MemberStatus } from './status'
import { storedStacks } from './stacks'
import pkg from '../../package.json'
import type { Certificate, Firewall, HostStats, Listener, ServiceState, Stacks, Updates, App } from '../../agent/protocol'

export const SERVER_AGENT_VERSION: string = pkg.version

export type HostState = HostStats & { updates?: Updates; firewall?: Firewall; services?: ServiceState[]; certificates?: Certificate[]; listeners?: Listener[] }

export type MemberCard<M extends PoolMember = PoolMember> = {
  member: M
  /** The full row, on the member's own pages. */
  full: Member | null
  status: MemberStatus
  age: string
  osName: string
  stacks: Stacks
  apps: App[]
  state: HostState | null
  detected: (keyof Stacks)[]
  outdated: boolean
  cpu: number | null
  memPercent: number | null
  diskPercent: number | null
}

/** Compares dotted versions; "dev" builds are never called outdated. */
export function isOutdated(agentVersion: string | null, serverVersion = SERVER_AGENT_VERSION): boolean {
  if (!agentVersion || agentVersion === 'dev') return false
  const a = agentVersion.split('.').map((n) => parseInt(n, 10) || 0)
  const b = serverVersion.split('.').map((n) => parseInt(n, 10) || 0)
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    if ((a[i] ?? 0) !== (b[i] ?? 0)) return (a[i] ?? 0) < (b[i] ?? 0)
  }
  return false
}

/**
 * A member as tiles and tabs show it. Lists pass the light row and read its
 * summary; the member's own workspace passes the full row too. Its status
 * is "late" after its own heartbeat interval (SERVERSCTL_HEARTBEAT_SECONDS
 * may set it) and "down" after the pool's failover delay, as failover judges.
 */
export function memberCard<M extends PoolMember>(member: M, now: Date, opts: { full?: Member } = {}): MemberCard<M> {
  const { full } = opts
  const summary = member.summary ?? {}
  const stacks = storedStacks(full?.stacks)
  const state = (full?.hostState as HostState | null) ?? null
  return {
    member,
    status: memberStatus(member, now),
    age: heartbeatAge(member.lastHeartbeatAt, now),
    osName: summary.osName ?? (member.osFamily === 'rhel' ? 'RHEL-like' : member.osFamily === 'debian' ? 'Debian-like' : 'unknown OS'),
    stacks,
    apps: ((full?.apps as App[]) ?? []),
    state,
    detected: (summary.stacks ?? []) as (keyof Stacks)[],
    outdated: isOutdated(member.agentVersion),
    cpu: summary.cpu ?? null,
    memPercent: summary.memPercent ?? null,
    diskPercent: summary.diskPercent ?? null,
    full: full ?? null,
  }
}

export function formatBytes(n: number | null | undefined): string {
  if (n == null) return '–'
  const units = ['B', 'KiB', 'MiB', 'GiB', 'TiB']
  let v = n
  let i = 0
  while (v >= 1024 && i < units.length - 1) {
    v /= 1024
    i++
  }
  return `${v >= 100 || i === 0 ? Math.round(v) : v.toFixed(1)} ${units[i]}`
}

export const STACK_LABELS: Record<keyof Stacks, string> = {
  openlitespeed: 'OpenLiteSpeed',
  mariadb: 'MariaDB',
  galera: 'Galera',
  cpanel: 'cPanel',
}

/**
 * A large fleet's Overview shows this many tiles: those that most need a
 * look, a dozen rows on a wide screen; "Show more" adds the next page. The
 * page and its poll every 3 s render every tile shown: 120 made a 10,000
 * member Overview miss 50 ms (p95), 60 keep it near 40.
 */
export const TILE_LIMIT = 60

/** One row of the Control panel's Services: what is known of a stack's service, and who said so. */
export type ServiceRow = {
  unit: string
  stack: string
  /** systemd's word (active, inactive, failed), else the detector's (running, not running), else "not known". */
  state: string
  tone: 'ok' | 'warn' | 'bad' | 'muted'
  /** Why the state is not systemd's, or where systemd and the detector disagree. */
  note: string | null
}

/** Whether a stack's detector found its server running; null when it does not say (cPanel, the host). */
function detectedRunning(stack: string, stacks: Stacks): boolean | null {
  if (stack === 'mariadb') return stacks.mariadb ? stacks.mariadb.running : null
  if (stack === 'openlitespeed') return stacks.openlitespeed ? stacks.openlitespeed.running : null
  return null
}

const SYSTEMD_TONE: Record<ServiceState['state'], ServiceRow['tone']> = { active: 'ok', failed: 'bad', inactive: 'muted', unknown: 'muted' }

/**
 * The services as the Control panel shows them. The agent reports "unknown"
 * when systemd gave no state (no systemd, it did not answer, or the unit goes
 * by another name here); the stack's detector may still have reached the
 * server (a connection, a live pid file), as the stack's own tab shows it.
 */
export function serviceRows(services: ServiceState[], stacks: Stacks): ServiceRow[] {
  return services.map((svc) => {
    const label = svc.stack === 'host' ? 'host' : STACK_LABELS[svc.stack] ?? svc.stack
    const running = detectedRunning(svc.stack, stacks)
    if (svc.state === 'unknown') {
      const asked = `systemd gave no state for ${svc.unit} (no systemd, no answer, or the unit has another name here)`
      if (running === null) return { unit: svc.unit, stack: label, state: 'not known', tone: 'muted', note: `${asked}.` }
      return {
        unit: svc.unit,
        stack: label,
        state: running ? 'running' : 'not running',
        tone: running ? 'ok' : 'bad',
        note: `${asked}; ${label} detection found the server ${running ? 'running' : 'not running'}.`,
      }
    }
    const disagree = running !== null && running !== (svc.state === 'active')
    return {
      unit: svc.unit,
      stack: label,
      state: svc.state,
      tone: SYSTEMD_TONE[svc.state],
      note: disagree ? `systemd says ${svc.state}, but ${label} detection found the server ${running ? 'running' : 'not running'}.` : null,
    }
  })
}
