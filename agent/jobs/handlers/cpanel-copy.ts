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
import { closeSync, createReadStream, createWriteStream, existsSync, mkdtempSync, openSync, readSync, renameSync, rmSync } from 'node:fs'
import { once } from 'node:events'
import { join } from 'node:path'
import { toolPath } from '../../cpanel/tools'
import { JobFailure, type JobContext, type JobHandler } from '../types'
import { streamIntoSnapshot } from './backups'
import { checkedSnapshot, replayWithProgress } from './backups-restore'
import { chunkFolder, openSession, snapshotOf } from './backups-shared'
import { stepper } from './common'
import { accountExists, cpanelUser } from './cpanel-common'

const privateFolder = (ctx: JobContext, what: string) => mkdtempSync(join(chunkFolder(ctx), `serversctl-${what}-`))

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
    await streamIntoSnapshot(ctx, session, { kind: 'cpanel_account', source: user, tables: null }, createReadStream(archive))
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

/** The checked stream written to a file no one else can read, the way restorepkg takes an archive. */
async function writeArchive(path: string, pieces: AsyncIterable<Uint8Array>): Promise<void> {
  const out = createWriteStream(path, { mode: 0o600, flags: 'wx' })
  const failed = once(out, 'error').then(([e]) => Promise.reject(e))
  failed.catch(() => {})
  try {
    for await (const piece of pieces) if (!out.write(piece)) await Promise.race([once(out, 'drain'), failed])
    out.end()
    await Promise.race([once(out, 'finish'), failed])
  } finally {
    out.destroy()
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
  const read = await checkedSnapshot(ctx, s, m)
  const dir = privateFolder(ctx, 'restorepkg')
  try {
    step('Restore the account (restorepkg)')
    const written = join(dir, `cpmove-${user}.tar`)
    await writeArchive(written, replayWithProgress(ctx, m, read, 'written'))
    const archive = isGzip(written) ? `${written}.gz` : written
    if (archive !== written) renameSync(written, archive)
    // The checked chunks are spent now, and restorepkg needs the room to unpack.
    read.cleanup()
    const res = await ctx.exec([toolPath('restorepkg'), ...(replace ? ['--force'] : []), archive])
    // restorepkg prints text; the account's users file is what proves it was restored.
    if (!accountExists(ctx, user)) {
      const said = `${res.stdout}\n${res.stderr}`.split('\n').filter((l) => /fail|error|cannot|refus/i.test(l)).at(-1)?.trim()
      throw new JobFailure(`restorepkg finished, but there is no account ${user} on this server${said ? `: ${said}` : ''}.`)
    }
  } finally {
    read.cleanup()
    rmSync(dir, { recursive: true, force: true })
  }
  ctx.log(`Restored snapshot ${m.id}: the account ${user}${existed ? ', written over the existing one' : ''}.`)
  ctx.result({ snapshotId: m.id, user, replaced: existed, sizeBytes: m.sizeBytes })
}
