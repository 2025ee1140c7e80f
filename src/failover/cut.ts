// The cut: write the new active member's records at the provider, read them
// back, and only then record the transition. A failed try is retried with
// backoff; a finished cut is never repeated.
import type { Deps } from '../server/deps'
import { recordAudit, systemActor } from '../audit/service'
import { adapterFor, kindLabel } from '../dns/service'
import { findProvider } from '../dns/store'
import { DnsProviderError } from '../dns/provider'
import { findMember } from '../members/store'
import { findPool } from '../pools/store'
import * as store from './store'
import { recordSetsFor, sameValues } from './records'
import { describeEvent, type DnsResult } from './words'
import { cutAfterFailover } from '../protection/cut'

const LEASE_MS = 30_000
const MAX_RETRY_MS = 30_000
const UNFIXABLE_RETRY_MS = 60_000

export type CutOutcome = 'done' | 'retry' | 'abandoned' | 'busy'

/** Seconds before the next try: 1, 2, 4, ... 30; a refused key waits a minute for someone to fix it. */
export const retryDelayMs = (attempts: number, retryable: boolean) =>
  retryable ? Math.min(MAX_RETRY_MS, 1000 * 2 ** Math.max(0, attempts - 1)) : UNFIXABLE_RETRY_MS

/** The provider's Retry-After, when longer than the backoff: a try before then meets the same refusal. */
export const waitMs = (attempts: number, err: unknown) => {
  const retryable = err instanceof DnsProviderError ? err.retryable : true
  const asked = err instanceof DnsProviderError && err.retryAfterSeconds ? err.retryAfterSeconds * 1000 : 0
  return Math.max(retryDelayMs(attempts, retryable), asked)
}

export async function performCut(deps: Deps, pending: store.FailoverEvent, now = new Date()): Promise<CutOutcome> {
  const began = Date.now()
  // A newer term than the claim's may take it over at once: the older term's process no longer leads.
  const term = (await deps.leaderTerm?.()) ?? null
  const event = await store.claimPending(deps.db, pending.id, now, LEASE_MS, term)
  if (!event) return 'busy'
  if (pending.claimTerm !== null && event.claimTerm !== null && pending.claimTerm < event.claimTerm && pending.leaseUntil && pending.leaseUntil > now) {
    deps.log.info('failover.cut', `pool ${event.poolId}: term ${event.claimTerm} takes over the cut term ${pending.claimTerm} left unfinished${pending.dnsWriteTerm ? ' after writing DNS' : ''}`)
  }
  // Decided on a view that is no longer true: touch no DNS.
  const pool = await findPool(deps.db, event.poolId)
  if ((pool?.activeMemberId ?? null) !== event.fromMemberId) {
    await store.abandonPending(deps.db, event.id, 'superseded: the active member changed before this cut started', now)
    return 'abandoned'
  }
  const target = event.toMemberId ? await findMember(deps.db, event.toMemberId) : undefined
  if (!target || target.poolId !== event.poolId) {
    await store.abandonPending(deps.db, event.id, 'the target member no longer exists', now)
    return 'abandoned'
  }
  const config = await store.findConfig(deps.db, event.poolId)
  const provider = config?.providerId ? await findProvider(deps.db, config.providerId) : undefined
  const from = event.fromMemberId ? await findMember(deps.db, event.fromMemberId) : undefined
  const sets = config ? recordSetsFor(config, target, from) : []
  let dnsResult: DnsResult
  if (!provider) {
    dnsResult = { outcome: 'untouched', why: 'no_provider', provider: null }
  } else if (!config?.zone || (config.hostnames.length === 0 && config.extraRecords.length === 0)) {
    dnsResult = { outcome: 'untouched', why: 'no_hostname', provider: provider.name }
  } else if (sets.length === 0) {
    dnsResult = { outcome: 'untouched', why: 'no_address', provider: provider.name }
  } else {
    // Said before the first write: from here on the records may already name the target.
    if (!(await store.noteDnsWrite(deps.db, event))) return 'busy'
    try {
      const dns = adapterFor(provider, deps)
      for (const set of sets) await dns.writeRecords(config.zone, set)
      for (const set of sets) {
        const back = await dns.readRecords(config.zone, set.name, set.type)
        if (!back || !sameValues(back.values, set.values)) {
          throw new DnsProviderError(`${kindLabel(provider.kind)} did not return the new ${set.type} record for ${set.name} when read back`, true)
        }
      }
      dnsResult = {
        outcome: 'moved',
        provider: provider.name,
        kind: provider.kind,
        zone: config.zone,
        records: sets.map((s) => ({ name: s.name, type: s.type, ttl: s.ttl, values: s.values })),
        verified: true,
        term: event.claimTerm,
      }
    } catch (err) {
      const message = err instanceof DnsProviderError ? err.message : `DNS update failed: ${(err as Error).message}`
      const asked = err instanceof DnsProviderError ? err.retryAfterSeconds : undefined
      // A Retry-After counts from the provider's answer, not from the start of this try:
      // a next try at now + the wait could come before the limit lifts and be refused again.
      const answeredAt = asked ? now.getTime() + (Date.now() - began) : now.getTime()
      const next = new Date(answeredAt + waitMs(event.attempts, err))
      const failed: DnsResult = { outcome: 'failed', provider: provider.name, error: message, ...(asked ? { askedBy: kindLabel(provider.kind), retryAfterSeconds: asked, nextTryAt: next.toISOString() } : {}) }
      await store.noteAttemptFailed(deps.db, event.id, message, failed, next)
      deps.log.warn('failover.cut', `pool ${event.poolId}: try ${event.attempts} failed: ${message}`)
      return 'retry'
    }
  }
  const names: Record<string, string> = { [target.id]: target.name, ...(from ? { [from.id]: from.name } : {}) }
  const words = describeEvent({ ...event, status: 'done', dnsResult, lastError: null }, (id) => names[id] ?? id)
  // Both members' activity tells the same line as the banner and the email.
  const level = event.reason === 'active_down' ? 'warn' : 'info'
  const activity = [from, target].filter((m) => !!m).map((m) => ({ memberId: m!.id, kind: 'failover.cut', level, message: `${words.summary} Why: ${words.why}.` }) as const)
  const finished = await store.completeCut(deps.db, event, dnsResult, new Date(), activity)
  if (!finished) return 'busy'
  deps.metrics?.failoverTransitions.inc({ reason: event.reason })
  await recordAudit(deps.db, { ...systemActor, label: event.requestedBy ?? 'failover' }, {
    action: 'failover.cut',
    targetType: 'member',
    targetId: target.id,
    targetLabel: target.name,
    poolId: event.poolId,
    detail: { from: event.fromMemberId, to: event.toMemberId, reason: event.reason, dns: dnsResult.outcome },
  })
  deps.log.info('failover.cut', `pool ${event.poolId}: ${event.fromMemberId ?? 'none'} -> ${target.id} (${event.reason}); DNS ${dnsResult.outcome}`)
  // The protected accounts that lived on the member cut away from follow to their standbys; never fails this cut.
  await cutAfterFailover(deps, event)
  return 'done'
}
