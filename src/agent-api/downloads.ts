// The agent binaries this server hands out, with the checksums the install
// script verifies before it installs anything.
import { createHash } from 'node:crypto'
import { existsSync, readFileSync, statSync } from 'node:fs'
import { resolve } from 'node:path'

export const AGENT_FILES = ['serversctl-agent-linux-x64', 'serversctl-agent-linux-arm64'] as const
export type AgentFile = (typeof AGENT_FILES)[number]

export const distDir = resolve(import.meta.dir, '../../dist/agent')
export const installScriptPath = resolve(import.meta.dir, '../../agent/install.sh')

const cache = new Map<string, { mtimeMs: number; sha256: string }>()

export function agentPath(file: AgentFile): string | null {
  const path = resolve(distDir, file)
  return existsSync(path) ? path : null
}

/** sha256 of a built binary, recomputed only when the file changes. */
export function agentChecksum(file: AgentFile): string | null {
  const path = agentPath(file)
  if (!path) return null
  const { mtimeMs } = statSync(path)
  const hit = cache.get(file)
  if (hit && hit.mtimeMs === mtimeMs) return hit.sha256
  const sha256 = createHash('sha256').update(readFileSync(path)).digest('hex')
  cache.set(file, { mtimeMs, sha256 })
  return sha256
}

/** The lines `sha256sum -c` reads: "<hash>  <file>". */
export function checksumsFile(): string {
  return AGENT_FILES.map((f) => [agentChecksum(f), f] as const)
    .filter(([sum]) => sum)
    .map(([sum, f]) => `${sum}  ${f}\n`)
    .join('')
}
