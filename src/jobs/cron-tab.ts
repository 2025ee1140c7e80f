// What the member's Cron & Jobs tab shows: its schedules with their next
// runs, the figures above them, the form to add or edit one, and the latest
// jobs of the member.
import type { Db } from '../db'
import type { Member } from '../members/store'
import type { JobName } from '../../agent/jobs/catalogue'
import { jobChoices, type JobChoice } from './param-fields'
import { isBackupSchedule, nextRuns, scheduleRefusalNow, schedulableJobs, type Schedule } from './schedules'
import { fingerprint } from './job-page'
import * as store from './store'

export type Job = store.Job

export type ScheduleRow = { schedule: Schedule; next: Date[]; lastJob: Job | null; refusal: string | null }

export type ScheduleForm = {
  /** The schedule being edited; null for "Add a schedule". */
  editing: string | null
  name: string
  cron: string
  label: string
  values: Record<string, string>
  errors: Record<string, string>
}

export type Preset = { key: string; name: JobName; cron: string; label: string; summary: string }

/**
 * Suggestions from the seed's list, as their jobs land in the catalogue
 * (stack backups come with the backup jobs).
 */
export const PRESETS: Preset[] = [
  { key: 'updates-daily', name: 'system.updates.check', cron: '17 4 * * *', label: 'Daily update check', summary: 'Checks for package updates every day at 04:17 UTC.' },
]

export type CronTab = {
  rows: ScheduleRow[]
  backupCount: number
  /** The member's latest finished job. */
  lastRun: Job | null
  /** The latest 50 jobs, newest first. */
  recent: Job[]
  /** Tag of the timeline as shown: its poll answers 204 while it holds. */
  timelineTag: string
  form: ScheduleForm
  /** Presets this member has no schedule of yet. */
  presets: Preset[]
  choices: JobChoice[]
  now: Date
}

export const RECENT_JOBS = 50

export const emptyScheduleForm = (): ScheduleForm => ({ editing: null, name: '', cron: '', label: '', values: {}, errors: {} })

export function scheduleFormOf(s: Schedule): ScheduleForm {
  const values = Object.fromEntries(Object.entries(s.params).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : String(v)]))
  return { editing: s.id, name: s.name, cron: s.cron, label: s.label ?? '', values, errors: {} }
}

export const timelineTag = (jobs: Job[]) => fingerprint(jobs.map((j) => [j.id, j.status, j.progress, j.cancelRequestedAt !== null]))

export async function recentJobs(db: Db, memberId: string) {
  const recent = await store.listMemberJobs(db, memberId, RECENT_JOBS)
  return { recent, tag: timelineTag(recent) }
}

export async function cronTab(db: Db, member: Member, form: ScheduleForm = emptyScheduleForm(), now = new Date()): Promise<CronTab> {
  const [schedules, { recent, tag }, lastRun] = await Promise.all([
    store.listMemberSchedules(db, member.id),
    recentJobs(db, member.id),
    store.latestFinishedJob(db, member.id),
  ])
  const lastIds = schedules.map((s) => s.lastJobId).filter((id): id is string => !!id)
  const lastJobs = new Map((await store.findJobs(db, lastIds)).map((j) => [j.id, j]))
  const rows = schedules.map((schedule) => ({
    schedule,
    next: schedule.enabled ? nextRuns(schedule.cron, 3, now) : [],
    lastJob: (schedule.lastJobId && lastJobs.get(schedule.lastJobId)) || null,
    refusal: scheduleRefusalNow(schedule, member),
  }))
  return {
    rows,
    backupCount: schedules.filter(isBackupSchedule).length,
    lastRun: lastRun ?? null,
    recent,
    timelineTag: tag,
    form,
    presets: PRESETS.filter((p) => !schedules.some((s) => s.name === p.name)),
    choices: jobChoices(schedulableJobs),
    now,
  }
}
