// What the fleet-wide runs pages show: the form (a job, its parameters and
// the members), the review that names how many servers a run will touch
// before anything is queued, the pool's recent runs, and one run's rows.
import type { Db } from '../db'
import type { JobStatus } from '../db/schema'
import { badInput, notFound } from '../http/errors'
import { getPool } from '../pools/service'
import { listMembers } from '../members/service'
import type { Member } from '../members/store'
import { catalogue, isJobName, jobNames, type JobName } from '../../agent/jobs/catalogue'
import { jobChoices, type JobChoice } from './param-fields'
import { jobRefusal, memberFacts } from './service'
import { getRun, poolRuns, type RunRow } from './runs'
import { fingerprint } from './job-page'
import * as store from './store'
import { noSuchJob, titleInSentence } from './titles'

export type RunForm = {
  name: string
  values: Record<string, string>
  errors: Record<string, string>
  /** The members ticked. */
  memberIds: string[]
  all: boolean
}

export type RunReview = {
  name: JobName
  params: Record<string, unknown>
  /** Members that will get the job. */
  able: { id: string; name: string }[]
  /** Members that cannot take it, and why: they become refusal rows. */
  refused: { id: string; name: string; reason: string }[]
}

export type RunListItem = { id: string; name: string; params: Record<string, unknown>; requestedBy: string; createdAt: Date; counts: Partial<Record<JobStatus, number>>; refused: number }

export type RunsPageData = {
  pool: { id: string; name: string }
  members: { id: string; name: string }[]
  choices: JobChoice[]
  form: RunForm
  review: RunReview | null
  runs: RunListItem[]
}

export const emptyRunForm = (): RunForm => ({ name: '', values: {}, errors: {}, memberIds: [], all: false })

export const RECENT_RUNS = 20

export async function runsPage(db: Db, poolId: string, form: RunForm = emptyRunForm(), review: RunReview | null = null): Promise<RunsPageData> {
  const pool = await getPool(db, poolId)
  const [members, runs] = await Promise.all([listMembers(db, poolId), poolRuns(db, poolId, RECENT_RUNS)])
  const counts = await store.runStatusCounts(db, runs.map((r) => r.id))
  return {
    pool: { id: pool.id, name: pool.name },
    members: members.map((m) => ({ id: m.id, name: m.name })),
    choices: jobChoices(jobNames),
    form,
    review,
    runs: runs.map((r) => ({ id: r.id, name: r.name, params: r.params, requestedBy: r.requestedBy, createdAt: r.createdAt, counts: counts.get(r.id) ?? {}, refused: r.refused.length })),
  }
}

/** The members a form chose: every one with `all`, else the ticked ones that belong to the pool. */
export function chosenMembers(members: Member[], form: Pick<RunForm, 'memberIds' | 'all'>): Member[] {
  if (form.all) return members
  const ids = new Set(form.memberIds)
  return members.filter((m) => ids.has(m.id))
}

/**
 * Checks a run before it is confirmed, with startRun's rules: bad parameters
 * refuse the whole run; a member that cannot take the job is named.
 */
export async function reviewRun(db: Db, poolId: string, name: string, params: Record<string, unknown>, form: Pick<RunForm, 'memberIds' | 'all'>): Promise<RunReview> {
  if (!isJobName(name)) throw noSuchJob(name)
  const members = chosenMembers(await listMembers(db, poolId), form)
  if (members.length === 0) throw badInput('Choose at least one server.', 'members')
  const first = jobRefusal(name, params, memberFacts(members[0]!))
  if (first && first.code !== 'not_possible_here') throw first
  const able: RunReview['able'] = []
  const refused: RunReview['refused'] = []
  for (const m of members) {
    const why = jobRefusal(name, params, memberFacts(m))?.message ?? null
    if (why) refused.push({ id: m.id, name: m.name, reason: why })
    else able.push({ id: m.id, name: m.name })
  }
  if (able.length === 0) {
    throw badInput(`None of the chosen servers can run ${titleInSentence(catalogue[name].title)}: ${refused[0]!.reason}`, 'members')
  }
  return { name, params, able, refused }
}

export type RunPageData = Awaited<ReturnType<typeof getRun>> & { pool: { id: string; name: string }; tag: string; live: boolean }

export const rowsTag = (rows: RunRow[]) => fingerprint(rows.map((r) => [r.memberId, r.jobId, r.status, r.exitCode, r.error]))
export const rowsLive = (rows: RunRow[]) => rows.some((r) => r.status === 'queued' || r.status === 'running')

export async function runPage(db: Db, poolId: string, runId: string): Promise<RunPageData> {
  const pool = await getPool(db, poolId)
  const data = await getRun(db, runId)
  if (data.run.poolId !== poolId) throw notFound('Run')
  return { ...data, pool: { id: pool.id, name: pool.name }, tag: rowsTag(data.rows), live: rowsLive(data.rows) }
}
