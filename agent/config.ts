// The agent's config file: where the server is and the member token. Written
// once at enrolment, readable by root only.
import { chmodSync, mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs'
import { dirname } from 'node:path'
import type { AgentConfig } from './protocol'

export const DEFAULT_CONFIG_PATH = '/etc/serversctl/agent.json'

export function configPath(flag: string | undefined, env: Record<string, string | undefined> = process.env): string {
  return flag ?? env.SERVERSCTL_AGENT_CONFIG ?? DEFAULT_CONFIG_PATH
}

export function readConfig(path: string): AgentConfig {
  let raw: string
  try {
    raw = readFileSync(path, 'utf8')
  } catch {
    throw new Error(`cannot read ${path}: enrol first with "serversctl-agent enroll --server URL --secret SECRET"`)
  }
  const config = JSON.parse(raw) as Partial<AgentConfig>
  if (!config.server || !config.token || !config.memberId) throw new Error(`${path} is incomplete: enrol again`)
  return config as AgentConfig
}

export function writeConfig(path: string, config: AgentConfig): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 })
  // Write beside and rename, so a crash never leaves half a config.
  const tmp = `${path}.tmp`
  writeFileSync(tmp, JSON.stringify(config, null, 2) + '\n', { mode: 0o600 })
  chmodSync(tmp, 0o600)
  renameSync(tmp, path)
}
