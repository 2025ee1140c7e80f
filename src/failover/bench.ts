// `bun src/failover/bench.ts`: how long after the failover delay runs out
// does the world see the standby? Repeated drills (BENCH_DRILLS, default 10)
// against the real server process (`bun src/server/main.ts`, its own
// scheduler, the embedded database in a temp DATA_DIR), a real PowerDNS and
// two compiled agents heartbeating every second, delay 10 s.
//
// Each drill stops the active agent (SIGTERM) and measures, from "the delay
// ran out" (its last heartbeat + the delay):
//   dig        the first moment `dig` answers the standby's address
//   completed  the cut event's completedAt (records written and read back)
// then restarts the stopped agent, waits until it may be a standby (healthy
// for the delay), and stops the other one next. Goal: p99 < 2 s.
import {
  dig,
  httpApi,
  percentile,
  secs,
  setupDrill,
  sleep,
  startServerProcess,
  waitFor,
  type Drill,
  type DrillAgent,
  type FailoverEventJson,
  type ServerProcess,
} from '../testing/drill'

const DRILLS = Math.max(1, Number(process.env.BENCH_DRILLS) || 10)
const DELAY = 10
const GOAL_MS = 2000

let server: ServerProcess | null = null
let drill: Drill | null = null
let cleaning: Promise<void> | null = null

const cleanup = () =>
  (cleaning ??= (async () => {
    await drill?.cleanup().catch(() => {})
    await server?.stop('SIGTERM').catch(() => {})
  })())

for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    console.error(`\n${signal}: stopping the agents, PowerDNS and the server`)
    void cleanup().finally(() => process.exit(130))
  })
}

type Sample = { n: number; stopped: string; digMs: number; completedMs: number; detectedMs: number; events: number }

async function run(): Promise<Sample[]> {
  server = await startServerProcess({})
  const api = httpApi(server.url)
  console.log(`server ${server.url} (embedded database); setting up PowerDNS and two agents...`)
  drill = await setupDrill({ api, serverUrl: server.url, delaySeconds: DELAY, heartbeatSeconds: 1, label: 'bench' })
  const d = drill
  const [a, b] = d.agents as [DrillAgent, DrillAgent]
  await waitFor(async () => (await d.failover()).activeMemberId === a.id, 20_000, 'the initial activation')
  await d.waitForDns(a.publicIpv4, 5000)
  console.log(`active: a (${a.publicIpv4}), standby: b (${b.publicIpv4}); delay ${DELAY} s, heartbeat 1 s, ${DRILLS} drills\n`)
  console.log(' drill  stopped  detected  completed    dig   (seconds after the delay ran out)')

  const samples: Sample[] = []
  let active = a
  let standby = b
  for (let n = 1; n <= DRILLS; n++) {
    const before = (await d.events()).length
    const code = await active.stop('SIGTERM')
    if (code !== 0) throw new Error(`agent ${active.name} exited ${code} on SIGTERM`)
    const last = (await d.lastHeartbeat(active))!.getTime()
    const ranOut = last + DELAY * 1000

    // dig as often as it can go, until the standby's address comes back.
    const seenAt = await d.waitForDns(standby.publicIpv4, Math.max(5000, ranOut + 30_000 - Date.now()), 20)
    const cut = await waitFor(
      async () => (await d.events()).find((e: FailoverEventJson) => e.reason === 'active_down' && e.fromMemberId === active.id && e.completedAt && Date.parse(e.detectedAt) > last),
      10_000,
      'the cut event',
    )
    const events = (await d.events()).length - before
    const sample: Sample = {
      n,
      stopped: active.name,
      digMs: seenAt - ranOut,
      completedMs: Date.parse(cut.completedAt!) - ranOut,
      detectedMs: Date.parse(cut.detectedAt) - ranOut,
      events,
    }
    samples.push(sample)
    const pad = (ms: number) => secs(ms).padStart(8)
    console.log(
      `${String(n).padStart(6)}  ${sample.stopped.padStart(7)}  ${pad(sample.detectedMs)}  ${pad(sample.completedMs)}  ${pad(sample.digMs)}` +
        (events !== 1 ? `   (!) ${events} events for this outage` : ''),
    )
    if (n === DRILLS) break

    // The stopped agent comes back as the standby; it counts once healthy for the delay.
    const restarted = new Date()
    active.start()
    const first = await d.waitHeartbeat(active, 30_000, restarted)
    await sleep(Math.max(0, first.getTime() + DELAY * 1000 + 1000 - Date.now()))
    if ((await dig(d.pdns.dnsPort, d.hostname)).join(',') !== standby.publicIpv4) throw new Error('DNS moved while no agent was down')
    ;[active, standby] = [standby, active]
  }
  return samples
}

const started = performance.now()
let failed = false
try {
  const samples = await run()
  const digs = samples.map((s) => s.digMs)
  const completed = samples.map((s) => s.completedMs)
  const p = (v: number[], q: number) => `${secs(percentile(v, q))} s`
  console.log(`\n${samples.length} drills in ${secs(performance.now() - started)} s`)
  console.log(`  dig answers the standby:  p50 ${p(digs, 50)}  p99 ${p(digs, 99)}  (min ${secs(Math.min(...digs))}, max ${secs(Math.max(...digs))})`)
  console.log(`  cut completedAt:          p50 ${p(completed, 50)}  p99 ${p(completed, 99)}  (min ${secs(Math.min(...completed))}, max ${secs(Math.max(...completed))})`)
  const worst = Math.max(percentile(digs, 99), percentile(completed, 99))
  console.log(`  goal p99 < ${secs(GOAL_MS)} s past the delay: ${worst < GOAL_MS ? 'met' : 'MISSED'}`)
  const odd = samples.filter((s) => s.events !== 1)
  if (odd.length) console.log(`  (!) ${odd.length} drill(s) recorded other than exactly one event`)
} catch (err) {
  failed = true
  console.error(`bench failed: ${(err as Error).stack ?? err}`)
  const srv = server as ServerProcess | null
  if (srv) console.error(`--- server output (last lines) ---\n${srv.log().split('\n').slice(-30).join('\n')}`)
  for (const agent of (drill as Drill | null)?.agents ?? []) console.error(`--- agent ${agent.name} (last lines) ---\n${agent.output.split('\n').slice(-10).join('\n')}`)
} finally {
  await cleanup()
}
process.exit(failed ? 1 : 0)
