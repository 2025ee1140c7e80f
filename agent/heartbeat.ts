// Builds each heartbeat. Host stats are read every time; the slower parts
// (stack detection, firewall, services, certificates, listening sockets) at
// most once a minute, so an idle agent spawns almost nothing between heartbeats.
import { hostname as osHostname } from 'node:os'
import type { Heartbeat, Inspection } from './protocol'
import { collectHostState, createHostCollectors, inspect, type HostState } from './inspect'
import { collectStats } from './collect/stats'
import type { RunCommand } from './run-command'
import { agentVersion } from './version'

export const SLOW_REFRESH_MS = 60_000

/** The hostname the agent reports: BALCTL_HOSTNAME, else `hostname -f`, else the kernel's. */
export async function reportedHostname(run: RunCommand, env: Record<string, string | undefined> = process.env): Promise<string> {
  const override = env.BALCTL_HOSTNAME?.trim()
  if (override) return override
  const fqdn = (await run(['hostname', '-f'], { timeoutMs: 3000 }))?.stdout.trim()
  return fqdn && !fqdn.includes(' ') ? fqdn : osHostname()
}

/**
 * `root` prefixes every path read (SERVERSCTL_AGENT_ROOT; tests point it at a
 * fixture host). `refresh()` makes the next heartbeat detect again at once,
 * after a job changed what it reports.
 */
export function heartbeatBuilder({ root, run, now = Date.now, intervalSeconds }: { root: string; run: RunCommand; now?: () => number; intervalSeconds: number }) {
  const collectors = createHostCollectors({ root, run, now })
  let slow: { at: number; inspection: Inspection; state: HostState; hostname: string } | null = null

  const build = async function build(): Promise<Heartbeat> {
    if (!slow || now() - slow.at >= SLOW_REFRESH_MS) {
      const inspection = await inspect({ root, run })
      const state = await collectHostState({ root, run, stacks: inspection.stacks, collectors })
      slow = { at: now(), inspection, state, hostname: await reportedHostname(run) }
      return { ...slow.inspection, ...slow.state, agentVersion, hostname: slow.hostname, heartbeatSeconds: intervalSeconds }
    }
    const stats = await collectStats({ root, cpu: collectors.cpu })
    return { ...slow.inspection, ...slow.state, ...stats, agentVersion, hostname: slow.hostname, heartbeatSeconds: intervalSeconds }
  }
  return Object.assign(build, {
    refresh() {
      slow = null
    },
  })
}
