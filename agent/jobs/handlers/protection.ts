// The pool's post-failover hook, run on the standby after a protected
// account's DNS was cut to it. The command is the operators' own shell line;
// the account and its domains are its arguments ($1 the user, then each
// domain), so nothing from the account is ever parsed as shell.
import { JobFailure, type JobHandler } from '../types'
import { cpanelUser, domainName } from './cpanel-common'
import { stepper } from './common'

/** $0 of the hook's shell: what `ps` and the hook's own messages name it by. */
export const HOOK_ARGV0 = 'serversctl-hook'
const MAX_COMMAND = 2000
const MAX_DOMAINS = 100

function hookCommand(value: unknown): string {
  if (typeof value !== 'string' || !value.trim() || value.length > MAX_COMMAND || /[\x00\n\r]/.test(value)) {
    throw new JobFailure(`Refusing the hook command: it must be one line of at most ${MAX_COMMAND} characters.`)
  }
  return value
}

/** The argv the hook runs as: sh -c <command> serversctl-hook <user> <domain>... */
export function hookArgv(params: Record<string, unknown>): string[] {
  const domains = Array.isArray(params.domains) ? params.domains : []
  if (domains.length > MAX_DOMAINS) throw new JobFailure(`Refusing ${domains.length} domains: the hook takes at most ${MAX_DOMAINS}.`)
  return ['/bin/sh', '-c', hookCommand(params.command), HOOK_ARGV0, cpanelUser(params.user), ...domains.map(domainName)]
}

export const protectionHook: JobHandler = async (ctx) => {
  const step = stepper(ctx, 'protection.hook')
  const argv = hookArgv(ctx.params)
  step('Run the hook')
  ctx.log(`Running the post-failover hook for ${argv[4]} with ${argv.length - 5} domain${argv.length === 6 ? '' : 's'}.`)
  try {
    await ctx.exec(argv)
  } catch (err) {
    if (err instanceof JobFailure && err.exitCode !== undefined) {
      throw new JobFailure(`The post-failover hook exited with code ${err.exitCode}.`, err.exitCode)
    }
    throw err
  }
  ctx.log('The post-failover hook finished.')
}
