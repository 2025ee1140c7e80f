// `bun run bench:batch`: what the heartbeat batch statement costs PostgreSQL,
// apart from the HTTP path. bench:load measures the whole server, but on two
// shared cores its figures move by half from one hour to the next; this one
// runs the statement alone, whole rows and light rows in turn, so the two can
// be compared within one run.
//
// In a database of its own beside BENCH_DATABASE_URL's (default: the local
// PostgreSQL), BENCH_MEMBERS members (default 5,000) shaped like enrolled
// ones are each written whole once; then rounds of BENCH_ROWS heartbeats
// (default 20,000), in batches of BENCH_BATCH (default 64) with two in flight
// as the server sends them, alternate between:
//   whole: every row carries the member's inventory;
//   light: the inventory is the one stored, so rows carry their figures only.
// Prints, per heartbeat: the database backends' CPU, this process's CPU to
// build and send the batches, and the wall time.
import { sql } from 'drizzle-orm'
import { openPostgres } from '../db'
import { rowsOf } from '../db/affected'
import { databaseOfItsOwn } from '../testing/backup-fleet'
import { cpuSeconds } from '../testing/drill'
import { sampleHeartbeat } from '../testing/heartbeat-fixture'
import { batchWriter, beatRow } from './heartbeat-batch'
import type { HeartbeatBody } from './schema'
import { storedBeat } from './service'

const BASE = process.env.BENCH_DATABASE_URL ?? 'postgres://postgres@127.0.0.1:5432/postgres'
const MEMBERS = Math.max(1, Number(process.env.BENCH_MEMBERS) || 5000)
const ROWS = Math.max(1, Number(process.env.BENCH_ROWS) || 20_000)
const BATCH = Math.max(1, Number(process.env.BENCH_BATCH) || 64)
const ROUNDS = 3
const LANES = 2

async function main() {
  const own = await databaseOfItsOwn(BASE, `bench_batch_${process.pid}`)
  const { db, close } = await openPostgres(own.env.DATABASE_URL!)
  try {
    await db.execute(sql`insert into pools (id, name, preset) values ('bench', 'Bench', 'generic')`)
    await db.execute(sql`
      insert into members (id, pool_id, name, hostname, egress_ips, token_hash, enrolled_at)
      select 'member-' || g, 'bench', 'load-' || g, 'load-' || g || '.bench.example', '["127.0.0.1"]', md5(g::text) || md5((-g)::text), now()
      from generate_series(1, ${MEMBERS}) g`)
    const write = batchWriter(db, false)
    const backends = async () => rowsOf<{ pid: number }>(await db.execute(sql`select pid from pg_stat_activity where datname = current_database()`)).map((r) => r.pid)
    const databaseCpu = async () => (await backends()).reduce((n, pid) => n + cpuSeconds(pid), 0)
    const bodies = Array.from({ length: MEMBERS }, (_, i) => sampleHeartbeat({ hostname: `load-${i + 1}.bench.example` }) as HeartbeatBody)
    const row = (i: number, whole: boolean) => beatRow(storedBeat(`member-${i + 1}`, bodies[i]!, '127.0.0.1', new Date()), whole)

    for (let i = 0; i < MEMBERS; i += BATCH) await write(Array.from({ length: Math.min(BATCH, MEMBERS - i) }, (_, k) => row(i + k, true)))
    console.log(`PostgreSQL, ${MEMBERS.toLocaleString()} members, batches of ${BATCH}, ${LANES} in flight, ${ROWS.toLocaleString()} heartbeats a round`)

    let next = 0
    const round = async (whole: boolean) => {
      const db0 = await databaseCpu()
      const js0 = process.cpuUsage()
      const t0 = performance.now()
      let sent = 0
      await Promise.all(Array.from({ length: LANES }, async () => {
        while (sent < ROWS) {
          const rows = Array.from({ length: BATCH }, () => row((next = (next + 1) % MEMBERS), whole))
          sent += rows.length
          await write(rows)
        }
      }))
      const js = process.cpuUsage(js0)
      const per = (seconds: number) => `${((seconds * 1e6) / sent).toFixed(1)} µs`
      const label = whole ? 'whole' : 'light'
      console.log(`  ${label}: database ${per((await databaseCpu()) - db0)}, sender ${per((js.user + js.system) / 1e6)}, wall ${per((performance.now() - t0) / 1000)} a heartbeat`)
    }
    for (let r = 0; r < ROUNDS; r++) {
      await round(true)
      await round(false)
    }
  } finally {
    await close()
    await own.drop()
  }
}

await main()
