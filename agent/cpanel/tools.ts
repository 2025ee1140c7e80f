// cPanel's own command-line tools, as root on the member: whmapi1 (WHM API 1
// without a WHM port or token), pkgacct and restorepkg. They are looked up on
// the agent's PATH first, so a test puts stand-ins there
// (src/testing/standins/cpanel/), then where cPanel installs them.
import { readFrom } from '../backup/process'
import { JobFailure, type JobContext } from '../jobs/types'

export type CpanelTool = 'whmapi1' | 'pkgacct' | 'restorepkg'

/** Where cPanel puts its tools; /scripts is a link to /usr/local/cpanel/scripts that older servers rely on. */
export const CPANEL_TOOL_DIRS = ['/usr/local/cpanel/bin', '/usr/local/cpanel/scripts', '/scripts']

/** Where each tool is on a cPanel server, named when it is found nowhere (exec then says it is not installed). */
const CANONICAL: Record<CpanelTool, string> = {
  whmapi1: '/usr/local/cpanel/bin/whmapi1',
  pkgacct: '/usr/local/cpanel/scripts/pkgacct',
  restorepkg: '/usr/local/cpanel/scripts/restorepkg',
}

/** The tool's path: PATH as the agent has it now, then cPanel's own folders. */
export function toolPath(name: CpanelTool, path = process.env.PATH ?? ''): string {
  const dirs = [...path.split(':').filter(Boolean), ...CPANEL_TOOL_DIRS]
  return Bun.which(name, { PATH: dirs.join(':') }) ?? CANONICAL[name]
}

export type WhmArgs = Record<string, string | number>
export type WhmOptions = {
  /** A refusal whose reason matches is taken as success (e.g. "already enabled"). */
  allowReason?: RegExp
  /** The answer carries a secret (a login link): never shown, not even when it is not JSON. */
  secret?: boolean
  /** For a clean-up after the job was cancelled: runs with its own time limit instead of the job's signal. */
  afterCancel?: boolean
}

/** Arguments whose values are secrets: never in the job's output, its result or an error message. */
const SECRET_KEYS = /^(pass|password|root_password|sshkey_passphrase)$/

/** Each argument one `key=value` argv item: no shell, so nothing in a value is ever parsed as syntax. */
function argv(args: WhmArgs | string[]): string[] {
  return Array.isArray(args) ? args : Object.entries(args).map(([k, v]) => `${k}=${v}`)
}

function secretsIn(args: WhmArgs | string[]): string[] {
  const pairs = Array.isArray(args) ? args.map((a) => a.split(/=(.*)/s).slice(0, 2)) : Object.entries(args).map(([k, v]) => [k, String(v)])
  return pairs.filter(([k, v]) => SECRET_KEYS.test(k ?? '') && v).map(([, v]) => v!)
}

const redactor = (secrets: string[]) => (text: string) => secrets.reduce((t, s) => t.split(s).join('********'), text)

const ALL_EXIT_CODES = Array.from({ length: 256 }, (_, i) => i)
const CLEANUP_TIMEOUT_MS = 60_000

/**
 * A call whose argv or answer holds a secret. ctx.exec streams stderr as it
 * comes and puts the last line in its error, where a secret could show;
 * here every stderr line goes through the redactor first, and no message is
 * built from the output. readFrom gives the same process-group kill on cancel.
 */
async function runGuarded(ctx: JobContext, cmd: string[], redact: (s: string) => string, signal: AbortSignal): Promise<string> {
  const chunks: Uint8Array[] = []
  const onStderr = (line: string) => ctx.log(`whmapi1: ${redact(line)}`)
  try {
    // Every exit code is accepted: whmapi1's answer says how the call went, and is judged below.
    for await (const piece of readFrom(cmd, { signal, onStderr, okCodes: ALL_EXIT_CODES })) chunks.push(piece)
  } catch (err) {
    throw new JobFailure(redact((err as Error).message))
  }
  return Buffer.concat(chunks).toString('utf8')
}

/**
 * One WHM API 1 function through `whmapi1 --output=json`. whmapi1 exits 0
 * even when the call failed: success is metadata.result alone, and WHM's
 * metadata.reason is the failure's message, so the person sees WHM's words.
 */
export async function whmapi<T = any>(ctx: JobContext, fn: string, args: WhmArgs | string[] = {}, opts: WhmOptions = {}): Promise<T> {
  const cmd = [toolPath('whmapi1'), '--output=json', fn, ...argv(args)]
  const secrets = secretsIn(args)
  const redact = redactor(secrets)
  const guarded = opts.secret || opts.afterCancel || secrets.length > 0
  let stdout: string
  let failedRun = ''
  if (guarded) {
    const signal = opts.afterCancel ? AbortSignal.timeout(CLEANUP_TIMEOUT_MS) : ctx.signal
    stdout = await runGuarded(ctx, cmd, redact, signal)
  } else {
    // Every exit code is taken: the JSON answer, when there is one, is what says how the call went.
    const res = await ctx.exec(cmd, { quiet: true, okCodes: ALL_EXIT_CODES })
    stdout = res.stdout
    if (res.code !== 0) failedRun = `whmapi1 ${fn} exited with code ${res.code}${res.stderr.trim() ? `: ${res.stderr.trim().split('\n').pop()}` : ''}`
  }
  let answer: { metadata?: { result?: number; reason?: string }; data?: any }
  try {
    answer = JSON.parse(stdout)
  } catch {
    if (failedRun) throw new JobFailure(failedRun)
    const text = stdout.trim()
    const shown = !text ? ' (no output)' : guarded ? '' : `: ${text.slice(0, 200)}`
    throw new JobFailure(`whmapi1 ${fn} did not answer JSON${shown}`)
  }
  const reason = redact(String(answer.metadata?.reason ?? ''))
  if (answer.metadata?.result !== 1 && !(opts.allowReason && opts.allowReason.test(reason))) {
    throw new JobFailure(`whmapi1 ${fn} failed: ${reason || 'no reason given'}`)
  }
  return (answer.data ?? {}) as T
}
