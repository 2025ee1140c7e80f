// Push copies: an account packaged on its member (backup.cpanel_account, a
// normal snapshot of the source), then restored from that snapshot on another
// cPanel member of the pool (restore.cpanel_account). A copy row follows the
// two jobs; each step is one conditional update on its state, so a second
// replica or a second tick never queues the restore twice.
import type { Db } from '../db'
import { isUniqueViolation } from '../db'
import { recordAudit, type Actor } from '../audit/service'
import { newId } from '../crypto/tokens'
import { badInput, conflict, HttpError, notFound } from '../http/errors'
import { getMember } from '../members/service'
import type { Member } from '../members/store'
import { queueJob } from '../jobs/service'
import { wakeMember } from '../jobs/wake'
import { CPANEL_USER } from '../../agent/cpanel/protocol'
import type { AccountCopy } from './model'
import { reportedAccounts } from './accounts'
import { backupOutcome, jobEnding, queueRestoreOnce } from './chain'
import * as store from './store'

export const COPIES_LISTED = 20

export type PushCopyInput = { poolId?: string; sourceMemberId: string; user: string; targetMemberId: string; replace?: boolean }

export function copyOf(row: store.CopyWithNames): AccountCopy {
  return {
    id: row.id,
    poolId: row.poolId,
    user: row.user,
    sourceMemberId: row.sourceMemberId,
    sourceName: row.sourceName,
    targetMemberId: row.targetMemberId,
    targetName: row.targetName,
    state: row.state,
    backupJobId: row.backupJobId,
    restoreJobId: row.restoreJobId,
    snapshotId: row.snapshotId,
    error: row.error,
    requestedBy: row.requestedBy,
    createdAt: row.createdAt,
    finishedAt: row.finishedAt,
  }
}

const iso = (d: Date | null) => (d ? d.toISOString() : null)

/** The copy as the API shows it. */
export function copyJson(c: AccountCopy) {
  return { ...c, createdAt: c.createdAt.toISOString(), finishedAt: iso(c.finishedAt) }
}

async function targetIn(db: Db, source: Member, targetMemberId: string): Promise<Member> {
  const target = await getMember(db, targetMemberId).catch(() => {
    throw badInput('There is no such member to copy to.', 'targetMemberId')
  })
  if (target.poolId !== source.poolId) throw badInput(`${target.name} is in another pool; accounts are copied within one pool.`, 'targetMemberId')
  if (target.id === source.id) throw badInput('The account is on this server already; choose another member to copy it to.', 'targetMemberId')
  return target
}

const inFlight = (user: string, source: Member, target: Member) =>
  conflict(`A copy of ${user} from ${source.name} to ${target.name} is under way; wait for it to end.`, 'user')

/**
 * Queues backup.cpanel_account on the source and records the copy, in one
 * transaction; the restore on the target is queued by advanceCopies once the
 * backup has made its snapshot.
 */
