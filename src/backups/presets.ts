// The tab's one-click actions: presets that make backup schedules from what
// the member runs, "Back up now", and a schedule's retention.
import type { Db } from '../db'
import { recordAudit, type Actor } from '../audit/service'
import { badInput } from '../http/errors'
import { getMember } from '../members/service'
import type { Member } from '../members/store'
import { queueJob, type Job } from '../jobs/service'
import { createSchedule, getSchedule, isBackupSchedule, type Schedule } from '../jobs/schedules'
import * as jobStore from '../jobs/store'
import { retentionOf, type Retention } from './retention'
import * as store from './store'

export type { Retention } from './retention'
export type BackupPreset = 'databases-nightly' | 'files-weekly'

type Stacks = {
  mariadb?: { databases?: { name?: unknown }[] } | null
  openlitespeed?: { vhosts?: { root?: unknown }[] } | null
}

export function detectedDatabases(member: Pick<Member, 'stacks'>): string[] {
  const dbs = (member.stacks as Stacks).mariadb?.databases ?? []
  return dbs.map((d) => d?.name).filter((n): n is string => typeof n === 'string')
}

export function vhostRoots(member: Pick<Member, 'stacks'>): string[] {
  const vhosts = (member.stacks as Stacks).openlitespeed?.vhosts ?? []
  return [...new Set(vhosts.map((v) => v?.root).filter((r): r is string => typeof r === 'string' && r.startsWith('/')))]
}

/** Minutes apart, so a member's nightly dumps do not all start at 02:00 at once. */
const STAGGER_MINUTES = 5

/**
 * Makes the preset's schedules, skipping any the member already has with the
 * same parameters, so pressing it twice does not double the backups.
 */
export async function createBackupPreset(db: Db, actor: Actor, memberId: string, preset: BackupPreset, opts: { path?: string } = {}): Promise<Schedule[]> {
  const member = await getMember(db, memberId)
  const existing = await store.memberBackupSchedules(db, memberId)
  const has = (name: string, key: string, value: string) => existing.some((s) => s.name === name && s.params[key] === value)
  const made: Schedule[] = []
  if (preset === 'databases-nightly') {
    const dbs = detectedDatabases(member)
    if (!dbs.length) throw badInput(`${member.name} reports no MariaDB databases to back up.`, 'preset')
    for (const [i, database] of dbs.entries()) {
      if (has('backup.database', 'database', database)) continue
      const at = i * STAGGER_MINUTES
      const cron = `${at % 60} ${Math.min(2 + Math.floor(at / 60), 23)} * * *`
      made.push(await createSchedule(db, actor, memberId, { name: 'backup.database', params: { database }, cron, label: `Nightly: ${database}` }))
    }
  } else if (preset === 'files-weekly') {
    const paths = opts.path ? [opts.path] : vhostRoots(member)
    if (!paths.length) throw badInput(`${member.name} reports no site document roots; give the directory to back up.`, 'path')
    for (const path of paths) {
      if (has('backup.files', 'path', path)) continue
      made.push(await createSchedule(db, actor, memberId, { name: 'backup.files', params: { path }, cron: '0 3 * * 0', label: `Weekly: ${path}` }))
    }
  } else {
    throw badInput('The preset is databases-nightly or files-weekly.', 'preset')
  }
  return made
}

/** "Back up now", stack-aware: every detected database, else the configuration. */
export async function backUpNow(db: Db, actor: Actor, memberId: string): Promise<Job[]> {
  const member = await getMember(db, memberId)
  const dbs = detectedDatabases(member)
  if (!dbs.length) return [await queueJob(db, actor, memberId, 'backup.config', {})]
  const jobs: Job[] = []
  for (const database of dbs) jobs.push(await queueJob(db, actor, memberId, 'backup.database', { database }))
  return jobs
}

const LIMITS: Record<keyof Retention, number> = { keepDaily: 365, keepWeekly: 260, keepMonthly: 120 }

function checkRetention(input: Record<string, unknown>): Retention {
  const out = {} as Retention
  for (const [key, max] of Object.entries(LIMITS) as [keyof Retention, number][]) {
    const v = input[key]
    if (typeof v !== 'number' || !Number.isInteger(v) || v < 0 || v > max) throw badInput(`${key} is a whole number from 0 to ${max}.`, key)
    out[key] = v
  }
  const extra = Object.keys(input).find((k) => !(k in LIMITS))
  if (extra) throw badInput(`Retention takes keepDaily, keepWeekly and keepMonthly, not ${extra}.`, extra)
  // All zero would delete every snapshot the schedule makes as soon as it is made.
  if (out.keepDaily + out.keepWeekly + out.keepMonthly === 0) throw badInput('Keep at least one snapshot: one of the three must be above 0.', 'keepDaily')
  return out
}

export async function setRetention(db: Db, actor: Actor, scheduleId: string, input: Record<string, unknown>): Promise<Schedule> {
  const schedule = await getSchedule(db, scheduleId)
  if (!isBackupSchedule(schedule)) throw badInput('Only backup schedules keep snapshots.', 'scheduleId')
  const r = checkRetention(input)
  const member = await getMember(db, schedule.memberId)
  const updated = (await jobStore.updateSchedule(db, scheduleId, r))!
  await recordAudit(db, actor, {
    action: 'schedule.retention',
    targetType: 'member',
    targetId: member.id,
    targetLabel: member.name,
    poolId: member.poolId,
    detail: { scheduleId, name: schedule.name, before: retentionOf(schedule), after: r },
  })
  return updated
}
