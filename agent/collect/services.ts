// The systemd units behind the detected stacks and whether they run.
import type { ServiceState, Stacks } from '../protocol'
import type { RunCommand } from '../run-command'

type State = ServiceState['state']
type Group = { stack: ServiceState['stack']; candidates: string[] }

/** Each group is one service that may go by several unit names, most likely first. */
export function unitGroups(stacks: Stacks): Group[] {
  const groups: Group[] = []
  if (stacks.openlitespeed) groups.push({ stack: 'openlitespeed', candidates: ['lsws', 'lshttpd'] })
  if (stacks.mariadb) groups.push({ stack: 'mariadb', candidates: ['mariadb', 'mysql', 'mysqld'] })
  if (stacks.cpanel) groups.push(...cpanelGroups(stacks))
  return groups
}

/**
 * cPanel's own services: cpsrvd (the cpanel unit), mail, the web server, DNS
 * and MySQL. A service another stack's group already lists (LiteSpeed,
 * MariaDB) is not listed twice.
 */
function cpanelGroups(stacks: Stacks): Group[] {
  const cpanel = (...candidates: string[]): Group => ({ stack: 'cpanel', candidates })
  return [
    cpanel('cpanel'),
    cpanel('exim'),
    cpanel('dovecot'),
    // httpd first: its unit stays loaded under LiteSpeed, and the active one is picked.
    ...(stacks.openlitespeed ? [] : [cpanel('httpd', 'lsws', 'lshttpd')]),
    cpanel('named', 'pdns'),
    ...(stacks.mariadb ? [] : [cpanel('mariadb', 'mysqld', 'mysql')]),
  ]
}

export function toState(activeState: string | undefined): State {
  switch (activeState?.trim()) {
    case 'active':
    case 'reloading':
      return 'active'
    case 'inactive':
    case 'activating':
    case 'deactivating':
      return 'inactive'
    case 'failed':
      return 'failed'
    default:
      return 'unknown'
  }
}

export type UnitInfo = { loaded: boolean; state: State }

/**
 * `systemctl show -p LoadState,ActiveState u1 u2 ...` prints one blank-line
 * separated block per unit, in argument order. We go by order, not by Id,
 * because an alias (mysql → mariadb) reports the Id of the unit it points to.
 */
export function parseSystemctlShow(text: string, count: number): UnitInfo[] | null {
  const blocks = text.trim().split(/\n\s*\n/).filter((b) => b.trim())
  if (blocks.length !== count) return null
  return blocks.map((b) => {
    const v = Object.fromEntries(b.split('\n').map((l) => [l.slice(0, l.indexOf('=')).trim(), l.slice(l.indexOf('=') + 1)]))
    return { loaded: v.LoadState === 'loaded', state: toState(v.ActiveState) }
  })
}

export async function serviceStates({ run, stacks }: { run: RunCommand; stacks: Stacks }): Promise<ServiceState[]> {
  const groups = unitGroups(stacks)
  const units = groups.flatMap((g) => g.candidates)
  if (!units.length) return []
  const res = await run(['systemctl', 'show', '--property=LoadState,ActiveState', '--', ...units])
  const info = res?.code === 0 ? parseSystemctlShow(res.stdout, units.length) : null
  let i = 0
  return groups.map(({ stack, candidates }) => {
    const found = candidates.map((unit) => ({ unit, ...(info?.[i++] ?? { loaded: false, state: 'unknown' as State }) }))
    const loaded = found.filter((u) => u.loaded)
    const pick = loaded.find((u) => u.state === 'active') ?? loaded[0]
    // No such unit (or no systemd): the service is there but we cannot tell its state.
    return pick ? { unit: pick.unit, stack, state: pick.state } : { unit: candidates[0], stack, state: 'unknown' }
  })
}