export async function startPushCopy(db: Db, actor: Actor, input: PushCopyInput, now = new Date()): Promise<AccountCopy> {
  const source = await getMember(db, input.sourceMemberId, input.poolId)
  const there = reportedAccounts(source)
  if (!there) throw new HttpError(422, 'not_possible_here', `cPanel is not installed on ${source.name}.`, 'sourceMemberId')
  const target = await targetIn(db, source, input.targetMemberId)
  const here = reportedAccounts(target)
  if (!here) throw badInput(`cPanel is not installed on ${target.name}.`, 'targetMemberId')
  const user = input.user
  if (!new RegExp(CPANEL_USER).test(user)) throw badInput('A cPanel user name: lower-case letters and digits, starting with a letter, up to 16, not starting with "test".', 'user')
  if (!there.users.has(user) && there.complete) throw badInput(`${source.name} has no cPanel account called ${user}.`, 'user')
  const replace = input.replace === true
  if (here.users.has(user) && !replace) throw conflict(`${target.name} has an account called ${user} already; copy with replace to restore over it.`, 'replace')
  if (await store.copyInFlight(db, source.id, target.id, user)) throw inFlight(user, source, target)

  let id: string
  try {
    id = await db.transaction(async (tx) => {
      const t = tx as unknown as Db
      const backup = await queueJob(t, actor, source.id, 'backup.cpanel_account', { user }, { now })
      const copy = await store.insertCopy(t, {
        id: newId('copy'),
        poolId: source.poolId,
        user,
        sourceMemberId: source.id,
        targetMemberId: target.id,
        state: 'backing_up',
        backupJobId: backup.id,
        requestedBy: actor.label,
        replace,
        createdAt: now,
      })
      await recordAudit(t, actor, {
        action: 'cpanel.copy.start',
        targetType: 'member',
        targetId: source.id,
        targetLabel: source.name,
        poolId: source.poolId,
        detail: { copyId: copy.id, user, targetMemberId: target.id, targetName: target.name, replace, backupJobId: backup.id },
      })
      return copy.id
    })
  } catch (err) {
    // Two requests at once: the unique index on copies in flight lets one through.
    if (isUniqueViolation(err)) throw inFlight(user, source, target)
    throw err
  }
  wakeMember(source.id)
  return getCopy(db, id)
}

export async function getCopy(db: Db, id: string): Promise<AccountCopy> {
  const row = await store.findCopy(db, id)
  if (!row) throw notFound('Copy')
  return copyOf(row)
}

/** Copies from or to the member, newest first (the last COPIES_LISTED). */
export async function listCopies(db: Db, where: { memberId: string }): Promise<AccountCopy[]> {
  return (await store.listMemberCopies(db, where.memberId, COPIES_LISTED)).map(copyOf)
}

/** Who the restore is queued for: the person who asked for the copy. */
const requester = (copy: store.CopyRow): Actor => ({ userId: null, label: copy.requestedBy, ip: null })

/**
 * Moves every copy whose current job has ended: a backup that made its
 * snapshot queues the restore on the target (claimed by a conditional update
 * in the same transaction, so it is queued once); a failed backup or restore
 * fails the copy with the job's error; a restore that succeeded ends it.
 * `jobId`: only the copy of that job (called as an agent finishes it).
 */
export async function advanceCopies(db: Db, now = new Date(), opts: { jobId?: string } = {}): Promise<{ restoring: number; succeeded: number; failed: number }> {
  const counts = { restoring: 0, succeeded: 0, failed: 0 }
  for (const { copy, job } of await store.copiesToAdvance(db, opts.jobId)) {
    if (copy.state === 'restoring') {
      const ok = job.status === 'succeeded'
      const moved = await store.updateCopyWhere(db, copy.id, 'restoring', ok ? { state: 'succeeded', finishedAt: now } : { state: 'failed', error: jobEnding(job, 'restore'), finishedAt: now })
      if (moved) counts[ok ? 'succeeded' : 'failed']++
      continue
    }
    const backup = backupOutcome(job)
    if ('error' in backup) {
      if (await store.updateCopyWhere(db, copy.id, 'backing_up', { state: 'failed', error: backup.error, finishedAt: now })) counts.failed++
      continue
    }
    const { snapshotId } = backup
    const outcome = await queueRestoreOnce(db, {
      claim: async (t) => !!(await store.updateCopyWhere(t, copy.id, 'backing_up', { state: 'restoring', snapshotId })),
      queued: async (t, restore) => void (await store.updateCopyWhere(t, copy.id, 'restoring', { restoreJobId: restore.id })),
      refused: async (t, error) => void (await store.updateCopyWhere(t, copy.id, 'restoring', { state: 'failed', error, finishedAt: now })),
      actor: requester(copy),
      targetMemberId: copy.targetMemberId,
      params: { snapshotId, ...(copy.replace ? { replace: true } : {}) },
      now,
    })
    if (outcome) counts[outcome]++
  }
  return counts
}
