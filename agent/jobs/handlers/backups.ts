// Backups: a database dump, a directory or the server's configuration,
// streamed as it is made through the chunker into the pool's store. Nothing
// is copied to disk first, and a source that fails (a dump that exits
// non-zero) never becomes a snapshot.
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { exists } from '../../detect/files'
import { readFrom } from '../../backup/process'
import { backupStream, type BackupMeta, type BackupProgress, type UploadOptions } from '../../backup/upload'
import { JobFailure, type JobContext, type JobHandler } from '../types'
import { meter, mib, openSession, type Session } from './backups-shared'
import { connect, databaseExists, databaseName, dumpProgram, socketArgs, tableChecksums } from './backups-mariadb'
import { checked, stepper } from './common'

/** Firewall, OpenLiteSpeed and MariaDB configuration, relative to the root; those present are archived. */
export const CONFIG_PATHS = ['etc/ufw', 'etc/firewalld', 'usr/local/lsws/conf', 'etc/mysql', 'etc/my.cnf', 'etc/my.cnf.d']

export type BackupResult = { snapshotId: string; sizeBytes: number; uploadedBytes: number; seconds: number; chunks: number; chunksUploaded: number; bytesPerSecond: number }

type Source = BackupMeta & { argv: string[]; okCodes?: number[] }

async function run(ctx: JobContext, src: Source): Promise<void> {
  const session = await openSession(ctx)
  const stream = readFrom(src.argv, { signal: ctx.signal, onStderr: (line) => ctx.log(`${src.argv[0]}: ${line}`), okCodes: src.okCodes })
  await streamIntoSnapshot(ctx, session, src, stream)
}

/** A byte stream through the chunker into a new snapshot, with progress, its closing line and the job's result. */
export async function streamIntoSnapshot(ctx: JobContext, session: Session, src: BackupMeta, stream: AsyncIterable<Uint8Array>, options: Pick<UploadOptions, 'knownSizes'> = {}): Promise<BackupResult & { sizes: Map<string, number> }> {
  let last: BackupProgress = { bytesRead: 0, bytesUploaded: 0, chunks: 0, chunksUploaded: 0 }
  const m = meter(ctx, (read, rate) => `${mib(read)} read, ${mib(last.bytesUploaded)} uploaded, ${rate}`)
  const onProgress = (p: BackupProgress) => {
    last = p
    m.update(p.bytesRead, { bytesUploaded: p.bytesUploaded, chunks: p.chunks, chunksUploaded: p.chunksUploaded })
  }
  const done = await backupStream(session.api, session.keys, stream, { kind: src.kind, source: src.source, tables: src.tables }, onProgress, { signal: ctx.signal, ...options })
  const result: BackupResult = {
    snapshotId: done.snapshotId,
    sizeBytes: done.bytesRead,
    uploadedBytes: done.bytesUploaded,
    seconds: m.seconds(),
    chunks: done.chunks,
    chunksUploaded: done.chunksUploaded,
    bytesPerSecond: m.rate(done.bytesRead),
  }
  ctx.log(`Snapshot ${done.snapshotId}: ${mib(done.bytesRead)} in ${done.chunks} chunks, ${done.chunksUploaded} of them new (${mib(done.bytesUploaded)} uploaded), in ${result.seconds} s.`)
  ctx.result(result)
  return { ...result, sizes: done.sizes }
}

export const backupDatabase: JobHandler = async (ctx) => {
  const db = databaseName(ctx.params.database)
  const step = stepper(ctx, 'backup.database')
  step('Record table checksums')
  const conn = await connect(ctx)
  let tables: Record<string, string | null>
  try {
    if (!(await databaseExists(conn, db))) throw new JobFailure(`There is no database ${db} on this server.`)
    tables = await tableChecksums(conn, db)
  } finally {
    await conn.close()
  }
  ctx.log(`Recorded the checksums of ${Object.keys(tables).length} tables.`)
  step('Dump, encrypt and upload')
  const argv = [dumpProgram(), ...socketArgs(ctx), '--single-transaction', '--routines', '--triggers', '--events', '--skip-dump-date', '--hex-blob', db]
  await run(ctx, { kind: 'database', source: db, tables, argv })
}

export const backupFiles: JobHandler = async (ctx) => {
  const path = checked('absolutePath', ctx.params.path, 'the path')
  const full = join(ctx.root, path)
  let isDir = false
  try {
    isDir = statSync(full).isDirectory()
  } catch {
    throw new JobFailure(`${path} does not exist.`)
  }
  if (!isDir) throw new JobFailure(`${path} is not a directory.`)
  stepper(ctx, 'backup.files')('Archive, encrypt and upload')
  // tar exits 1 when a file changed while it was read: the archive is still whole, and tar said which file.
  await run(ctx, { kind: 'files', source: path, tables: null, argv: ['tar', '--create', '--file=-', '--numeric-owner', '-C', full, '.'], okCodes: [0, 1] })
}

export const backupConfig: JobHandler = async (ctx) => {
  const present = CONFIG_PATHS.filter((p) => exists(ctx.root, p))
  if (!present.length) throw new JobFailure(`None of ${CONFIG_PATHS.map((p) => `/${p}`).join(', ')} exists on this server.`)
  ctx.log(`Archiving ${present.map((p) => `/${p}`).join(', ')}.`)
  stepper(ctx, 'backup.config')('Archive, encrypt and upload')
  await run(ctx, { kind: 'config', source: 'config', tables: null, argv: ['tar', '--create', '--file=-', '--numeric-owner', '-C', ctx.root, ...present], okCodes: [0, 1] })
}
