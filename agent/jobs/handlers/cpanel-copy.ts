// A cPanel account as a snapshot: pkgacct's cpmove archive streamed into the
// pool like every other backup, and restorepkg fed the same archive back
// after every chunk of it was checked. Both work in a private folder (0700)
// on the disk that holds /var/tmp, which is removed whatever happens.
//
// `uncompressed` (replication) asks pkgacct for a plain tar: a gzip stream
// differs entirely after a small change, while an unchanged file in a tar is
// the same bytes, so the content-defined chunks of the last run are found
// again and only what changed is uploaded. The snapshot does not say which
// it holds; the restore reads it from the archive's first bytes.
import { closeSync, createReadStream, existsSync, mkdtempSync, openSync, readSync, renameSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { chunkCache, sealedSizes } from '../../backup/cache'
import { assembleSnapshot, SnapshotProblem, type Assembled, type ReadProgress } from '../../backup/download'
import { BadChunk } from '../../backup/seal'
import { toolPath } from '../../cpanel/tools'
import { JobFailure, type JobContext, type JobHandler } from '../types'
import { streamIntoSnapshot } from './backups'
import { chunkFolder, meter, mib, openSession, snapshotOf } from './backups-shared'
import { stepper } from './common'
import { accountExists, cpanelUser } from './cpanel-common'

const privateFolder = (ctx: JobContext, what: string) => mkdtempSync(join(chunkFolder(ctx), `serversctl-${what}-`))

/**
 * Where a member keeps the sealed chunks it restored, so the next copy of an
 * account downloads only what changed (agent/backup/cache.ts).
 */
export const chunkCacheRoot = (ctx: Pick<JobContext, 'root'>) => join(ctx.root, 'var/lib/serversctl/chunk-cache')

/**
 * Read in pieces of 1 MiB: the chunker hands out some chunks as views of
 * a piece instead of copies, which at 64 KiB pieces cost more than the scan.
 */
const READ_PIECE = 1024 * 1024

export const backupAccount: JobHandler = async (ctx) => {
  const user = cpanelUser(ctx.params.user)
  const uncompressed = ctx.params.uncompressed ?? false
  if (typeof uncompressed !== 'boolean') throw new JobFailure(`Refusing uncompressed ${JSON.stringify(uncompressed)}: true or false.`)
  const step = stepper(ctx, 'backup.cpanel_account')
  if (!accountExists(ctx, user)) throw new JobFailure(`There is no cPanel account ${user} on this server (WHM keeps none in /var/cpanel/users/${user}).`)

  const dir = privateFolder(ctx, 'pkgacct')
  try {
    step('Package the account (pkgacct)')
    await ctx.exec([toolPath('pkgacct'), ...(uncompressed ? ['--nocompress'] : []), user, dir])
    const name = `cpmove-${user}${uncompressed ? '.tar' : '.tar.gz'}`
    const archive = join(dir, name)
    if (!existsSync(archive)) throw new JobFailure(`pkgacct finished but left no ${name}.`)

    step('Encrypt and upload')
    const session = await openSession(ctx)
    // The last backup's sealed sizes: chunks it had are offered without sealing them again (upload.ts).
    const sizes = sealedSizes(chunkCacheRoot(ctx), session.keys, `cpanel_account:${user}`)
    const done = await streamIntoSnapshot(ctx, session, { kind: 'cpanel_account', source: user, tables: null }, createReadStream(archive, { highWaterMark: READ_PIECE }), { knownSizes: sizes.load() })
    try {
      sizes.save(done.sizes)
    } catch (err) {
      ctx.log(`Could not keep the chunk sizes for the next backup: ${(err as Error).message}`)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** restorepkg knows an archive by its name: .tar.gz when it starts with gzip's magic bytes, .tar otherwise. */
function isGzip(path: string): boolean {
  const fd = openSync(path, 'r')
  try {
    const head = Buffer.alloc(2)
    return readSync(fd, head, 0, 2, 0) === 2 && head[0] === 0x1f && head[1] === 0x8b
  } finally {
    closeSync(fd)
  }
}

export const restoreAccount: JobHandler = async (ctx) => {
  const replace = ctx.params.replace === true
  const step = stepper(ctx, 'restore.cpanel_account')
  const s = await openSession(ctx)
  const m = snapshotOf(s, ['cpanel_account'])
  const user = cpanelUser(m.source)
  const existed = accountExists(ctx, user)
  if (existed && !replace) throw new JobFailure(`The account ${user} exists on this server already: terminate it first, or restore with replace (restorepkg --force writes the backup over it).`)

  step('Download and check every chunk')
  const dir = privateFolder(ctx, 'restorepkg')
  let got: Assembled
  const since = (t: number) => Math.round((performance.now() - t) / 100) / 10
  let assembleSeconds = 0
  let restorepkgSeconds = 0
  try {
    // The archive is assembled in this private folder from the chunks this
    // member holds already and the ones it downloads, every one opened and
    // checked, and the whole stream's SHA-256 with them: restorepkg starts
    // only on an archive that is the snapshot, byte for byte.
    const written = join(dir, `cpmove-${user}.tar`)
    const cache = chunkCache(chunkCacheRoot(ctx), s.keys)
    const meterRead = meter(ctx, (done, rate) => `${mib(done)} of ${mib(m.sizeBytes)} checked, ${rate}`)
    const onProgress = (p: ReadProgress) => meterRead.update(p.bytesChecked, { phase: 'checking', bytesTotal: m.sizeBytes }, (80 * p.bytesChecked) / Math.max(1, m.sizeBytes))
    const started = performance.now()
    got = await assembleSnapshot(s.api, m, s.keys, written, { cache, onProgress, signal: ctx.signal }).catch((err) => {
      throw err instanceof SnapshotProblem || err instanceof BadChunk ? new JobFailure(`Refusing to restore snapshot ${m.id}: ${(err as Error).message}`) : err
    })
    assembleSeconds = since(started)
    const rejected = got.cacheRejected ? `; ${got.cacheRejected} kept here failed their check and were downloaded again` : ''
    ctx.log(`Every chunk of snapshot ${m.id} is intact (${m.chunks.length} chunks, ${mib(m.sizeBytes)}, SHA-256 matches): ${got.chunksDownloaded} downloaded (${mib(got.bytesDownloaded)}), ${got.chunksFromCache} from this member's chunk cache${rejected}, in ${assembleSeconds} s.`)

    step('Restore the account (restorepkg)')
    const archive = isGzip(written) ? `${written}.gz` : written
    if (archive !== written) renameSync(written, archive)
    ctx.progress(80)
    const restoring = performance.now()
    const res = await ctx.exec([toolPath('restorepkg'), ...(replace ? ['--force'] : []), archive])
    restorepkgSeconds = since(restoring)
    ctx.log(`restorepkg took ${restorepkgSeconds} s.`)
    // restorepkg prints text; the account's users file is what proves it was restored.
    if (!accountExists(ctx, user)) {
      const said = `${res.stdout}\n${res.stderr}`.split('\n').filter((l) => /fail|error|cannot|refus/i.test(l)).at(-1)?.trim()
      throw new JobFailure(`restorepkg finished, but there is no account ${user} on this server${said ? `: ${said}` : ''}.`)
    }
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
  ctx.log(`Restored snapshot ${m.id}: the account ${user}${existed ? ', written over the existing one' : ''}.`)
  ctx.result({ snapshotId: m.id, user, replaced: existed, sizeBytes: m.sizeBytes, chunksDownloaded: got.chunksDownloaded, bytesDownloaded: got.bytesDownloaded, chunksFromCache: got.chunksFromCache, assembleSeconds, restorepkgSeconds })
}
