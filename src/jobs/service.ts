// The job queue: what may be queued, how agents take and report jobs, and
// what happens to jobs whose agent went away. Every state change is a
// conditional update on the job's current status, so a late report, a second
// replica or a retried request can never move a job twice.
import { Value } from '@sinclair/typebox/value'
import type { Db } from '../db'
import { recordAudit, type Actor } from '../audit/service'
import { newId } from '../crypto/tokens'
import { badInput, conflict, HttpError, notFound } from '../http/errors'
import { getMember } from '../members/service'
import type { Member } from '../members/store'
import { catalogue, isJobName, type CatalogueEntry, type JobName } from '../../agent/jobs/catalogue'
import { jobRules, type MemberFacts } from './params'
import { closeSteps, progressOfSteps, startStep } from './steps'
import * as store from './store'
import { noSuchJob } from './titles'
import { waitForWake, wakeMember } from './wake'

export type Job = store.Job

/** How long a claim stays the agent's without a report; agents report at least every few seconds. */
export const LEASE_SECONDS = 30
/** What one job may print; past this the rest is dropped with a note, so a runaway job cannot fill the database. */
export const MAX_OUTPUT_BYTES = 1024 * 1024
const MAX_RESULT_BYTES = 256 * 1024
/** Past its timeout the agent kills a job itself; the server steps in only after this much more. */
const TIMEOUT_GRACE_SECONDS = 60
const RETRIES_WHEN_SAFE = 3
/**
 * How long a queued job waits for its agent. Past it the job is cancelled, not
 * run late: an action asked for now may be wrong when a server that was away
 * (or never checked in) comes back hours or days later.
 */
export const QUEUED_EXPIRY_SECONDS = 3600

export function memberFacts(member: Pick<Member, 'os' | 'stacks' | 'hostState' | 'osFamily' | 'lastHeartbeatAt'>): MemberFacts {
  const os = (member.os ?? {}) as { family?: 'debian' | 'rhel' | null; id?: string | null; versionId?: string | null }
  const host = (member.hostState ?? {}) as { firewall?: { kind?: 'ufw' | 'firewalld' | null }; services?: { unit: string; stack: string }[] }
  const stacks = member.stacks ?? {}
  const mariadb = stacks.mariadb as { databases?: { name?: unknown }[] } | null | undefined
  const databases = Array.isArray(mariadb?.databases) ? mariadb.databases.map((d) => d?.name).filter((n): n is string => typeof n === 'string') : undefined
  return {
    family: os.family ?? member.osFamily ?? null,
    os: member.os ? { id: os.id ?? null, versionId: os.versionId ?? null } : undefined,
    firewall: host.firewall?.kind ?? null,
    stacks: { openlitespeed: !!stacks.openlitespeed, mariadb: !!stacks.mariadb, galera: !!stacks.galera, cpanel: !!stacks.cpanel },
    serviceUnits: (host.services ?? []).filter((s) => s.stack !== 'host').map((s) => s.unit),
    checkedIn: member.lastHeartbeatAt !== null,
    ...(databases ? { databases } : {}),
  }
}

/** The first reason this job cannot be queued for this member, or null. */
export function jobRefusal(name: string, params: unknown, facts: MemberFacts, opts: { through?: boolean } = {}): HttpError | null {
  if (!isJobName(name)) return noSuchJob(name)
  const rule = jobRules[name]
  if (rule.onlyThrough && !opts.through) return badInput(rule.onlyThrough, 'name')
  if (!Value.Check(rule.params, params)) {
    const first = Value.Errors(rule.params, params).First()
    const where = first?.path ? `params${first.path.replaceAll('/', '.')}` : 'params'
    return badInput(`Bad parameters for ${name}: ${where}: ${first?.message ?? 'not what this job takes'}.`, 'params')
  }
  const why = rule.refuse?.(params, facts)
  return why ? new HttpError(422, 'not_possible_here', why, 'name') : null
}

/** `through`: queued by the service that owns a job the jobs API may not queue (jobRules' onlyThrough). */
type QueueOptions = { runId?: string | null; scheduleId?: string | null; now?: Date; expiresInSeconds?: number; through?: boolean }

let lastQueuedAt = 0
/**
 * Now, but past the job queued before it here: jobs are taken and listed by
 * creation time, and two queued within one millisecond (Back up now's
 * databases, one after the other) went in the random order of their ids.
 */
function queueTime(): Date {
  lastQueuedAt = Math.max(Date.now(), lastQueuedAt + 1)
  return new Date(lastQueuedAt)
}

