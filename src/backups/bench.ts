// `bun run bench:backup`: a generated database (1 GiB of dump by default,
// BENCH_MB to change it) backed up and restored by a real agent through the
// real server into s3rver, then backed up again after 1 % of its rows
// changed. Prints MB/s each way and what the second backup uploaded.
//
// The changed rows are one contiguous 1 % (the newest ids), as most real
// changes are; 1 % of rows scattered evenly would touch every 1 MiB chunk.
// For scale it also times the tools alone, with no serversctl in the way:
// mariadb-dump into nothing, and the mariadb client importing a dump file.
import { rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { mariadbSql, startBackupFleet } from '../testing/backup-fleet'
import { ok } from '../testing/drill'

const TARGET_MB = Number(process.env.BENCH_MB ?? 1024)
const DB = 'serversctl_bench'
const RESTORED = 'serversctl_bench_restored'
/** About what one row adds to the dump, in bytes (see the insert below). */
const ROW_BYTES = 560

const mb = (bytes: number) => bytes / 1e6
const seconds = (job: any) => (Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000

async function generate(rows: number) {
  await mariadbSql(`drop database if exists ${DB}; drop database if exists ${RESTORED}; create database ${DB}`)
  await mariadbSql(
    `create table accounts (id int primary key, account char(32), email varchar(64), note text, amount decimal(12,2), created datetime) engine=innodb`,
    DB,
  )
  // In slices, so one statement does not hold a huge transaction. Hex text
  // in a few columns compresses about as a real dump does (3 to 4 times).
  const slice = 100_000
  for (let from = 1; from <= rows; from += slice) {
    const to = Math.min(rows, from + slice - 1)
    await mariadbSql(
      `insert into accounts select seq, md5(seq), concat('user', seq, '@example.com'), concat_ws(' ', sha2(seq, 512), md5(seq), 'order placed through the web shop', sha2(seq * 7, 512), 'status shipped', sha2(seq * 13, 512)), seq * 1.01, '2026-01-01' + interval seq second from seq_${from}_to_${to}`,
      DB,
    )
  }
}

/** Seconds a shell pipeline takes. */
async function timed(script: string): Promise<number> {
  const t = performance.now()
  const proc = Bun.spawn(['sh', '-c', script], { stdout: 'ignore', stderr: 'pipe' })
  const [code, err] = await Promise.all([proc.exited, new Response(proc.stderr).text()])
  if (code !== 0) throw new Error(`${script}: ${err}`)
  return (performance.now() - t) / 1000
}

/** mariadb-dump alone, CHECKSUM TABLE (which a backup records first), and the mariadb client importing the dump, for scale. */
async function toolsAlone(): Promise<{ dump: number; checksum: number; importing: number }> {
  const file = join(tmpdir(), `serversctl-bench-${process.pid}.sql`)
  const options = '--single-transaction --routines --triggers --events --skip-dump-date --hex-blob'
  try {
    const dump = await timed(`mariadb-dump ${options} ${DB} > /dev/null`)
    const checksum = await timed(`mariadb -e 'checksum table ${DB}.accounts'`)
    await timed(`mariadb-dump ${options} ${DB} > ${file}`)
    await mariadbSql(`create database ${RESTORED}`)
    const importing = await timed(`mariadb ${RESTORED} < ${file}`)
    await mariadbSql(`drop database ${RESTORED}`)
    return { dump, checksum, importing }
  } finally {
    rmSync(file, { force: true })
  }
}

async function main() {
  const rows = Math.round((TARGET_MB * 1024 * 1024) / ROW_BYTES)
  console.log(`generating ${rows.toLocaleString()} rows (about ${TARGET_MB} MiB of dump)...`)
  let t = performance.now()
  await generate(rows)
  console.log(`generated in ${((performance.now() - t) / 1000).toFixed(1)} s`)
  const alone = await toolsAlone()

  const fleet = await startBackupFleet({ s3: true })
  try {
    const member = fleet.agents[0]!.id
    const limit = 3_600_000
    const first = await fleet.runJob(member, 'backup.database', { database: DB }, limit)
    if (first.status !== 'succeeded') throw new Error(`backup ${first.status}: ${first.error}\n${first.output}`)
    const snap1 = ok(await fleet.api('GET', `/api/v1/snapshots/${first.result.snapshotId}`), 'snapshot')

    const restoreJob = ok(await fleet.api('POST', `/api/v1/snapshots/${snap1.id}/restore`, { memberId: member, database: RESTORED }), 'restore')
    const restored = await fleet.waitJob(restoreJob.id, limit)
    if (restored.status !== 'succeeded') throw new Error(`restore ${restored.status}: ${restored.error}`)

    t = performance.now()
    await mariadbSql(`update accounts set note = concat_ws(' ', sha2(id + 1, 512), md5(id), 'order changed by support', sha2(id * 3, 512), 'status returned', sha2(id * 5, 512)) where id > ${Math.floor(rows * 0.99)}`, DB)
    const second = await fleet.runJob(member, 'backup.database', { database: DB }, limit)
    if (second.status !== 'succeeded') throw new Error(`second backup ${second.status}: ${second.error}`)
    const snap2 = ok(await fleet.api('GET', `/api/v1/snapshots/${second.result.snapshotId}`), 'snapshot')

    const lines = [
      `dump size            ${mb(snap1.sizeBytes).toFixed(0)} MB (${snap1.chunkCount} chunks), stored ${mb(snap1.storedBytes).toFixed(0)} MB`,
      `backup               ${seconds(first).toFixed(1)} s, ${(mb(snap1.sizeBytes) / seconds(first)).toFixed(1)} MB/s`,
      `restore              ${seconds(restored).toFixed(1)} s, ${(mb(snap1.sizeBytes) / seconds(restored)).toFixed(1)} MB/s`,
      `tools alone          mariadb-dump ${alone.dump.toFixed(1)} s (${(mb(snap1.sizeBytes) / alone.dump).toFixed(1)} MB/s), checksum table ${alone.checksum.toFixed(1)} s, import ${alone.importing.toFixed(1)} s (${(mb(snap1.sizeBytes) / alone.importing).toFixed(1)} MB/s)`,
      `second backup (1 %)  ${seconds(second).toFixed(1)} s, uploaded ${mb(snap2.uploadedBytes).toFixed(1)} MB = ${((100 * snap2.uploadedBytes) / snap1.uploadedBytes).toFixed(2)} % of the first`,
    ]
    console.log(lines.join('\n'))
  } finally {
    await fleet.cleanup()
    await mariadbSql(`drop database if exists ${DB}; drop database if exists ${RESTORED}`)
  }
}

await main()
