// `bun run bench:jobs`: the job queue against the real server process
// (`bun src/server/main.ts`, embedded database in a temp DATA_DIR; set
// BENCH_DATABASE_URL to run it on PostgreSQL instead).
//
//  1. queued → running on an idle compiled agent: the agent's claim is
//     waiting on the server when the job is queued; measured by the server's
//     own timestamps (createdAt → startedAt). Goal: p99 under 1 s.
//  2. throughput: 200 simulated agents (HTTP clients in this process doing
//     what the agent does: claim, one report, finish) work through 5 jobs
//     each, queued as 5 fleet-wide runs. Prints jobs per second.
import { chmodSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { ensureAgentBinary } from '../testing/agent-binary'
import { httpApi, ok, percentile, spawnTracked, startServerProcess, stopProcess, tempDir, removeTempDir, waitFor, type Api, type ServerProcess } from '../testing/drill'

const LATENCY_SAMPLES = Math.max(5, Number(process.env.BENCH_JOBS_SAMPLES) || 50)
const AGENTS = Math.max(1, Number(process.env.BENCH_JOBS_AGENTS) || 200)
const JOBS_PER_AGENT = Math.max(1, Number(process.env.BENCH_JOBS_PER_AGENT) || 5)
const os = { id: 'debian', versionId: '12', family: 'debian', prettyName: 'Debian GNU/Linux 12' }

let server: ServerProcess | null = null
const dir = tempDir('sctl-bench-jobs-')
const cleanup = async () => {
  await server?.stop('SIGTERM').catch(() => {})
  removeTempDir(dir)
}
for (const signal of ['SIGINT', 'SIGTERM'] as const) process.on(signal, () => void cleanup().finally(() => process.exit(130)))

async function addMember(api: Api, poolId: string, name: string) {
  const added = ok(await api('POST', `/api/v1/pools/${poolId}/members`, { name, hostname: `${name}.bench.example`, egressIps: ['127.0.0.1'] }), 'add member')
  return { id: added.id as string, secret: added.enrollment.secret as string }
}

async function agentPost(url: string, token: string | null, body: unknown, timeoutMs = 40_000) {
  const res = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(timeoutMs),
  })
  const json = (await res.json().catch(() => null)) as any
  if (!res.ok) throw new Error(`${url}: HTTP ${res.status} ${JSON.stringify(json)}`)
  return json
}

async function latency(api: Api, poolId: string) {
  const fakeBin = join(dir, 'bin')
  mkdirSync(fakeBin)
  // A package manager that answers at once: the figure is the queue's, not apt's.
  writeFileSync(join(fakeBin, 'apt-get'), '#!/bin/sh\necho "Reading package lists..."\n')
  chmodSync(join(fakeBin, 'apt-get'), 0o755)
  const bin = ensureAgentBinary()
  const m = await addMember(api, poolId, 'idle-agent')
  const config = join(dir, 'agent.json')
  const env = { ...process.env, PATH: `${fakeBin}:${process.env.PATH}`, BALCTL_HOSTNAME: 'idle-agent.bench.example' }
  const enrol = Bun.spawn([bin, 'enroll', '--server', server!.url, '--secret', m.secret, '--config', config], { env, stderr: 'pipe' })
  if ((await enrol.exited) !== 0) throw new Error(`enrol failed: ${await new Response(enrol.stderr).text()}`)
  const agent = spawnTracked([bin, 'run', '--config', config], { env })
  try {
    const samples: number[] = []
    for (let i = 0; i < LATENCY_SAMPLES; i++) {
      // Idle: the agent's claim is already waiting when the job arrives.
      await Bun.sleep(300)
      const { id } = ok(await api('POST', `/api/v1/members/${m.id}/jobs`, { name: 'system.updates.check', params: {} }), 'queue')
      const job = await waitFor(async () => {
        const j = ok(await api('GET', `/api/v1/jobs/${id}`), 'job')
        return j.finishedAt ? j : null
      }, 20_000, 'the job to finish', 20)
      if (job.status !== 'succeeded') throw new Error(`job ${id} ${job.status}: ${job.error}`)
      samples.push(Date.parse(job.startedAt) - Date.parse(job.createdAt))
    }
    return samples
  } finally {
    await stopProcess(agent, 'SIGTERM')
  }
}

/** What an agent does for a job, minus running anything. */
async function simulatedAgent(base: string, token: string, stop: AbortSignal, done: () => void) {
  while (!stop.aborted) {
    const { job } = await agentPost(`${base}/api/v1/agent/jobs/claim`, token, { waitSeconds: 5 }).catch(() => ({ job: null }))
    if (!job) continue
    await agentPost(`${base}/api/v1/agent/jobs/${job.id}/report`, token, { lines: [{ stream: 'stdout', line: 'working' }], step: 0 })
    await agentPost(`${base}/api/v1/agent/jobs/${job.id}/finish`, token, { status: 'succeeded', exitCode: 0, lines: [{ stream: 'stdout', line: 'done' }] })
    done()
  }
}

async function throughput(api: Api, poolId: string) {
  const members: { id: string; token: string }[] = []
  for (let i = 0; i < AGENTS; i++) {
    const m = await addMember(api, poolId, `sim-${i}`)
    const { token } = await agentPost(`${server!.url}/api/v1/agent/enroll`, null, { secret: m.secret, hostname: `sim-${i}.bench.example`, agentVersion: '0.1.0', os })
    members.push({ id: m.id, token })
  }
  const stop = new AbortController()
  let finished = 0
  const total = AGENTS * JOBS_PER_AGENT
  const agents = members.map((m) => simulatedAgent(server!.url, m.token, stop.signal, () => finished++))
  await Bun.sleep(1000)
  const started = performance.now()
  for (let r = 0; r < JOBS_PER_AGENT; r++) {
    ok(await api('POST', `/api/v1/pools/${poolId}/runs`, { name: 'system.updates.check', params: {}, memberIds: members.map((m) => m.id) }), 'run')
  }
  await waitFor(() => finished >= total, 300_000, 'every job to finish', 10)
  const seconds = (performance.now() - started) / 1000
  stop.abort()
  await Promise.all(agents)
  return { total, seconds }
}

async function main() {
  const url = process.env.BENCH_DATABASE_URL
  server = await startServerProcess(url ? { DATABASE_URL: url } : {})
  const api = httpApi(server.url)
  console.log(`server ${server.url} (${url ? 'PostgreSQL' : 'embedded database'})`)
  const poolId = ok(await api('POST', '/api/v1/pools', { name: `Bench jobs ${Date.now()}`, preset: 'generic' }), 'pool').id

  const samples = await latency(api, poolId)
  console.log(`\nqueued → running on an idle compiled agent, ${samples.length} jobs:`)
  console.log(`  p50 ${percentile(samples, 50)} ms   p99 ${percentile(samples, 99)} ms   max ${Math.max(...samples)} ms   (goal: p99 under 1000 ms)`)

  const { total, seconds } = await throughput(api, poolId)
  console.log(`\nthroughput: ${total} jobs through ${AGENTS} simulated agents in ${seconds.toFixed(1)} s = ${(total / seconds).toFixed(0)} jobs/s`)
  console.log('  (each job: claim, one report, finish: three agent requests and the queueing)')
}

try {
  await main()
} finally {
  await cleanup()
}
