// `bun run bench:load`: heartbeats at scale against the real server process
// (`bun src/server/main.ts`, embedded database in a temp DATA_DIR; set
// BENCH_DATABASE_URL to run it on PostgreSQL instead, in a database of its own
// made beside that one and dropped at the end).
//
// Enrols BENCH_MEMBERS members (default 5,000) through the real enrolment API,
// then simulated agents send full heartbeats (the sample a small
// OpenLiteSpeed + MariaDB host sends):
//   1. paced: each member once every 10 s, as agents do, for
//      BENCH_PACED_SECONDS (default 30);
//   2. flat out: BENCH_CONCURRENCY senders (default 64) as fast as the
//      server answers, for BENCH_FAST_SECONDS (default 30).
// BENCH_GENERATOR=wrk sends the flat-out phase with wrk (Debian's `wrk`)
// instead of this process's fetch: the same senders, tokens and bodies, at a
// third of the load generator's CPU (9 against 30 µs a heartbeat), leaving
// more of the shared cores to the server and the database, as agents on
// machines of their own do.
// BENCH_PROFILE_DIR=folder writes the server's CPU profile of the heartbeats
// there (markdown), from a second server started on the same data after enrolment.
// BENCH_STATEMENTS=1 (PostgreSQL with pg_stat_statements in
// shared_preload_libraries) prints the statements that took the database's
// time during the flat-out phase.
// Prints heartbeats per second, p50/p99 latency, errors, and the server's
// resident memory at the start and the end of each phase. The load generator
// shares the machine's CPUs with the server, as the figures in issue 16 did.
import { readdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { sampleHeartbeat } from '../testing/heartbeat-fixture'
import { databaseOfItsOwn, type OwnDatabase } from '../testing/backup-fleet'
import { cpuSeconds, httpApi, ok, percentile, removeTempDir, startServerProcess, tempDir, type Api, type ServerProcess } from '../testing/drill'
import postgres from 'postgres'

const MEMBERS = Math.max(1, Number(process.env.BENCH_MEMBERS) || 5000)
const CONCURRENCY = Math.max(1, Number(process.env.BENCH_CONCURRENCY) || 64)
const PACED_SECONDS = Math.max(0, Number(process.env.BENCH_PACED_SECONDS ?? 30))
const FAST_SECONDS = Math.max(1, Number(process.env.BENCH_FAST_SECONDS) || 30)
const INTERVAL_MS = 10_000
/** A folder for the server's CPU profile (markdown, written when it stops), to see where a heartbeat's time goes. */
const PROFILE_DIR = process.env.BENCH_PROFILE_DIR ?? ''
const STATEMENTS = process.env.BENCH_STATEMENTS === '1'
const WRK = process.env.BENCH_GENERATOR === 'wrk'
/** Enrolments in flight at once: enough to be quick, few enough not to be the load being measured. */
const ENROL_CONCURRENCY = 16
const os = { id: 'debian', versionId: '12', family: 'debian', prettyName: 'Debian GNU/Linux 12' }

type Agent = { name: string; token: string; body: string }
/** `latencies` of each answer; or, from wrk, how many were answered, their percentiles (max as 100) and wrk's CPU seconds. */
type Tally = { latencies: number[]; errors: Map<string, number>; fromWrk?: { answered: number; percentiles: Map<number, number>; cpu: number } }

let server: ServerProcess | null = null
let dataDir = ''
let database: OwnDatabase | null = null
const stopServer = async () => {
  await server?.stop('SIGTERM').catch(() => {})
  await database?.drop()
  if (dataDir) removeTempDir(dataDir)
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void stopServer().finally(() => process.exit(130)))

/** The server's resident memory, from the kernel's own count. */
function rssMb(): number {
  const status = readFileSync(`/proc/${server!.proc.pid}/status`, 'utf8')
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0)
  return Math.round(kb / 1024)
}

/** The local PostgreSQL's processes (postgres and its backends), when the bench runs on it. */
function postgresPids(): number[] {
  return readdirSync('/proc')
    .filter((d) => /^\d+$/.test(d))
    .filter((pid) => {
      try {
        return readFileSync(`/proc/${pid}/comm`, 'utf8').trim() === 'postgres'
      } catch {
        return false
      }
    })
    .map(Number)
}