export function newJobRow(member: Member, name: JobName, params: Record<string, unknown>, requestedBy: string, opts: QueueOptions): store.NewJob {
  const entry: CatalogueEntry = catalogue[name]
  const now = opts.now ?? queueTime()
  return {
    id: newId('job'),
    memberId: member.id,
    poolId: member.poolId,
    name,
    params,
    status: 'queued',
    maxAttempts: entry.safeToRepeat ? RETRIES_WHEN_SAFE : 1,
    timeoutSeconds: entry.timeoutSeconds,
    requestedBy,
    runId: opts.runId ?? null,
    scheduleId: opts.scheduleId ?? null,
    steps: entry.steps(params).map((title) => ({ title, state: 'pending' as const })),
    createdAt: now,
    expiresAt: new Date(now.getTime() + (opts.expiresInSeconds ?? QUEUED_EXPIRY_SECONDS) * 1000),
  }
}

/** Checks and queues one job; bad input changes nothing. */
export async function queueJob(db: Db, actor: Actor, memberId: string, name: string, params: unknown, opts: QueueOptions = {}): Promise<Job> {
  const member = await getMember(db, memberId)
  const p = params ?? {}
  const refusal = jobRefusal(name, p, memberFacts(member), { through: opts.through })
  if (refusal) throw refusal
  const [job] = await store.insertJobs(db, [newJobRow(member, name as JobName, p as Record<string, unknown>, actor.label, opts)])
  await recordAudit(db, actor, {
    action: 'job.queue',
    targetType: 'member',
    targetId: member.id,
    targetLabel: member.name,
    poolId: member.poolId,
    detail: { jobId: job!.id, name, params: p },
  })
  wakeMember(member.id)
  return job!
}

export async function getJob(db: Db, id: string): Promise<Job> {
  const job = await store.findJob(db, id)
  if (!job) throw notFound('Job')
  return job
}

export const memberJobs = (db: Db, memberId: string, limit = 50) => store.listMemberJobs(db, memberId, limit)

export async function jobOutputText(db: Db, jobId: string): Promise<string> {
  const lines = await store.outputAfter(db, jobId, 0, 100_000)
  return lines.map((l) => l.line).join('\n')
}

export const outputAfter = store.outputAfter

export type PoolJobFigures = Awaited<ReturnType<typeof store.poolJobFigures>>
export const poolJobFigures = store.poolJobFigures

/** Cancel: a queued job ends now; a running one is told to stop at its next report. */
export async function cancelJob(db: Db, actor: Actor, id: string, now = new Date()): Promise<Job> {
  const job = await getJob(db, id)
  let updated: Job | null = null
  if (job.status === 'queued') {
    updated = await store.updateWhere(db, id, ['queued'], { status: 'cancelled', finishedAt: now, cancelRequestedAt: now, steps: closeSteps(job.steps, 'cancelled') })
  } else if (job.status === 'running') {
    updated = await store.updateWhere(db, id, ['running'], { cancelRequestedAt: now })
  }
  if (!updated) throw conflict(`This job has already ${job.status === 'succeeded' ? 'succeeded' : 'ended'}; there is nothing to cancel.`)
  await recordAudit(db, actor, { action: 'job.cancel', targetType: 'job', targetId: id, targetLabel: job.name, poolId: job.poolId, detail: { memberId: job.memberId } })
  return updated
}

// ---- the agent's side ---------------------------------------------------

export type ClaimedJob = { id: string; name: string; params: Record<string, unknown>; timeoutSeconds: number; leaseSeconds: number; steps: string[]; attempt: number }

const claimed = (job: Job): ClaimedJob => ({
  id: job.id,
  name: job.name,
  params: job.params,
  timeoutSeconds: job.timeoutSeconds,
  leaseSeconds: LEASE_SECONDS,
  steps: job.steps.map((s) => s.title),
  attempt: job.attempts,
})

/**
 * The agent's long-poll: a job as soon as one is queued, or null after
 * `waitMs`. `crossReplica` makes it look again every second, for jobs queued
 * through another server replica whose wake-up cannot reach this one.
 */
