// What every backup, restore, verify and drill job does alike: open its
// session with the server (the data key, the snapshot it reads), report
// bytes and speed while it runs, and pick a folder for checked chunks.
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { isDir } from '../../detect/files'
import { backupApi, type BackupApi } from '../../backup/api'
import type { BackupKind, SnapshotManifest } from '../../backup/protocol'
import { keysFromBase64, type ChunkKeys } from '../../backup/seal'
import { JobFailure, type JobContext } from '../types'

export type Session = { api: BackupApi; keys: ChunkKeys; snapshot: SnapshotManifest | null }

export async function openSession(ctx: JobContext): Promise<Session> {
  const api = backupApi({ jobId: ctx.jobId, call: ctx.agentCall, fetch: ctx.fetch, server: ctx.server, signal: ctx.signal })
  const { dataKey, snapshot } = await api.start()
  return { api, keys: keysFromBase64(dataKey), snapshot }
}

const KIND_WORDS: Record<BackupKind, string> = { database: 'a database', files: 'files', config: 'configuration', cpanel_account: 'a cPanel account' }

/** The snapshot a restore, verify or drill job reads, of one of the kinds it can use. */
export function snapshotOf(s: Session, kinds: BackupKind[]): SnapshotManifest {
  if (!s.snapshot) throw new JobFailure('The server named no snapshot for this job.')
  if (!kinds.includes(s.snapshot.kind)) throw new JobFailure(`Snapshot ${s.snapshot.id} holds ${KIND_WORDS[s.snapshot.kind]}, which this job cannot restore.`)
  return s.snapshot
}

/** Disk-backed (/var/tmp), since /tmp is often a small tmpfs and a snapshot can be large. */
export const chunkFolder = (ctx: JobContext) => (isDir(ctx.root, 'var/tmp') ? join(ctx.root, 'var/tmp') : tmpdir())

/** A job id as a name part (databases, folders): letters and digits, short. */
export const shortId = (jobId: string) => jobId.replace(/[^A-Za-z0-9]/g, '').slice(-12).toLowerCase()

const RESULT_EVERY_MS = 2000
const LOG_EVERY_MS = 10_000
export const mib = (n: number) => `${Math.round(n / 1048576)} MiB`

/**
 * Running figures for the job page (bytes done, speed) every couple of
 * seconds, and a line in the output every ten.
 */
export function meter(ctx: JobContext, line: (bytesDone: number, rate: string) => string) {
  const started = Date.now()
  let lastResult = started
  let lastLog = started
  const rate = (bytesDone: number, now = Date.now()) => Math.round(bytesDone / Math.max(0.001, (now - started) / 1000))
  return {
    update(bytesDone: number, extra: Record<string, unknown> = {}, percent?: number) {
      const now = Date.now()
      if (now - lastResult < RESULT_EVERY_MS) return
      lastResult = now
      const bytesPerSecond = rate(bytesDone, now)
      ctx.result({ running: true, bytesDone, bytesPerSecond, ...extra })
      if (percent !== undefined) ctx.progress(Math.max(0, Math.min(99, Math.floor(percent))))
      if (now - lastLog >= LOG_EVERY_MS) {
        lastLog = now
        ctx.log(line(bytesDone, `${(bytesPerSecond / 1e6).toFixed(0)} MB/s`))
      }
    },
    rate,
    seconds: () => Math.round((Date.now() - started) / 100) / 10,
  }
}
