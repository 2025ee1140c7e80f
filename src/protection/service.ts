// Protected accounts: a cPanel account of one member kept warm on a standby
// member of the same pool, copied there on a schedule (runs.ts). The rules of
// what may be protected, and the recovery point, live here.
import type { Db } from '../db'
import { isUniqueViolation } from '../db'
import { PROTECTION_SCHEDULES, type ProtectionSchedule } from '../db/schema'
import { recordAudit, type Actor } from '../audit/service'
import { newId } from '../crypto/tokens'
import { badInput, conflict, HttpError, notFound } from '../http/errors'
import { getMember } from '../members/service'
import type { Member } from '../members/store'
import { getPool } from '../pools/service'
import * as dnsStore from '../dns/store'
import { reportedAccounts } from '../cpanel/accounts'
import { CPANEL_USER } from '../../agent/cpanel/protocol'
import * as store from './store'

export { PROTECTION_SCHEDULES, type ProtectionSchedule }

const HOUR = 3600
export const SCHEDULE_SECONDS: Record<ProtectionSchedule, number> = {
  '1h': HOUR,
  '6h': 6 * HOUR,
  '12h': 12 * HOUR,
  '1d': 24 * HOUR,
  '3d': 72 * HOUR,
  '1w': 168 * HOUR,
  '1mo': 720 * HOUR, // 30 days
}
export const TTL_MIN = 30
export const TTL_MAX = 86400
export const RECORD_TYPES = ['A', 'AAAA', 'MX', 'SRV'] as const

const later = (from: Date, seconds: number) => new Date(from.getTime() + seconds * 1000)
/**
 * When the account's next scheduled run is due: one schedule after its last
 * run, or at once when it has never run (an account waiting up to a month for
 * its first copy is not protected).
 */
export const nextRunAfter = (pa: Pick<store.ProtectedRow, 'lastRunAt' | 'createdAt' | 'schedule'>) => (pa.lastRunAt ? later(pa.lastRunAt, SCHEDULE_SECONDS[pa.schedule]) : pa.createdAt)
/** When the account's copy becomes stale: twice its schedule past the last good copy, or past its protection before any. */
export const staleAfter = (pa: Pick<store.ProtectedRow, 'lastGoodCopyAt' | 'createdAt' | 'schedule'>) =>
  later(pa.lastGoodCopyAt ?? pa.createdAt, 2 * SCHEDULE_SECONDS[pa.schedule])

export type ProtectedAccount = store.ProtectedWithRun

/** Seconds the standby is behind the source; null when it holds no copy yet. */
export const recoveryPointSeconds = (pa: Pick<ProtectedAccount, 'lastGoodCopyAt'>, now = new Date()) =>
  pa.lastGoodCopyAt ? Math.max(0, Math.floor((now.getTime() - pa.lastGoodCopyAt.getTime()) / 1000)) : null

/** An enabled account whose copy is older than twice its schedule (or that never got one in that time). */
export const isStale = (pa: Pick<ProtectedAccount, 'enabled' | 'staleAt'>, now = new Date()) => pa.enabled && pa.staleAt.getTime() <= now.getTime()

const iso = (d: Date | null | undefined) => (d ? d.toISOString() : null)

export function replicationRunJson(r: store.RunRow) {
  return {
    id: r.id,
    protectedAccountId: r.protectedAccountId,
    poolId: r.poolId,
    user: r.user,
    sourceMemberId: r.sourceMemberId,
    standbyMemberId: r.standbyMemberId,
    status: r.status,
    phase: r.phase,
    trigger: r.trigger,
    requestedBy: r.requestedBy,
    backupJobId: r.backupJobId,
    restoreJobId: r.restoreJobId,
    snapshotId: r.snapshotId,
    bytesUploaded: r.bytesUploaded,
    sizeBytes: r.sizeBytes,
    startedAt: iso(r.startedAt),
    finishedAt: iso(r.finishedAt),
    error: r.error,
    createdAt: r.createdAt.toISOString(),
  }
}

