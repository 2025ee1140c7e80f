import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { lstatSync, mkdirSync, mkdtempSync, readFileSync, readlinkSync, rmSync, symlinkSync, writeFileSync, chownSync, existsSync, readdirSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describeNeeding, missingMariaDb, testNeeding } from '../../../src/testing/needs'
import { fakeBackupServer, type FakeBackupServer } from '../../backup/fake-server'
import { readFrom } from '../../backup/process'
import { backupStream } from '../../backup/upload'
import { catalogue } from '../catalogue'
import { backupConfig, backupDatabase, backupFiles, type BackupResult } from './backups'
import { drill, mismatchedTables, restoreDatabase, restoreFiles, verifySnapshotJob } from './backups-restore'
import { openSession } from './backups-shared'
import { fakeContext } from './test-context'

let fake: FakeBackupServer
let jobs = 0
beforeAll(() => void (fake = fakeBackupServer()))
afterAll(() => fake.stop())

/** A job as the runner would give it, talking to the fake server. */
function job(name: string, params: Record<string, any>, opts: { root?: string; snapshotId?: string } = {}) {
  const jobId = `job_${process.pid}_${++jobs}`
  if (opts.snapshotId) fake.assign(jobId, opts.snapshotId)
  return fakeContext({ name, params, jobId, root: opts.root ?? '/', server: fake.url, fetch, agentCall: fake.agentCall })
}

const finalResult = <T>(f: ReturnType<typeof fakeContext>) => f.results.at(-1) as T
const flipByte = (id: string) => void (fake.objects.get(id)![40]! ^= 1)

describe('the catalogue entries', () => {
  test('timeouts, repeat safety and confirmation', () => {
    for (const n of ['backup.database', 'backup.files', 'backup.config', 'restore.database', 'restore.files', 'snapshot.drill'] as const) expect(catalogue[n].timeoutSeconds).toBe(21600)
    expect(catalogue['snapshot.verify'].timeoutSeconds).toBe(10800)
    expect(['backup.database', 'backup.files', 'backup.config', 'snapshot.verify', 'snapshot.drill'].every((n) => catalogue[n as 'backup.files'].safeToRepeat)).toBe(true)
    expect(catalogue['restore.database'].safeToRepeat || catalogue['restore.files'].safeToRepeat).toBe(false)
    expect(catalogue['restore.database'].confirm).toBe(true)
    expect(catalogue['restore.database'].steps({ replace: true })).toContain('Import into a scratch database')
  })

  test('drill comparison: a changed, a missing and an extra table', () => {
    expect(mismatchedTables({ a: '1', b: '2', c: null }, { a: '1', b: '3', c: null })).toEqual(['b'])
    expect(mismatchedTables({ a: '1', b: '2' }, { a: '1', x: '9' })).toEqual(['b', 'x'])
  })
})

describe('a source that fails never becomes a snapshot', () => {
  test('a dump that exits non-zero halfway', async () => {
    const s = await openSession(job('backup.database', {}).ctx)
    const before = fake.snapshots.size
    const failing = readFrom(['sh', '-c', 'head -c 3000000 /dev/urandom; echo "Got error: 2013: Lost connection" >&2; exit 2'], { signal: new AbortController().signal, onStderr: () => {} })
    await expect(backupStream(s.api, s.keys, failing, { kind: 'database', source: 'x', tables: {} })).rejects.toThrow('sh exited with code 2: Got error: 2013: Lost connection')
    expect(fake.snapshots.size).toBe(before)
  })
})

const asRoot = process.getuid?.() === 0

