// What the Security, Control panel and Recipes tabs need from the job queue:
// the jobs they list, the SSH keys the last read found, and for every action
// they offer, the reason it cannot run on this member (so the page says so
// instead of offering a button that can only be refused).
import { Value } from '@sinclair/typebox/value'
import type { Db } from '../db'
import type { Member } from '../members/store'
import type { Stacks } from '../../agent/protocol'
import { catalogueEntry, isJobName, jobNames, type JobName } from '../../agent/jobs/catalogue'
import { matches } from '../../agent/jobs/patterns'
import { jobRules, type MemberFacts } from './params'
import { jobRefusal, memberFacts } from './service'
import { paramsFromForm } from './form'
import * as store from './store'

export type Job = store.Job

export type SshKey = { type: string; fingerprint: string; comment: string | null }

export type SshKeys = {
  user: string
  /** The newest ssh.key.list for this user that succeeded: the keys below are its result. */
  read: Job | null
  keys: SshKey[]
  /** A newer ssh.key.list still queued or running: the card polls until it ends. */
  pending: Job | null
  /** A newer ssh.key.list that did not succeed. */
  failed: Job | null
  /** Keys added or removed after the read: the list may be out of date. */
  changedSince: Job[]
}

export type LetsencryptDefaults = { domains: string[]; method: 'webroot' | 'standalone'; webroot: string; email: string }

export type TabJobs = {
  facts: MemberFacts
  /** Why each action the tab offers cannot run here; null when it can. */
  refusals: Partial<Record<JobName, string | null>>
  /** The tab's own jobs, newest first: firewall jobs, recipes, quick actions. */
  recent: Job[]
  ssh?: SshKeys
  letsencrypt?: LetsencryptDefaults
}

/** The form a refused post came from: its values again, and the field the refusal is about. */
export type JobFormEcho = { name: string; values: Record<string, string>; field: string | null; message: string }

export const RECIPES = jobNames.filter((n) => catalogueEntry(n).recipe)
export const QUICK_ACTIONS = ['system.reboot', 'system.shutdown', 'system.updates.install', 'tls.letsencrypt.issue'] as const satisfies JobName[]
const FIREWALL_ACTIONS = ['firewall.enable', 'firewall.disable', 'firewall.rule.add', 'firewall.rule.remove', 'firewall.backup'] as const satisfies JobName[]
const SSH_ACTIONS = ['ssh.key.list', 'ssh.key.add', 'ssh.key.remove'] as const satisfies JobName[]

const RECENT = 8
export const DEFAULT_SSH_USER = 'root'

/**
 * Why `name` cannot run on this member. Jobs that take parameters are judged
 * on the form's defaults: only what the member itself rules out counts here,
 * a bad value is the form's to report when it is posted.
 */
export function refusalHere(name: JobName, facts: MemberFacts, params: Record<string, unknown> = {}): string | null {
  const rule = jobRules[name]
  if (Value.Check(rule.params, params)) return jobRefusal(name, params, facts)?.message ?? null
  try {
    return rule.refuse?.(params, facts) ?? null
  } catch {
    return null
  }
}

const refusalsOf = (names: readonly JobName[], facts: MemberFacts, params: Partial<Record<JobName, Record<string, unknown>>> = {}) =>
  Object.fromEntries(names.map((n) => [n, refusalHere(n, facts, params[n])])) as Partial<Record<JobName, string | null>>

/** Domains and a webroot from the web stacks the agent found, for the Let's Encrypt form. */
export function letsencryptDefaults(member: Pick<Member, 'stacks'>, email: string): LetsencryptDefaults {
  const stacks = (member.stacks ?? {}) as Partial<Stacks>
  const vhosts = stacks.openlitespeed?.vhosts ?? []
  const accounts = stacks.cpanel?.accounts ?? []
  const found = [...vhosts.flatMap((v) => v.domains), ...accounts.map((a) => a.domain ?? '')]
  const domains = [...new Set(found.map((d) => d.trim().toLowerCase()).filter((d) => matches('hostname', d)))].slice(0, 100)
  const withDomains = vhosts.filter((v) => v.root && v.domains.length)
  const webroot = withDomains[0]?.root ?? (accounts.length === 1 ? `/home/${accounts[0]!.user}/public_html` : '')
  // A web server already holds port 80: certbot must answer through its webroot.
  const method = stacks.openlitespeed || stacks.cpanel ? 'webroot' : 'standalone'
  return { domains, method, webroot: method === 'webroot' ? webroot || '/var/www/html' : '', email }
}