type CpuMark = { server: number; database: number; generator: number }
const cpuMark = (): CpuMark => ({
  server: cpuSeconds(server!.proc.pid),
  database: database ? postgresPids().reduce((n, pid) => n + cpuSeconds(pid), 0) : 0,
  generator: process.cpuUsage().user / 1e6 + process.cpuUsage().system / 1e6,
})

/** Runs `work` over 0..n-1 with at most `limit` in flight. */
async function inParallel(n: number, limit: number, work: (i: number) => Promise<void>) {
  let next = 0
  await Promise.all(Array.from({ length: Math.min(limit, n) }, async () => {
    while (next < n) await work(next++)
  }))
}

async function enrol(api: Api, base: string, poolId: string): Promise<Agent[]> {
  const agents: Agent[] = new Array(MEMBERS)
  await inParallel(MEMBERS, ENROL_CONCURRENCY, async (i) => {
    const name = `load-${i}`
    const hostname = `${name}.bench.example`
    const added = ok(await api('POST', `/api/v1/pools/${poolId}/members`, { name, hostname, egressIps: ['127.0.0.1'] }), 'add member')
    const res = await fetch(`${base}/api/v1/agent/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ secret: added.enrollment.secret, hostname, agentVersion: '0.1.0', os }),
    })
    if (!res.ok) throw new Error(`enrol ${name}: HTTP ${res.status} ${await res.text()}`)
    const { token } = (await res.json()) as { token: string }
    agents[i] = { name, token, body: JSON.stringify(sampleHeartbeat({ hostname })) }
  })
  return agents
}

async function beat(base: string, agent: Agent, tally: Tally) {
  const started = performance.now()
  try {
    const res = await fetch(`${base}/api/v1/agent/heartbeat`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${agent.token}` },
      body: agent.body,
      signal: AbortSignal.timeout(30_000),
    })
    await res.arrayBuffer()
    if (res.ok) tally.latencies.push(performance.now() - started)
    else tally.errors.set(`HTTP ${res.status}`, (tally.errors.get(`HTTP ${res.status}`) ?? 0) + 1)
  } catch (err) {
    const why = (err as Error).name === 'TimeoutError' ? 'timed out after 30 s' : (err as Error).message
    tally.errors.set(why, (tally.errors.get(why) ?? 0) + 1)
  }
}

/** Every member once per interval, spread evenly over it, as a fleet of real agents beats. */
async function paced(base: string, agents: Agent[], seconds: number): Promise<Tally> {
  const tally: Tally = { latencies: [], errors: new Map() }
  const gap = INTERVAL_MS / agents.length
  const start = performance.now()
  const inFlight = new Set<Promise<void>>()
  for (let i = 0; i * gap < seconds * 1000; i++) {
    const wait = i * gap - (performance.now() - start)
    if (wait > 1) await Bun.sleep(wait)
    const p = beat(base, agents[i % agents.length]!, tally).finally(() => inFlight.delete(p))
    inFlight.add(p)
  }
  await Promise.all(inFlight)
  return tally
}

/** CONCURRENCY senders, each sending its next member's heartbeat as soon as the last is answered. */
async function flatOut(base: string, agents: Agent[], seconds: number): Promise<Tally> {
  const tally: Tally = { latencies: [], errors: new Map() }
  const end = performance.now() + seconds * 1000
  let next = 0
  await Promise.all(Array.from({ length: CONCURRENCY }, async () => {
    while (performance.now() < end) await beat(base, agents[next++ % agents.length]!, tally)
  }))
  return tally
}

/**
 * The flat-out phase sent by wrk: one thread, CONCURRENCY connections, each
 * request the next member's heartbeat (its token and body), as `flatOut`
 * sends them. wrk reports latency percentiles itself; its CPU is counted as
 * the load generator's.
 */
