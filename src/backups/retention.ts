// Grandfather-father-son retention over one backup schedule's snapshots:
// the newest snapshot of each of the last N UTC days, ISO weeks and months
// that have one. Manual snapshots (no schedule) are kept until deleted.
import type { Db } from '../db'
import { recordAudit } from '../audit/service'
import { scheduleActor, type Schedule } from '../jobs/schedules'
import * as store from './store'

export type Retention = { keepDaily: number; keepWeekly: number; keepMonthly: number }

export const DEFAULT_RETENTION: Retention = { keepDaily: 7, keepWeekly: 4, keepMonthly: 6 }

export function retentionOf(s: Pick<Schedule, 'keepDaily' | 'keepWeekly' | 'keepMonthly'>): Retention {
  return {
    keepDaily: s.keepDaily ?? DEFAULT_RETENTION.keepDaily,
    keepWeekly: s.keepWeekly ?? DEFAULT_RETENTION.keepWeekly,
    keepMonthly: s.keepMonthly ?? DEFAULT_RETENTION.keepMonthly,
  }
}

const day = (d: Date) => d.toISOString().slice(0, 10)
const month = (d: Date) => d.toISOString().slice(0, 7)

/** ISO 8601 week, e.g. "2026-W05": weeks start on Monday; week 1 holds the year's first Thursday. */
export function isoWeek(d: Date): string {
  const t = new Date(Date.UTC(d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate()))
  const weekday = t.getUTCDay() || 7
  t.setUTCDate(t.getUTCDate() + 4 - weekday)
  const yearStart = Date.UTC(t.getUTCFullYear(), 0, 1)
  const week = Math.ceil(((t.getTime() - yearStart) / 86_400_000 + 1) / 7)
  return `${t.getUTCFullYear()}-W${String(week).padStart(2, '0')}`
}

/** The ids to keep: each rule walks the snapshots newest first and keeps the first of each new period. */
export function keepIds(snaps: { id: string; createdAt: Date }[], r: Retention): Set<string> {
  const newestFirst = [...snaps].sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime() || (a.id < b.id ? 1 : -1))
  const keep = new Set<string>()
  const rules: [number, (d: Date) => string][] = [
    [r.keepDaily, day],
    [r.keepWeekly, isoWeek],
    [r.keepMonthly, month],
  ]
  for (const [n, period] of rules) {
    const seen = new Set<string>()
    for (const s of newestFirst) {
      if (seen.size >= n) break
      const p = period(s.createdAt)
      if (seen.has(p)) continue
      seen.add(p)
      keep.add(s.id)
    }
  }
  return keep
}

/** Deletes what the schedule's retention no longer keeps, except snapshots a job is reading now. */
export async function applyRetention(db: Db, schedule: Schedule): Promise<number> {
  const snaps = await store.listScheduleSnapshots(db, schedule.id)
  const keep = keepIds(snaps, retentionOf(schedule))
  const drop = snaps.filter((s) => !keep.has(s.id))
  const busy = await store.snapshotsInUse(db, drop.map((s) => s.id))
  let deleted = 0
  for (const s of drop) {
    if (busy.has(s.id) || !(await store.deleteSnapshotRow(db, s.id))) continue
    deleted++
    await recordAudit(db, scheduleActor(schedule), {
      action: 'snapshot.expire',
      targetType: 'snapshot',
      targetId: s.id,
      targetLabel: `${s.kind} ${s.source}`,
      poolId: s.poolId,
      detail: { scheduleId: schedule.id, memberId: s.memberId, memberName: s.memberName, createdAt: s.createdAt.toISOString(), retention: retentionOf(schedule) },
    })
  }
  return deleted
}

/** The leader's pass over every backup schedule that has snapshots. */
export async function applyAllRetention(db: Db): Promise<number> {
  let deleted = 0
  for (const s of await store.backupSchedulesWithSnapshots(db)) deleted += await applyRetention(db, s)
  return deleted
}
