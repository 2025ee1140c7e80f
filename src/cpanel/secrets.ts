// Secrets that pass through the server once (agent/cpanel/protocol.ts): an
// account's new password or a one-time login link, made by the job and shown
// to the person who queued it; and a transfer's source login, typed by the
// operator and handed to the target's agent. Each is sealed at rest, deleted
// as it is read (one statement, so two replicas never both hand it out), and
// swept when its time is up.
import type { Deps } from '../server/deps'
import type { Db } from '../db'
import { recordAudit, type Actor } from '../audit/service'
import { newId } from '../crypto/tokens'
import { badInput, conflict, HttpError, notFound } from '../http/errors'
import { getMember } from '../members/service'
import type { Member } from '../members/store'
import { queueJob, type Job } from '../jobs/service'
import * as jobStore from '../jobs/store'
import { wakeMember } from '../jobs/wake'
import { patterns } from '../../agent/jobs/patterns'
import { CPANEL_USER, REVEAL_SECONDS, type Credentials, type Reveal } from '../../agent/cpanel/protocol'
import { reportedAccounts } from './accounts'
import * as store from './store'

/** Which job may reveal which kind of secret. */
const REVEALS: Record<string, Reveal['kind']> = { 'cpanel.account.create': 'password', 'cpanel.account.login': 'login' }
const TRANSFER = 'cpanel.account.transfer'

/** WHM takes root passwords far shorter; anything longer is a paste gone wrong. */
export const MAX_PASSWORD = 1024
const CONTROL = /[\u0000-\u001f\u007f]/

/** The job, when it runs on this member now; 404 or 409 otherwise (as the backup routes answer). */
async function runningJobOf(db: Db, memberId: string, jobId: string): Promise<Job> {
  const job = await jobStore.findJob(db, jobId)
  if (!job || job.memberId !== memberId) throw notFound('Job')
  if (job.status !== 'running') throw new HttpError(409, 'job_not_running', `This job is ${job.status.replace('_', ' ')}; stop working on it.`)
  return job
}

function checkRevealValue(reveal: Reveal) {
  if (!reveal.value) throw badInput('The secret is empty.', 'value')
  if (reveal.kind === 'password' && CONTROL.test(reveal.value)) throw badInput('A password is one line without control characters.', 'value')
  if (reveal.kind === 'login') {
    // Shown as a link: only a web address, never a javascript: or data: one.
    let url: URL | null = null
    try {
      url = new URL(reveal.value)
    } catch {}
    if (!url || (url.protocol !== 'https:' && url.protocol !== 'http:')) throw badInput('A login link is an http(s) address.', 'value')
  }
}

/** POST /api/v1/agent/cpanel/:jobId/reveal: kept sealed until its requester sees it once, at most REVEAL_SECONDS. */
export async function storeReveal(deps: Deps, memberId: string, jobId: string, reveal: Reveal, now = new Date()): Promise<void> {
  const job = await runningJobOf(deps.db, memberId, jobId)
  const kind = REVEALS[job.name]
  if (!kind) throw conflict(`${job.name} has no secret to hand over.`)
  if (reveal.kind !== kind) throw badInput(`${job.name} hands over a ${kind}, not a ${reveal.kind}.`, 'kind')
  checkRevealValue(reveal)
  await store.putSecret(deps.db, {
    id: newId('csec'),
    jobId: job.id,
    memberId,
    kind,
    valueSealed: deps.secrets.seal(reveal.value),
    requestedBy: job.requestedBy,
    createdAt: now,
    expiresAt: new Date(now.getTime() + REVEAL_SECONDS * 1000),
  })
}

export type RevealTaken = Reveal | { state: 'waiting' | 'gone' | 'failed'; error?: string | null }

/**
 * The job's secret, shown once and only to whoever queued the job; after
 * that (or REVEAL_SECONDS, or to anyone else) it is `gone`. `waiting` while
 * the job may still reveal it, `failed` when the job ended without one.
 */
export async function takeReveal(
  deps: Deps,
  who: { memberId: string; jobId: string; actorLabel: string; actor?: Actor },
  now = new Date(),
): Promise<RevealTaken> {
  const job = await jobStore.findJob(deps.db, who.jobId)
  // Another's job, or not one that reveals: nothing to say about it.
  if (!job || job.memberId !== who.memberId || !REVEALS[job.name] || job.requestedBy !== who.actorLabel) return { state: 'gone' }
  const row = await store.takeSecret(deps.db, { jobId: job.id, memberId: job.memberId, kinds: [REVEALS[job.name]!], requestedBy: who.actorLabel }, now)
  if (row) {
    const member = await getMember(deps.db, job.memberId)
    const actor = who.actor ?? { userId: null, label: who.actorLabel, ip: null }
    await recordAudit(deps.db, actor, {
      action: row.kind === 'login' ? 'cpanel.login.shown' : 'cpanel.password.shown',
      targetType: 'member',
      targetId: member.id,
      targetLabel: member.name,
      poolId: member.poolId,
      detail: { jobId: job.id, user: (job.params as { user?: unknown }).user ?? null },
    })
    return { kind: row.kind as Reveal['kind'], value: deps.secrets.open(row.valueSealed) }
  }
  // Still there but past its time: gone, even while the job runs on.
  if (await store.countSecrets(deps.db, job.id)) return { state: 'gone' }
  if (job.status === 'queued' || job.status === 'running') return { state: 'waiting' }
  if (job.status === 'succeeded') return { state: 'gone' }
  return { state: 'failed', error: job.error ?? `The job ${job.status.replace('_', ' ')}.` }
}