export async function claimWithin(db: Db, memberId: string, waitMs: number, crossReplica: boolean, signal?: AbortSignal): Promise<ClaimedJob | null> {
  const deadline = Date.now() + waitMs
  for (;;) {
    const left = deadline - Date.now()
    // Listening before looking: a job queued after the look found nothing but
    // before the wait began would wake no one, and wait out the whole poll.
    const looked = new AbortController()
    const woken = waitForWake(memberId, Math.max(0, crossReplica ? Math.min(left, 1000) : left), signal ? AbortSignal.any([signal, looked.signal]) : looked.signal)
    try {
      // One transaction, one commit: the embedded database syncs to disk at each.
      const job = await db.transaction(async (tx) => {
        const taken = await store.claimOldest(tx, memberId, new Date(), LEASE_SECONDS)
        if (taken) await store.appendOutput(tx, taken.id, [{ stream: 'agent', line: `started on attempt ${taken.attempts} of ${taken.maxAttempts}` }], new Date())
        return taken
      })
      if (job) return claimed(job)
      if (left <= 0 || signal?.aborted) return null
      await woken
    } finally {
      looked.abort()
    }
  }
}

export type OutputIn = { stream: 'stdout' | 'stderr' | 'agent'; line: string }
export type ReportIn = { lines?: OutputIn[]; progress?: number; step?: number; result?: unknown }

const lineBytes = (lines: OutputIn[]) => lines.reduce((n, l) => n + Buffer.byteLength(l.line) + 1, 0)

/** Keeps what fits under the job's output cap, and says once that the rest was dropped. */
function capOutput(job: Job, lines: OutputIn[]): { keep: OutputIn[]; bytes: number } {
  if (job.outputBytes >= MAX_OUTPUT_BYTES) return { keep: [], bytes: 0 }
  const keep: OutputIn[] = []
  let bytes = 0
  for (const l of lines) {
    const b = Buffer.byteLength(l.line) + 1
    if (job.outputBytes + bytes + b > MAX_OUTPUT_BYTES) {
      keep.push({ stream: 'agent', line: `output past ${MAX_OUTPUT_BYTES / 1024} KiB was dropped` })
      return { keep, bytes: MAX_OUTPUT_BYTES - job.outputBytes }
    }
    keep.push(l)
    bytes += b
  }
  return { keep, bytes }
}

function checkResult(result: unknown) {
  if (result !== undefined && Buffer.byteLength(JSON.stringify(result)) > MAX_RESULT_BYTES) {
    throw new HttpError(413, 'too_large', `A job result may be at most ${MAX_RESULT_BYTES / 1024} KiB`)
  }
}

async function runningJobOf(db: Db, memberId: string, id: string): Promise<Job> {
  const job = await store.findJob(db, id)
  if (!job || job.memberId !== memberId) throw notFound('Job')
  if (job.status !== 'running') throw new HttpError(409, 'job_not_running', `This job is ${job.status.replace('_', ' ')}; stop working on it.`)
  return job
}

/** Output, progress and steps from the agent; renews the lease. Answers whether to cancel. */
export async function reportJob(db: Db, memberId: string, id: string, report: ReportIn, now = new Date()): Promise<{ cancel: boolean }> {
  checkResult(report.result)
  const job = await runningJobOf(db, memberId, id)
  const { keep, bytes } = capOutput(job, report.lines ?? [])
  const steps = report.step !== undefined && report.step < job.steps.length ? startStep(job.steps, report.step) : job.steps
  const progress = report.progress ?? (report.step !== undefined ? progressOfSteps(steps) : job.progress)
  const updated = await updateAndAppend(db, id, memberId, keep, now, {
    leaseExpiresAt: new Date(now.getTime() + LEASE_SECONDS * 1000),
    outputBytes: job.outputBytes + bytes,
    steps,
    progress: Math.max(0, Math.min(100, Math.round(progress))),
    ...(report.result !== undefined ? { result: report.result } : {}),
  })
  return { cancel: updated.cancelRequestedAt !== null }
}

export type FinishIn = ReportIn & { status: 'succeeded' | 'failed' | 'cancelled' | 'timed_out'; exitCode?: number | null; error?: string | null }

/** The agent's last word on a job. A repeat of the same word is answered, not applied twice. */
export async function finishJob(db: Db, memberId: string, id: string, finish: FinishIn, now = new Date()): Promise<Job> {
  checkResult(finish.result)
  const current = await store.findJob(db, id)
  if (!current || current.memberId !== memberId) throw notFound('Job')
  if (current.status === finish.status && current.finishedAt) return current
  const job = await runningJobOf(db, memberId, id)
  const { keep, bytes } = capOutput(job, finish.lines ?? [])
  const ok = finish.status === 'succeeded'
  return updateAndAppend(db, id, memberId, keep, now, {
    status: finish.status,
    exitCode: finish.exitCode ?? null,
    error: ok ? null : (finish.error ?? null),
    finishedAt: now,
    leaseExpiresAt: null,
    outputBytes: job.outputBytes + bytes,
    steps: closeSteps(job.steps, finish.status),
    progress: ok ? 100 : (finish.progress ?? job.progress),
    ...(finish.result !== undefined ? { result: finish.result } : {}),
  })
}

