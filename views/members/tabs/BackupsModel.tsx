// What the Restore Backups tab shows, as data, and the small pure rules its
// parts share: default restore names, the calendar's weeks, rates. No
// queries: src/backups/tab-data.ts loads all of it.
import type { Job } from '../../../src/jobs/store'
import type { BackupSchedule, RunningBackup, Snapshot, SnapshotSummary } from '../../../src/backups/service'
import { formatBytes } from '../../../src/members/view-model'

export type SnapshotKind = 'database' | 'files' | 'config' | 'cpanel_account'

/** One snapshot, as src/backups/service lists it. */
export type BackupSnapshot = Snapshot
export type BackupSummary = SnapshotSummary
/** A backup job under way, with what its agent last reported. */
export type { RunningBackup, BackupSchedule }

/** A member of the pool a snapshot can be restored to. */
export type RestoreTarget = { id: string; name: string; mariadb: boolean; cpanel: boolean; checkedIn: boolean }

/** The form a refused post came from: which one, its values and the message by each field. */
export type BackupsEcho = {
  form: 'restore' | 'verify' | 'delete' | 'retention' | 'preset' | 'now'
  /** The snapshot, schedule or preset it was about. */
  key: string
  values: Record<string, string>
  errors: Record<string, string>
}

export type BackupsTabData = {
  poolId: string
  member: { id: string; name: string; hostname: string }
  csrf: string | null
  /** When the agent last checked in; null before its first heartbeat. */
  checkedInAt: Date | null
  /** Database names when MariaDB is detected, else null. */
  databases: string[] | null
  /** Site roots when OpenLiteSpeed is detected, else null. */
  sites: { name: string; root: string }[] | null
  summary: BackupSummary
  snapshots: BackupSnapshot[]
  running: RunningBackup[]
  /** Backup jobs waiting for the agent. */
  queued: Job[]
  /** Backup, restore and snapshot jobs, newest first. */
  recent: Job[]
  /** The jobs the last action queued, to link to. */
  justQueued: Job[]
  schedules: BackupSchedule[]
  targets: RestoreTarget[]
  today: Date
  echo?: BackupsEcho
}

export const backupsHref = (poolId: string, memberId: string) => `/pools/${poolId}/members/${memberId}/backups`
export const snapshotHref = (poolId: string, memberId: string, snapshotId: string) => `${backupsHref(poolId, memberId)}/snapshots/${snapshotId}`
export const runningHref = (poolId: string, memberId: string) => `${backupsHref(poolId, memberId)}/running`
export const backUpNowHref = (poolId: string, memberId: string) => `${backupsHref(poolId, memberId)}/now`

const ymd = (d: Date) => d.toISOString().slice(0, 10)
const compact = (d: Date) => ymd(d).replaceAll('-', '')

/** A new database's name: the source's, marked restored and dated, within MariaDB's 64 characters. */
export function restoredDatabaseName(source: string, today: Date): string {
  const suffix = `_restored_${compact(today)}`
  return `${source.slice(0, 64 - suffix.length)}${suffix}`
}

/** A folder beside the original, marked restored and dated. */
export function restoredPath(source: string, today: Date): string {
  const base = source.length > 1 ? source.replace(/\/+$/, '') : source
  return `${base}.restored-${compact(today)}`
}

const KINDS: Record<SnapshotKind, string> = { database: 'Database', files: 'Site files', config: 'Configuration', cpanel_account: 'cPanel account' }
export const kindLabel = (kind: string) => KINDS[kind as SnapshotKind] ?? kind

export function dedupText(ratio: number | null): string {
  if (ratio == null || !Number.isFinite(ratio)) return '–'
  return `${ratio >= 10 ? Math.round(ratio) : ratio.toFixed(1)}×`
}

export function rateText(bytesPerSecond: number | null): string {
  if (bytesPerSecond == null) return '–'
  const mb = bytesPerSecond / 1_000_000
  return `${mb >= 100 ? Math.round(mb) : mb.toFixed(1)} MB/s`
}

export const bytesText = (n: number | null | undefined) => formatBytes(n)

export type CalendarDay = { date: string; backedUp: boolean; future: boolean; today: boolean }

/**
 * The last `weeks` weeks as rows Monday to Sunday, ending with this week
 * (days after today marked future), in UTC like every time on the page.
 */
export function calendarWeeks(backupDays: string[], today: Date, weeks = 8): CalendarDay[][] {
  const days = new Set(backupDays)
  const todayYmd = ymd(today)
  const start = new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate()))
  const sinceMonday = (start.getUTCDay() + 6) % 7
  start.setUTCDate(start.getUTCDate() - sinceMonday - (weeks - 1) * 7)
  const rows: CalendarDay[][] = []
  for (let w = 0; w < weeks; w++) {
    const row: CalendarDay[] = []
    for (let d = 0; d < 7; d++) {
      const day = new Date(start)
      day.setUTCDate(start.getUTCDate() + w * 7 + d)
      const date = ymd(day)
      row.push({ date, backedUp: days.has(date), future: date > todayYmd, today: date === todayYmd })
    }
    rows.push(row)
  }
  return rows
}

/** What "Back up now" backs up here: every detected database, else the configuration. */
export function backUpNowPlan(databases: string[] | null): { kind: 'database' | 'config'; sources: string[] } {
  if (databases && databases.length) return { kind: 'database', sources: databases }
  return { kind: 'config', sources: ['configuration'] }
}