/** POST /api/v1/agent/cpanel/:jobId/credentials: the transfer's source login, handed over once. */
export async function takeCredentials(deps: Deps, memberId: string, jobId: string, now = new Date()): Promise<Credentials> {
  const job = await runningJobOf(deps.db, memberId, jobId)
  if (job.name !== TRANSFER) throw conflict(`${job.name} takes no credentials.`)
  const row = await store.takeSecret(deps.db, { jobId: job.id, memberId, kinds: ['credentials'] }, now)
  if (!row) throw new HttpError(409, 'credentials_gone', "The source server's login was handed over already or has expired; start the transfer again.")
  return { user: 'root', password: deps.secrets.open(row.valueSealed) }
}

/** Leftovers of a job that has ended: its transfer credentials (a reveal stays until shown or expired). */
export const forgetCredentials = (db: Db, jobId: string) => store.deleteCredentialsOf(db, jobId)

/** The leader's sweep: expired secrets, and credentials of ended jobs. */
export const sweepSecrets = (db: Db, now = new Date()) => store.sweepSecrets(db, now)

export type TransferInput = { targetMemberId: string; poolId?: string; sourceMemberId: string; user: string; password: string }

const HOSTNAME = new RegExp(patterns.hostname)

/** Where the target's WHM reaches the source: its host name when that is a real DNS name, else its public address. */
export function sourceHostOf(source: Pick<Member, 'hostname' | 'publicIpv4' | 'egressIps'>): string | null {
  if (HOSTNAME.test(source.hostname)) return source.hostname
  return source.publicIpv4 ?? source.egressIps[0] ?? null
}

async function sourceIn(db: Db, target: Member, sourceMemberId: string): Promise<Member> {
  const source = await getMember(db, sourceMemberId).catch(() => {
    throw badInput('There is no such member to transfer from.', 'sourceMemberId')
  })
  if (source.poolId !== target.poolId) throw badInput(`${source.name} is in another pool; transfers run between members of one pool.`, 'sourceMemberId')
  if (source.id === target.id) throw badInput('The source is this server; choose another member to transfer from.', 'sourceMemberId')
  return source
}

/**
 * Queues cpanel.account.transfer on the target, with the source's root
 * password sealed beside it (never in the job's parameters, output or audit):
 * the target's agent takes it once when the job starts.
 */
export async function startTransfer(deps: Deps, actor: Actor, input: TransferInput, now = new Date()): Promise<Job> {
  const { db } = deps
  const target = await getMember(db, input.targetMemberId, input.poolId)
  const here = reportedAccounts(target)
  if (!here) throw new HttpError(422, 'not_possible_here', `cPanel is not installed on ${target.name}.`, 'targetMemberId')
  const source = await sourceIn(db, target, input.sourceMemberId)
  const there = reportedAccounts(source)
  if (!there) throw badInput(`cPanel is not installed on ${source.name}.`, 'sourceMemberId')
  const user = input.user
  if (!new RegExp(CPANEL_USER).test(user)) throw badInput('A cPanel user name: lower-case letters and digits, starting with a letter, up to 16, not starting with "test".', 'user')
  if (!there.users.has(user) && there.complete) throw badInput(`${source.name} has no cPanel account called ${user}.`, 'user')
  if (here.users.has(user)) throw conflict(`${target.name} has an account called ${user} already; terminate it first or push a copy with replace.`, 'user')
  if (!input.password) throw badInput(`Give the root password of ${source.name}.`, 'password')
  if (input.password.length > MAX_PASSWORD) throw badInput(`A password of at most ${MAX_PASSWORD} characters.`, 'password')
  if (CONTROL.test(input.password)) throw badInput('A password is one line without control characters.', 'password')
  const sourceHost = sourceHostOf(source)
  if (!sourceHost) throw badInput(`${source.name} has neither a DNS host name nor a public address to be reached at.`, 'sourceMemberId')

  const job = await db.transaction(async (tx) => {
    const t = tx as unknown as Db
    const queued = await queueJob(t, actor, target.id, TRANSFER, { user, sourceMemberId: source.id, sourceHost }, { through: true, now })
    // Taken at the job's start: kept while it may wait in the queue, and a little past.
    const until = (queued.expiresAt ?? now).getTime() + REVEAL_SECONDS * 1000
    await store.putSecret(t, { id: newId('csec'), jobId: queued.id, memberId: target.id, kind: 'credentials', valueSealed: deps.secrets.seal(input.password), requestedBy: actor.label, createdAt: now, expiresAt: new Date(until) })
    await recordAudit(t, actor, {
      action: 'cpanel.transfer.start',
      targetType: 'member',
      targetId: target.id,
      targetLabel: target.name,
      poolId: target.poolId,
      detail: { jobId: queued.id, user, sourceMemberId: source.id, sourceName: source.name, sourceHost },
    })
    return queued
  })
  // queueJob's wake-up came before the commit: a waiting claim may have looked too early.
  wakeMember(target.id)
  return job
}