export function protectedAccountJson(pa: ProtectedAccount, now = new Date()) {
  return {
    id: pa.id,
    poolId: pa.poolId,
    sourceMemberId: pa.sourceMemberId,
    sourceName: pa.sourceName,
    user: pa.user,
    standbyMemberId: pa.standbyMemberId,
    standbyName: pa.standbyName,
    schedule: pa.schedule,
    ttl: pa.ttl,
    providerId: pa.providerId,
    enabled: pa.enabled,
    managed: pa.managed,
    records: pa.records,
    lastGoodCopyAt: iso(pa.lastGoodCopyAt),
    recoveryPointSeconds: recoveryPointSeconds(pa, now),
    stale: isStale(pa, now),
    staleAt: pa.staleAt.toISOString(),
    lastRunAt: iso(pa.lastRunAt),
    nextRunAt: pa.nextRunAt.toISOString(),
    lastRun: pa.lastRun ? replicationRunJson(pa.lastRun) : null,
    createdAt: pa.createdAt.toISOString(),
    updatedAt: pa.updatedAt.toISOString(),
  }
}

export type ProtectInput = {
  sourceMemberId: string
  user: string
  standbyMemberId: string
  schedule: string
  ttl: number
  providerId?: string | null
}

export type ProtectPatch = Partial<ProtectInput> & { enabled?: boolean; managed?: boolean; records?: string[] }

/** A member of this pool that runs cPanel, or a refusal naming the field. */
async function cpanelMemberOf(db: Db, poolId: string, id: string, field: 'sourceMemberId' | 'standbyMemberId'): Promise<Member> {
  const member = await getMember(db, id).catch((err) => {
    if (err instanceof HttpError && err.status === 404) throw badInput('There is no such member.', field)
    throw err
  })
  if (member.poolId !== poolId) throw badInput(`${member.name} is in another pool; accounts are protected within one pool.`, field)
  if (!reportedAccounts(member)) throw badInput(`cPanel is not installed on ${member.name}.`, field)
  return member
}

type Checked = { sourceMemberId: string; user: string; standbyMemberId: string; schedule: ProtectionSchedule; ttl: number; providerId: string | null }

/** Every rule but "not protected already", which the caller checks against what it changes. */
async function check(db: Db, poolId: string, input: ProtectInput, opts: { accountMustExist: boolean }): Promise<Checked> {
  const source = await cpanelMemberOf(db, poolId, input.sourceMemberId, 'sourceMemberId')
  const standby = await cpanelMemberOf(db, poolId, input.standbyMemberId, 'standbyMemberId')
  if (standby.id === source.id) throw badInput('The standby must be another member than the source.', 'standbyMemberId')
  if (typeof input.user !== 'string' || !new RegExp(CPANEL_USER).test(input.user))
    throw badInput('A cPanel user name: lower-case letters and digits, starting with a letter, up to 16, not starting with "test".', 'user')
  const there = reportedAccounts(source)!
  // An account list the agent capped may leave the user out; then its absence proves nothing.
  if (opts.accountMustExist && there.complete && !there.users.has(input.user)) throw badInput(`${source.name} has no cPanel account called ${input.user}.`, 'user')
  if (!(PROTECTION_SCHEDULES as readonly string[]).includes(input.schedule)) throw badInput(`A schedule: ${PROTECTION_SCHEDULES.join(', ')}.`, 'schedule')
  if (!Number.isInteger(input.ttl) || input.ttl < TTL_MIN || input.ttl > TTL_MAX) throw badInput(`A DNS TTL of ${TTL_MIN} to ${TTL_MAX} seconds.`, 'ttl')
  const providerId = input.providerId ?? null
  if (providerId !== null) {
    const provider = await dnsStore.findProvider(db, providerId)
    if (!provider || provider.poolId !== poolId) throw badInput("A DNS provider of this pool (see the pool's API providers), or none.", 'providerId')
  }
  return { sourceMemberId: source.id, user: input.user, standbyMemberId: standby.id, schedule: input.schedule as ProtectionSchedule, ttl: input.ttl, providerId }
}

