// Failover drills with real parts: compiled agents enrolled and heartbeating,
// a real PowerDNS holding the zone, failover configured through the JSON API,
// `dig` reading what the world would see. Used by the drill tests, the
// replica test and `bun src/failover/bench.ts`.
//
//   const drill = await setupDrill({ api: s.api, serverUrl: base })
//   try { ... await drill.agents[0].stop() ... await drill.dig() ... }
//   finally { await drill.cleanup() }
//
// Every process started here (agents, server processes) is killed by its
// owner's cleanup, by an exit hook if the test process exits without it, and
// by a small watchdog shell if the test process is killed outright.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import type { Subprocess } from 'bun'
import { ensureAgentBinary } from './agent-binary'
import { ADMIN } from './harness'
import { startPowerDns, type PowerDns } from './powerdns'

export const ROOT = resolve(import.meta.dir, '../..')

// ---------------------------------------------------------------- processes

const live = new Set<Subprocess>()
const tempDirs = new Set<string>()
let exitHookInstalled = false

function installExitHook() {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.on('exit', () => {
    for (const p of live) {
      try {
        p.kill('SIGKILL')
      } catch {}
    }
    for (const d of tempDirs) {
      try {
        rmSync(d, { recursive: true, force: true })
      } catch {}
    }
  })
}

