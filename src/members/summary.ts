// The small summary of a heartbeat that member lists read (see MemberSummary).
import type { MemberSummary } from '../db/schema'
import type { Heartbeat, Stacks } from '../../agent/protocol'
import { HEARTBEAT_SECONDS } from './status'

const pct = (used: number, total: number) => (total > 0 ? Math.round((used / total) * 1000) / 10 : null)

// Only which stacks are there counts (and Galera's state): a heartbeat from an older agent, with less in each stack, is summarised alike.
type Input = Pick<Heartbeat, 'cpuPercent' | 'memory' | 'disks' | 'heartbeatSeconds'> & {
  os: { id: string | null; versionId: string | null; prettyName: string | null }
  stacks: Record<keyof Stacks, unknown> & Pick<Stacks, 'galera'>
}

export function summarize(hb: Input): MemberSummary {
  const os = hb.os
  const diskTotal = hb.disks.reduce((n, d) => n + d.totalBytes, 0)
  const diskUsed = hb.disks.reduce((n, d) => n + d.usedBytes, 0)
  const stacks = (Object.keys(hb.stacks) as (keyof Stacks)[]).filter((k) => hb.stacks[k] != null)
  return {
    osName: os.prettyName ?? (os.id ? `${os.id} ${os.versionId ?? ''}`.trim() : null),
    cpu: hb.cpuPercent,
    memPercent: hb.memory ? pct(hb.memory.usedBytes, hb.memory.totalBytes) : null,
    diskPercent: diskTotal ? pct(diskUsed, diskTotal) : null,
    stacks,
    galera: hb.stacks.galera ? { clusterStatus: hb.stacks.galera.clusterStatus, localState: hb.stacks.galera.localState } : null,
    interval: hb.heartbeatSeconds ?? HEARTBEAT_SECONDS,
  }
}