/** A running job's change and its new output lines, in one transaction. */
async function updateAndAppend(db: Db, id: string, memberId: string, lines: OutputIn[], now: Date, patch: Partial<store.NewJob>): Promise<Job> {
  return db.transaction(async (tx) => {
    const updated = await store.updateRunning(tx, id, memberId, patch)
    if (!updated) throw new HttpError(409, 'job_not_running', 'This job is no longer running; stop working on it.')
    await store.appendOutput(tx, id, lines, now)
    return updated
  })
}

/** An agent stopping mid-job hands it back: queued again when safe, failed when not. */
export async function releaseJob(db: Db, memberId: string, id: string, reason: string, now = new Date()): Promise<Job> {
  const job = await runningJobOf(db, memberId, id)
  return (await giveUp(db, job, reason, now)) ?? job
}

async function giveUp(db: Db, job: Job, reason: string, now: Date): Promise<Job | null> {
  const retry = job.attempts < job.maxAttempts && job.cancelRequestedAt === null
  const ending = job.cancelRequestedAt ? 'cancelled' : 'failed'
  // Queued again, it gets the wait it was first given, counted from now.
  const wait = job.expiresAt ? job.expiresAt.getTime() - job.createdAt.getTime() : QUEUED_EXPIRY_SECONDS * 1000
  const next: Partial<store.NewJob> = retry
    ? { status: 'queued', leaseExpiresAt: null, expiresAt: new Date(now.getTime() + wait), steps: job.steps.map((s) => ({ ...s, state: 'pending' as const })), progress: 0 }
    : { status: ending, leaseExpiresAt: null, finishedAt: now, error: reason, steps: closeSteps(job.steps, ending) }
  const updated = await store.updateWhere(db, job.id, ['running'], next)
  if (!updated) return null
  const said = retry ? `${reason}; queued again (attempt ${job.attempts + 1} of ${job.maxAttempts})` : `${reason}; not retried${job.maxAttempts === 1 ? ': this job is not safe to repeat' : ''}`
  await store.appendOutput(db, job.id, [{ stream: 'agent', line: said }], now)
  if (retry) wakeMember(job.memberId)
  return updated
}

/** "1 h", "45 min", "2 h 30 min": how long a queued job was given. */
function waitText(ms: number): string {
  const min = Math.round(ms / 60_000)
  if (min < 60) return `${min} min`
  return min % 60 ? `${Math.floor(min / 60)} h ${min % 60} min` : `${min / 60} h`
}

/** A queued job past its expiry: cancelled with the reason, unless an agent took it first. */
async function expire(db: Db, job: Job, now: Date): Promise<Job | null> {
  const wait = waitText(job.expiresAt!.getTime() - job.createdAt.getTime())
  const reason = `Expired: no agent took it within ${wait} of being queued, so it was cancelled rather than run late. Queue it again when the server is reporting.`
  const updated = await store.updateWhere(db, job.id, ['queued'], { status: 'cancelled', finishedAt: now, error: reason, steps: closeSteps(job.steps, 'cancelled') })
  if (updated) await store.appendOutput(db, job.id, [{ stream: 'agent', line: reason }], now)
  return updated
}

/**
 * The leader's sweep: jobs whose agent stopped renewing the lease, jobs
 * running far past their timeout (an agent that lost track of its child),
 * and queued jobs no agent took before their expiry.
 */
export async function sweepJobs(db: Db, now = new Date()): Promise<{ lost: number; timedOut: number; expired: number }> {
  let lost = 0
  let timedOut = 0
  let expired = 0
  for (const job of await store.expiredQueued(db, now)) {
    if (await expire(db, job, now)) expired++
  }
  for (const job of await store.expiredLeases(db, now)) {
    if (await giveUp(db, job, 'The agent stopped answering while the job ran (its lease ran out)', now)) lost++
  }
  for (const job of await store.overdue(db, now, TIMEOUT_GRACE_SECONDS)) {
    const updated = await store.updateWhere(db, job.id, ['running'], {
      status: 'timed_out',
      finishedAt: now,
      leaseExpiresAt: null,
      error: `Still running ${job.timeoutSeconds} s after it started, past its timeout`,
      steps: closeSteps(job.steps, 'timed_out'),
    })
    if (updated) timedOut++
  }
  return { lost, timedOut, expired }
}
