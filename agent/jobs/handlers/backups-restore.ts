// Restores, verify and drills. Every one first reads back the whole snapshot
// and checks each chunk's tag and name and the stream's SHA-256 (phase 1);
// a restore writes nothing until that has passed, and what a failed restore
// made (a new database, a half-extracted folder) is removed again.
import { existsSync, mkdirSync, readdirSync, renameSync, rmSync, rmdirSync, statSync } from 'node:fs'
import { dirname, join } from 'node:path'
import { readSnapshot, SnapshotProblem, verifySnapshot, type CheckedSnapshot, type ReadProgress } from '../../backup/download'
import { writeTo } from '../../backup/process'
import type { SnapshotManifest } from '../../backup/protocol'
import { BadChunk } from '../../backup/seal'
import { JobFailure, type JobContext, type JobHandler } from '../types'
import { chunkFolder, meter, mib, openSession, shortId, snapshotOf, type Session } from './backups-shared'
import { clientProgram, connect, createDatabase, databaseExists, databaseName, dropDatabase, socketArgs, tableChecksums } from './backups-mariadb'
import { checked, stepper } from './common'

const isSnapshotProblem = (err: unknown) => err instanceof SnapshotProblem || err instanceof BadChunk

/** Phase 1 with its progress as the first half of the job. */
export async function checkedSnapshot(ctx: JobContext, s: Session, m: SnapshotManifest): Promise<CheckedSnapshot> {
  const meterRead = meter(ctx, (done, rate) => `${mib(done)} of ${mib(m.sizeBytes)} checked, ${rate}`)
  const onProgress = (p: ReadProgress) => meterRead.update(p.bytesChecked, { phase: 'checking', bytesTotal: m.sizeBytes }, (50 * p.bytesChecked) / Math.max(1, m.sizeBytes))
  const read = await readSnapshot(s.api, m, s.keys, chunkFolder(ctx), { onProgress, signal: ctx.signal }).catch((err) => {
    throw isSnapshotProblem(err) ? new JobFailure(`Refusing to restore snapshot ${m.id}: ${(err as Error).message}`) : err
  })
  ctx.log(`Every chunk of snapshot ${m.id} is intact (${m.chunks.length} chunks, ${mib(m.sizeBytes)}, SHA-256 matches).`)
  return read
}

/** The replay, with its progress as the second half of the job. */
export function replayWithProgress(ctx: JobContext, m: SnapshotManifest, read: CheckedSnapshot, label: string): AsyncGenerator<Uint8Array> {
  const meterWrite = meter(ctx, (done, rate) => `${mib(done)} of ${mib(m.sizeBytes)} ${label}, ${rate}`)
  return (async function* () {
    let done = 0
    for await (const piece of read.replay()) {
      yield piece
      done += piece.length
      meterWrite.update(done, { phase: label, bytesTotal: m.sizeBytes }, 50 + (50 * done) / Math.max(1, m.sizeBytes))
    }
  })()
}

/** A new database from the checked dump; dropped again when the import fails. */
async function importAsNew(ctx: JobContext, db: string, m: SnapshotManifest, read: CheckedSnapshot): Promise<void> {
  await createDatabase(ctx, db)
  try {
    await writeTo([clientProgram(), ...socketArgs(ctx), db], replayWithProgress(ctx, m, read, 'imported'), { signal: ctx.signal, onStderr: (line) => ctx.log(`mariadb: ${line}`) })
  } catch (err) {
    await dropDatabase(ctx, db).catch((e) => ctx.log(`Could not drop ${db} after the failed import: ${(e as Error).message}`))
    ctx.log(`The import into ${db} failed; ${db} was dropped again.`)
    throw err
  }
}

export const restoreDatabase: JobHandler = async (ctx) => {
  const db = databaseName(ctx.params.database)
  const replace = ctx.params.replace === true
  const step = stepper(ctx, 'restore.database')
  const s = await openSession(ctx)
  const m = snapshotOf(s, ['database'])
  const conn = await connect(ctx)
  const existed = await databaseExists(conn, db).finally(() => conn.close())
  if (existed && !replace) throw new JobFailure(`The database ${db} exists already: restore under a new name, or replace it.`)

  step('Download and check every chunk')
  const started = Date.now()
  const read = await checkedSnapshot(ctx, s, m)
  try {
    if (!replace) {
      step('Import the database')
      await importAsNew(ctx, db, m, read)
    } else {
      const scratch = `serversctl_restore_${shortId(ctx.jobId)}`
      step('Import into a scratch database')
      ctx.log(`Replacing ${db}: the dump is imported into ${scratch} first, to prove it imports; then ${scratch} is dropped, and ${db} is dropped and imported again from the same checked chunks.`)
      await dropDatabase(ctx, scratch)
      await importAsNew(ctx, scratch, m, read)
      await dropDatabase(ctx, scratch)
      step('Replace the database')
      if (existed) await dropDatabase(ctx, db)
      await importAsNew(ctx, db, m, read)
    }
  } finally {
    read.cleanup()
  }
  ctx.log(`Restored snapshot ${m.id} (${m.source}) as ${db}.`)
  ctx.result({ snapshotId: m.id, database: db, replaced: existed, sizeBytes: m.sizeBytes, seconds: Math.round((Date.now() - started) / 100) / 10 })
}

function refuseOccupied(path: string, full: string): void {
  if (!existsSync(full)) return
  if (!statSync(full).isDirectory()) throw new JobFailure(`${path} exists and is not a directory; restore to a new path.`)
  if (readdirSync(full).length) throw new JobFailure(`${path} exists and is not empty; restore to a new path or an empty directory.`)
}

