// serversctl-agent: the one program that runs on a member. This build knows
// `version` and `help`; enrolment, heartbeats and detection come next.
import { agentVersion } from './version'

const USAGE = `serversctl-agent ${agentVersion}

Usage:
  serversctl-agent version     print the agent's version
  serversctl-agent help        show this text
`

export function runCommand(argv: string[], out: (s: string) => void, err: (s: string) => void): number {
  const [command] = argv
  switch (command) {
    case 'version':
    case '--version':
      out(agentVersion)
      return 0
    case undefined:
    case 'help':
    case '--help':
      out(USAGE)
      return 0
    default:
      err(`serversctl-agent: unknown command "${command}"\n\n${USAGE}`)
      return 2
  }
}

if (import.meta.main) {
  process.exit(runCommand(process.argv.slice(2), (s) => console.log(s), (s) => console.error(s)))
}
