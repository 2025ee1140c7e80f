// What operators do to failover by hand, and what the pages and API show.
import type { Deps } from '../server/deps'
import { recordAudit, type Actor } from '../audit/service'
import { newId } from '../crypto/tokens'
import { conflict, HttpError, notFound } from '../http/errors'
import { getMember } from '../members/service'
import { deadlinesOf, listMembers, memberNames } from '../members/store'
import { memberStatus } from '../members/status'
import { getPool } from '../pools/service'
import type { Pool } from '../pools/store'
import { performCut } from './cut'
import { configWarnings, failoverConfigOf, getFailoverConfig, recordWarnings } from './config'
import { findProvider } from '../dns/store'
import * as store from './store'
import { poolAlerts } from '../alerts/settings'
import { describeEvent } from './words'

export type FailoverState = 'disabled' | 'no_active_member' | 'active' | 'cutting' | 'held_back' | 'failover_active'

export type FailoverStatus = {
  config: store.FailoverConfig
  activeMemberId: string | null
  state: FailoverState
  warnings: string[]
  /** The newest event and the last finished cut; while failover is off, only a cut in flight. */
  latest: store.FailoverEvent | null
  lastDone: store.FailoverEvent | null
}

export async function failoverStatus(deps: Deps, poolId: string, now = new Date()): Promise<FailoverStatus> {
  const pool = await getPool(deps.db, poolId)
  return failoverStatusOf(deps, pool, await failoverConfigOf(deps.db, poolId), now)
}

/** The state of a pool the page has already read, with its settings. */
export async function failoverStatusOf(deps: Deps, pool: Pick<Pool, 'id' | 'activeMemberId'>, config: store.FailoverConfig, now = new Date()): Promise<FailoverStatus> {
  // Members are read only for names that need them: a pool of a thousand renders this on every page.
  const needsMembers = config.hostnames.some((h) => config.hostnameRecords[h])
  const [provider, members] = await Promise.all([config.providerId ? findProvider(deps.db, config.providerId) : undefined, needsMembers ? listMembers(deps.db, pool.id) : []])
  const warnings = [...configWarnings(config, provider?.kind), ...recordWarnings(config, members)]
  const known = { config, activeMemberId: pool.activeMemberId, warnings }
  if (!config.enabled) {
    // A cut made by hand runs with automatic failover off too, and says so while it tries.
    const pending = (await store.pendingEvent(deps.db, pool.id)) ?? null
    return { ...known, state: pending ? 'cutting' : 'disabled', latest: pending, lastDone: null }
  }
  const [latest = null, lastDone = null] = await Promise.all([store.latestEvent(deps.db, pool.id), store.lastDoneEvent(deps.db, pool.id)])
  let state: FailoverState
  if (latest?.status === 'pending') state = 'cutting'
  else if (!pool.activeMemberId) state = 'no_active_member'
  else if (latest?.status === 'blocked' && latest.fromMemberId === pool.activeMemberId) {
    const active = await deadlinesOf(deps.db, pool.activeMemberId)
    state = active && memberStatus(active, now) === 'down' ? 'held_back' : 'active'
  } else if (lastDone?.completedAt && lastDone.reason !== 'initial' && now.getTime() - lastDone.completedAt.getTime() < (await bannerMs(deps, pool.id))) {
    state = 'failover_active'
  } else state = 'active'
  return { ...known, state, latest, lastDone }
}

/** How long the header says "Failover active" after a cut: a pool Monitoring preset. */
async function bannerMs(deps: Deps, poolId: string): Promise<number> {
  return (await poolAlerts(deps.db, poolId)).failoverBannerMinutes * 60_000
}

/** "Make active": a manual cut, through the same path as an automatic one. */
export async function makeActive(deps: Deps, actor: Actor, poolId: string, memberId: string) {
  const pool = await getPool(deps.db, poolId)
  const member = await getMember(deps.db, memberId).catch(() => {
    throw notFound('Member')
  })
  if (member.poolId !== poolId) throw notFound('Member')
  if (pool.activeMemberId === memberId) throw conflict(`${member.name} is already the active member`)
  const config = await getFailoverConfig(deps.db, poolId)
  // Never move DNS to a worse place, even by hand.
  const status = memberStatus(member, new Date())
  if (status !== 'healthy') throw conflict(`${member.name} is ${status}: only a healthy member can be made active`)
  const event = await store.insertPending(deps.db, {
    id: newId('fo'),
    poolId,
    fromMemberId: pool.activeMemberId,
    toMemberId: memberId,
    reason: 'manual',
    detectedAt: new Date(),
    requestedBy: actor.label,
  })
  if (!event) throw conflict('A cut is already in flight for this pool; wait for it to finish')
  await recordAudit(deps.db, actor, { action: 'failover.make_active', targetType: 'member', targetId: memberId, targetLabel: member.name, poolId })
  const outcome = await performCut(deps, event, new Date())
  const [after] = (await store.listEvents(deps.db, poolId, 10)).filter((e) => e.id === event.id)
  if (outcome !== 'done' && after?.lastError) {
    throw new HttpError(502, 'dns_failed', (await eventWords(deps, after)).summary)
  }
  return after!
}

/** An event as the API answers it: the record, and the same words the pages use. */
export function eventJson(e: store.FailoverEvent, names: Record<string, string> = {}) {
  const words = describeEvent(e, (id) => names[id] ?? id)
  return {
    id: e.id,
    fromMemberId: e.fromMemberId,
    toMemberId: e.toMemberId,
    reason: e.reason,
    status: e.status,
    detectedAt: e.detectedAt.toISOString(),
    completedAt: e.completedAt?.toISOString() ?? null,
    dnsResult: e.dnsResult ?? (e.lastError ? { error: e.lastError } : null),
    attempts: e.attempts,
    lastError: e.lastError,
    requestedBy: e.requestedBy,
    summary: words.summary,
    dnsSummary: words.dns,
    why: words.why,
  }
}

/** The words for one event, with its members' names. */
export async function eventWords(deps: Deps, e: store.FailoverEvent) {
  const names = await memberNames(deps.db, [e.fromMemberId, e.toMemberId].filter((id): id is string => !!id))
  return describeEvent(e, (id) => names[id] ?? id)
}

/** Events as the API answers them, with the members' names in their words. */
export async function eventsJson(deps: Deps, events: store.FailoverEvent[]) {
  const names = await memberNames(deps.db, [...new Set(events.flatMap((e) => [e.fromMemberId, e.toMemberId]).filter((id): id is string => !!id))])
  return events.map((e) => eventJson(e, names))
}
