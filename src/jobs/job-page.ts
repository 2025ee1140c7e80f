// What the job page shows, and what its live fragment sends: only the output
// lines after the last one the page has, and the job's state only when it
// changed (the page holds a tag of the state it shows).
import { createHash } from 'node:crypto'
import type { Db } from '../db'
import { notFound } from '../http/errors'
import { getJob, outputAfter, type Job } from './service'
import type { OutputLine } from './store'

/** Lines one answer carries; a longer output comes over the next polls. */
export const LINES_PER_ANSWER = 5000
/** Lines the first render carries. */
const LINES_ON_PAGE = 20_000

export type JobPageData = {
  job: Job
  lines: OutputLine[]
  /** The seq of the last line shown (0 for none): the live fragment sends what comes after. */
  lastSeq: number
  /** More lines were held back; the page keeps asking even after the job ended. */
  more: boolean
  /** A tag of the job's state as shown; the live fragment re-sends the state only when it changes. */
  tag: string
}

export const isFinished = (job: Pick<Job, 'status'>) => job.status !== 'queued' && job.status !== 'running'

// An agent's last report writes the status before its last lines: the page
// keeps asking this long after the end, so those lines are not left behind.
const SETTLE_MS = 3000

/** Whether the page should keep asking for news. */
export const following = (job: Pick<Job, 'status' | 'finishedAt'>, more: boolean, now = new Date()) =>
  more || !isFinished(job) || !job.finishedAt || now.getTime() - job.finishedAt.getTime() < SETTLE_MS

/** A short fingerprint of what the state part of the page shows. */
export function stateTag(job: Job): string {
  const shown = [job.status, job.progress, job.attempts, job.steps.map((s) => s.state), job.cancelRequestedAt?.getTime() ?? null, job.startedAt?.getTime() ?? null, job.finishedAt?.getTime() ?? null, job.exitCode, job.error, job.result ?? null]
  return fingerprint(shown)
}

export const fingerprint = (value: unknown) => createHash('sha256').update(JSON.stringify(value)).digest('base64url').slice(0, 16)

export async function memberJob(db: Db, poolId: string, memberId: string, jobId: string): Promise<Job> {
  const job = await getJob(db, jobId)
  if (job.memberId !== memberId || job.poolId !== poolId) throw notFound('Job')
  return job
}

export async function jobPageData(db: Db, job: Job): Promise<JobPageData> {
  const lines = await outputAfter(db, job.id, 0, LINES_ON_PAGE + 1)
  const more = lines.length > LINES_ON_PAGE
  const shown = more ? lines.slice(0, LINES_ON_PAGE) : lines
  return { job, lines: shown, lastSeq: shown.at(-1)?.seq ?? 0, more, tag: stateTag(job) }
}

export type LiveAnswer = {
  job: Job
  lines: OutputLine[]
  lastSeq: number
  more: boolean
  /** The state changed since the page's tag: send it again. */
  stateChanged: boolean
  tag: string
}

/** What the page lacks: the lines after `after`, and whether its state is stale. Null when nothing changed. */
export async function jobLive(db: Db, job: Job, after: number, tag: string): Promise<LiveAnswer | null> {
  const lines = await outputAfter(db, job.id, after, LINES_PER_ANSWER + 1)
  const more = lines.length > LINES_PER_ANSWER
  const shown = more ? lines.slice(0, LINES_PER_ANSWER) : lines
  const now = stateTag(job)
  if (shown.length === 0 && now === tag) return null
  return { job, lines: shown, lastSeq: shown.at(-1)?.seq ?? after, more, stateChanged: now !== tag, tag: now }
}
