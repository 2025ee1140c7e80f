// Cron schedules of a member: a catalogue job queued at each run of a cron
// expression, read in UTC. The leader's tick (fireDueSchedules) queues the
// latest due run of each schedule once; runs missed while the server was down
// are not made up, only the latest one is.
import { Cron } from 'croner'
import type { Db } from '../db'
import { recordAudit, type Actor } from '../audit/service'
import { newId } from '../crypto/tokens'
import { badInput, conflict, HttpError, notFound } from '../http/errors'
import { getMember } from '../members/service'
import type { Member } from '../members/store'
import { catalogue, isJobName, jobNames, type JobName } from '../../agent/jobs/catalogue'
import { jobRules } from './params'
import { jobRefusal, memberFacts, queueJob } from './service'
import * as store from './store'
import { noSuchJob } from './titles'
import { wakeMember } from './wake'

export type Schedule = store.Schedule

/** Enough for any real use; a runaway script cannot fill the tick. */
export const MAX_SCHEDULES_PER_MEMBER = 50
const MAX_LABEL = 80
const MAX_CRON = 120

// One set of options everywhere a cron expression is read, so the form, the
// table's "next runs" and the tick agree. Six fields allow a seconds field;
// the once-a-minute rule below keeps it to one second per minute.
const CRON_OPTIONS = { timezone: 'UTC', paused: true, mode: '5-or-6-parts' } as const

const CRON_HELP = 'Write five fields, minute hour day-of-month month day-of-week, e.g. "0 3 * * *" for 03:00 UTC every day.'

function cronOf(expr: string): Cron {
  return new Cron(expr, CRON_OPTIONS)
}

const CRON_FIELDS: [string, string][] = [
  ['minute', '0-59'],
  ['hour', '0-23'],
  ['day-of-month', '1-31'],
  ['month', '1-12 or JAN-DEC'],
  ['day-of-week', '0-7 or SUN-SAT'],
]

/**
 * Which field croner refused, in our words (its own messages name its
 * parser, not the field): each field is tried alone among stars.
 */
function badCronField(parts: string[]): string {
  const fields = parts.length === 6 ? [['second', '0-59'] as [string, string], ...CRON_FIELDS] : CRON_FIELDS
  const bad = parts.findIndex((part, i) => {
    try {
      cronOf(parts.map((p, j) => (j === i ? p : '*')).join(' '))
      return false
    } catch {
      return true
    }
  })
  if (bad < 0) return 'its fields do not fit together'
  const [name, range] = fields[bad]!
  return `the ${name} field "${parts[bad]}" is not ${range}, a range like 1-5, a list like 1,15, a step like */10, or *`
}

/** Why this cron expression cannot be a schedule, in a sentence; null when it can. */
export function cronProblem(expr: string): string | null {
  const e = expr.trim()
  if (!e) return `A cron expression is needed. ${CRON_HELP}`
  if (e.length > MAX_CRON) return `A cron expression is at most ${MAX_CRON} characters.`
  const parts = e.split(' ')
  const nickname = e.startsWith('@')
  if (!nickname && parts.length !== 5 && parts.length !== 6) return `"${e}" has ${parts.length} field${parts.length === 1 ? '' : 's'}; a schedule has five. ${CRON_HELP}`
  let cron: Cron
  try {
    cron = cronOf(e)
  } catch {
    if (nickname) return `"${e}" is not one of @hourly, @daily, @weekly, @monthly or @yearly. ${CRON_HELP}`
    return `"${e}" is not a cron expression: ${badCronField(parts)}. ${CRON_HELP}`
  }
  // Three runs in a row show it: a pattern that fires twice in some minute
  // fires twice in every minute it fires in.
  const next = cron.nextRuns(3)
  if (next.length === 0) return `"${e}" never fires (no date matches it).`
  for (let i = 1; i < next.length; i++) {
    if (next[i]!.getTime() - next[i - 1]!.getTime() < 60_000) return `"${e}" fires more often than once a minute; schedules run at most once a minute.`
  }
  return null
}

/** The next `n` runs after `from`, in UTC. */
export function nextRuns(expr: string, n: number, from = new Date()): Date[] {
  try {
    return cronOf(expr).nextRuns(n, from)
  } catch {
    return []
  }
}

/** The latest run at or before `now`, or null when it never ran. */
export function latestDue(expr: string, now: Date): Date | null {
  try {
    // croner counts a run exactly at the reference as not yet past.
    return cronOf(expr).previousRuns(1, new Date(now.getTime() + 1))[0] ?? null
  } catch {
    return null
  }
}

export const scheduleActor = (s: Pick<Schedule, 'id' | 'label'>): Actor => ({ userId: null, label: `schedule ${s.label ?? s.id}`, ip: null })

// ---- input ----------------------------------------------------------------

export type ScheduleInput = { name?: unknown; params?: unknown; cron?: unknown; label?: unknown; enabled?: unknown }

