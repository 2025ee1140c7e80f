// What the cPanel handlers share: a last check of every value before it
// reaches whmapi1's argv (the server checked them, but an agent must not
// depend on that), where WHM keeps an account, and the hand-over of a secret
// made inside a job.
import { CPANEL_SERVICES, CPANEL_USER, type CpanelService, type Reveal } from '../../cpanel/protocol'
import { exists } from '../../detect/files'
import { matches } from '../patterns'
import { JobFailure, type JobContext } from '../types'

const refuse = (what: string, value: unknown, rule: string) => new JobFailure(`Refusing ${what} ${JSON.stringify(value)}: ${rule}.`)

export function cpanelUser(value: unknown): string {
  if (typeof value !== 'string' || !new RegExp(CPANEL_USER).test(value)) {
    throw refuse('the cPanel user', value, 'lower-case letters and digits, starting with a letter, at most 16, not starting with "test"')
  }
  return value
}

/** As src/jobs/params.ts takes plans: /var/cpanel/packages names, a reseller's "name_" prefix included. */
const PLAN = /^[A-Za-z0-9_][A-Za-z0-9_ .-]{0,63}$/

export function cpanelPlan(value: unknown): string {
  if (typeof value !== 'string' || !PLAN.test(value)) throw refuse('the plan', value, 'letters, digits, spaces, "_", "-" and ".", at most 64')
  return value
}

export function domainName(value: unknown): string {
  if (!matches('hostname', value)) throw refuse('the domain', value, 'it is not a domain name')
  return value.toLowerCase()
}

export function emailAddress(value: unknown): string {
  if (!matches('email', value)) throw refuse('the contact email', value, 'it is not an email address')
  return value
}

/** One line: a reason with a newline would be two arguments' worth of text in WHM's files. */
export function oneLine(value: unknown, what: string, max = 256): string {
  if (typeof value !== 'string' || !value.trim() || value.length > max || /[\x00-\x1f\x7f]/.test(value)) throw refuse(what, value, `one line of at most ${max} characters`)
  return value
}

export function cpanelService(value: unknown): CpanelService {
  if (typeof value !== 'string' || !Object.hasOwn(CPANEL_SERVICES, value)) throw refuse('the service', value, `one of ${Object.keys(CPANEL_SERVICES).join(', ')}`)
  return value as CpanelService
}

const IPV4 = /^(?:(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\.){3}(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])$/

export function sourceHost(value: unknown): string {
  if (!(typeof value === 'string' && IPV4.test(value)) && !matches('hostname', value)) throw refuse('the source server', value, 'a host name or an IPv4 address')
  return value as string
}

/** WHM keeps one users file per account: its presence is the account's. */
export const accountExists = (ctx: Pick<JobContext, 'root'>, user: string) => exists(ctx.root, `var/cpanel/users/${cpanelUser(user)}`)

/** Hands a secret made in this job to the person who asked; it never goes into the output or the result. */
export async function reveal(ctx: JobContext, kind: Reveal['kind'], value: string): Promise<void> {
  await ctx.agentCall(`cpanel/${encodeURIComponent(ctx.jobId)}/reveal`, { kind, value } satisfies Reveal)
}