describe('files and configuration', () => {
  let dir: string
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'serversctl-files-'))
    mkdirSync(join(dir, 'site/uploads'), { recursive: true, mode: 0o750 })
    writeFileSync(join(dir, 'site/index.php'), '<?php echo 1;\n', { mode: 0o640 })
    writeFileSync(join(dir, 'site/uploads/big.bin'), new Uint8Array(3_000_000).map((_, i) => (i * 7919) % 251))
    symlinkSync('index.php', join(dir, 'site/home.php'))
    if (asRoot) chownSync(join(dir, 'site/index.php'), 1234, 2345)
  })
  afterAll(() => rmSync(dir, { recursive: true, force: true }))

  test('backup.files then restore.files: contents, modes, symlinks and owners kept', async () => {
    const b = job('backup.files', { path: '/site' }, { root: dir })
    await backupFiles(b.ctx)
    const { snapshotId, sizeBytes } = finalResult<BackupResult>(b)
    expect(fake.snapshots.get(snapshotId)).toMatchObject({ kind: 'files', source: '/site', tables: null, sizeBytes })

    const r = job('restore.files', { snapshotId, path: '/restored/site' }, { root: dir, snapshotId })
    await restoreFiles(r.ctx)
    const out = join(dir, 'restored/site')
    expect(readFileSync(join(out, 'index.php'), 'utf8')).toBe('<?php echo 1;\n')
    expect(readFileSync(join(out, 'uploads/big.bin'))).toEqual(readFileSync(join(dir, 'site/uploads/big.bin')))
    expect(lstatSync(join(out, 'index.php')).mode & 0o777).toBe(0o640)
    expect(lstatSync(join(out, 'uploads')).mode & 0o777).toBe(0o750)
    expect(readlinkSync(join(out, 'home.php'))).toBe('index.php')
    if (asRoot) expect([lstatSync(join(out, 'index.php')).uid, lstatSync(join(out, 'index.php')).gid]).toEqual([1234, 2345])
    expect(readdirSync(join(dir, 'restored'))).toEqual(['site']) // no staging folder left
    expect(r.steps).toEqual([0, 1, 2])
  })

  test('restore.files refuses a non-empty target and restores into an empty one', async () => {
    const b = job('backup.files', { path: '/site' }, { root: dir })
    await backupFiles(b.ctx)
    const { snapshotId } = finalResult<BackupResult>(b)
    await expect(restoreFiles(job('restore.files', { snapshotId, path: '/site' }, { root: dir, snapshotId }).ctx)).rejects.toThrow('/site exists and is not empty')
    mkdirSync(join(dir, 'empty'))
    await restoreFiles(job('restore.files', { snapshotId, path: '/empty' }, { root: dir, snapshotId }).ctx)
    expect(existsSync(join(dir, 'empty/index.php'))).toBe(true)
  })

  test('a damaged chunk: restore.files refuses before extracting anything; verify fails and says so', async () => {
    const b = job('backup.files', { path: '/site' }, { root: dir })
    await backupFiles(b.ctx)
    const { snapshotId } = finalResult<BackupResult>(b)
    const m = fake.snapshots.get(snapshotId)!
    const id = m.chunks[0]!.id
    const saved = new Uint8Array(fake.objects.get(id)!)
    flipByte(id)
    try {
      await expect(restoreFiles(job('restore.files', { snapshotId, path: '/damaged' }, { root: dir, snapshotId }).ctx)).rejects.toThrow(/Refusing to restore .*chunk 1 of \d+ .* is damaged/)
      expect(readdirSync(dir).filter((n) => n.startsWith('damaged'))).toEqual([])
      const v = job('snapshot.verify', { snapshotId }, { snapshotId })
      await expect(verifySnapshotJob(v.ctx)).rejects.toThrow(/failed verification/)
      expect(fake.outcomes.at(-1)).toMatchObject({ jobId: v.ctx.jobId, outcome: { verify: { ok: false } } })
    } finally {
      fake.objects.set(id, saved)
    }
    const v = job('snapshot.verify', { snapshotId }, { snapshotId })
    await verifySnapshotJob(v.ctx)
    expect(fake.outcomes.at(-1)).toEqual({ jobId: v.ctx.jobId, outcome: { verify: { ok: true } } })
  })

  test('backup.files refuses a path that is missing or not a directory', async () => {
    await expect(backupFiles(job('backup.files', { path: '/nope' }, { root: dir }).ctx)).rejects.toThrow('/nope does not exist.')
    await expect(backupFiles(job('backup.files', { path: '/site/index.php' }, { root: dir }).ctx)).rejects.toThrow('is not a directory')
    await expect(backupFiles(job('backup.files', { path: '../etc' }, { root: dir }).ctx)).rejects.toThrow('Refusing the path')
  })

  test('backup.config archives the configuration that exists', async () => {
    const root = mkdtempSync(join(tmpdir(), 'serversctl-config-'))
    try {
      mkdirSync(join(root, 'etc/ufw'), { recursive: true })
      writeFileSync(join(root, 'etc/ufw/user.rules'), '# rules\n')
      writeFileSync(join(root, 'etc/my.cnf'), '[mysqld]\n')
      const b = job('backup.config', {}, { root })
      await backupConfig(b.ctx)
      const { snapshotId } = finalResult<BackupResult>(b)
      expect(fake.snapshots.get(snapshotId)).toMatchObject({ kind: 'config', source: 'config' })
      await restoreFiles(job('restore.files', { snapshotId, path: '/out' }, { root, snapshotId }).ctx)
      expect(readFileSync(join(root, 'out/etc/ufw/user.rules'), 'utf8')).toBe('# rules\n')
      expect(readFileSync(join(root, 'out/etc/my.cnf'), 'utf8')).toBe('[mysqld]\n')
      await expect(backupConfig(job('backup.config', {}, { root: join(root, 'out/etc/ufw') }).ctx)).rejects.toThrow('None of /etc/ufw')
    } finally {
      rmSync(root, { recursive: true, force: true })
    }
  })
})

