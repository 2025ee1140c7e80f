// Snapshots as people and the API see them, and the jobs that read them:
// restore, verify and drill are queued only here, where the snapshot is
// checked to exist, to belong to the target's pool and to fit the request.
import type { Db } from '../db'
import { recordAudit, type Actor } from '../audit/service'
import { badInput, conflict, notFound } from '../http/errors'
import { getMember, listMembers } from '../members/service'
import type { Member } from '../members/store'
import { queueJob, type Job } from '../jobs/service'
import { reportedAccounts } from '../cpanel/accounts'
import * as store from './store'

export type Snapshot = store.Snapshot
export { snapshotSummary, poolBackupSummary, runningBackups, backupSchedules, type SnapshotSummary, type PoolBackupSummary, type RunningBackup, type BackupSchedule } from './summary'
export { createBackupPreset, backUpNow, setRetention, type BackupPreset, type Retention } from './presets'

export async function getSnapshot(db: Db, id: string): Promise<Snapshot> {
  const snap = await store.findSnapshot(db, id)
  if (!snap) throw notFound('Snapshot')
  return snap
}

/** A member's snapshots, newest first. */
export async function memberSnapshots(db: Db, memberId: string): Promise<Snapshot[]> {
  await getMember(db, memberId)
  return store.listMemberSnapshots(db, memberId)
}

const iso = (d: Date | null) => (d ? d.toISOString() : null)

export function snapshotJson(s: Snapshot) {
  return {
    id: s.id,
    poolId: s.poolId,
    memberId: s.memberId,
    memberName: s.memberName,
    kind: s.kind,
    source: s.source,
    sizeBytes: s.sizeBytes,
    storedBytes: s.storedBytes,
    uploadedBytes: s.uploadedBytes,
    chunkCount: s.chunkCount,
    sha256: s.sha256,
    createdAt: s.createdAt.toISOString(),
    verifiedAt: iso(s.verifiedAt),
    verifyFailedAt: iso(s.verifyFailedAt),
    verifyProblem: s.verifyProblem,
    provenAt: iso(s.provenAt),
    drillFailedAt: iso(s.drillFailedAt),
    drillProblem: s.drillProblem,
    jobId: s.jobId,
    scheduleId: s.scheduleId,
  }
}
export type SnapshotJson = ReturnType<typeof snapshotJson>

export type RestoreInput = { memberId: string; database?: string; path?: string; replace?: boolean }

/** The restore job's parameters for this snapshot, or a 422 saying what the request lacks. */
function restoreJob(snap: Snapshot, input: RestoreInput): { name: string; params: Record<string, unknown> } {
  if (snap.kind === 'cpanel_account') {
    if (input.database !== undefined) throw badInput('A cPanel account snapshot is restored as the account: give memberId (and replace), not database.', 'database')
    if (input.path !== undefined) throw badInput('A cPanel account snapshot is restored as the account: give memberId (and replace), not path.', 'path')
    return { name: 'restore.cpanel_account', params: { snapshotId: snap.id, ...(input.replace ? { replace: true } : {}) } }
  }
  if (snap.kind === 'database') {
    if (input.path !== undefined) throw badInput('A database snapshot is restored as a database: give database, not path.', 'path')
    if (!input.database) throw badInput('Name the database to restore into (a new name, or the original with replace: true).', 'database')
    return { name: 'restore.database', params: { snapshotId: snap.id, database: input.database, ...(input.replace ? { replace: true } : {}) } }
  }
  if (input.database !== undefined || input.replace !== undefined) throw badInput(`A ${snap.kind} snapshot is restored to a directory: give path, not database.`, 'database')
  if (!input.path) throw badInput('Give the directory to restore into (path).', 'path')
  return { name: 'restore.files', params: { snapshotId: snap.id, path: input.path } }
}

async function targetIn(db: Db, snap: Snapshot, memberId: string): Promise<Member> {
  const member = await getMember(db, memberId).catch(() => {
    throw badInput('There is no such member to restore to.', 'memberId')
  })
  if (member.poolId !== snap.poolId) throw badInput(`${member.name} is in another pool; a snapshot restores only within its own pool.`, 'memberId')
  return member
}

/** One audit line per snapshot action, labelled as the tab shows the snapshot. */
function auditSnapshot(db: Db, actor: Actor, action: string, snap: Snapshot, detail: Record<string, unknown>) {
  return recordAudit(db, actor, { action, targetType: 'snapshot', targetId: snap.id, targetLabel: `${snap.kind} ${snap.source}`, poolId: snap.poolId, detail })
}

/** Queues restore.database, restore.files or restore.cpanel_account on a member of the snapshot's pool. */
export async function queueRestore(db: Db, actor: Actor, snapshotId: string, input: RestoreInput): Promise<Job> {
  const snap = await getSnapshot(db, snapshotId)
  const job = restoreJob(snap, input)
  const member = await targetIn(db, snap, input.memberId)
  if (snap.kind === 'cpanel_account' && !input.replace && reportedAccounts(member)?.users.has(snap.source)) {
    throw conflict(`${member.name} has an account called ${snap.source} already; restore with replace to restore over it.`, 'replace')
  }
  const queued = await queueJob(db, actor, member.id, job.name, job.params, { through: true })
  await auditSnapshot(db, actor, 'snapshot.restore', snap, { jobId: queued.id, memberId: member.id, memberName: member.name, ...job.params })
  return queued
}

/** A member of the pool whose agent has checked in, for a snapshot whose own member is gone. */
async function verifier(db: Db, snap: Snapshot): Promise<Member> {
  if (snap.memberId) return getMember(db, snap.memberId)
  const member = (await listMembers(db, snap.poolId)).find((m) => m.lastHeartbeatAt !== null)
  if (!member) throw conflict('No member of this pool has checked in to read the snapshot back.')
  return member
}

/** Queues snapshot.verify: on the snapshot's member, or any checked-in member of its pool when that one is gone. */
export async function queueVerify(db: Db, actor: Actor, snapshotId: string): Promise<Job> {
  const snap = await getSnapshot(db, snapshotId)
  const member = await verifier(db, snap)
  const queued = await queueJob(db, actor, member.id, 'snapshot.verify', { snapshotId: snap.id }, { through: true })
  await auditSnapshot(db, actor, 'snapshot.verify', snap, { jobId: queued.id, memberId: member.id })
  return queued
}

/** Deletes a snapshot; its chunks go at the next prune unless another snapshot holds them. */
export async function deleteSnapshot(db: Db, actor: Actor, snapshotId: string): Promise<Snapshot> {
  const snap = await getSnapshot(db, snapshotId)
  if ((await store.snapshotsInUse(db, [snap.id])).size) throw conflict('A restore, verify or drill job is reading this snapshot; delete it once that job has ended.')
  if (!(await store.deleteSnapshotRow(db, snap.id))) throw notFound('Snapshot')
  await auditSnapshot(db, actor, 'snapshot.delete', snap, { memberId: snap.memberId, memberName: snap.memberName, createdAt: snap.createdAt.toISOString(), storedBytes: snap.storedBytes })
  return snap
}
