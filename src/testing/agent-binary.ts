// The compiled agent for tests: built once per test run if missing or older
// than its sources, exactly as `bun run build:agent` builds it.
import { existsSync, readdirSync, statSync } from 'node:fs'
import { join, resolve } from 'node:path'

const root = resolve(import.meta.dir, '../..')
export const AGENT_BINARY = join(root, 'dist/agent/serversctl-agent-linux-x64')

function newestSource(dir: string): number {
  let newest = 0
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const path = join(dir, entry.name)
    if (entry.isDirectory()) {
      if (entry.name !== 'fixtures') newest = Math.max(newest, newestSource(path))
    } else if (entry.name.endsWith('.ts')) newest = Math.max(newest, statSync(path).mtimeMs)
  }
  return newest
}

export function ensureAgentBinary(): string {
  const stale = !existsSync(AGENT_BINARY) || statSync(AGENT_BINARY).mtimeMs < newestSource(join(root, 'agent'))
  if (stale) {
    const proc = Bun.spawnSync(['bun', 'agent/build.ts', 'x64'], { cwd: root, stdout: 'pipe', stderr: 'pipe' })
    if (proc.exitCode !== 0) throw new Error(`agent build failed: ${proc.stderr.toString()}`)
  }
  return AGENT_BINARY
}