// The real MariaDB: root over its socket, as the agent runs on a member.
const noMariaDb = missingMariaDb()
const sql = (text: string, db?: string) => {
  const p = Bun.spawnSync(['mariadb', '-N', '-B', ...(db ? [db] : []), '-e', text])
  if (p.exitCode !== 0) throw new Error(p.stderr.toString())
  return p.stdout.toString().trim()
}
const exists = (db: string) => sql(`select count(*) from information_schema.schemata where schema_name = '${db}'`) === '1'
const checksums = (db: string) => {
  const tables = sql(`select table_name from information_schema.tables where table_schema = '${db}' and table_type = 'BASE TABLE' order by 1`).split('\n')
  return Object.fromEntries(tables.map((t) => [t, sql(`checksum table \`${db}\`.\`${t}\``).split('\t')[1]]))
}

describeNeeding(noMariaDb)('databases, against the local MariaDB', () => {
  const tag = `${process.pid}_${Date.now() % 100000}`
  const source = `serversctl_t_${tag}`
  const made: string[] = [source]
  let snapshotId = ''
  const newName = (what: string) => {
    const name = `serversctl_t_${tag}_${what}`
    made.push(name)
    return name
  }

  beforeAll(() => {
    sql(`create database ${source}`)
    sql(
      `create table users (id int primary key auto_increment, name varchar(64) not null, email varchar(128), created datetime, photo blob, key (email)) engine=InnoDB;
       insert into users (name, email, created, photo) select concat('user ', seq), concat('u', seq, '@example.com'), '2026-01-01' + interval seq minute, unhex(sha2(seq, 256)) from seq_1_to_30000;
       create table orders (id int primary key auto_increment, user_id int not null, total decimal(10,2), note text, foreign key (user_id) references users(id)) engine=InnoDB;
       insert into orders (user_id, total, note) select 1 + seq % 30000, seq * 1.25, repeat(md5(seq), 4) from seq_1_to_20000;
       create table log (id int primary key auto_increment, msg varchar(200)) engine=Aria;
       insert into log (msg) values ('first'), ('sécond ☃');
       create view big_orders as select id, total from orders where total > 100;
       create trigger users_bi before insert on users for each row set new.email = lower(new.email);
       create procedure count_users() select count(*) from users;`,
      source,
    )
  })
  afterAll(() => {
    for (const db of made) sql(`drop database if exists \`${db}\``)
  })

  test('backup.database records every table checksum and streams the dump; a second backup uploads nothing', async () => {
    const b = job('backup.database', { database: source })
    await backupDatabase(b.ctx)
    const result = finalResult<BackupResult>(b)
    snapshotId = result.snapshotId
    const m = fake.snapshots.get(snapshotId)!
    expect(m).toMatchObject({ kind: 'database', source, sizeBytes: result.sizeBytes })
    expect(m.tables).toEqual(checksums(source))
    expect(Object.keys(m.tables!).sort()).toEqual(['log', 'orders', 'users'])
    expect(result.sizeBytes).toBeGreaterThan(3_000_000)
    expect(result.uploadedBytes).toBeGreaterThan(0)
    expect(b.steps).toEqual([0, 1])

    const again = job('backup.database', { database: source })
    await backupDatabase(again.ctx)
    expect(finalResult<BackupResult>(again)).toMatchObject({ uploadedBytes: 0, chunksUploaded: 0, sizeBytes: result.sizeBytes })
  }, 60_000)

  test('restore.database under a new name: every table checksum equal, routines, triggers and views there', async () => {
    const target = newName('copy')
    const r = job('restore.database', { snapshotId, database: target }, { snapshotId })
    await restoreDatabase(r.ctx)
    expect(checksums(target) as Record<string, string | null>).toEqual(fake.snapshots.get(snapshotId)!.tables!)
    expect(sql('select count(*) from big_orders', target)).toBe(sql('select count(*) from big_orders', source))
    expect(sql(`select count(*) from information_schema.triggers where trigger_schema = '${target}'`)).toBe('1')
    expect(sql('call count_users()', target)).toBe('30000')
    expect(finalResult(r)).toMatchObject({ snapshotId, database: target, replaced: false })
  }, 60_000)

  test('restore.database refuses an existing database unless replacing, and replacing goes through a scratch import', async () => {
    const target = newName('existing')
    sql(`create database ${target}`)
    sql('create table old (id int)', target)
    await expect(restoreDatabase(job('restore.database', { snapshotId, database: target }, { snapshotId }).ctx)).rejects.toThrow(`The database ${target} exists already`)
    const r = job('restore.database', { snapshotId, database: target, replace: true }, { snapshotId })
    await restoreDatabase(r.ctx)
    expect(checksums(target) as Record<string, string | null>).toEqual(fake.snapshots.get(snapshotId)!.tables!)
    expect(r.logs.join('\n')).toContain('imported into serversctl_restore_')
    expect(sql("select count(*) from information_schema.schemata where schema_name like 'serversctl\\_restore\\_%'")).toBe('0')
    expect(r.steps).toEqual([0, 1, 2])
  }, 60_000)

  test('a flipped byte in one stored chunk: restore refuses before creating the database', async () => {
    const m = fake.snapshots.get(snapshotId)!
    const id = m.chunks.at(-1)!.id
    const saved = new Uint8Array(fake.objects.get(id)!)
    flipByte(id)
    const target = newName('flipped')
    try {
      await expect(restoreDatabase(job('restore.database', { snapshotId, database: target }, { snapshotId }).ctx)).rejects.toThrow(`chunk ${m.chunks.length} of ${m.chunks.length}`)
      expect(exists(target)).toBe(false)
    } finally {
      fake.objects.set(id, saved)
    }
  }, 60_000)

  test('a missing chunk: restore refuses before creating the database', async () => {
    const m = fake.snapshots.get(snapshotId)!
    const id = m.chunks[0]!.id
    const saved = fake.objects.get(id)!
    fake.objects.delete(id)
    const target = newName('missing')
    try {
      await expect(restoreDatabase(job('restore.database', { snapshotId, database: target }, { snapshotId }).ctx)).rejects.toThrow(/chunk 1 of \d+ \(\w+\) is missing from the store/)
      expect(exists(target)).toBe(false)
    } finally {
      fake.objects.set(id, saved)
    }
  }, 60_000)

  test('drill: passes and drops its scratch database; a tampered checksum in the manifest fails it', async () => {
    const d = job('snapshot.drill', { snapshotId }, { snapshotId })
    await drill(d.ctx)
    expect(fake.outcomes.at(-1)).toEqual({ jobId: d.ctx.jobId, outcome: { drill: { ok: true, tables: 3 } } })
    expect(sql("select count(*) from information_schema.schemata where schema_name like 'serversctl\\_drill\\_%'")).toBe('0')
    expect(d.steps).toEqual([0, 1, 2, 3])

    const m = fake.snapshots.get(snapshotId)!
    const tampered = `${snapshotId}x`
    fake.snapshots.set(tampered, { ...m, id: tampered, tables: { ...m.tables!, orders: '12345' } })
    const bad = job('snapshot.drill', { snapshotId: tampered }, { snapshotId: tampered })
    await expect(drill(bad.ctx)).rejects.toThrow('1 of 3 tables differ from the backup: orders')
    expect(fake.outcomes.at(-1)).toMatchObject({ jobId: bad.ctx.jobId, outcome: { drill: { ok: false, mismatched: ['orders'] } } })
    expect(sql("select count(*) from information_schema.schemata where schema_name like 'serversctl\\_drill\\_%'")).toBe('0')
  }, 90_000)

  test('backup.database of a database that is not there', async () => {
    await expect(backupDatabase(job('backup.database', { database: `${source}_none` }).ctx)).rejects.toThrow('There is no database')
    await expect(backupDatabase(job('backup.database', { database: '-x' }).ctx)).rejects.toThrow('Refusing the database name')
  })
})
