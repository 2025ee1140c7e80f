// `bun run bench:overview`: a pool of 1,000 members with a day of history,
// then the server's render time (p50/p95 of wall time, and the mean CPU time
// a render costs) and size of the pool Overview (and of what it fetches: its
// poll, "Show more", a map cluster's members) and of a member's Control
// panel. BENCH_MEMBERS=10000 for a big fleet. Each page is rendered a few times first, so
// the figures are of a warm server, not of the JIT compiling the views. The
// database is the embedded one as `bun run start` opens it: on disk, durable.
// BENCH_HISTORY_HOURS (default 24) shrinks the history seeded per member: at
// 10,000 members a day of it is 14.4M points and some 5 minutes of seeding,
// which only the Control panel's charts read (0 leaves them empty).
import { availableParallelism, loadavg } from 'node:os'
import { sql } from 'drizzle-orm'
import { members } from '../db/schema'
import { testServer } from '../testing/harness'
import { sampleHeartbeat } from '../testing/heartbeat-fixture'
import { summarize } from '../members/summary'
import { maintainEmbedded } from '../db/maintenance'
import { rowsOf } from '../db/affected'

const MEMBERS = Number(process.env.BENCH_MEMBERS) || 1000
const RUNS = Number(process.env.BENCH_RUNS) || 100
const WARMUP = 5
const HISTORY_MINUTES = Math.round(60 * (process.env.BENCH_HISTORY_HOURS === undefined ? 24 : Number(process.env.BENCH_HISTORY_HOURS)))

const s = await testServer({ onDisk: true })
const t0 = performance.now()
const poolId = (await s.api('POST', '/api/v1/pools', { name: 'Bench fleet', preset: 'generic' })).json.id
const heartbeat = sampleHeartbeat()
const { hostname: _h, agentVersion, os, stacks, apps, ...hostState } = heartbeat
const now = Date.now()
const rows = Array.from({ length: MEMBERS }, (_, i) => ({
  id: `mem_bench${String(i).padStart(5, '0')}`,
  poolId,
  name: `web-${i + 1}`,
  hostname: `web-${i + 1}.example.com`,
  egressIps: [`10.${(i >> 8) & 255}.${i & 255}.1`],
  publicIpv4: `192.0.${(i >> 8) & 255}.${i & 255}`,
  agentVersion,
  os,
  stacks,
  apps,
  hostState,
  // What the heartbeat route writes beside the full state, and what lists read.
  summary: i % 50 === 0 ? {} : summarize(heartbeat),
  // A realistic mix: most healthy, some late, a few down or never enrolled.
  lastHeartbeatAt: i % 50 === 0 ? null : new Date(now - (i % 40 === 0 ? 120_000 : i % 17 === 0 ? 20_000 : 3_000)),
  healthySince: new Date(now - 86_400_000),
  location: i % 5 === 0 ? { lat: ((i * 37) % 120) - 50, lon: ((i * 71) % 340) - 170, label: `site ${i % 23}` } : null,
}))
for (let i = 0; i < rows.length; i += 500) await s.db.insert(members).values(rows.slice(i, i + 500))
// A day of one-a-minute history for every member, made by the database itself.
if (HISTORY_MINUTES > 0)
  await s.db.execute(sql`
  insert into member_metrics (member_id, minute, cpu_percent, mem_used_bytes, mem_total_bytes, disk_used_bytes, disk_total_bytes, load1)
  select m.id, date_trunc('minute', now()) - (g * interval '1 minute'), (g % 97)::real, 2147483648, 4294967296, 21474836480, 85899345920, ((g % 13) / 10.0)::real
  from members m cross join generate_series(0, ${HISTORY_MINUTES - 1}::int) g`)
const n = rowsOf<{ n: number }>(await s.db.execute(sql`select count(*)::int as n from member_metrics`))[0]!.n
console.log(`seeded ${MEMBERS} members and ${n} history points in ${((performance.now() - t0) / 1000).toFixed(1)} s`)
// A running server's db.maintain tick has vacuumed and analysed within ten
// minutes: the planner knows the fleet's size, as it does in use.
const maintained = await maintainEmbedded(s.db)
if (maintained) console.log(`maintenance pass (db.maintain): ${maintained.ms} ms, longest ${maintained.slowest?.table} ${maintained.slowest?.ms} ms; again at once: ${(await maintainEmbedded(s.db))?.ms} ms`)

const b = await s.browser().signIn()
async function measure(label: string, path: string) {
  const times: number[] = []
  let size = 0
  for (let i = 0; i < WARMUP; i++) await b.get(path)
  const cpu0 = process.cpuUsage()
  for (let i = 0; i < RUNS; i++) {
    const start = performance.now()
    const res = await b.get(path)
    times.push(performance.now() - start)
    size = Buffer.byteLength(res.text)
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}`)
  }
  const cpu = process.cpuUsage(cpu0)
  // CPU time (all the server's threads, GC included) per render: what the
  // server spends, whatever else the machine is doing.
  const cpuMs = ((cpu.user + cpu.system) / 1000 / RUNS).toFixed(1)
  times.sort((x, y) => x - y)
  const q = (p: number) => times[Math.min(times.length - 1, Math.floor(p * times.length))]!.toFixed(1)
  // Wall time: on a busy machine it includes waiting for a CPU, so say how busy.
  const load = `load ${loadavg()[0]!.toFixed(1)} on ${availableParallelism()} CPUs`
  console.log(`${label.padEnd(34)} p50 ${q(0.5)} ms   p95 ${q(0.95)} ms   CPU ${cpuMs} ms   ${(size / 1024).toFixed(0)} KiB   (${RUNS} renders, ${load})`)
}
await measure(`pool Overview (${MEMBERS} members)`, `/pools/${poolId}`)
await measure('pool Overview tiles poll', `/pools/${poolId}/tiles`)
// What the page fetches on demand: the next page of tiles, and the members of the map's biggest cluster.
await measure('Overview "Show more" (page 2)', `/pools/${poolId}/tiles?page=2&part=more&first=1`)
const page = (await b.get(`/pools/${poolId}`)).text
const clusters = [...page.matchAll(/<a class="wm-cluster[^"]*" href="([^"]+)"[^>]*data-count="(\d+)"/g)].map((m) => ({ href: m[1]!, n: Number(m[2]) }))
console.log(`map: ${clusters.length} clusters, ${[...page.matchAll(/class="wm-point /g)].length} single members`)
const biggest = clusters.sort((x, y) => y.n - x.n)[0]
if (biggest) await measure(`map cluster's members (${biggest.n})`, biggest.href)
await measure('member Control panel (24 h charts)', `/pools/${poolId}/members/${rows[1]!.id}`)
console.log('goal: p95 under 50 ms, Overview under 300 KiB')
await s.close()
process.exit(0)