const alreadyProtected = (user: string) => conflict(`${user} on that member is protected already; change its protection instead.`, 'user')

/**
 * Protects one account or several at once: every one is checked before any
 * is stored, so a refusal changes nothing.
 */
export async function protectAccounts(db: Db, actor: Actor, poolId: string, inputs: ProtectInput[], now = new Date()): Promise<ProtectedAccount[]> {
  const pool = await getPool(db, poolId)
  if (inputs.length === 0) throw badInput('Name at least one account to protect.')
  const checked: Checked[] = []
  for (const input of inputs) checked.push(await check(db, pool.id, input, { accountMustExist: true }))
  const seen = new Set<string>()
  for (const c of checked) {
    const key = `${c.sourceMemberId}/${c.user}`
    if (seen.has(key)) throw alreadyProtected(c.user)
    seen.add(key)
  }
  const taken = await store.protectedPairs(db, checked)
  if (taken.length) throw alreadyProtected(taken[0]!.user)

  let ids: string[]
  try {
    ids = await db.transaction(async (tx) => {
      const t = tx as unknown as Db
      const rows = await store.insertProtected(
        t,
        checked.map((c) => {
          const base = { ...c, createdAt: now, lastRunAt: null, lastGoodCopyAt: null }
          return { id: newId('pa'), poolId: pool.id, ...c, enabled: true, nextRunAt: nextRunAfter(base), staleAt: staleAfter(base), createdAt: now, updatedAt: now }
        }),
      )
      for (const row of rows) {
        await recordAudit(t, actor, {
          action: 'protection.account.create',
          targetType: 'protected_account',
          targetId: row.id,
          targetLabel: row.user,
          poolId: pool.id,
          detail: { user: row.user, sourceMemberId: row.sourceMemberId, standbyMemberId: row.standbyMemberId, schedule: row.schedule, ttl: row.ttl, providerId: row.providerId },
        })
      }
      return rows.map((r) => r.id)
    })
  } catch (err) {
    // Two requests at once: the unique index lets one through.
    if (isUniqueViolation(err)) throw alreadyProtected(checked[0]!.user)
    throw err
  }
  return Promise.all(ids.map((id) => getProtected(db, id)))
}

export async function getProtected(db: Db, id: string): Promise<ProtectedAccount> {
  const row = await store.findProtected(db, id)
  if (!row) throw notFound('Protected account')
  return row
}

/** The protected account, when it is this pool's: another pool's answers 404, as a missing one does. */
export async function getPoolProtected(db: Db, poolId: string, id: string): Promise<ProtectedAccount> {
  const pa = await getProtected(db, id)
  if (pa.poolId !== poolId) throw notFound('Protected account')
  return pa
}

export async function listProtected(db: Db, poolId: string): Promise<ProtectedAccount[]> {
  await getPool(db, poolId)
  return store.listPoolProtected(db, poolId)
}