function letsencryptParams(d: LetsencryptDefaults): Record<string, unknown> {
  return { domains: d.domains, email: d.email, method: d.method, ...(d.webroot ? { webroot: d.webroot } : {}) }
}

export async function securityTabJobs(db: Db, member: Member, sshUser: string | null): Promise<TabJobs> {
  const facts = memberFacts(member)
  const [recent, lastList] = await Promise.all([
    store.listMemberJobsNamed(db, member.id, ['firewall.'], RECENT),
    sshUser ? Promise.resolve([]) : store.listMemberJobsNamed(db, member.id, ['ssh.key.list'], 1),
  ])
  // Without a user asked for, the one whose keys were read last: "Load keys" lands back here.
  const chosen = sshUser ?? (lastList[0]?.params.user as string | undefined) ?? DEFAULT_SSH_USER
  const user = matches('user', chosen) ? chosen : DEFAULT_SSH_USER
  const sshJobs = await store.listMemberJobsWithParam(db, member.id, [...SSH_ACTIONS], 'user', user, 30)
  return { facts, refusals: refusalsOf([...FIREWALL_ACTIONS, ...SSH_ACTIONS], facts), recent, ssh: sshKeys(user, sshJobs) }
}

/** The keys of the newest successful read, and what happened around it. `jobs` is newest first. */
export function sshKeys(user: string, jobs: Job[]): SshKeys {
  const lists = jobs.filter((j) => j.name === 'ssh.key.list')
  const readAt = lists.findIndex((j) => j.status === 'succeeded' && Array.isArray(j.result))
  const read = readAt >= 0 ? lists[readAt]! : null
  const newer = readAt >= 0 ? lists.slice(0, readAt) : lists
  const pending = newer.find((j) => j.status === 'queued' || j.status === 'running') ?? null
  const failed = !pending && newer[0] && newer[0].status !== 'succeeded' ? newer[0] : null
  const keys = read ? (read.result as unknown[]).filter(isKey) : []
  const changedSince = read
    ? jobs.filter((j) => j.name !== 'ssh.key.list' && j.createdAt > read.createdAt && j.status !== 'failed' && j.status !== 'cancelled')
    : []
  return { user, read, keys, pending, failed, changedSince }
}

const isKey = (k: unknown): k is SshKey =>
  !!k && typeof k === 'object' && typeof (k as SshKey).type === 'string' && typeof (k as SshKey).fingerprint === 'string'

export async function controlTabJobs(db: Db, member: Member, email: string): Promise<TabJobs> {
  const facts = memberFacts(member)
  const letsencrypt = letsencryptDefaults(member, email)
  const recent = await store.listMemberJobsNamed(db, member.id, ['system.', 'tls.'], 5)
  const refusals = refusalsOf(QUICK_ACTIONS, facts, { 'tls.letsencrypt.issue': letsencryptParams(letsencrypt) })
  return { facts, refusals, recent, letsencrypt }
}

export async function recipesTabJobs(db: Db, member: Member, email: string): Promise<TabJobs> {
  const facts = memberFacts(member)
  const letsencrypt = letsencryptDefaults(member, email)
  const recent = await store.listMemberJobsNamed(db, member.id, ['recipe.'], 10)
  const refusals = refusalsOf(RECIPES, facts, { 'recipe.letsencrypt': letsencryptParams(letsencrypt) })
  return { facts, refusals, recent, letsencrypt }
}

/**
 * Which field a refusal is about: the one the schema names, or the one whose
 * value the sentence quotes ("10.0.0.1/8 has bits set..."); null for the form.
 */
export function jobFormEcho(name: string, body: Record<string, string>, refusal: { field: string; message: string }): JobFormEcho {
  const values = Object.fromEntries(Object.entries(body).filter(([k]) => k.startsWith('p.')).map(([k, v]) => [k.slice(2), v]))
  if (refusal.field === 'confirm' || !isJobName(name)) return { name, values, field: refusal.field === 'confirm' ? 'confirm' : null, message: refusal.message }
  const first = Value.Errors(jobRules[name].params, paramsFromForm(name, body)).First()
  if (first) {
    const field = first.path.split('/')[1] || null
    const missing = first.message.startsWith('required: ')
    const said = first.message.replace(/^required: /, '')
    const message = missing ? `Required: ${said}.` : /^expected/i.test(said) ? `${said}.` : `Expected ${said}.`
    return { name, values, field, message: field ? message : refusal.message }
  }
  const quoted = Object.entries(values).find(([, v]) => v.trim() && refusal.message.includes(v.trim()))
  return { name, values, field: quoted?.[0] ?? null, message: refusal.message }
}
