// The compiled agent the browser tests run: rebuilt when its sources changed,
// and stopped the way systemd would stop it.
import { spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join } from 'node:path'
import { APP_ROOT } from './server'

export const AGENT = join(APP_ROOT, 'dist/agent/serversctl-agent-linux-x64')

/** Newest modification time of the agent's sources (and package.json, which gives the version). */
function newestAgentSource(): number {
  let newest = statSync(join(APP_ROOT, 'package.json')).mtimeMs
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name)
      if (entry.isDirectory()) {
        if (entry.name !== 'fixtures' && entry.name !== 'node_modules') walk(path)
      } else if (entry.name.endsWith('.ts')) {
        newest = Math.max(newest, statSync(path).mtimeMs)
      }
    }
  }
  walk(join(APP_ROOT, 'agent'))
  return newest
}

export function ensureAgentBuilt(): void {
  if (existsSync(AGENT) && statSync(AGENT).mtimeMs >= newestAgentSource()) return
  const built = spawnSync('bun', ['agent/build.ts', 'x64'], { cwd: APP_ROOT, encoding: 'utf8', timeout: 60_000 })
  if (built.status !== 0) throw new Error(`bun agent/build.ts x64 failed (${built.status}):\n${built.stdout}\n${built.stderr}`)
  if (!existsSync(AGENT)) throw new Error(`${AGENT} is missing after the build`)
}

/** SIGTERM, then SIGKILL after a grace period; returns the exit code (null when it had to be killed). */
export async function stopAgent(agent: { child: ChildProcess; exited: Promise<number | null> }): Promise<number | null> {
  if (agent.child.exitCode !== null || agent.child.signalCode !== null) return agent.exited
  agent.child.kill('SIGTERM')
  let timer: NodeJS.Timeout | undefined
  const result = await Promise.race([agent.exited, new Promise<'timeout'>((done) => (timer = setTimeout(() => done('timeout'), 10_000)))])
  clearTimeout(timer)
  if (result !== 'timeout') return result
  agent.child.kill('SIGKILL')
  await agent.exited
  return null
}
