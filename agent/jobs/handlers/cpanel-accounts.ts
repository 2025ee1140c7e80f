// cPanel accounts through WHM API 1 on the member: create, change plan,
// suspend, unsuspend, terminate, AutoSSL, one-time login. WHM decides and
// says why it refuses; the handler checks the values it passes, and keeps
// the secrets WHM hands back (a new password, a login link) out of the job's
// output and result: they go to the person through the server's reveal.
import { randomBytes } from 'node:crypto'
import { whmapi } from '../../cpanel/tools'
import { JobFailure, type JobHandler } from '../types'
import { stepper } from './common'
import { cpanelPlan, cpanelUser, domainName, emailAddress, oneLine, reveal } from './cpanel-common'

// Symbols that WHM takes in a password and that no shell, URL or form in between reads as syntax.
const CLASSES = ['abcdefghijklmnopqrstuvwxyz', 'ABCDEFGHIJKLMNOPQRSTUVWXYZ', '0123456789', '!@#%^*_-+=.,:~']
const ALPHABET = CLASSES.join('')

/** 24 characters from crypto.randomBytes, at least one of each class; unbiased (rejection sampling). */
export function newPassword(length = 24): string {
  const limit = 256 - (256 % ALPHABET.length)
  for (;;) {
    let out = ''
    while (out.length < length) {
      for (const byte of randomBytes(length * 2)) {
        if (byte < limit && out.length < length) out += ALPHABET[byte % ALPHABET.length]
      }
    }
    if (CLASSES.every((c) => [...out].some((ch) => c.includes(ch)))) return out
  }
}

export const accountCreate: JobHandler = async (ctx) => {
  const user = cpanelUser(ctx.params.user)
  const domain = domainName(ctx.params.domain)
  const plan = cpanelPlan(ctx.params.plan)
  const contactemail = emailAddress(ctx.params.contactEmail)
  const step = stepper(ctx, 'cpanel.account.create')

  step('Create the account in WHM')
  const password = newPassword()
  // showpass=n: WHM's raw output would otherwise repeat the password.
  const data = await whmapi<{ ip?: string; package?: string }>(ctx, 'createacct', { username: user, domain, plan, contactemail, password, showpass: 'n' })
  const result = { user, domain, plan: data.package || plan, ...(data.ip ? { ip: data.ip } : {}) }
  ctx.result(result)
  ctx.log(`WHM created the account ${user} for ${domain} on the plan ${result.plan}${data.ip ? `, at ${data.ip}` : ''}.`)

  step('Hand over its password')
  try {
    await reveal(ctx, 'password', password)
  } catch (err) {
    throw new JobFailure(`The account ${user} was created, but its password could not be handed over (${(err as Error).message}); set a new one in WHM (Modify an Account).`)
  }
  ctx.log('Its password is ready to be shown once to whoever asked for the account; it is not kept in this job.')
}

export const accountModify: JobHandler = async (ctx) => {
  const user = cpanelUser(ctx.params.user)
  const plan = cpanelPlan(ctx.params.plan)
  stepper(ctx, 'cpanel.account.modify')('Change the plan in WHM')
  await whmapi(ctx, 'changepackage', { user, pkg: plan })
  ctx.log(`${user} is on the plan ${plan} now.`)
  ctx.result({ user, plan })
}

export const accountSuspend: JobHandler = async (ctx) => {
  const user = cpanelUser(ctx.params.user)
  const reason = oneLine(ctx.params.reason, 'the reason')
  stepper(ctx, 'cpanel.account.suspend')('Suspend the account in WHM')
  await whmapi(ctx, 'suspendacct', { user, reason })
  ctx.log(`${user} is suspended: ${reason}`)
  ctx.result({ user, suspended: true })
}

export const accountUnsuspend: JobHandler = async (ctx) => {
  const user = cpanelUser(ctx.params.user)
  stepper(ctx, 'cpanel.account.unsuspend')('Unsuspend the account in WHM')
  await whmapi(ctx, 'unsuspendacct', { user })
  ctx.log(`${user} is active again.`)
  ctx.result({ user, suspended: false })
}

export const accountTerminate: JobHandler = async (ctx) => {
  const user = cpanelUser(ctx.params.user)
  stepper(ctx, 'cpanel.account.terminate')('Terminate the account in WHM')
  await whmapi(ctx, 'removeacct', { username: user })
  ctx.log(`${user} is terminated: WHM removed the account, its home and its domains from this server.`)
  ctx.result({ user, terminated: true })
}

export const accountAutossl: JobHandler = async (ctx) => {
  const user = cpanelUser(ctx.params.user)
  stepper(ctx, 'cpanel.account.autossl')('Run AutoSSL for the account')
  const data = await whmapi<{ pid?: number }>(ctx, 'start_autossl_check_for_one_user', { username: user })
  ctx.log(`WHM started an AutoSSL check for ${user}${data.pid ? ` (process ${data.pid})` : ''}; it runs in the background and its certificates appear in WHM's SSL/TLS Status when it is done.`)
  ctx.result({ user, ...(data.pid ? { pid: data.pid } : {}) })
}

export const accountLogin: JobHandler = async (ctx) => {
  const user = cpanelUser(ctx.params.user)
  stepper(ctx, 'cpanel.account.login')('Create a one-time login session')
  const data = await whmapi<{ url?: unknown }>(ctx, 'create_user_session', { user, service: 'cpaneld' }, { secret: true })
  if (typeof data.url !== 'string' || !data.url.startsWith('https://')) throw new JobFailure('WHM created a session but gave no https login link.')
  try {
    await reveal(ctx, 'login', data.url)
  } catch (err) {
    throw new JobFailure(`WHM made a login link for ${user}, but it could not be handed over (${(err as Error).message}); it expires unused.`)
  }
  ctx.log(`A one-time cPanel login for ${user} is ready to be opened once; WHM ends the session after 15 minutes without use.`)
  ctx.result({ user })
}