/** Changes any field of the protection; members and user are checked again only when they change. */
export async function updateProtected(db: Db, actor: Actor, id: string, patch: ProtectPatch, now = new Date()): Promise<ProtectedAccount> {
  const pa = await getProtected(db, id)
  const merged: ProtectInput = {
    sourceMemberId: patch.sourceMemberId ?? pa.sourceMemberId,
    user: patch.user ?? pa.user,
    standbyMemberId: patch.standbyMemberId ?? pa.standbyMemberId,
    schedule: patch.schedule ?? pa.schedule,
    ttl: patch.ttl ?? pa.ttl,
    providerId: patch.providerId === undefined ? pa.providerId : patch.providerId,
  }
  const moved = merged.sourceMemberId !== pa.sourceMemberId || merged.user !== pa.user
  const c = await check(db, pa.poolId, merged, { accountMustExist: moved })
  if (moved && (await store.protectedPairs(db, [c], pa.id)).length) throw alreadyProtected(c.user)
  if (patch.records !== undefined) {
    const records = patch.records
    if (!records.length || records.some((r) => !(RECORD_TYPES as readonly string[]).includes(r)) || new Set(records).size !== records.length)
      throw badInput(`Record types to cut: one or more of ${RECORD_TYPES.join(', ')}.`, 'records')
  }
  const next = { ...pa, ...c }
  const changes: Partial<store.NewProtected> = {
    ...c,
    ...(patch.enabled !== undefined ? { enabled: patch.enabled } : {}),
    ...(patch.managed !== undefined ? { managed: patch.managed } : {}),
    ...(patch.records !== undefined ? { records: patch.records } : {}),
    nextRunAt: nextRunAfter(next),
    staleAt: staleAfter(next),
    updatedAt: now,
  }
  try {
    await db.transaction(async (tx) => {
      const t = tx as unknown as Db
      await store.updateProtected(t, pa.id, changes)
      const before = { sourceMemberId: pa.sourceMemberId, user: pa.user, standbyMemberId: pa.standbyMemberId, schedule: pa.schedule, ttl: pa.ttl, providerId: pa.providerId, enabled: pa.enabled, managed: pa.managed, records: pa.records }
      const changed = Object.fromEntries(Object.entries(before).filter(([k, v]) => k in changes && JSON.stringify(v) !== JSON.stringify(changes[k as keyof typeof changes])).map(([k, v]) => [k, { from: v, to: changes[k as keyof typeof changes] }]))
      await recordAudit(t, actor, { action: 'protection.account.update', targetType: 'protected_account', targetId: pa.id, targetLabel: c.user, poolId: pa.poolId, detail: { changed } })
    })
  } catch (err) {
    if (isUniqueViolation(err)) throw alreadyProtected(c.user)
    throw err
  }
  return getProtected(db, pa.id)
}

/** Stops protecting the account: its runs and log go with it. The standby keeps the copy it holds. */
export async function unprotect(db: Db, actor: Actor, id: string): Promise<void> {
  const pa = await getProtected(db, id)
  await db.transaction(async (tx) => {
    const t = tx as unknown as Db
    if (!(await store.deleteProtected(t, pa.id))) throw notFound('Protected account')
    await recordAudit(t, actor, {
      action: 'protection.account.delete',
      targetType: 'protected_account',
      targetId: pa.id,
      targetLabel: pa.user,
      poolId: pa.poolId,
      detail: { user: pa.user, sourceMemberId: pa.sourceMemberId, sourceName: pa.sourceName, standbyMemberId: pa.standbyMemberId, standbyName: pa.standbyName, lastGoodCopyAt: iso(pa.lastGoodCopyAt) },
    })
  })
}

export type PoolProtectionSummary = {
  protected: number
  enabled: number
  healthy: number
  stale: number
  failing: number
  neverCopied: number
  lastSyncAt: Date | null
  /** The largest recovery point among enabled accounts with a copy; null when none has one. */
  worstRecoveryPointSeconds: number | null
}

/** The pool's Protection figures, for the Overview and the Protection tab's KPIs. */
export async function poolProtectionSummary(db: Db, poolId: string, now = new Date()): Promise<PoolProtectionSummary> {
  const f = await store.poolFigures(db, poolId, now)
  return {
    protected: f.total,
    enabled: f.enabled,
    healthy: f.enabled - f.unhealthy,
    stale: f.stale,
    failing: f.failing,
    neverCopied: f.neverCopied,
    lastSyncAt: f.lastSync,
    worstRecoveryPointSeconds: f.oldestCopy ? Math.max(0, Math.floor((now.getTime() - f.oldestCopy.getTime()) / 1000)) : null,
  }
}

/** The replication log of the pool, newest first. */
export async function protectionEvents(db: Db, poolId: string, kind?: store.EventKind, limit = 100): Promise<store.EventRow[]> {
  await getPool(db, poolId)
  return store.listPoolEvents(db, poolId, { kind, limit })
}

export function protectionEventJson(e: store.EventRow) {
  return { id: e.id, poolId: e.poolId, protectedAccountId: e.protectedAccountId, kind: e.kind, message: e.message, detail: e.detail ?? null, at: e.at.toISOString() }
}
