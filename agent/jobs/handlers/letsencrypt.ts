// tls.letsencrypt.issue: get a certificate from an ACME CA with certbot,
// installing certbot first when it is missing. certbot proves control of the
// names over http-01, either through a web server's document root (webroot)
// or by answering on port 80 itself (standalone).
import { join } from 'node:path'
import { parseCertificate } from '../../collect/certificates'
import { readText } from '../../detect/files'
import { JobFailure, type JobContext, type JobHandler } from '../types'

export type LetsencryptParams = {
  domains: string[]
  email: string
  method: 'webroot' | 'standalone'
  webroot?: string
  staging?: boolean
  acmeServer?: string
}

export type LetsencryptOptions = {
  /** Appended to certbot's arguments (tests: `--http-01-port`, `--http-01-address`). */
  extraArgs?: string[]
  /** Extra environment for certbot (tests: `REQUESTS_CA_BUNDLE` to trust a test CA). */
  env?: Record<string, string>
}

// Every exit code, so that a failing certbot comes back to us with its output
// instead of as exec's generic failure: its own words make the better message.
const ANY_EXIT = Array.from({ length: 256 }, (_, i) => i)

const HOSTNAME = /^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)*[a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?$/i

/** Where certbot keeps its files: its defaults on a real host, under the root prefix in tests. */
export function certbotDirs(root: string) {
  return {
    config: join(root, 'etc/letsencrypt'),
    work: join(root, 'var/lib/letsencrypt'),
    logs: join(root, 'var/log/letsencrypt'),
  }
}

/**
 * certbot's argv, built only from the parameters (never a shell string). The
 * server validated them; the checks here only keep a value from being read
 * as an option should that validation ever drift.
 */
export function certbotArgs(params: LetsencryptParams, root = '/', extraArgs: string[] = []): string[] {
  const { domains, email, method, webroot, staging, acmeServer } = params
  if (!Array.isArray(domains) || domains.length === 0) throw new JobFailure('No domain names given')
  const bad = domains.find((d) => typeof d !== 'string' || !HOSTNAME.test(d))
  if (bad !== undefined) throw new JobFailure(`Not a host name: ${String(bad)}`)
  if (typeof email !== 'string' || !/^[^\s@-][^\s@]*@[^\s@]+$/.test(email)) throw new JobFailure(`Not an email address: ${String(email)}`)
  if (staging && acmeServer) throw new JobFailure('Choose either the staging CA or an ACME server, not both')
  if (acmeServer !== undefined && !/^https:\/\/\S+$/.test(acmeServer)) throw new JobFailure(`Not an https ACME directory URL: ${acmeServer}`)

  const args = ['certbot', 'certonly', '--non-interactive', '--agree-tos', '--email', email, '--cert-name', domains[0]!]
  for (const d of domains) args.push('-d', d)
  if (method === 'webroot') {
    if (typeof webroot !== 'string' || !webroot.startsWith('/')) throw new JobFailure('The webroot method needs an absolute document root')
    args.push('--webroot', '-w', join(root, webroot))
  } else if (method === 'standalone') {
    args.push('--standalone')
  } else {
    throw new JobFailure(`Unknown method: ${String(method)}`)
  }
  if (staging) args.push('--staging')
  if (acmeServer) args.push('--server', acmeServer)
  args.push('--keep-until-expiring')
  if (root !== '/') {
    const dirs = certbotDirs(root)
    args.push('--config-dir', dirs.config, '--work-dir', dirs.work, '--logs-dir', dirs.logs)
  }
  return [...args, ...extraArgs]
}

// Lines certbot prints on every failure that say nothing about this one.
const BOILERPLATE = [
  /^Saving debug log to /,
  /^Ask for help or search for solutions at /,
  /^See the logfile /,
  /^An unexpected error occurred:$/,
  /^-( -)+$/,
  /^Some challenges have failed\.$/,
]

/** What went wrong, in certbot's words: the CA's verdict per domain, else its last meaningful line. */
export function certbotError(stdout: string, stderr: string): string | null {
  const lines = `${stdout}\n${stderr}`.split('\n').map((l) => l.trim())
  const problems: string[] = []
  let domain = ''
  let type = ''
  for (const line of lines) {
    const m = /^(Domain|Type|Detail):\s*(.*)$/.exec(line)
    if (!m) continue
    if (m[1] === 'Domain') domain = m[2]!
    else if (m[1] === 'Type') type = m[2]!
    else problems.push([domain, type, m[2]].filter(Boolean).join(': '))
  }
  if (problems.length) return problems.join('; ')
  const meaningful = (text: string) =>
    text
      .split('\n')
      .map((l) => l.trim())
      .filter((l) => l && !BOILERPLATE.some((re) => re.test(l)))
      .at(-1)
  return meaningful(stderr) ?? meaningful(stdout) ?? null
}

async function has(ctx: JobContext, program: string): Promise<boolean> {
  const r = await ctx.exec(['sh', '-c', 'command -v "$1"', 'sh', program], { okCodes: [0, 1, 127], quiet: true })
  return r.code === 0
}

async function installCertbot(ctx: JobContext) {
  if (await has(ctx, 'certbot')) {
    ctx.log('certbot is installed')
    return
  }
  if (ctx.family === 'debian') {
    const env = { DEBIAN_FRONTEND: 'noninteractive' }
    // A fresh cloud image often has no package lists at all.
    await ctx.exec(['apt-get', 'update', '-q'], { env })
    await ctx.exec(['apt-get', 'install', '-y', '-q', 'certbot'], { env })
  } else if (ctx.family === 'rhel') {
    const pm = (await has(ctx, 'dnf')) ? 'dnf' : 'yum'
    // EL clones carry certbot in EPEL; Fedora has it in its own repositories
    // and no epel-release, so a missing EPEL is not yet a failure.
    const epel = await ctx.exec([pm, 'install', '-y', 'epel-release'], { okCodes: ANY_EXIT })
    if (epel.code !== 0) ctx.log('epel-release is not available here; trying certbot from the enabled repositories')
    await ctx.exec([pm, 'install', '-y', 'certbot'])
  } else {
    throw new JobFailure('certbot is not installed and this system has no known package manager: install certbot first')
  }
  if (!(await has(ctx, 'certbot'))) throw new JobFailure('certbot was installed but is not on the PATH')
}

/** The handler, with test-only additions to certbot's arguments and environment. */
export function letsencryptHandler(options: LetsencryptOptions = {}): JobHandler {
  return async (ctx) => {
    const params = ctx.params as LetsencryptParams
    // Checked before installing anything, so bad parameters cost nothing.
    const argv = certbotArgs(params, ctx.root, options.extraArgs)

    ctx.step(0)
    await installCertbot(ctx)

    ctx.step(1)
    const run = await ctx.exec(argv, { okCodes: ANY_EXIT, env: options.env })
    if (run.code !== 0) {
      const why = certbotError(run.stdout, run.stderr)
      throw new JobFailure(why ? `certbot failed: ${why}` : `certbot failed with exit code ${run.code}`)
    }

    const name = params.domains[0]!
    const certificate = join(certbotDirs(ctx.root).config, 'live', name, 'fullchain.pem')
    const cert = parseCertificate(readText('/', certificate, 200_000) ?? '', certificate)
    if (!cert) throw new JobFailure(`certbot finished but ${certificate} is not a readable certificate`)
    ctx.log(`certificate for ${params.domains.join(', ')} valid until ${cert.notAfter ?? 'an unknown date'}`)
    ctx.result({ certificate, notAfter: cert.notAfter })
  }
}

export const letsencryptIssue: JobHandler = letsencryptHandler()
