// What this host is and what it runs, for `inspect --json` and the heartbeat.
//
//   inspect({ root?, run? }): Promise<Inspection>
//     os, stacks (openlitespeed, mariadb, galera, cpanel) and WordPress apps.
//
//   createHostCollectors({ root?, run?, now? }): HostCollectors
//     the state kept between heartbeats: the previous CPU sample and the
//     hourly package-update cache. Make one at start-up and keep it.
//
//   collectHostState({ root?, run?, stacks, collectors }): Promise<HostState>
//     HostStats plus updates, firewall, services (of the given stacks),
//     certificates and the listening TCP sockets.
//
// root is a path prefix for every file read ('/' on a real host, a fixture
// folder in tests); run runs commands (runCommand by default, fakes in tests).
// Nothing here throws: what cannot be found comes back null or empty. Both
// results are trimmed to the server's payload limits (collect/limits.ts).
import type { Certificate, Firewall, HostStats, Inspection, Listener, ServiceState, Stacks, Updates } from './protocol'
import { runCommand, type RunCommand } from './run-command'
import { detectApps } from './detect/apps'
import { detectCpanel } from './detect/cpanel'
import { detectMariaDb } from './detect/mariadb'
import { detectOpenLiteSpeed } from './detect/openlitespeed'
import { detectOs } from './detect/os'
import { collectCertificates } from './collect/certificates'
import { detectFirewall } from './collect/firewall'
import { serviceStates } from './collect/services'
import { collectListeners } from './collect/listeners'
import { collectStats, createCpuSampler, type CpuSampler } from './collect/stats'
import { createUpdatesCache, type UpdatesCache } from './collect/updates'
import { fitHostState, fitInspection } from './collect/limits'

export type HostState = HostStats & { updates: Updates; firewall: Firewall; services: ServiceState[]; certificates: Certificate[]; listeners: Listener[] }
export type HostCollectors = { cpu: CpuSampler; updates: UpdatesCache }

export async function inspect({ root = '/', run = runCommand }: { root?: string; run?: RunCommand } = {}): Promise<Inspection> {
  const [openlitespeed, { mariadb, galera }] = await Promise.all([detectOpenLiteSpeed({ root, run }), detectMariaDb({ root, run })])
  const stacks: Stacks = { openlitespeed, mariadb, galera, cpanel: detectCpanel(root) }
  const apps = detectApps({ root, vhostRoots: openlitespeed?.vhosts.map((v) => v.root) ?? [] })
  return fitInspection({ os: detectOs(root), stacks, apps })
}

export function createHostCollectors({ root = '/', run = runCommand, now = Date.now }: { root?: string; run?: RunCommand; now?: () => number } = {}): HostCollectors {
  return { cpu: createCpuSampler({ root }), updates: createUpdatesCache({ run, now }) }
}

export async function collectHostState({
  root = '/',
  run = runCommand,
  stacks,
  collectors,
}: {
  root?: string
  run?: RunCommand
  stacks: Stacks
  collectors: HostCollectors
}): Promise<HostState> {
  const [stats, updates, firewall, services, listeners] = await Promise.all([
    collectStats({ root, cpu: collectors.cpu }),
    collectors.updates.get(),
    detectFirewall({ run }),
    serviceStates({ run, stacks }),
    collectListeners({ run }),
  ])
  return fitHostState({ ...stats, updates, firewall, services, certificates: collectCertificates(root), listeners })
}
