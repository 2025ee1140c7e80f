// Backups end to end with real parts: the server as its own process, a
// compiled agent on this machine's MariaDB, chunks in the folder backend (and
// in s3rver for one round trip). What an operator relies on: a restore gives
// back the same tables, a second backup sends little, a damaged or missing
// chunk is caught before anything is written, a killed agent resumes.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { readdirSync, readFileSync, statSync, writeFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { mariadbSql, startBackupFleet, tableChecksums, type BackupFleet } from '../testing/backup-fleet'
import { ok, waitFor } from '../testing/drill'
import { describeNeeding, missingMariaDb } from '../testing/needs'

const suffix = `${process.pid}_${Date.now() % 100000}`
const DB = `sctl_drill_${suffix}`
const BIG = `sctl_big_${suffix}`
const made: string[] = []

/** Every chunk file the folder backend holds for the pool. */
function chunkFiles(fleet: BackupFleet): string[] {
  const root = join(fleet.dataDir, 'objects', 'pools', fleet.poolId, 'chunks')
  const out: string[] = []
  const walk = (dir: string) => {
    for (const e of readdirSync(dir, { withFileTypes: true })) e.isDirectory() ? walk(join(dir, e.name)) : out.push(join(dir, e.name))
  }
  try {
    walk(root)
  } catch {}
  return out
}

async function databaseExists(name: string) {
  return (await mariadbSql(`select count(*) from information_schema.schemata where schema_name = '${name}'`))[0]![0] === '1'
}

/** A database with a few tables of real rows, hex text that compresses about as a real dump does: about 330 bytes of dump a row. */
async function makeDatabase(name: string, rows: number) {
  made.push(name)
  await mariadbSql(`drop database if exists ${name}; create database ${name}`)
  await mariadbSql(
    `create table customers (id int primary key, name varchar(64), email varchar(128), note text) engine=innodb;
     create table orders (id int primary key auto_increment, customer int, total decimal(10,2), placed datetime, key(customer)) engine=innodb;
     create table settings (k varchar(32) primary key, v text) engine=myisam;
     insert into customers select seq, concat('Customer ', seq), concat('c', seq, '@example.com'), concat_ws(' ', sha2(seq, 512), sha2(seq * 7, 512)) from seq_1_to_${rows};
     insert into orders (customer, total, placed) select seq % 97 + 1, seq * 3.7, '2026-01-01' + interval seq minute from seq_1_to_${rows};
     insert into settings values ('currency', 'EUR'), ('tz', 'UTC');
     create view big_orders as select * from orders where total > 100;
     create procedure count_orders() select count(*) from orders;`,
    name,
  )
}

