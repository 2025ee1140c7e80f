// Everything the member's Restore Backups tab shows, loaded in one place
// from the backups service and the job queue: the view only renders it.
import type { Db } from '../db'
import type { Member } from '../members/store'
import { listMembers } from '../members/service'
import * as jobStore from '../jobs/store'
import { backupSchedules, memberSnapshots, runningBackups, snapshotSummary } from './service'
import { detectedDatabases, vhostRoots } from './presets'
import type { BackupsEcho, BackupsTabData } from '../../views/members/tabs/BackupsModel'

const RECENT = 10
/** The most jobs one "Queued:" notice links to (Back up now queues one per database). */
export const JUST_QUEUED_MAX = 20
const JOB_PREFIXES = ['backup.', 'restore.', 'snapshot.']

type Stacks = { mariadb?: unknown; openlitespeed?: { vhosts?: { name?: unknown; root?: unknown }[] } | null }

/** Database names when MariaDB is detected (null when it is not). */
export function databasesOf(member: Pick<Member, 'stacks'>): string[] | null {
  return (member.stacks as Stacks | null)?.mariadb ? detectedDatabases(member) : null
}

/** Site roots when OpenLiteSpeed is detected (null when it is not). */
export function sitesOf(member: Pick<Member, 'stacks'>): { name: string; root: string }[] | null {
  const ols = (member.stacks as Stacks | null)?.openlitespeed
  if (!ols) return null
  const roots = vhostRoots(member)
  return roots.map((root) => ({ root, name: String(ols.vhosts?.find((v) => v.root === root)?.name ?? root) }))
}

const hasMariadb = (m: Member) => !!(m.stacks as Stacks | null)?.mariadb
const hasCpanel = (m: Member) => !!(m.stacks as { cpanel?: unknown } | null)?.cpanel

export async function backupsTabData(
  db: Db,
  member: Member,
  opts: { csrf: string | null; queuedIds?: string[]; echo?: BackupsEcho; now?: Date },
): Promise<BackupsTabData> {
  const now = opts.now ?? new Date()
  const ids = (opts.queuedIds ?? []).slice(0, JUST_QUEUED_MAX)
  const [snapshots, summary, running, schedules, recent, poolMembers, justQueued] = await Promise.all([
    memberSnapshots(db, member.id),
    snapshotSummary(db, member.id, now),
    runningBackups(db, member.id),
    backupSchedules(db, member.id, now),
    jobStore.listMemberJobsNamed(db, member.id, JOB_PREFIXES, RECENT),
    listMembers(db, member.poolId),
    jobStore.findJobs(db, ids),
  ])
  return {
    poolId: member.poolId,
    member: { id: member.id, name: member.name, hostname: member.hostname },
    csrf: opts.csrf,
    checkedInAt: member.lastHeartbeatAt,
    databases: databasesOf(member),
    sites: sitesOf(member),
    summary,
    snapshots,
    running,
    queued: recent.filter((j) => j.status === 'queued' && j.name.startsWith('backup.')),
    recent,
    // Only this member's jobs: the ids come from the URL.
    justQueued: justQueued.filter((j) => j.memberId === member.id || j.poolId === member.poolId).sort((a, b) => ids.indexOf(a.id) - ids.indexOf(b.id)),
    schedules,
    targets: poolMembers.map((m) => ({ id: m.id, name: m.name, mariadb: hasMariadb(m), cpanel: hasCpanel(m), checkedIn: m.lastHeartbeatAt !== null })),
    today: now,
    echo: opts.echo,
  }
}

/** The running section's poll: only what it shows. */
export async function runningData(db: Db, member: Member) {
  const [running, recent] = await Promise.all([runningBackups(db, member.id), jobStore.listMemberJobsNamed(db, member.id, ['backup.'], RECENT)])
  return { poolId: member.poolId, member: { id: member.id, name: member.name, hostname: member.hostname }, running, queued: recent.filter((j) => j.status === 'queued') }
}
