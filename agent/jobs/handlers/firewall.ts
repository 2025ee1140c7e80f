// The host firewall, ufw or firewalld, whichever the agent found. Rules are
// argv built from the validated parameters; firewalld changes go to the
// permanent configuration and are then loaded, so they survive a reboot.
import { chmodSync, cpSync, mkdirSync, readdirSync } from 'node:fs'
import { join } from 'node:path'
import { readText } from '../../detect/files'
import { ipVersion, portRange, sourceProblem } from '../patterns'
import { JobFailure, type JobContext, type JobHandler } from '../types'
import { checked, stamp } from './common'

export type Rule = { port: string; protocol: 'tcp' | 'udp' | 'any'; source: string | null; action: 'allow' | 'deny' }
type Op = 'add' | 'remove'

export const BACKUP_DIR = 'var/backups/serversctl/firewall'

/** The parameters once more, as the agent accepts them. */
export function ruleOf(params: Record<string, any>): Rule {
  const port = checked('port', String(params.port), 'the port')
  const range = portRange(port)!
  if (range[0] > range[1]) throw new JobFailure(`The port range ${port} runs backwards.`)
  const protocol = params.protocol
  if (protocol !== 'tcp' && protocol !== 'udp' && protocol !== 'any') throw new JobFailure(`Unknown protocol ${JSON.stringify(protocol)}.`)
  const source = params.source == null ? null : checked('source', params.source, 'the source address')
  const bad = source && sourceProblem(source)
  if (bad) throw new JobFailure(bad)
  const action = params.action ?? 'allow'
  if (action !== 'allow' && action !== 'deny') throw new JobFailure(`Unknown action ${JSON.stringify(action)}.`)
  return { port, protocol, source, action }
}

const isRange = (port: string) => port.includes(':')

/** ufw takes "any" protocol as one rule, except for a range, which must name tcp or udp: then it is two. */
export function ufwArgv(rule: Rule, op: Op): string[][] {
  const protos = rule.protocol !== 'any' ? [rule.protocol] : isRange(rule.port) ? ['tcp', 'udp'] : [null]
  return protos.map((proto) => [
    'ufw',
    ...(op === 'remove' ? ['delete'] : []),
    rule.action,
    ...(proto ? ['proto', proto] : []),
    'from',
    rule.source ?? 'any',
    'to',
    'any',
    'port',
    rule.port,
  ])
}

/**
 * A plain allowed port is a zone port; anything with a source or a deny needs
 * a rich rule. firewalld has no "any" protocol for ports, so that is tcp and udp.
 */
export function firewalldArgv(rule: Rule, op: Op): string[][] {
  const port = rule.port.replace(':', '-')
  const protos = rule.protocol === 'any' ? ['tcp', 'udp'] : [rule.protocol]
  const commands = protos.map((proto) => {
    if (!rule.source && rule.action === 'allow') return ['firewall-cmd', '--permanent', `--${op}-port=${port}/${proto}`]
    const from = rule.source ? `family="ipv${ipVersion(rule.source)}" source address="${rule.source}" ` : ''
    const verdict = rule.action === 'allow' ? 'accept' : 'drop'
    return ['firewall-cmd', '--permanent', `--${op}-rich-rule=rule ${from}port port="${port}" protocol="${proto}" ${verdict}`]
  })
  return [...commands, ['firewall-cmd', '--reload']]
}

function kind(ctx: JobContext): 'ufw' | 'firewalld' {
  if (!ctx.firewall) throw new JobFailure('Neither ufw nor firewalld is installed on this server.')
  return ctx.firewall
}

async function runAll(ctx: JobContext, commands: string[][]) {
  for (const cmd of commands) await ctx.exec(cmd)
}

const changeRule = (op: Op): JobHandler => async (ctx) => {
  const rule = ruleOf(ctx.params)
  const fw = kind(ctx)
  ctx.step(0)
  await runAll(ctx, fw === 'ufw' ? ufwArgv(rule, op) : firewalldArgv(rule, op))
}

export const ruleAdd = changeRule('add')
export const ruleRemove = changeRule('remove')

/** The first Port in sshd_config, else 22. */
export function sshPort(root: string): string {
  const m = /^\s*Port\s+(\d{1,5})\s*$/im.exec(readText(root, 'etc/ssh/sshd_config') ?? '')
  return m && portRange(m[1]!) ? m[1]! : '22'
}

export const enable: JobHandler = async (ctx) => {
  const fw = kind(ctx)
  ctx.step(0)
  if (fw === 'firewalld') return void (await ctx.exec(['systemctl', 'enable', '--now', 'firewalld']))
  // ufw denies all incoming by default: without this, enabling it cuts off every SSH session.
  const port = sshPort(ctx.root)
  ctx.log(`Allowing SSH (port ${port}/tcp) first, so that enabling ufw cannot lock you out.`)
  await ctx.exec(['ufw', 'allow', 'proto', 'tcp', 'from', 'any', 'to', 'any', 'port', port])
  // --force: ufw would otherwise ask whether to go on, and the job has no terminal.
  await ctx.exec(['ufw', '--force', 'enable'])
}

export const disable: JobHandler = async (ctx) => {
  const fw = kind(ctx)
  ctx.step(0)
  await ctx.exec(fw === 'ufw' ? ['ufw', 'disable'] : ['systemctl', 'disable', '--now', 'firewalld'])
}

export const backup: JobHandler = async (ctx) => {
  const fw = kind(ctx)
  ctx.step(0)
  const name = `${fw}-${stamp()}`
  const rel = join(BACKUP_DIR, name)
  const dest = join(ctx.root, rel)
  mkdirSync(join(ctx.root, BACKUP_DIR), { recursive: true, mode: 0o700 })
  let files: string[]
  if (fw === 'ufw') {
    const src = join(ctx.root, 'etc/ufw')
    files = safeList(src).filter((f) => f.endsWith('.rules'))
    if (!files.length) throw new JobFailure('There are no /etc/ufw/*.rules files to back up.')
    mkdirSync(dest, { mode: 0o700 })
    for (const f of files) cpSync(join(src, f), join(dest, f), { preserveTimestamps: true })
  } else {
    const src = join(ctx.root, 'etc/firewalld')
    files = safeList(src)
    if (!files.length) throw new JobFailure('/etc/firewalld is missing or empty.')
    cpSync(src, dest, { recursive: true, preserveTimestamps: true })
    chmodSync(dest, 0o700)
  }
  const path = `/${rel}`
  ctx.log(`Saved ${fw === 'ufw' ? files.join(', ') : '/etc/firewalld'} to ${path}.`)
  ctx.result({ path, kind: fw, files })
}

function safeList(dir: string): string[] {
  try {
    return readdirSync(dir).sort()
  } catch {
    return []
  }
}