async function flatOutWithWrk(base: string, agents: Agent[], seconds: number): Promise<Tally> {
  const folder = tempDir('sctl-bench-wrk-')
  writeFileSync(join(folder, 'agents.txt'), agents.map((a) => `${a.token}\t${a.body}`).join('\n') + '\n')
  writeFileSync(join(folder, 'beat.lua'), `
local agents, n, next = {}, 0, 0
-- Built in init, once wrk has set the Host header every request needs.
init = function()
  for line in io.lines("${join(folder, 'agents.txt')}") do
    local token, body = line:match("^([^\t]+)\t(.*)$")
    n = n + 1
    agents[n] = wrk.format("POST", "/api/v1/agent/heartbeat", { ["content-type"] = "application/json", ["authorization"] = "Bearer " .. token }, body)
  end
  next = math.random(n)
end
request = function()
  next = next % n + 1
  return agents[next]
end
done = function(summary, latency, requests)
  for _, p in ipairs({ 50, 99 }) do io.write(string.format("percentile %d %.3f\\n", p, latency:percentile(p) / 1000)) end
  io.write(string.format("max %.3f\\n", latency.max / 1000))
  local e = summary.errors
  io.write(string.format("answered %d non2xx %d timeouts %d socket %d\\n", summary.requests, e.status, e.timeout, e.connect + e.read + e.write))
end
`)
  let out = ''
  let cpu = 0
  try {
    const proc = Bun.spawn(['wrk', '-t1', `-c${CONCURRENCY}`, `-d${seconds}s`, '--timeout', '30s', '-s', join(folder, 'beat.lua'), base], { stdout: 'pipe', stderr: 'inherit' })
    out = await new Response(proc.stdout).text()
    await proc.exited
    cpu = Number(proc.resourceUsage()?.cpuTime.total ?? 0) / 1e6
  } finally {
    removeTempDir(folder)
  }
  const percentiles = new Map([...out.matchAll(/^percentile (\d+) ([\d.]+)$/gm)].map((m) => [Number(m[1]), Number(m[2])]))
  const counts = /^answered (\d+) non2xx (\d+) timeouts (\d+) socket (\d+)$/m.exec(out)
  if (!counts) throw new Error(`wrk said:\n${out}`)
  const errors = new Map<string, number>()
  if (Number(counts[2])) errors.set('HTTP status other than 2xx', Number(counts[2]))
  if (Number(counts[3])) errors.set('timed out after 30 s', Number(counts[3]))
  if (Number(counts[4])) errors.set('connection errors', Number(counts[4]))
  percentiles.set(100, Number(/^max ([\d.]+)$/m.exec(out)?.[1] ?? 0))
  return { latencies: [], errors, fromWrk: { answered: Number(counts[1]) - Number(counts[2]), percentiles, cpu } }
}

function report(label: string, tally: Tally, seconds: number, memory: { start: number; end: number }, cpu: CpuMark) {
  const n = tally.fromWrk?.answered ?? tally.latencies.length
  const at = (p: number) => tally.fromWrk?.percentiles.get(p) ?? (p === 100 ? Math.max(...tally.latencies) : percentile(tally.latencies, p))
  const errors = [...tally.errors].map(([why, count]) => `${count} × ${why}`).join(', ') || 'none'
  console.log(`\n${label}`)
  console.log(`  ${(n / seconds).toFixed(0)} heartbeats/s answered (${n.toLocaleString()} in ${seconds.toFixed(1)} s)`)
  if (n) console.log(`  p50 ${at(50).toFixed(0)} ms   p99 ${at(99).toFixed(0)} ms   max ${at(100).toFixed(0)} ms`)
  console.log(`  errors: ${errors}`)
  console.log(`  server memory: ${memory.start} MB at the start, ${memory.end} MB at the end`)
  // Where the machine's time went: per heartbeat, and in cores used over the phase.
  const per = (s: number) => (n ? `${Math.round((s * 1e6) / n)} µs` : '-')
  const cores = (s: number) => `${(s / seconds).toFixed(2)} cores`
  const db = database ? `, database ${per(cpu.database)} (${cores(cpu.database)})` : ''
  console.log(`  CPU per heartbeat: server ${per(cpu.server)} (${cores(cpu.server)})${db}, load generator ${per(cpu.generator)} (${cores(cpu.generator)})`)
}

