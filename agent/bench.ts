// `bun run bench:agent`: the compiled agent against a local server for a
// minute (BENCH_SECONDS to change), at the default heartbeat interval.
// Prints the binary's size, its resident memory and its share of one core.
import { mkdtempSync, readFileSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { testServer } from '../src/testing/harness'
import { ensureAgentBinary } from '../src/testing/agent-binary'

const seconds = Number(process.env.BENCH_SECONDS) || 60
const CLOCK_TICKS = 100 // USER_HZ on Linux

function cpuTicks(pid: number): number {
  // Fields after the command name: utime is the 14th, stime the 15th.
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8')
  const rest = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
  return Number(rest[11]) + Number(rest[12])
}

function rssBytes(pid: number): number {
  const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'))
  return match ? Number(match[1]) * 1024 : 0
}

const mib = (n: number) => `${(n / 2 ** 20).toFixed(1)} MiB`

const bin = ensureAgentBinary()
const server = await testServer()
const base = server.serve()
const dir = mkdtempSync(join(tmpdir(), 'sctl-bench-'))
try {
  const pool = (await server.api('POST', '/api/v1/pools', { name: 'Bench', preset: 'generic' })).json.id
  const member = (await server.api('POST', `/api/v1/pools/${pool}/members`, { name: 'bench', hostname: 'bench.example.com', egressIps: ['127.0.0.1'] })).json
  const config = join(dir, 'agent.json')
  const env: Record<string, string | undefined> = { ...process.env, BALCTL_HOSTNAME: "bench.example.com" }
  delete env.SERVERSCTL_HEARTBEAT_SECONDS
  const enrol = Bun.spawn([bin, 'enroll', '--server', base, '--secret', member.enrollment.secret, '--config', config], { env, stderr: 'inherit' })
  if ((await enrol.exited) !== 0) throw new Error('enrolment failed')

  const started = performance.now()
  const agent = Bun.spawn([bin, 'run', '--config', config], { env, stderr: 'pipe' })
  // Let start-up (first full inspection, the package-update check) settle, then measure steady state.
  await Bun.sleep(12_000)
  const ticks0 = cpuTicks(agent.pid)
  const t0 = performance.now()
  const rss: number[] = []
  while (performance.now() - t0 < seconds * 1000) {
    rss.push(rssBytes(agent.pid))
    await Bun.sleep(1000)
  }
  const cpuSeconds = (cpuTicks(agent.pid) - ticks0) / CLOCK_TICKS
  const wall = (performance.now() - t0) / 1000
  agent.kill('SIGTERM')
  await agent.exited
  const status = (await server.api('GET', `/api/v1/members/${member.id}`)).json.status

  console.log(`agent binary          ${mib(statSync(bin).size)} (${bin})`)
  console.log(`measured              ${wall.toFixed(0)} s of steady state, heartbeat every 10 s, member ${status}`)
  console.log(`resident memory       avg ${mib(rss.reduce((a, b) => a + b, 0) / rss.length)}, max ${mib(Math.max(...rss))}  (goal < 50 MiB)`)
  console.log(`CPU                   ${((cpuSeconds / wall) * 100).toFixed(3)} % of one core  (goal < 0.5 %)`)
  console.log(`total run             ${((performance.now() - started) / 1000).toFixed(0)} s`)
} finally {
  await server.close()
  rmSync(dir, { recursive: true, force: true })
}
process.exit(0)
