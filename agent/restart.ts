// After agent.update replaced the binary: under systemd, exiting is enough
// (Restart=always starts the new one); run by hand, the agent starts its
// successor itself with the same arguments before it goes.
import { spawn } from 'node:child_process'

export function restartSelf(log: (line: string) => void): number {
  if (process.env.INVOCATION_ID) {
    log('updated: exiting so that systemd starts the new binary')
    return 0
  }
  // A compiled binary sees [bun, its own path, ...arguments].
  const args = process.argv.slice(2)
  const successor = spawn(process.execPath, args, { stdio: 'inherit', detached: true, env: process.env })
  successor.unref()
  log(`updated: started ${process.execPath} ${args.join(' ')} as pid ${successor.pid}`)
  return 0
}
