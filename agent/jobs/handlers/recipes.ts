// Recipes for the host itself: SSH hardening and the WHM link check, plus the
// two that are a job by another name (agent update, Let's Encrypt) and run
// that job's handler with the same steps. The stack recipes have a file each.
import { existsSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { detectCpanel } from '../../detect/cpanel'
import { readText } from '../../detect/files'
import { JobFailure, type JobContext, type JobHandler } from '../types'
import { agentUpdate } from './agent-update'
import { stamp, stepper, unitState } from './common'
import { letsencryptIssue } from './letsencrypt'
import { whmapi } from './recipes-cpanel'
import { authorizedKeysOf, findAccounts } from './ssh'

export { installOpenLiteSpeed, hardenOpenLiteSpeed } from './recipes-openlitespeed'
export { installMariaDb, hardenMariaDb } from './recipes-mariadb'
export { installCpanel, hardenCpanel } from './recipes-cpanel'

export const agentUpdateRecipe: JobHandler = (ctx) => agentUpdate(ctx)
export const letsencryptRecipe: JobHandler = (ctx) => letsencryptIssue(ctx)

export const SSH_DROP_IN = 'etc/ssh/sshd_config.d/10-serversctl-hardening.conf'
const SSH_INCLUDE = 'Include /etc/ssh/sshd_config.d/*.conf'

// sshd keeps the first value it reads for each keyword, so this file is named
// to sort before the distribution's and cloud-init's (50-*.conf).
// ChallengeResponseAuthentication rather than KbdInteractiveAuthentication:
// newer sshd reads it as an alias, and the OpenSSH 7 of older systems knows only it.
export const SSH_SETTINGS = `# Written by serversctl (SSH hardening recipe). Remove this file and reload sshd to undo.
PasswordAuthentication no
ChallengeResponseAuthentication no
PermitEmptyPasswords no
PermitRootLogin prohibit-password
MaxAuthTries 4
X11Forwarding no
`

/** What `sshd -T` must print afterwards; PermitRootLogin's value has two spellings across versions. */
const SSH_EFFECTIVE: [string, string[]][] = [
  ['passwordauthentication', ['no']],
  ['permitemptypasswords', ['no']],
  ['permitrootlogin', ['prohibit-password', 'without-password']],
]

export function sshEffectiveProblems(sshdT: string): string[] {
  const got = new Map(sshdT.split('\n').map((l) => l.trim().split(/\s+/, 2) as [string, string]))
  return SSH_EFFECTIVE.filter(([k, ok]) => !ok.includes(got.get(k) ?? '')).map(([k]) => `${k} is ${got.get(k) ?? 'unset'}`)
}

const LOGIN_SHELL = /\/(bash|sh|zsh|dash|ksh|fish|tcsh|csh)$/

export const sshHardening: JobHandler = async (ctx) => {
  const step = stepper(ctx, 'recipe.ssh_hardening')

  step('Check that someone can log in with a key')
  const withKeys = findAccounts(readText(ctx.root, 'etc/passwd') ?? '')
    .filter((a) => (a.uid === 0 || a.uid >= 1000) && LOGIN_SHELL.test(a.shell))
    .filter((a) => authorizedKeysOf(ctx.root, a).length > 0)
    .map((a) => a.user)
  if (!withKeys.length) {
    throw new JobFailure('No account with a login shell has an authorized SSH key: turning off password logins now would lock everyone out. Add a key first.')
  }
  ctx.log(`Accounts that can log in with a key: ${withKeys.join(', ')}.`)

  step('Write the hardening settings')
  const configPath = join(ctx.root, 'etc/ssh/sshd_config')
  if (!existsSync(configPath)) throw new JobFailure('/etc/ssh/sshd_config is missing; is the OpenSSH server installed?')
  const original = readFileSync(configPath, 'utf8')
  const hasInclude = /^\s*Include\s+\/etc\/ssh\/sshd_config\.d\/\*\.conf\s*$/im.test(original)
  mkdirSync(join(ctx.root, 'etc/ssh/sshd_config.d'), { recursive: true, mode: 0o755 })
  writeFileSync(join(ctx.root, SSH_DROP_IN), SSH_SETTINGS, { mode: 0o644 })
  if (!hasInclude) {
    // Older systems have no drop-in folder; the Include goes first so that it wins.
    const backup = `etc/ssh/sshd_config.serversctl-${stamp()}`
    writeFileSync(join(ctx.root, backup), original, { mode: 0o600 })
    writeFileSync(configPath, `${SSH_INCLUDE}\n${original}`)
    ctx.log(`Added "${SSH_INCLUDE}" to the top of /etc/ssh/sshd_config (the old one is /${backup}).`)
  }
  const undo = () => {
    rmSync(join(ctx.root, SSH_DROP_IN), { force: true })
    if (!hasInclude) writeFileSync(configPath, original)
  }

  step('Test the sshd configuration')
  try {
    await ctx.exec(['/usr/sbin/sshd', '-t'])
    const effective = await ctx.exec(['/usr/sbin/sshd', '-T'], { quiet: true })
    const problems = sshEffectiveProblems(effective.stdout)
    if (problems.length) {
      throw new JobFailure(`sshd_config sets these before our file is read, so they win: ${problems.join(', ')}. Nothing was changed; edit /etc/ssh/sshd_config by hand.`)
    }
  } catch (e) {
    undo()
    throw e
  }

  step('Reload sshd')
  // Open sessions are untouched by a reload; only new logins see the settings.
  const unit = ctx.family === 'debian' ? 'ssh' : 'sshd'
  await ctx.exec(['systemctl', 'try-reload-or-restart', unit])
  ctx.log(`sshd now takes keys only (${unit} is ${await unitState(ctx, unit)}).`)
}

async function answers(ctx: JobContext, url: string, verify: boolean): Promise<string | null> {
  try {
    const init = { signal: AbortSignal.any([ctx.signal, AbortSignal.timeout(10_000)]), redirect: 'manual', tls: { rejectUnauthorized: verify } }
    const res = await ctx.fetch(url, init as RequestInit)
    await res.body?.cancel()
    return null
  } catch (e) {
    return e instanceof Error ? e.message : String(e)
  }
}

export const whmLinkCheck: JobHandler = async (ctx) => {
  const step = stepper(ctx, 'recipe.whm_link_check')

  step('Check that cPanel is installed')
  const cpanel = detectCpanel(ctx.root)
  if (!cpanel) throw new JobFailure('cPanel is not installed on this server.')
  ctx.log(`cPanel ${cpanel.version ?? '(version unknown)'} with ${cpanel.accounts.length} account${cpanel.accounts.length === 1 ? '' : 's'}.`)

  step('Ask WHM for its version and hostname')
  const version = String((await whmapi(ctx, 'version')).version ?? '') || null
  const hostname = String((await whmapi(ctx, 'gethostname')).hostname ?? '') || null
  ctx.log(`WHM ${version ?? '?'} calls itself ${hostname ?? '?'}.`)

  step('Check that WHM answers on port 2087')
  // Locally the certificate is not the question (a fresh WHM has a self-signed one).
  const local = await answers(ctx, 'https://127.0.0.1:2087/', false)
  if (local) throw new JobFailure(`WHM does not answer on https://127.0.0.1:2087/: ${local}. Is cpsrvd running?`)
  // By name it is: that is how the pool's API calls will reach it.
  const byName = hostname ? await answers(ctx, `https://${hostname}:2087/`, true) : 'WHM reported no hostname'
  if (byName) ctx.log(`Warning: https://${hostname}:2087/ with certificate checks: ${byName}. API calls by hostname will fail until this is fixed.`)
  else ctx.log(`https://${hostname}:2087/ answers with a valid certificate.`)
  ctx.result({ cpanelVersion: cpanel.version, whmVersion: version, hostname, local: true, byHostname: byName ?? 'ok' })
}
