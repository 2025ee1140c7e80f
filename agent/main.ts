// serversctl-agent: the one program that runs on a member.
//   enroll --server URL --secret SECRET [--config PATH]
//   run [--config PATH]
//   inspect [--root DIR] --json
//   version
import { parseArgs } from 'node:util'
import { agentVersion } from './version'
import { agentClient, ServerRefused } from './client'
import { configPath, readConfig, writeConfig } from './config'
import { heartbeatBuilder, reportedHostname } from './heartbeat'
import { inspect } from './inspect'
import { abortableSleep, runLoop } from './loop'
import { runCommand } from './run-command'
import { detectOs } from './detect/os'
import { detectFirewall } from './collect/firewall'
import { runJobs } from './jobs/runner'
import { handlers } from './jobs/handlers'
import { restartSelf } from './restart'

const USAGE = `serversctl-agent ${agentVersion}

Usage:
  serversctl-agent enroll --server URL --secret SECRET [--config PATH]
  serversctl-agent run [--config PATH]
  serversctl-agent inspect [--root DIR] --json
  serversctl-agent version

Environment: SERVERSCTL_AGENT_CONFIG (config path, default /etc/serversctl/agent.json),
BALCTL_HOSTNAME (hostname to report), SERVERSCTL_HEARTBEAT_SECONDS (default 10).
`

type Io = { out: (s: string) => void; err: (s: string) => void }

const log = (io: Io) => (line: string) => io.err(`${new Date().toISOString()} serversctl-agent: ${line}`)

async function enroll(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: { server: { type: 'string' }, secret: { type: 'string' }, config: { type: 'string' } } })
  if (!values.server || !values.secret) {
    io.err('enroll needs --server URL and --secret SECRET')
    return 2
  }
  const path = configPath(values.config)
  const hostname = await reportedHostname(runCommand)
  const { os } = await inspect()
  try {
    const answer = await agentClient(values.server).enroll({ secret: values.secret, hostname, agentVersion, os })
    writeConfig(path, { server: values.server.replace(/\/+$/, ''), memberId: answer.memberId, token: answer.token })
    log(io)(`enrolled as member ${answer.memberId} of pool ${answer.poolId} (hostname ${hostname}); config written to ${path}`)
    return 0
  } catch (err) {
    log(io)(err instanceof ServerRefused ? enrolmentRefusal(err) : `cannot reach ${values.server}: ${(err as Error).message}`)
    return 1
  }
}

/** The server's refusals already begin "Enrolment refused:"; the attempt limit's says only why. */
function enrolmentRefusal(err: ServerRefused): string {
  if (err.status !== 429) return err.message
  return `Enrolment refused: ${err.message.charAt(0).toLowerCase()}${err.message.slice(1)} Nothing was changed; run the same command again then.`
}

async function run(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: { config: { type: 'string' } } })
  const path = configPath(values.config)
  let config
  try {
    config = readConfig(path)
  } catch (err) {
    io.err((err as Error).message)
    return 1
  }
  const interval = Number(process.env.SERVERSCTL_HEARTBEAT_SECONDS) || 10
  // CONTRACT: detectors and jobs read under this prefix, as `inspect --root` does.
  const root = process.env.SERVERSCTL_AGENT_ROOT?.trim() || '/'
  const heartbeat = heartbeatBuilder({ root, run: runCommand, intervalSeconds: interval })
  const stop = new AbortController()
  const onSignal = (signal: string) => () => {
    log(io)(`${signal}: stopping`)
    stop.abort()
  }
  process.on('SIGTERM', onSignal('SIGTERM'))
  process.on('SIGINT', onSignal('SIGINT'))
  log(io)(`${agentVersion} running as member ${config.memberId}, heartbeat every ${interval}s to ${config.server}`)
  const client = agentClient(config.server)
  let restart = false
  await Promise.all([
    runLoop(
      {
        client,
        token: config.token,
        intervalSeconds: interval,
        collect: heartbeat,
        log: log(io),
        sleep: abortableSleep,
      },
      stop.signal,
    ),
    runJobs(
      {
        client,
        token: config.token,
        server: config.server,
        handlers,
        facts: async () => ({ family: detectOs(root).family, firewall: (await detectFirewall({ run: runCommand })).kind }),
        root,
        afterJob: heartbeat.refresh,
        log: log(io),
        sleep: abortableSleep,
        restart: () => {
          restart = true
          stop.abort()
        },
      },
      stop.signal,
    ),
  ])
  if (restart) return restartSelf(log(io))
  return 0
}

async function inspectCommand(args: string[], io: Io): Promise<number> {
  const { values } = parseArgs({ args, options: { root: { type: 'string' }, json: { type: 'boolean' } } })
  const result = await inspect({ root: values.root ?? '/' })
  io.out(values.json ? JSON.stringify(result, null, 2) : JSON.stringify(result))
  return 0
}

export async function runCommandLine(argv: string[], io: Io): Promise<number> {
  const [command, ...rest] = argv
  try {
    switch (command) {
      case 'version':
      case '--version':
        io.out(agentVersion)
        return 0
      case 'enroll':
        return await enroll(rest, io)
      case 'run':
        return await run(rest, io)
      case 'inspect':
        return await inspectCommand(rest, io)
      case undefined:
      case 'help':
      case '--help':
        io.out(USAGE)
        return 0
      default:
        io.err(`serversctl-agent: unknown command "${command}"\n\n${USAGE}`)
        return 2
    }
  } catch (err) {
    // parseArgs refuses unknown flags with a clear message.
    io.err(`serversctl-agent: ${(err as Error).message}`)
    return 2
  }
}

if (import.meta.main) {
  const code = await runCommandLine(process.argv.slice(2), { out: (s) => console.log(s), err: (s) => console.error(s) })
  process.exit(code)
}