export const restoreFiles: JobHandler = async (ctx) => {
  const path = checked('absolutePath', ctx.params.path, 'the path')
  const full = join(ctx.root, path)
  const step = stepper(ctx, 'restore.files')
  refuseOccupied(path, full)
  const s = await openSession(ctx)
  const m = snapshotOf(s, ['files', 'config'])

  step('Download and check every chunk')
  const read = await checkedSnapshot(ctx, s, m)
  const staging = `${full}.serversctl-restore-${shortId(ctx.jobId)}`
  try {
    step('Extract the files')
    mkdirSync(dirname(full), { recursive: true })
    rmSync(staging, { recursive: true, force: true }) // this job's own leftover, by its name
    mkdirSync(staging, { mode: 0o700 })
    await writeTo(['tar', '-xpf', '-', '--numeric-owner', '-C', staging], replayWithProgress(ctx, m, read, 'extracted'), { signal: ctx.signal, onStderr: (line) => ctx.log(`tar: ${line}`) })
    step('Move them into place')
    refuseOccupied(path, full) // something may have appeared there meanwhile
    if (existsSync(full)) rmdirSync(full)
    renameSync(staging, full)
  } catch (err) {
    rmSync(staging, { recursive: true, force: true })
    throw err
  } finally {
    read.cleanup()
  }
  ctx.log(`Restored snapshot ${m.id} (${m.source}) to ${path}.`)
  ctx.result({ snapshotId: m.id, path, sizeBytes: m.sizeBytes })
}

export const verifySnapshotJob: JobHandler = async (ctx) => {
  const s = await openSession(ctx)
  const m = snapshotOf(s, ['database', 'files', 'config', 'cpanel_account'])
  stepper(ctx, 'snapshot.verify')('Download and check every chunk')
  const meterRead = meter(ctx, (done, rate) => `${mib(done)} of ${mib(m.sizeBytes)} checked, ${rate}`)
  try {
    await verifySnapshot(s.api, m, s.keys, { signal: ctx.signal, onProgress: (p) => meterRead.update(p.bytesChecked, { bytesTotal: m.sizeBytes }, (100 * p.bytesChecked) / Math.max(1, m.sizeBytes)) })
  } catch (err) {
    if (!isSnapshotProblem(err)) throw err
    const problem = (err as Error).message
    await s.api.outcome({ verify: { ok: false, problem } })
    ctx.result({ snapshotId: m.id, ok: false, problem })
    throw new JobFailure(`Snapshot ${m.id} failed verification: ${problem}`)
  }
  await s.api.outcome({ verify: { ok: true } })
  ctx.log(`Snapshot ${m.id} verified: ${m.chunks.length} chunks, ${mib(m.sizeBytes)}, every tag, name and the SHA-256 check out.`)
  ctx.result({ snapshotId: m.id, ok: true, chunks: m.chunks.length, sizeBytes: m.sizeBytes })
}

/** Tables whose checksum after the restore differs from the one recorded at backup time (or that are missing on either side). */
export function mismatchedTables(recorded: Record<string, string | null>, restored: Record<string, string | null>): string[] {
  const names = [...new Set([...Object.keys(recorded), ...Object.keys(restored)])].sort()
  return names.filter((t) => !Object.hasOwn(recorded, t) || !Object.hasOwn(restored, t) || recorded[t] !== restored[t])
}

export const drill: JobHandler = async (ctx) => {
  const step = stepper(ctx, 'snapshot.drill')
  const s = await openSession(ctx)
  const m = snapshotOf(s, ['database'])
  if (!m.tables) throw new JobFailure(`Snapshot ${m.id} recorded no table checksums, so a drill has nothing to compare.`)
  const scratch = `serversctl_drill_${shortId(ctx.jobId)}`
  const fail = async (problem: string, mismatched: string[] = []) => {
    await s.api.outcome({ drill: { ok: false, problem, mismatched } })
    ctx.result({ snapshotId: m.id, ok: false, problem, mismatched })
    return new JobFailure(`Restore drill of ${m.id} failed: ${problem}`)
  }

  step('Download and check every chunk')
  let read: CheckedSnapshot
  try {
    read = await checkedSnapshot(ctx, s, m)
  } catch (err) {
    throw err instanceof JobFailure && /^Refusing to restore/.test(err.message) ? await fail(err.message) : err
  }
  let restored: Record<string, string | null>
  try {
    step('Import into a scratch database')
    await dropDatabase(ctx, scratch)
    try {
      await importAsNew(ctx, scratch, m, read)
    } catch (err) {
      if (ctx.signal.aborted) throw err
      throw await fail(`The dump did not import: ${(err as Error).message}`)
    }
    step('Compare table checksums')
    const conn = await connect(ctx)
    restored = await tableChecksums(conn, scratch).finally(() => conn.close())
  } finally {
    step('Drop the scratch database')
    await dropDatabase(ctx, scratch).catch((e) => ctx.log(`Could not drop ${scratch}: ${(e as Error).message}`))
    read.cleanup()
  }
  const mismatched = mismatchedTables(m.tables, restored)
  if (mismatched.length) throw await fail(`${mismatched.length} of ${Object.keys(m.tables).length} tables differ from the backup: ${mismatched.join(', ')}`, mismatched)
  const tables = Object.keys(m.tables).length
  await s.api.outcome({ drill: { ok: true, tables } })
  ctx.log(`Drill passed: snapshot ${m.id} restored into ${scratch}, all ${tables} table checksums equal; ${scratch} dropped.`)
  ctx.result({ snapshotId: m.id, ok: true, tables })
}