/** Jobs a schedule may queue: install recipes run once, on a clean server. */
export const schedulableJobs: JobName[] = jobNames.filter((n) => !(catalogue[n] as { recipe?: { installs?: string } }).recipe?.installs && !jobRules[n].onlyThrough)

function checkName(name: unknown): JobName {
  if (typeof name !== 'string' || !isJobName(name)) {
    throw noSuchJob(name)
  }
  const through = jobRules[name].onlyThrough
  if (through) throw badInput(through, 'name')
  if (!schedulableJobs.includes(name)) throw badInput(`${catalogue[name].title} runs once, on a clean server; it cannot be scheduled.`, 'name')
  return name
}

function checkParams(name: JobName, params: unknown, member: Member): Record<string, unknown> {
  const p = params ?? {}
  const refusal = jobRefusal(name, p, memberFacts(member))
  // Bad parameters never become a schedule; "not possible on this server
  // now" may change before the first run (an agent not enrolled yet), so the
  // schedule is kept and the table says why its runs would be refused.
  if (refusal && refusal.code !== 'not_possible_here') throw refusal
  return p as Record<string, unknown>
}

function checkCron(cron: unknown): string {
  const expr = typeof cron === 'string' ? cron.trim().replace(/\s+/g, ' ') : ''
  const problem = cronProblem(expr)
  if (problem) throw badInput(problem, 'cron')
  return expr
}

function checkLabel(label: unknown): string | null {
  if (label === undefined || label === null) return null
  if (typeof label !== 'string') throw badInput('The label is text.', 'label')
  const l = label.trim()
  if (l.length > MAX_LABEL) throw badInput(`The label is at most ${MAX_LABEL} characters.`, 'label')
  return l || null
}

function checkEnabled(enabled: unknown, fallback: boolean): boolean {
  if (enabled === undefined) return fallback
  if (typeof enabled !== 'boolean') throw badInput('enabled is true or false.', 'enabled')
  return enabled
}

// ---- reading ----------------------------------------------------------------

export async function getSchedule(db: Db, id: string, memberId?: string): Promise<Schedule> {
  const s = await store.findSchedule(db, id)
  if (!s || (memberId && s.memberId !== memberId)) throw notFound('Schedule')
  return s
}

export async function memberSchedules(db: Db, memberId: string): Promise<Schedule[]> {
  await getMember(db, memberId)
  return store.listMemberSchedules(db, memberId)
}

/** Schedules whose job name starts with "backup." (the seed's stack backups). */
export const isBackupSchedule = (s: Pick<Schedule, 'name'>) => s.name.startsWith('backup.')

/** Why this member would refuse the schedule's job now, or null. */
export function scheduleRefusalNow(s: Pick<Schedule, 'name' | 'params'>, member: Member): string | null {
  return jobRefusal(s.name, s.params, memberFacts(member))?.message ?? null
}

export function scheduleJson(s: Schedule, now = new Date()) {
  return {
    id: s.id,
    memberId: s.memberId,
    name: s.name,
    title: isJobName(s.name) ? catalogue[s.name].title : s.name,
    params: s.params,
    cron: s.cron,
    timezone: 'UTC' as const,
    enabled: s.enabled,
    label: s.label,
    nextRuns: s.enabled ? nextRuns(s.cron, 3, now).map((d) => d.toISOString()) : [],
    lastFiredAt: s.lastFiredAt?.toISOString() ?? null,
    lastJobId: s.lastJobId,
    createdBy: s.createdBy,
    createdAt: s.createdAt.toISOString(),
  }
}

// ---- changing -----------------------------------------------------------------

const auditDetail = (s: Schedule) => ({ scheduleId: s.id, name: s.name, params: s.params, cron: s.cron, enabled: s.enabled, label: s.label })

export async function createSchedule(db: Db, actor: Actor, memberId: string, input: ScheduleInput, now = new Date()): Promise<Schedule> {
  const member = await getMember(db, memberId)
  const name = checkName(input.name)
  const params = checkParams(name, input.params, member)
  const cron = checkCron(input.cron)
  const label = checkLabel(input.label)
  const enabled = checkEnabled(input.enabled, true)
  if ((await store.countMemberSchedules(db, memberId)) >= MAX_SCHEDULES_PER_MEMBER) {
    throw conflict(`${member.name} already has ${MAX_SCHEDULES_PER_MEMBER} schedules; remove one first.`)
  }
  // createdAt is the watermark of a new schedule: nothing is owed from before it.
  const s = await store.insertSchedule(db, { id: newId('sch'), memberId, name, params, cron, label, enabled, createdBy: actor.label, createdAt: now })
  await recordAudit(db, actor, { action: 'schedule.create', targetType: 'member', targetId: member.id, targetLabel: member.name, poolId: member.poolId, detail: auditDetail(s) })
  return s
}