async function phase(label: string, run: () => Promise<Tally>) {
  const start = rssMb()
  const before = cpuMark()
  const t0 = performance.now()
  const tally = await run()
  const after = cpuMark()
  const used = { server: after.server - before.server, database: after.database - before.database, generator: after.generator - before.generator + (tally.fromWrk?.cpu ?? 0) }
  report(label, tally, (performance.now() - t0) / 1000, { start, end: rssMb() }, used)
}

/** Starts counting the bench database's statements; `report` prints the costliest since. */
async function statementCosts(url: string) {
  const client = postgres(url, { max: 1, onnotice: () => {} })
  await client`create extension if not exists pg_stat_statements`
  await client`select pg_stat_statements_reset()`
  return {
    async report() {
      const rows = await client`
        select calls, round(total_exec_time::numeric, 0) as ms, rows, regexp_replace(left(query, 110), '[[:space:]]+', ' ', 'g') as query
        from pg_stat_statements where dbid = (select oid from pg_database where datname = current_database())
        order by total_exec_time desc limit 12`
      console.log('\ndatabase time by statement (flat-out phase):')
      for (const r of rows) console.log(`  ${String(r.ms).padStart(7)} ms  ${String(r.calls).padStart(7)} calls  ${String(r.rows).padStart(8)} rows  ${r.query}`)
      await client.end({ timeout: 2 })
    },
  }
}

async function main() {
  if (WRK && !Bun.which('wrk')) throw new Error('BENCH_GENERATOR=wrk needs wrk: apt-get install wrk')
  const url = process.env.BENCH_DATABASE_URL
  // A database of its own on that server, dropped at the end: thousands of members are not left behind.
  database = url ? await databaseOfItsOwn(url, `bench_load_${process.pid}`) : null
  dataDir = tempDir('sctl-bench-load-')
  server = await startServerProcess({ ...database?.env, DATA_DIR: dataDir })
  let base = server.url
  const api = httpApi(base)
  console.log(`server ${base} (${url ? 'PostgreSQL' : 'embedded database'}), ${MEMBERS.toLocaleString()} members, ${navigator.hardwareConcurrency} CPUs shared with this load generator`)
  const poolId = ok(await api('POST', '/api/v1/pools', { name: `Bench load ${Date.now()}`, preset: 'generic' }), 'pool').id as string

  const t0 = performance.now()
  const agents = await enrol(api, base, poolId)
  console.log(`enrolled ${agents.length.toLocaleString()} members through the enrolment API in ${((performance.now() - t0) / 1000).toFixed(1)} s; server memory ${rssMb()} MB`)

  if (PROFILE_DIR) {
    // The profile is of the heartbeats alone: the server enrolled them, another one on the same data takes the load.
    await server.stop('SIGTERM')
    server = await startServerProcess({ ...database?.env, DATA_DIR: dataDir }, 60_000, ['--cpu-prof-md', `--cpu-prof-dir=${PROFILE_DIR}`])
    base = server.url
  }
  if (PACED_SECONDS > 0) await phase(`paced: every member once per ${INTERVAL_MS / 1000} s for ${PACED_SECONDS} s (${Math.round((agents.length * 1000) / INTERVAL_MS)} heartbeats/s offered)`, () => paced(base, agents, PACED_SECONDS))
  const statements = STATEMENTS && database ? await statementCosts(database.env.DATABASE_URL!) : null
  await phase(`flat out: ${CONCURRENCY} concurrent senders for ${FAST_SECONDS} s${WRK ? ', sent by wrk' : ''}`, () => (WRK ? flatOutWithWrk : flatOut)(base, agents, FAST_SECONDS))
  await statements?.report()
  console.log('\ngoal (issue 16): PostgreSQL at least 10,000/s with p99 under 100 ms and no errors; embedded at least 2,000/s with p99 under 250 ms; memory flat')
}

try {
  await main()
} finally {
  await stopServer()
}