describeNeeding(missingMariaDb())('backups with a real agent and MariaDB (folder storage)', () => {
  let fleet: BackupFleet
  let member: string
  let firstSnapshot: any
  /** The chunk files the first backup stored (the pool held nothing before it). */
  let firstChunks: string[] = []

  beforeAll(async () => {
    await makeDatabase(DB, 40_000)
    fleet = await startBackupFleet()
    member = fleet.agents[0]!.id
  }, 90_000)

  afterAll(async () => {
    await fleet?.cleanup()
    for (const name of made) await mariadbSql(`drop database if exists ${name}`).catch(() => {})
  })

  test(
    'a database backed up and restored under a new name has every table with the same checksum',
    async () => {
      const job = await fleet.runJob(member, 'backup.database', { database: DB })
      expect(job.status, job.error ?? job.output).toBe('succeeded')
      firstSnapshot = ok(await fleet.api('GET', `/api/v1/snapshots/${job.result.snapshotId}`), 'snapshot')
      expect(firstSnapshot).toMatchObject({ memberId: member, kind: 'database', source: DB })
      expect(firstSnapshot.sizeBytes).toBeGreaterThan(100_000)
      firstChunks = chunkFiles(fleet).sort()
      expect(firstChunks.length).toBe(firstSnapshot.chunkCount)

      const listed = ok(await fleet.api('GET', `/api/v1/members/${member}/snapshots`), 'list')
      expect(listed.map((s: any) => s.id)).toContain(firstSnapshot.id)

      const target = `${DB}_restored`
      made.push(target)
      const restore = ok(await fleet.api('POST', `/api/v1/snapshots/${firstSnapshot.id}/restore`, { memberId: member, database: target }), 'restore')
      const done = await fleet.waitJob(restore.id)
      expect(done.status, done.error ?? done.output).toBe('succeeded')
      expect(await tableChecksums(target)).toEqual(await tableChecksums(DB))
      // Routines and views come back too.
      expect(await mariadbSql(`select count(*) from big_orders`, target)).toEqual(await mariadbSql(`select count(*) from big_orders`, DB))
      expect((await mariadbSql(`select count(*) from information_schema.routines where routine_schema = '${target}'`))[0]![0]).toBe('1')
    },
    120_000,
  )

  test(
    'no stored object reads as zstd or gzip, and none names its content',
    () => {
      const files = chunkFiles(fleet)
      expect(files.length).toBeGreaterThan(0)
      for (const file of files) {
        const bytes = readFileSync(file)
        expect(bytes.subarray(0, 4).toString('hex')).not.toBe('28b52ffd')
        expect(bytes.subarray(0, 2).toString('hex')).not.toBe('1f8b')
        expect(() => Bun.zstdDecompressSync(bytes)).toThrow()
        expect(bytes.includes(Buffer.from('INSERT INTO'))).toBe(false)
        expect(file.split('/').pop()).toMatch(/^[0-9a-f]{64}$/)
      }
    },
    10_000,
  )

  test(
    'a second backup after 1 % of rows change uploads a small fraction of the first',
    async () => {
      await mariadbSql(`update customers set note = concat_ws(' ', sha2(id + 1, 512), sha2(id * 3, 512)) where id > 39600`, DB)
      const job = await fleet.runJob(member, 'backup.database', { database: DB })
      expect(job.status, job.error ?? job.output).toBe('succeeded')
      const second = ok(await fleet.api('GET', `/api/v1/snapshots/${job.result.snapshotId}`), 'snapshot')
      expect(second.uploadedBytes).toBeLessThan(firstSnapshot.uploadedBytes * 0.3)
      expect(second.uploadedBytes).toBeGreaterThan(0)
    },
    120_000,
  )

  /** Damages one of the first snapshot's chunks, then checks verify fails and a restore writes nothing. */
  async function expectCaught(damage: (file: string) => void, victim: string, why: RegExp) {
    const original = readFileSync(victim)
    damage(victim)
    try {
      const verify = await fleet.waitJob(ok(await fleet.api('POST', `/api/v1/snapshots/${firstSnapshot.id}/verify`, {}), 'verify').id)
      expect(verify.status).toBe('failed')
      expect(verify.error ?? '').toMatch(why)
      const after = ok(await fleet.api('GET', `/api/v1/snapshots/${firstSnapshot.id}`), 'snapshot')
      expect(after.verifyFailedAt).toBeTruthy()

      const target = `${DB}_damaged`
      made.push(target)
      const restore = ok(await fleet.api('POST', `/api/v1/snapshots/${firstSnapshot.id}/restore`, { memberId: member, database: target }), 'restore')
      const refused = await fleet.waitJob(restore.id)
      expect(refused.status).toBe('failed')
      expect(refused.error ?? '').toMatch(why)
      expect(await databaseExists(target)).toBe(false)
    } finally {
      writeFileSync(victim, original)
    }
  }

  test(
    'one flipped byte in one stored chunk: verify fails and a restore refuses before writing',
    () =>
      expectCaught(
        (file) => {
          const bytes = readFileSync(file)
          bytes[bytes.length >> 1]! ^= 0x01
          writeFileSync(file, bytes)
        },
        firstChunks[0]!,
        /chunk/i,
      ),
    120_000,
  )

  test(
    'a missing chunk: verify fails and a restore refuses before writing',
    () => expectCaught((file) => rmSync(file), firstChunks[firstChunks.length - 1]!, /missing|not found|404/i),
    120_000,
  )

  test(
    'an agent killed mid-upload and started again finishes the backup without sending the stored chunks again',
    async () => {
      // About 60 MB of dump that shares nothing with the first database.
      await makeDatabase(BIG, 180_000)
      const before = new Set(chunkFiles(fleet))
      const agent = fleet.agents[0]!
      const queued = ok(await fleet.api('POST', `/api/v1/members/${member}/jobs`, { name: 'backup.database', params: { database: BIG } }), 'queue')
      const storedBeforeKill = await waitFor(() => {
        const fresh = chunkFiles(fleet).filter((f) => !before.has(f))
        return fresh.length >= 8 ? fresh : null
      }, 60_000, 'eight new chunks stored')
      await agent.stop('SIGKILL')
      const keptBytes = storedBeforeKill.reduce((sum, f) => sum + statSync(f).size, 0)
      agent.start()
      const job = await fleet.waitJob(queued.id, 180_000)
      expect(job.status, job.error ?? job.output).toBe('succeeded')
      expect(job.attempts ?? 2).toBeGreaterThanOrEqual(1)
      const snap = ok(await fleet.api('GET', `/api/v1/snapshots/${job.result.snapshotId}`), 'snapshot')
      // What the second run sent plus what the first had stored is the whole: nothing twice.
      expect(snap.uploadedBytes).toBeLessThanOrEqual(snap.storedBytes - keptBytes + 1)
      expect(await tableChecksums(BIG)).toBeTruthy()
    },
    240_000,
  )
})

describeNeeding(missingMariaDb())('backups through S3 (s3rver)', () => {
  const db = `sctl_s3_${suffix}`
  let fleet: BackupFleet

  beforeAll(async () => {
    await makeDatabase(db, 500)
    fleet = await startBackupFleet({ s3: true })
  }, 90_000)

  afterAll(async () => {
    await fleet?.cleanup()
    await mariadbSql(`drop database if exists ${db}; drop database if exists ${db}_back`).catch(() => {})
  })

  test(
    'backed up into S3 with presigned links and restored with the same checksums',
    async () => {
      const member = fleet.agents[0]!.id
      const job = await fleet.runJob(member, 'backup.database', { database: db })
      expect(job.status, job.error ?? job.output).toBe('succeeded')
      const restore = ok(await fleet.api('POST', `/api/v1/snapshots/${job.result.snapshotId}/restore`, { memberId: member, database: `${db}_back` }), 'restore')
      const done = await fleet.waitJob(restore.id)
      expect(done.status, done.error ?? done.output).toBe('succeeded')
      expect(await tableChecksums(`${db}_back`)).toEqual(await tableChecksums(db))
    },
    120_000,
  )
})