export async function updateSchedule(db: Db, actor: Actor, id: string, input: ScheduleInput, now = new Date()): Promise<Schedule> {
  const current = await getSchedule(db, id)
  const member = await getMember(db, current.memberId)
  const patch: Partial<store.NewSchedule> = {}
  const name = input.name === undefined ? (current.name as JobName) : checkName(input.name)
  if (name !== current.name) patch.name = name
  if (input.params !== undefined || name !== current.name) patch.params = checkParams(name, input.params ?? (name === current.name ? current.params : {}), member)
  if (input.cron !== undefined) patch.cron = checkCron(input.cron)
  if (input.label !== undefined) patch.label = checkLabel(input.label)
  patch.enabled = checkEnabled(input.enabled, current.enabled)
  // Saving a new time or switching a schedule on owes nothing from before:
  // the latest run already past is taken as settled, so a schedule disabled
  // for a week does not fire the moment it is enabled again.
  const cron = patch.cron ?? current.cron
  if ((patch.cron !== undefined && patch.cron !== current.cron) || (patch.enabled && !current.enabled)) {
    const due = latestDue(cron, now)
    if (due && (!current.lastFiredAt || due > current.lastFiredAt)) patch.lastFiredAt = due
  }
  const updated = await store.updateSchedule(db, id, patch)
  if (!updated) throw notFound('Schedule')
  const action = input.enabled !== undefined && Object.keys(input).length === 1 ? (updated.enabled ? 'schedule.enable' : 'schedule.disable') : 'schedule.update'
  await recordAudit(db, actor, { action, targetType: 'member', targetId: member.id, targetLabel: member.name, poolId: member.poolId, detail: auditDetail(updated) })
  return updated
}

export async function deleteSchedule(db: Db, actor: Actor, id: string): Promise<Schedule> {
  const s = await getSchedule(db, id)
  const member = await getMember(db, s.memberId)
  if (!(await store.deleteSchedule(db, id))) throw notFound('Schedule')
  await recordAudit(db, actor, { action: 'schedule.delete', targetType: 'member', targetId: member.id, targetLabel: member.name, poolId: member.poolId, detail: auditDetail(s) })
  return s
}

/** "Run now": the schedule's job, queued at once on behalf of the person asking; its times stay as they are. */
export async function runScheduleNow(db: Db, actor: Actor, id: string, memberId?: string) {
  const s = await getSchedule(db, id, memberId)
  const job = await queueJob(db, actor, s.memberId, s.name, s.params, { scheduleId: s.id })
  await store.updateSchedule(db, s.id, { lastJobId: job.id })
  return job
}

// ---- the tick -------------------------------------------------------------------

export type FireResult = { queued: number; refused: number; skipped: number }

/**
 * The leader's tick: each enabled schedule whose latest due run is after the
 * last one it fired (or after it was created) queues its job once. The run is
 * claimed with a conditional update in the same transaction as the job, so a
 * restart, a retried tick or a second replica never queues it twice, and a
 * failure in between leaves the run to the next tick. A run that comes while
 * the schedule's previous job has not ended is skipped: a server that is down
 * or slow does not pile up a queue of the same job.
 */
export async function fireDueSchedules(db: Db, now = new Date()): Promise<FireResult> {
  const result: FireResult = { queued: 0, refused: 0, skipped: 0 }
  for (const s of await store.enabledSchedules(db)) {
    const due = latestDue(s.cron, now)
    if (!due || due <= s.createdAt || (s.lastFiredAt && due <= s.lastFiredAt)) continue
    const outcome = await db.transaction(async (tx) => {
      const t = tx as unknown as Db
      const claimed = await store.claimScheduleRun(t, s.id, due)
      if (!claimed) return 'taken' as const
      const previous = claimed.lastJobId ? await store.findJob(t, claimed.lastJobId) : undefined
      if (previous && (previous.status === 'queued' || previous.status === 'running')) return 'skipped' as const
      try {
        const job = await queueJob(t, scheduleActor(claimed), claimed.memberId, claimed.name, claimed.params, { scheduleId: claimed.id, now })
        await store.updateSchedule(t, claimed.id, { lastJobId: job.id })
        return 'queued' as const
      } catch (err) {
        // The member cannot take the job (its OS is unknown, a stack went
        // away): this run is settled as refused, and the audit log says why.
        if (!(err instanceof HttpError) || err.status >= 500) throw err
        const member = await getMember(t, claimed.memberId).catch(() => null)
        await recordAudit(t, scheduleActor(claimed), {
          action: 'schedule.refused',
          targetType: 'member',
          targetId: claimed.memberId,
          targetLabel: member?.name ?? null,
          poolId: member?.poolId ?? null,
          detail: { scheduleId: claimed.id, name: claimed.name, due: due.toISOString(), reason: err.message },
        })
        return 'refused' as const
      }
    })
    if (outcome === 'queued') {
      result.queued++
      // queueJob woke the agent before the commit; wake it again now the job is visible.
      wakeMember(s.memberId)
    } else if (outcome === 'refused') result.refused++
    else if (outcome === 'skipped') result.skipped++
  }
  return result
}
