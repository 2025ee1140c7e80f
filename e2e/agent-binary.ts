// The compiled agent the browser tests run: rebuilt when its sources changed,
// started with this machine's environment and collecting what it prints, and
// stopped the way systemd would stop it.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process'
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
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

export type Agent = { child: ChildProcess; exited: Promise<number | null>; output: () => string; startedAt: number }

export type AgentOptions = {
  /** The hostname the agent reports (BALCTL_HOSTNAME). */
  hostname: string
  /** SERVERSCTL_HEARTBEAT_SECONDS; without it, the agent's default interval. */
  heartbeatSeconds?: number
  /** A folder put first on the agent's PATH, for stand-in programs. */
  pathPrefix?: string
}

/** The environment an agent runs with: this machine's, minus anything that would steer it. */
function agentEnv(opts: AgentOptions): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env, BALCTL_HOSTNAME: opts.hostname }
  if (opts.heartbeatSeconds === undefined) delete env.SERVERSCTL_HEARTBEAT_SECONDS
  else env.SERVERSCTL_HEARTBEAT_SECONDS = String(opts.heartbeatSeconds)
  if (opts.pathPrefix !== undefined) env.PATH = `${opts.pathPrefix}:${process.env.PATH ?? ''}`
  delete env.SERVERSCTL_AGENT_CONFIG // always --config
  return env
}

// What the running test started: cleanUpAgents stops and removes them.
const started = new Set<Agent>()
const tempDirs = new Set<string>()

/** A temp dir for an agent's config and stand-in programs; cleanUpAgents removes it. */
export function agentTempDir(prefix: string): string {
  const dir = mkdtempSync(join(tmpdir(), prefix))
  tempDirs.add(dir)
  return dir
}

/** Starts the compiled agent; cleanUpAgents stops it. */
export function startAgent(args: string[], opts: AgentOptions): Agent {
  const child = spawn(AGENT, args, { env: agentEnv(opts), stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout!.setEncoding('utf8').on('data', (s: string) => (output += s))
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (output += s))
  const exited = new Promise<number | null>((done) => {
    child.once('exit', (code) => done(code))
    child.once('error', (err) => {
      output += `spawn error: ${err.message}\n`
      done(null)
    })
  })
  // If the worker dies mid-test, take the agent with it.
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)
  void exited.then(() => process.off('exit', killOnExit))
  const agent = { child, exited, output: () => output, startedAt: Date.now() }
  started.add(agent)
  return agent
}

/** A test's afterEach: stops the agents started since the last call, then removes the temp dirs. */
export async function cleanUpAgents(): Promise<void> {
  const agents = [...started]
  const dirs = [...tempDirs]
  started.clear()
  tempDirs.clear()
  await Promise.all(agents.map(stopAgent))
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
}

/** Runs `serversctl-agent enroll` to the end (20 s at most); its exit code and what it printed. */
export async function enrollAgent(enrolment: { server: string; secret: string; config: string }, opts: AgentOptions) {
  const agent = startAgent(['enroll', '--server', enrolment.server, '--secret', enrolment.secret, '--config', enrolment.config], opts)
  let timer: NodeJS.Timeout | undefined
  const code = await Promise.race([
    agent.exited,
    new Promise<never>((_, fail) => (timer = setTimeout(() => fail(new Error(`enroll did not finish in 20 s:\n${agent.output()}`)), 20_000))),
  ]).finally(() => clearTimeout(timer))
  return { code, output: agent.output() }
}
