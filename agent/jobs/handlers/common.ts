// What several handlers share: the package tool of this family, the step
// names the catalogue declared, and a last check of values before they reach
// an argv.
import { createHash } from 'node:crypto'
import { chmodSync, chownSync, mkdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { catalogueEntry, type JobName } from '../catalogue'
import { exists, isDir } from '../../detect/files'
import { installed as mariadbInstalled } from '../../detect/mariadb'
import { matches, type patterns } from '../patterns'
import { atSentenceStart } from '../words'
import { JobFailure, type ExecOptions, type JobContext, type JobHandler } from '../types'

export type PackageTool = 'apt' | 'dnf' | 'yum'

// apt must never stop to ask (a new conffile, a restart prompt): the job has no terminal.
export const APT_ENV = { DEBIAN_FRONTEND: 'noninteractive', NEEDRESTART_MODE: 'a' }
const APT_KEEP_CONFIG = ['-o', 'Dpkg::Options::=--force-confdef', '-o', 'Dpkg::Options::=--force-confold']

/** apt on Debian-family hosts; dnf on RHEL-family ones, yum where there is no dnf yet (CentOS 7). */
export function packageTool(ctx: Pick<JobContext, 'family' | 'root'>): PackageTool {
  if (ctx.family === 'debian') return 'apt'
  if (ctx.family === 'rhel') return ['usr/bin/dnf', 'bin/dnf'].some((p) => exists(ctx.root, p)) ? 'dnf' : 'yum'
  throw new JobFailure('This server is neither Debian- nor RHEL-family, so there is no package tool to use.')
}

export function refreshArgv(tool: PackageTool): [string[], ExecOptions] {
  return tool === 'apt' ? [['apt-get', 'update'], { env: APT_ENV }] : [[tool, '-y', 'makecache'], {}]
}

export function installArgv(tool: PackageTool, packages: string[]): [string[], ExecOptions] {
  return tool === 'apt'
    ? [['apt-get', 'install', '-y', ...APT_KEEP_CONFIG, '--', ...packages], { env: APT_ENV }]
    : [[tool, 'install', '-y', '--', ...packages], {}]
}

export async function installPackages(ctx: JobContext, packages: string[]): Promise<void> {
  const tool = packageTool(ctx)
  if (tool === 'apt') await ctx.exec(...refreshArgv(tool))
  await ctx.exec(...installArgv(tool, packages))
}

/**
 * Steps by their catalogue titles, so a handler and the list shown before the
 * job runs cannot drift apart: an unknown title is a bug, caught by the tests.
 */
export function stepper(ctx: JobContext, name: JobName) {
  const titles = catalogueEntry(name).steps(ctx.params)
  return (title: string) => {
    const i = titles.indexOf(title)
    if (i < 0) throw new Error(`${name} declares no step "${title}"`)
    ctx.step(i)
  }
}

/** The server checked this already; the agent checks again before the value reaches an argv or a path. */
export function checked(pattern: keyof typeof patterns, value: unknown, what: string): string {
  if (!matches(pattern, value)) throw new JobFailure(`Refusing ${what} ${JSON.stringify(value)}: it is not one.`)
  return value
}

/** A timestamp that sorts and is safe in a file name. */
export const stamp = (date = new Date()) => date.toISOString().replace(/[:]/g, '-').replace(/\.\d+Z$/, 'Z')

/** Programs a recipe needs, by the package that brings each; only the missing ones are installed. */
export async function ensurePrograms(ctx: JobContext, programs: Record<string, string>): Promise<void> {
  const missing = Object.entries(programs)
    .filter(([bin]) => !['usr/bin', 'bin', 'usr/sbin', 'sbin'].some((d) => exists(ctx.root, `${d}/${bin}`)))
    .map(([, pkg]) => pkg)
  if (!missing.length) return ctx.log('Everything needed is already installed.')
  await installPackages(ctx, [...new Set(missing)])
}

/**
 * A vendor's installer script, fetched over HTTPS by the agent itself and
 * kept as a file (mode 0700) so it runs from an argv, never from a pipe, and
 * its checksum is in the job's output for whoever audits it later.
 * Returns the path as the running system sees it.
 */
export async function fetchInstaller(ctx: JobContext, url: string, path: string): Promise<string> {
  const res = await ctx.fetch(url, { signal: ctx.signal, redirect: 'follow' })
  if (!res.ok) throw new JobFailure(`${url} answered ${res.status}.`)
  const body = new Uint8Array(await res.arrayBuffer())
  if (!body.length) throw new JobFailure(`${url} sent an empty file.`)
  const full = join(ctx.root, path)
  mkdirSync(dirname(full), { recursive: true })
  writeFileSync(full, body, { mode: 0o700 })
  chmodSync(full, 0o700)
  ctx.log(`Fetched ${url}: ${body.length} bytes, SHA-256 ${createHash('sha256').update(body).digest('hex')}.`)
  return `/${path.replace(/^\/+/, '')}`
}

/** Replaces a config file through a rename, keeping its owner and mode. */
export function rewriteFile(path: string, text: string): void {
  const st = statSync(path)
  const tmp = `${path}.serversctl-${process.pid}`
  writeFileSync(tmp, text, { mode: st.mode & 0o7777 })
  try {
    chownSync(tmp, st.uid, st.gid)
    chmodSync(tmp, st.mode & 0o7777)
    renameSync(tmp, path)
  } catch (e) {
    rmSync(tmp, { force: true })
    throw e
  }
}

/** `systemctl is-active` as an answer, never a failure. */
export async function unitState(ctx: JobContext, unit: string): Promise<string> {
  const res = await ctx.exec(['systemctl', 'is-active', '--', unit], { okCodes: [0, 1, 2, 3, 4], quiet: true })
  return res.stdout.trim() || 'unknown'
}

const STACK_NAMES = { openlitespeed: 'OpenLiteSpeed', mariadb: 'a MariaDB or MySQL server', cpanel: 'cPanel' } as const
type Stack = keyof typeof STACK_NAMES

/** What is on disk now: the heartbeat the server judged by may be a minute old. */
export function presentStacks(root: string): Record<Stack, boolean> {
  return {
    openlitespeed: isDir(root, 'usr/local/lsws'),
    mariadb: mariadbInstalled(root),
    cpanel: isDir(root, 'usr/local/cpanel'),
  }
}

/** Install recipes run only on clean servers. */
export function requireClean(ctx: JobContext, installing: string, conflicts: Stack[]): void {
  const present = presentStacks(ctx.root)
  const found = conflicts.filter((s) => present[s]).map((s) => STACK_NAMES[s])
  if (!found.length) return ctx.log(`No ${conflicts.map((s) => STACK_NAMES[s].replace(/^a /, '')).join(', ')} found.`)
  const what = found.join(' and ')
  throw new JobFailure(`${atSentenceStart(what)} ${found.length > 1 ? 'are' : 'is'} already installed here; ${installing} installs only on clean servers.`)
}

export function requireStack(ctx: JobContext, stack: Stack): void {
  if (presentStacks(ctx.root)[stack]) return
  const name = STACK_NAMES[stack]
  throw new JobFailure(name.startsWith('a ') ? `No ${name.slice(2)} is installed on this server.` : `${name} is not installed on this server.`)
}

/** A stack installed from its vendor's repository: what differs from one stack to another. */
export type VendorInstall = {
  job: JobName
  /** As the clean-server check and the "Start …" step name it. */
  product: string
  /** Stacks that must not be here already. */
  conflicts: Stack[]
  /** Programs the repository script needs, by the package that brings each (see ensurePrograms). */
  prerequisites: (tool: PackageTool) => Record<string, string>
  /** The vendor's script that adds its repository, fetched to `saveAs` and run with bash. */
  repository: { step: string; script: string; saveAs: string }
  packages: { step: string; names: (tool: PackageTool) => string[] }
  /** The systemd unit enabled and started, which must then be active. */
  unit: string
  notRunning: (state: string) => string
  running: string
}

/** Clean server, prerequisites, the vendor's repository, its packages, its service running. */
export function installFromVendorRepository(spec: VendorInstall): JobHandler {
  return async (ctx) => {
    const step = stepper(ctx, spec.job)
    const tool = packageTool(ctx)

    step('Check that this is a clean server')
    requireClean(ctx, spec.product, spec.conflicts)

    step('Install prerequisites')
    await ensurePrograms(ctx, spec.prerequisites(tool))

    step(spec.repository.step)
    const script = await fetchInstaller(ctx, spec.repository.script, spec.repository.saveAs)
    await ctx.exec(['bash', script])

    step(spec.packages.step)
    await installPackages(ctx, spec.packages.names(tool))

    step(`Start ${spec.product}`)
    await ctx.exec(['systemctl', 'enable', '--now', spec.unit])
    const state = await unitState(ctx, spec.unit)
    if (state !== 'active') throw new JobFailure(spec.notRunning(state))
    ctx.log(spec.running)
  }
}
