// Fleet-wide runs: one job for several members of a pool at once, with one
// row per member in the result. Parameters are checked once, before anything
// is queued; a member that cannot take the job gets a row saying why.
import type { Db } from '../db'
import { recordAudit, type Actor } from '../audit/service'
import { newId } from '../crypto/tokens'
import { badInput, notFound } from '../http/errors'
import { getPool } from '../pools/service'
import { listMembers } from '../members/service'
import { catalogue, isJobName, type JobName } from '../../agent/jobs/catalogue'
import { jobRefusal, memberFacts, newJobRow } from './service'
import * as store from './store'
import { titleInSentence } from './titles'
import { wakeMember } from './wake'

export type RunRow = { memberId: string; memberName: string; jobId: string | null; status: string; exitCode: number | null; error: string | null }

export async function startRun(db: Db, actor: Actor, poolId: string, name: string, params: unknown, memberIds: string[]) {
  const pool = await getPool(db, poolId)
  const p = (params ?? {}) as Record<string, unknown>
  const poolMembers = await listMembers(db, poolId)
  const chosen = [...new Set(memberIds)].map((id) => poolMembers.find((m) => m.id === id) ?? id)
  const stranger = chosen.find((m) => typeof m === 'string')
  if (stranger) throw badInput(`${stranger} is not a member of ${pool.name}`, 'memberIds')
  if (chosen.length === 0) throw badInput('Choose at least one member', 'memberIds')
  const members = chosen as Exclude<(typeof chosen)[number], string>[]
  // Bad parameters are the same for everyone: refuse the whole run.
  const first = jobRefusal(name, p, memberFacts(members[0]!))
  if (first && (!isJobName(name) || first.code !== 'not_possible_here')) throw first
  const refusals = new Map(members.map((m) => [m.id, jobRefusal(name, p, memberFacts(m))?.message ?? null]))
  const able = members.filter((m) => refusals.get(m.id) === null)
  if (able.length === 0) throw badInput(`None of the chosen members can run ${titleInSentence(catalogue[name as JobName].title)}: ${refusals.get(members[0]!.id)}`, 'memberIds')
  const refused = members.filter((m) => refusals.get(m.id) !== null).map((m) => ({ memberId: m.id, memberName: m.name, reason: refusals.get(m.id)! }))
  const run = await store.insertRun(db, { id: newId('run'), poolId, name, params: p, requestedBy: actor.label, refused })
  const now = new Date()
  const jobs = await store.insertJobs(db, able.map((m) => newJobRow(m, name as JobName, p, actor.label, { runId: run.id, now })))
  await recordAudit(db, actor, {
    action: 'job.run',
    targetType: 'pool',
    targetId: poolId,
    targetLabel: pool.name,
    poolId,
    detail: { runId: run.id, name, params: p, members: able.map((m) => m.id), refused: members.length - able.length },
  })
  for (const j of jobs) wakeMember(j.memberId)
  return { run, rows: rowsOf(members, jobs, refused) }
}

type Refused = { memberId: string; memberName: string; reason: string }[]

function rowsOf(members: { id: string; name: string }[], jobs: store.Job[], refused: Refused): RunRow[] {
  const queued = members
    .map((m) => ({ m, job: jobs.find((j) => j.memberId === m.id) }))
    .filter((x) => x.job)
    .map(({ m, job }) => ({ memberId: m.id, memberName: m.name, jobId: job!.id, status: job!.status, exitCode: job!.exitCode, error: job!.error }))
  return [...queued, ...refused.map((r) => ({ memberId: r.memberId, memberName: r.memberName, jobId: null, status: 'refused', exitCode: null, error: r.reason }))]
}

export async function getRun(db: Db, runId: string) {
  const run = await store.findRun(db, runId)
  if (!run) throw notFound('Run')
  const jobs = await store.listRunJobs(db, runId)
  const members = await listMembers(db, run.poolId)
  const involved = members.filter((m) => jobs.some((j) => j.memberId === m.id))
  return { run, rows: rowsOf(involved, jobs, run.refused) }
}

export const poolRuns = (db: Db, poolId: string, limit = 20) => store.listPoolRuns(db, poolId, limit)