/** Spawns a process that dies with this one, whatever way this one dies. */
export function spawnTracked(cmd: string[], opts: { env?: Record<string, string | undefined>; cwd?: string }): Subprocess<'ignore', 'pipe', 'pipe'> {
  installExitHook()
  const proc = Bun.spawn(cmd, { env: opts.env, cwd: opts.cwd, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
  live.add(proc)
  // Kills the child if this process is SIGKILLed (no exit hook runs then).
  const watchdog = Bun.spawn(
    ['sh', '-c', `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${proc.pid} 2>/dev/null; do sleep 1; done; kill -9 ${proc.pid} 2>/dev/null`],
    { stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' },
  )
  watchdog.unref()
  void proc.exited.then(() => {
    live.delete(proc)
    try {
      watchdog.kill('SIGKILL')
    } catch {}
  })
  return proc
}

/** Collects a stream's text as it comes, so a failing test can show it. */
function collect(stream: ReadableStream<Uint8Array>, sink: (text: string) => void) {
  void (async () => {
    const decoder = new TextDecoder()
    try {
      for await (const chunk of stream) sink(decoder.decode(chunk, { stream: true }))
    } catch {}
  })()
}

/** SIGTERM (or the given signal), then SIGKILL after `graceMs`; resolves with the exit code or signal. */
export async function stopProcess(proc: Subprocess, signal: NodeJS.Signals = 'SIGTERM', graceMs = 5000): Promise<number | string> {
  if (proc.exitCode !== null || proc.signalCode !== null) return proc.exitCode ?? proc.signalCode!
  try {
    proc.kill(signal)
    // A stopped process must run again to act on SIGTERM.
    if (signal !== 'SIGKILL') proc.kill('SIGCONT')
  } catch {}
  let timer: ReturnType<typeof setTimeout> | undefined
  const exited = await Promise.race([proc.exited.then(() => true), new Promise<boolean>((r) => (timer = setTimeout(() => r(false), graceMs)))])
  clearTimeout(timer)
  if (!exited) {
    try {
      proc.kill('SIGKILL')
    } catch {}
    await proc.exited
  }
  return proc.exitCode ?? proc.signalCode!
}

export function tempDir(prefix: string): string {
  installExitHook()
  const dir = mkdtempSync(join(tmpdir(), prefix))
  tempDirs.add(dir)
  return dir
}

export function removeTempDir(dir: string) {
  tempDirs.delete(dir)
  rmSync(dir, { recursive: true, force: true })
}

// ---------------------------------------------------------------- small tools

export const sleep = (ms: number) => Bun.sleep(ms)

/** Thrown inside a waitFor check: stop waiting now, this will not get better. */
export class GiveUp extends Error {}

/**
 * Polls `fn` until it returns something truthy and returns that; throws after
 * `timeoutMs` saying what was awaited (and the last error `fn` threw, if any).
 * An error thrown by `fn` counts as "not yet", except a GiveUp, which ends the wait.
 */
export async function waitFor<T>(fn: () => T | Promise<T>, timeoutMs: number, what = 'a condition', intervalMs = 100): Promise<NonNullable<T>> {
  const started = Date.now()
  let lastError: unknown = null
  for (;;) {
    try {
      const value = await fn()
      if (value) return value as NonNullable<T>
      lastError = null
    } catch (err) {
      if (err instanceof GiveUp) throw err
      lastError = err
    }
    if (Date.now() - started >= timeoutMs) {
      throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}${lastError ? `: ${(lastError as Error).message ?? lastError}` : ''}`)
    }
    await Bun.sleep(intervalMs)
  }
}

/** The A records for `name` as a resolver asking this PowerDNS sees them (`dig +short`). */
export async function dig(dnsPort: number, name: string): Promise<string[]> {
  // Not spawnSync: the server being drilled may run in this very process.
  const proc = Bun.spawn(['dig', '@127.0.0.1', '-p', String(dnsPort), '+short', '+time=1', '+tries=2', name, 'A'], { stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  if (code !== 0) throw new Error(`dig exited ${code}: ${err.trim() || out.trim()}`)
  return out
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => /^\d+\.\d+\.\d+\.\d+$/.test(l))
    .sort()
}

/** CPU seconds a process has used (user + system), from the kernel's count in clock ticks; 0 for one that ended meanwhile (a PostgreSQL backend, say). */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return 0
  }
}

/** Nearest-rank percentile of a list of numbers. */
export function percentile(values: number[], p: number): number {
  if (values.length === 0) return NaN
  const sorted = [...values].sort((a, b) => a - b)
  return sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]!
}

/** A TCP port free on 127.0.0.1 now: for a server that must come back on the same address after a restart. */
export async function freePort(): Promise<number> {
  const { createServer } = await import('node:net')
  return new Promise((resolve, reject) => {
    const srv = createServer()
    srv.once('error', reject)
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address() as { port: number }
      srv.close(() => resolve(port))
    })
  })
}

/**
 * A pass-through in front of a DNS provider's API, for drills that must stop
 * the control plane at one exact point of a cut. `holdReadBack()` arms it:
 * the next write (PATCH, POST, PUT) goes through, and the read that follows
 * it (the cut's read-back) is held until `release()`. The promise it answers
 * resolves when a read is being held, that is between the DNS write and the
 * cut's completion.
 */
export type DnsApiProxy = { url: string; holdReadBack: () => Promise<void>; release: () => void; stop: () => void }

export function startDnsApiProxy(target: string): DnsApiProxy {
  let armed: { wrote: boolean; held: () => void } | null = null
  let releaseHeld: (() => void) | null = null
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch: async (req) => {
      const url = new URL(req.url)
      if (armed && req.method === 'GET' && armed.wrote) {
        const { held } = armed
        armed = null
        const released = new Promise<void>((resolve) => (releaseHeld = resolve))
        held()
        await released
      }
      const body = req.method === 'GET' || req.method === 'HEAD' ? undefined : await req.arrayBuffer()
      const headers = new Headers(req.headers)
      headers.delete('host')
      const res = await fetch(`${target}${url.pathname}${url.search}`, { method: req.method, headers, body, redirect: 'manual' })
      if (armed && req.method !== 'GET' && res.ok) armed.wrote = true
      return new Response(await res.arrayBuffer(), { status: res.status, headers: res.headers })
    },
  })
  return {
    url: `http://127.0.0.1:${server.port}`,
    holdReadBack: () => new Promise<void>((resolve) => (armed = { wrote: false, held: resolve })),
    release: () => {
      releaseHeld?.()
      releaseHeld = null
    },
    stop: () => server.stop(true),
  }
}

/**
 * Calls `tick` at every whole second, as the scheduler's `* * * * * *` cron
 * does, skipping a second while the previous tick still runs (croner's
 * `protect`). Returns a stop function that waits for a tick in flight.
 */
export function startTicker(tick: () => Promise<unknown>, periodMs = 1000): () => Promise<void> {
  let stopped = false
  let running: Promise<void> | null = null
  let timer: ReturnType<typeof setTimeout> | undefined
  const schedule = () => {
    if (!stopped) timer = setTimeout(fire, periodMs - (Date.now() % periodMs))
  }
  const fire = () => {
    if (!running) {
      running = tick()
        .then(() => {})
        .catch(() => {})
        .finally(() => (running = null))
    }
    schedule()
  }
  schedule()
  return async () => {
    stopped = true
    clearTimeout(timer)
    await running
  }
}

// ---------------------------------------------------------------- the API

export type ApiAnswer = { status: number; json: any; text: string }
export type Api = (method: string, path: string, body?: unknown) => Promise<ApiAnswer>

/** The JSON API of a server on a real socket, with the admin token. */
export function httpApi(base: string, token: string = ADMIN.token): Api {
  return async (method, path, body) => {
    const headers: Record<string, string> = { authorization: `Bearer ${token}` }
    if (body !== undefined) headers['content-type'] = 'application/json'
    const res = await fetch(`${base}${path}`, {
      method,
      headers,
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(10_000),
    })
    const text = await res.text()
    let json: any = null
    try {
      json = text ? JSON.parse(text) : null
    } catch {}
    return { status: res.status, json, text }
  }
}

/** An answer's JSON, or an error that shows what the server said instead. */
export function ok(res: ApiAnswer, what: string, expected = [200, 201]): any {
  if (!expected.includes(res.status)) throw new Error(`${what}: HTTP ${res.status} ${res.text.slice(0, 300)}`)
  return res.json
}

export type FailoverEventJson = {
  id: string
  fromMemberId: string | null
  toMemberId: string | null
  reason: string
  status: 'pending' | 'done' | 'blocked'
  detectedAt: string
  completedAt: string | null
  dnsResult: Record<string, unknown> | null
  attempts: number
  lastError: string | null
}

// ---------------------------------------------------------------- server processes

export type ServerProcess = {
  url: string
  proc: Subprocess
  /** Everything it printed so far (stdout and stderr). */
  log: () => string
  /** SIGTERM (graceful) or SIGKILL; resolves when it is gone. */
  stop: (signal?: NodeJS.Signals) => Promise<void>
}

/**
 * The real server, `bun src/server/main.ts`, on a loopback port: the same
 * process an operator runs, scheduler included. Resolves once it listens.
 */
/** `bunArgs`: flags for bun itself, e.g. a benchmark's --cpu-prof-md. */
export async function startServerProcess(env: Record<string, string>, timeoutMs = 60_000, bunArgs: string[] = []): Promise<ServerProcess> {
  const dataDir = env.DATA_DIR ?? tempDir('sctl-server-')
  const ownDir = !env.DATA_DIR
  const proc = spawnTracked(['bun', ...bunArgs, 'src/server/main.ts'], {
    cwd: ROOT,
    env: {
      ...process.env,
      PORT: '0',
      HOST: '127.0.0.1',
      ADMIN_EMAIL: ADMIN.email,
      ADMIN_PASSWORD: ADMIN.password,
      ADMIN_API_TOKEN: ADMIN.token,
      // Drills add a PowerDNS on loopback.
      ALLOW_PRIVATE_PROVIDER_HOSTS: 'true',
      ...env,
      DATA_DIR: dataDir,
    },
  })
  let output = ''
  collect(proc.stdout, (t) => (output += t))
  collect(proc.stderr, (t) => (output += t))
  const stop = async (signal: NodeJS.Signals = 'SIGTERM') => {
    await stopProcess(proc, signal, 10_000)
    if (ownDir) removeTempDir(dataDir)
  }
  try {
    const url = await waitFor(
      () => {
        if (proc.exitCode !== null || proc.signalCode !== null) throw new GiveUp(`server exited (${proc.exitCode ?? proc.signalCode})`)
        return /\[server\.listen\] serversctl listening on (http:\/\/127\.0\.0\.1:\d+)/.exec(output)?.[1]
      },
      timeoutMs,
      'the server to listen',
      50,
    )
    return { url, proc, log: () => output, stop }
  } catch (err) {
    await stop('SIGKILL')
    throw new Error(`${(err as Error).message}\n--- server output ---\n${output}`)
  }
}

// ---------------------------------------------------------------- agents

export class DrillAgent {
  proc: Subprocess | null = null
  /** What every run of this agent wrote to stderr. */
  output = ''
  /** More environment for this agent alone (a fixture root, stand-in tools first on PATH). */
  extraEnv: Record<string, string> = {}
  private moves = 0
  constructor(
    readonly name: string,
    readonly id: string,
    readonly hostname: string,
    readonly publicIpv4: string,
    public configPath: string,
    private readonly bin: string,
    private readonly heartbeatSeconds: number,
  ) {}

  get env(): Record<string, string | undefined> {
    return { ...process.env, BALCTL_HOSTNAME: this.hostname, SERVERSCTL_HEARTBEAT_SECONDS: String(this.heartbeatSeconds), ...this.extraEnv }
  }

  get running(): boolean {
    return !!this.proc && this.proc.exitCode === null && this.proc.signalCode === null
  }

  /** The agent's config ({server, memberId, token}); `server` may be pointed elsewhere before start(). */
  readConfig(): { server: string; memberId: string; token: string } {
    return JSON.parse(readFileSync(this.configPath, 'utf8'))
  }

  pointAt(server: string) {
    writeFileSync(this.configPath, JSON.stringify({ ...this.readConfig(), server }, null, 2) + '\n', { mode: 0o600 })
  }

  /**
   * Moves a running agent to another server without a gap in its heartbeats:
   * a new process with a config naming `server` starts, both heartbeat for
   * `overlapMs`, then the old one stops (SIGTERM).
   */
  async moveTo(server: string, overlapMs = 5000): Promise<void> {
    const next = join(dirname(this.configPath), `${this.name}-${++this.moves}.json`)
    writeFileSync(next, JSON.stringify({ ...this.readConfig(), server }, null, 2) + '\n', { mode: 0o600 })
    this.configPath = next
    const old = this.proc
    this.proc = null
    this.start()
    await Bun.sleep(overlapMs)
    if (old) await stopProcess(old)
  }

  /** `run --config`: a new agent process (the old one must be stopped). */
  start(): Subprocess {
    if (this.running) throw new Error(`agent ${this.name} is already running`)
    const proc = spawnTracked([this.bin, 'run', '--config', this.configPath], { env: this.env })
    collect(proc.stderr, (t) => (this.output += t))
    collect(proc.stdout, (t) => (this.output += t))
    this.proc = proc
    return proc
  }

  /** Stops it (SIGTERM by default, as systemd would) and answers its exit code. */
  async stop(signal: NodeJS.Signals = 'SIGTERM'): Promise<number | string | null> {
    if (!this.proc) return null
    return stopProcess(this.proc, signal)
  }

  pause() {
    this.proc?.kill('SIGSTOP')
  }

  resume() {
    this.proc?.kill('SIGCONT')
  }
}

/**
 * Adds a member to the pool through the API and enrols a compiled agent for
 * it (not started). Agents send from loopback, so that is its egress address.
 */
export async function addEnrolledMember(
  at: { api: Api; serverUrl: string; poolId: string; label: string; dir: string; bin: string; heartbeatSeconds: number },
  m: { name: string; publicIpv4: string },
): Promise<DrillAgent> {
  const memberHost = `${m.name}.${at.label}.example.net`
  const created = ok(
    await at.api('POST', `/api/v1/pools/${at.poolId}/members`, { name: m.name, hostname: memberHost, egressIps: ['127.0.0.1'], publicIpv4: m.publicIpv4 }),
    `add member ${m.name}`,
  )
  const agent = new DrillAgent(m.name, created.id, memberHost, m.publicIpv4, join(at.dir, `${m.name}.json`), at.bin, at.heartbeatSeconds)
  // Not spawnSync: the server answering it may run in this very process.
  const enrol = spawnTracked([at.bin, 'enroll', '--server', at.serverUrl, '--secret', created.enrollment.secret, '--config', agent.configPath], { env: agent.env })
  const [code, err] = await Promise.all([enrol.exited, new Response(enrol.stderr).text()])
  if (code !== 0) throw new Error(`agent ${m.name} did not enrol (${code}): ${err}`)
  return agent
}

// ---------------------------------------------------------------- the drill

export type DrillOptions = {
  /** The API of the server the drill configures. */
  api: Api
  /** Where agents enrol and send heartbeats. */
  serverUrl: string
  /** The members, in failover order. Default: a at 192.0.2.10, b at 192.0.2.20. */
  members?: { name: string; publicIpv4: string }[]
  heartbeatSeconds?: number
  delaySeconds?: number
  ttl?: number
  zone?: string
  hostname?: string
  /** More failover settings (probe, failbackAfterSeconds, ...). */
  failover?: Record<string, unknown>
  /** Runs between enrolment and the failover settings (a PATCH of a member, say). */
  beforeFailover?: (drill: Drill) => Promise<void>
  /** Waits until every agent has been healthy for the delay before failover is switched on. Default true. */
  waitEligible?: boolean
  /** Label for pool and temp dir. */
  label?: string
  /** Put a DnsApiProxy between the server and PowerDNS (drill.dnsProxy). */
  dnsApiProxy?: boolean
}

export type Drill = {
  pdns: PowerDns
  /** With `dnsApiProxy`: what the server talks to instead of PowerDNS's API. */
  dnsProxy: DnsApiProxy | null
  poolId: string
  providerId: string
  zone: string
  hostname: string
  delaySeconds: number
  agents: DrillAgent[]
  /** The server API the drill uses; assign another replica's to move on. */
  api: Api
  dig: () => Promise<string[]>
  /** Polls dig until it answers exactly `address`; answers when that was seen (ms epoch). */
  waitForDns: (address: string, timeoutMs: number, intervalMs?: number) => Promise<number>
  events: () => Promise<FailoverEventJson[]>
  failover: () => Promise<any>
  member: (id: string) => Promise<any>
  lastHeartbeat: (agent: DrillAgent) => Promise<Date | null>
  /** Waits until the agent's member has a heartbeat newer than `after` (or any) and answers it. */
  waitHeartbeat: (agent: DrillAgent, timeoutMs: number, after?: Date | null) => Promise<Date>
  /** Kills the agents, stops PowerDNS, removes the temp dir; safe to call twice. */
  cleanup: () => Promise<void>
}

let drillCount = 0

export async function setupDrill(opts: DrillOptions): Promise<Drill> {
  const bin = ensureAgentBinary()
  const label = opts.label ?? `drill-${process.pid}-${++drillCount}`
  const heartbeatSeconds = opts.heartbeatSeconds ?? 1
  const delaySeconds = opts.delaySeconds ?? 10
  const zone = opts.zone ?? 'example.test'
  const hostname = opts.hostname ?? `www.${zone}`
  const members = opts.members ?? [
    { name: 'a', publicIpv4: '192.0.2.10' },
    { name: 'b', publicIpv4: '192.0.2.20' },
  ]
  // The drill's calls go to whichever server `drill.api` names at the time (a test may switch replicas).
  let current = opts.api
  const api: Api = (method, path, body) => current(method, path, body)
  const dir = tempDir('sctl-drill-')
  const agents: DrillAgent[] = []
  let pdns: PowerDns | null = null

  let proxy: DnsApiProxy | null = null

  const cleanup = async () => {
    await Promise.all(agents.map((a) => a.stop('SIGKILL').catch(() => {})))
    proxy?.release()
    proxy?.stop()
    if (pdns) await pdns.stop().catch(() => {})
    removeTempDir(dir)
  }

  try {
    pdns = await startPowerDns()
    await pdns.addZone(zone)
    const poolId = ok(await api('POST', '/api/v1/pools', { name: label, preset: 'generic' }), 'create pool').id as string

    for (const m of members) agents.push(await addEnrolledMember({ api, serverUrl: opts.serverUrl, poolId, label, dir, bin, heartbeatSeconds }, m))
    for (const a of agents) a.start()

    if (opts.dnsApiProxy) proxy = startDnsApiProxy(pdns.apiUrl)
    const providerId = ok(
      await api('POST', `/api/v1/pools/${poolId}/dns-providers`, { kind: 'powerdns', name: `pdns ${label}`, apiUrl: proxy?.url ?? pdns.apiUrl, apiKey: pdns.apiKey, serverId: 'localhost' }),
      'add DNS provider',
    ).id as string

    const member = async (id: string) => ok(await api('GET', `/api/v1/members/${id}`), `get member ${id}`)
    const lastHeartbeat = async (agent: DrillAgent) => {
      const at = (await member(agent.id)).lastHeartbeatAt as string | null
      return at ? new Date(at) : null
    }
    const p = pdns
    const drill: Drill = {
      pdns: p,
      dnsProxy: proxy,
      poolId,
      providerId,
      zone,
      hostname,
      delaySeconds,
      agents,
      get api() {
        return current
      },
      set api(next: Api) {
        current = next
      },
      dig: () => dig(p.dnsPort, hostname),
      waitForDns: async (address, timeoutMs, intervalMs = 50) => {
        await waitFor(async () => (await dig(p.dnsPort, hostname)).join(',') === address, timeoutMs, `dig ${hostname} to answer ${address}`, intervalMs)
        return Date.now()
      },
      events: async () => ok(await api('GET', `/api/v1/pools/${poolId}/failover/events`), 'failover events') as FailoverEventJson[],
      failover: async () => ok(await api('GET', `/api/v1/pools/${poolId}/failover`), 'failover settings'),
      member,
      lastHeartbeat,
      waitHeartbeat: (agent, timeoutMs, after = null) =>
        waitFor(
          async () => {
            const at = await lastHeartbeat(agent)
            return at && (!after || at.getTime() > after.getTime()) ? at : null
          },
          timeoutMs,
          `a heartbeat from ${agent.name}${after ? ` after ${after.toISOString()}` : ''}`,
          100,
        ),
      cleanup,
    }

    if (opts.waitEligible !== false) {
      // Healthy first; then healthy for the delay, so every member is eligible when failover
      // is switched on and the initial activation takes the first in order, not the quickest.
      const firstHeard = await waitFor(
        async () => {
          const list = await Promise.all(agents.map((a) => member(a.id)))
          return list.every((m) => m.status === 'healthy') ? list.map((m) => Date.parse(m.lastHeartbeatAt) as number) : null
        },
        30_000,
        'every agent to be healthy',
        200,
      ).catch((err) => {
        throw new Error(`${err.message}\n${agents.map((a) => `--- agent ${a.name} ---\n${a.output}`).join('\n')}`)
      })
      // healthySince is at or before the heartbeat seen first.
      await sleep(Math.max(0, Math.max(...firstHeard) + delaySeconds * 1000 + 1000 - Date.now()))
    }
    await opts.beforeFailover?.(drill)
    ok(
      await api('PUT', `/api/v1/pools/${poolId}/failover`, {
        enabled: true,
        hostname,
        zone,
        providerId,
        delaySeconds,
        ttl: opts.ttl ?? 5,
        memberOrder: agents.map((a) => a.id),
        autoFailback: false,
        ...opts.failover,
      }),
      'set failover',
    )
    return drill
  } catch (err) {
    await cleanup()
    throw err
  }
}

/** Seconds with two decimals, for printing. */
export const secs = (ms: number) => (ms / 1000).toFixed(2)
