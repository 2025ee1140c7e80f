// What the Restore Backups tab and the Overview show: plain data, no HTML.
import type { Db } from '../db'
import { getMember } from '../members/service'
import { nextRuns, type Schedule } from '../jobs/schedules'
import { catalogue, isJobName } from '../../agent/jobs/catalogue'
import { retentionOf, type Retention } from './retention'
import * as store from './store'

const CALENDAR_DAYS = 60

export type SnapshotSummary = {
  count: number
  /** What the snapshots hold, before deduplication and compression. */
  sizeBytes: number
  /** What their distinct chunks take in the store. */
  storedBytes: number
  /** sizeBytes / storedBytes; null while nothing is stored. */
  dedupRatio: number | null
  lastBackupAt: Date | null
  lastProvenAt: Date | null
  /** UTC days (YYYY-MM-DD) of the last 60 with at least one snapshot, oldest first. */
  backupDays: string[]
}

export async function snapshotSummary(db: Db, memberId: string, now = new Date()): Promise<SnapshotSummary> {
  const figures = await store.memberSnapshotFigures(db, memberId)
  const storedBytes = figures.snapshots ? await store.memberStoredBytes(db, memberId) : 0
  const from = new Date(Date.UTC(now.getUTCFullYear(), now.getUTCMonth(), now.getUTCDate() - (CALENDAR_DAYS - 1)))
  return {
    count: figures.snapshots,
    sizeBytes: figures.sizeBytes,
    storedBytes,
    dedupRatio: storedBytes > 0 ? Math.round((figures.sizeBytes / storedBytes) * 100) / 100 : null,
    lastBackupAt: figures.lastBackupAt,
    lastProvenAt: figures.lastProvenAt,
    backupDays: await store.backupDays(db, memberId, from),
  }
}

export type PoolBackupSummary = { snapshots: number; storedBytes: number; lastBackupAt: Date | null }

export async function poolBackupSummary(db: Db, poolId: string): Promise<PoolBackupSummary> {
  const { snapshots, lastBackupAt } = await store.poolSnapshotFigures(db, poolId)
  return { snapshots, lastBackupAt, storedBytes: snapshots ? await store.poolStoredBytes(db, poolId) : 0 }
}

export type RunningBackup = {
  jobId: string
  name: string
  /** The database, directory or cPanel user; "config" for backup.config. */
  source: string
  startedAt: Date | null
  progress: number
  bytesDone: number | null
  bytesPerSecond: number | null
}

const numberOr = (v: unknown) => (typeof v === 'number' && Number.isFinite(v) ? v : null)

/** A member's running backup jobs with what their agents last reported. */
export async function runningBackups(db: Db, memberId: string): Promise<RunningBackup[]> {
  return (await store.runningBackupJobs(db, memberId)).map((j) => {
    const r = (j.result ?? {}) as { bytesDone?: unknown; bytesPerSecond?: unknown }
    const p = j.params as { database?: string; path?: string; user?: string }
    return {
      jobId: j.id,
      name: j.name,
      source: p.database ?? p.path ?? p.user ?? 'config',
      startedAt: j.startedAt,
      progress: j.progress,
      bytesDone: numberOr(r.bytesDone),
      bytesPerSecond: numberOr(r.bytesPerSecond),
    }
  })
}

export type BackupSchedule = {
  id: string
  name: string
  title: string
  params: Record<string, unknown>
  cron: string
  enabled: boolean
  label: string | null
  nextRunAt: Date | null
  lastFiredAt: Date | null
  retention: Retention
}

export function backupScheduleOf(s: Schedule, now = new Date()): BackupSchedule {
  return {
    id: s.id,
    name: s.name,
    title: isJobName(s.name) ? catalogue[s.name].title : s.name,
    params: s.params,
    cron: s.cron,
    enabled: s.enabled,
    label: s.label,
    nextRunAt: s.enabled ? (nextRuns(s.cron, 1, now)[0] ?? null) : null,
    lastFiredAt: s.lastFiredAt,
    retention: retentionOf(s),
  }
}

/** A member's backup.* schedules, oldest first, each with its retention. */
export async function backupSchedules(db: Db, memberId: string, now = new Date()): Promise<BackupSchedule[]> {
  await getMember(db, memberId)
  return (await store.memberBackupSchedules(db, memberId)).map((s) => backupScheduleOf(s, now))
}
