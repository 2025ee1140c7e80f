// The failover tick: for every pool with failover on, look, decide, act.
// Runs every second on the leader only.
import type { Deps } from '../server/deps'
import { newId } from '../crypto/tokens'
import { listMemberRows, type MemberRow } from '../members/store'
import { findPool } from '../pools/store'
import { decide, orderMembers, type Candidate, type Decision } from './decide'
import { performCut } from './cut'
import { probeHost, type Probe } from './probe'
import * as store from './store'

export type Evaluation = Decision | { kind: 'blocked'; from: string; reason: 'agent_silent_host_answers' } | { kind: 'in_flight' }

const candidate = (m: MemberRow): Candidate => ({
  id: m.id,
  lastHeartbeatAt: m.lastHeartbeatAt,
  lateAt: m.lateAt,
  downAt: m.downAt,
  healthySince: m.healthySince,
  galera: m.summary?.galera ?? null,
})

/** Records "held back" once per outage: not again while the same member stays silent. */
async function noteBlocked(deps: Deps, poolId: string, active: MemberRow, reason: string, now: Date) {
  const last = await store.latestEvent(deps.db, poolId)
  const sameOutage =
    last?.status === 'blocked' && last.fromMemberId === active.id && last.reason === reason && (!active.lastHeartbeatAt || last.detectedAt > active.lastHeartbeatAt)
  if (sameOutage) return
  await store.insertBlocked(deps.db, { id: newId('fo'), poolId, fromMemberId: active.id, toMemberId: null, reason, detectedAt: now })
  deps.log.warn('failover.evaluate', `pool ${poolId}: active member ${active.id} is down but failover held back: ${reason}`)
}

export async function evaluatePool(deps: Deps, poolId: string, now = new Date(), probe: Probe = probeHost): Promise<Evaluation> {
  const pending = await store.pendingEvent(deps.db, poolId)
  if (pending) {
    await performCut(deps, pending, now)
    return { kind: 'in_flight' }
  }
  const [config, pool, rows] = await Promise.all([store.findConfig(deps.db, poolId), findPool(deps.db, poolId), listMemberRows(deps.db, poolId)])
  if (!config?.enabled || !pool) return { kind: 'none' }
  const members = orderMembers(rows, config.memberOrder)
  const decision = decide({
    now,
    activeMemberId: pool.activeMemberId,
    members: members.map(candidate),
    delaySeconds: config.delaySeconds,
    autoFailback: config.autoFailback,
    failbackAfterSeconds: config.failbackAfterSeconds,
  })
  if (decision.kind === 'none') return decision
  const active = members.find((m) => m.id === pool.activeMemberId)
  if (decision.kind === 'blocked') {
    await noteBlocked(deps, poolId, active!, decision.reason, now)
    return decision
  }
  if (decision.reason === 'active_down' && config.probe && active) {
    const address = active.publicIpv4 ?? active.egressIps[0]
    if (address && (await probe(address, config.probe))) {
      await noteBlocked(deps, poolId, active, 'agent_silent_host_answers', now)
      return { kind: 'blocked', from: active.id, reason: 'agent_silent_host_answers' }
    }
  }
  const event = await store.insertPending(deps.db, {
    id: newId('fo'),
    poolId,
    fromMemberId: decision.from,
    toMemberId: decision.to,
    reason: decision.reason,
    detectedAt: now,
  })
  if (event) await performCut(deps, event, now)
  return decision
}

export async function evaluateAll(deps: Deps, now = new Date(), probe: Probe = probeHost): Promise<void> {
  for (const poolId of await store.poolIdsToEvaluate(deps.db)) {
    try {
      await evaluatePool(deps, poolId, now, probe)
    } catch (err) {
      deps.log.error('failover.evaluate', `pool ${poolId}`, err)
    }
  }
}
