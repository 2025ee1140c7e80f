// authorized_keys of a local account. The agent runs as root and the file
// lives in a directory its user controls, so nothing here follows a symlink:
// reads refuse one, and writes go to a new file in ~/.ssh renamed over the old.
import { randomBytes } from 'node:crypto'
import { closeSync, constants, fchownSync, fsyncSync, lstatSync, mkdirSync, openSync, readFileSync, renameSync, rmSync, writeSync, chownSync, type Stats } from 'node:fs'
import { join } from 'node:path'
import { readText } from '../../detect/files'
import { parseAuthorizedKey, parsePublicKey, type AuthorizedKey } from '../ssh-keys'
import { JobFailure, type JobContext, type JobHandler } from '../types'
import { checked } from './common'

export type Account = { user: string; uid: number; gid: number; home: string; shell: string }

/** name:password:uid:gid:gecos:home:shell lines of /etc/passwd; lines that are not one are skipped. */
export function findAccounts(passwd: string): Account[] {
  const accounts: Account[] = []
  for (const line of passwd.split('\n')) {
    const f = line.split(':')
    if (f.length !== 7 || !f[0]) continue
    const uid = Number(f[2])
    const gid = Number(f[3])
    if (!/^\d+$/.test(f[2]!) || !/^\d+$/.test(f[3]!) || !f[5]!.startsWith('/')) continue
    accounts.push({ user: f[0], uid, gid, home: f[5]!, shell: f[6]!.trim() })
  }
  return accounts
}

export const findAccount = (passwd: string, user: string): Account | null => findAccounts(passwd).find((a) => a.user === user) ?? null

type Place = { account: Account; dir: string; file: string }

const placeOf = (root: string, account: Account): Place => {
  const dir = join(root, account.home, '.ssh')
  return { account, dir, file: join(dir, 'authorized_keys') }
}

/** The keys an account can log in with; [] when there are none or the file cannot be read safely. */
export function authorizedKeysOf(root: string, account: Account): AuthorizedKey[] {
  try {
    return keysOf(readKeys(placeOf(root, account)))
  } catch {
    return []
  }
}

function place(ctx: JobContext): Place {
  const user = checked('user', ctx.params.user, 'the user name')
  const account = findAccount(readText(ctx.root, 'etc/passwd') ?? '', user)
  if (!account) throw new JobFailure(`There is no user ${user} in /etc/passwd on this server.`)
  const home = join(ctx.root, account.home)
  if (!lstatOrNull(home)) throw new JobFailure(`${user}'s home directory ${account.home} does not exist.`)
  return placeOf(ctx.root, account)
}

function lstatOrNull(path: string): Stats | null {
  try {
    return lstatSync(path)
  } catch {
    return null
  }
}

function refuseLink(path: string, shown: string, kind: 'file' | 'dir'): boolean {
  const st = lstatOrNull(path)
  if (!st) return false
  if (st.isSymbolicLink()) throw new JobFailure(`${shown} is a symbolic link; refusing to follow it as root.`)
  if (kind === 'dir' ? !st.isDirectory() : !st.isFile()) throw new JobFailure(`${shown} is not a ${kind === 'dir' ? 'directory' : 'regular file'}.`)
  return true
}

/** The file's lines, [] when there is none yet. */
function readKeys(p: Place): string[] {
  const shownDir = `${p.account.home}/.ssh`
  if (!refuseLink(p.dir, shownDir, 'dir')) return []
  if (!refuseLink(p.file, `${shownDir}/authorized_keys`, 'file')) return []
  // O_NOFOLLOW closes the gap between the check above and this read.
  const fd = openSync(p.file, constants.O_RDONLY | constants.O_NOFOLLOW)
  try {
    return readFileSync(fd, 'utf8').split('\n')
  } finally {
    closeSync(fd)
  }
}

function writeKeys(p: Place, lines: string[]) {
  const { uid, gid } = p.account
  if (!lstatOrNull(p.dir)) {
    mkdirSync(p.dir, { mode: 0o700 })
    chownSync(p.dir, uid, gid)
  }
  refuseLink(p.dir, `${p.account.home}/.ssh`, 'dir')
  const text = lines.join('\n').replace(/\n*$/, lines.some((l) => l.trim()) ? '\n' : '')
  const tmp = join(p.dir, `.authorized_keys.serversctl-${randomBytes(6).toString('hex')}`)
  // O_EXCL: a name planted in the user's directory is never opened, even as a link.
  const fd = openSync(tmp, constants.O_WRONLY | constants.O_CREAT | constants.O_EXCL | constants.O_NOFOLLOW, 0o600)
  try {
    writeSync(fd, text)
    fchownSync(fd, uid, gid)
    fsyncSync(fd)
    closeSync(fd)
    renameSync(tmp, p.file)
  } catch (e) {
    try {
      closeSync(fd)
    } catch {}
    rmSync(tmp, { force: true })
    throw e
  }
}

const keysOf = (lines: string[]) => lines.map(parseAuthorizedKey).filter((k) => k !== null)

export const keyList: JobHandler = async (ctx) => {
  const p = place(ctx)
  ctx.step(0)
  const keys = keysOf(readKeys(p)).map(({ type, fingerprint, comment }) => ({ type, fingerprint, comment }))
  ctx.log(`${keys.length} key${keys.length === 1 ? '' : 's'} in ${p.account.home}/.ssh/authorized_keys.`)
  ctx.result(keys)
}

export const keyAdd: JobHandler = async (ctx) => {
  const key = typeof ctx.params.key === 'string' ? parsePublicKey(ctx.params.key) : null
  if (!key) throw new JobFailure('That is not one OpenSSH public key line.')
  const p = place(ctx)
  ctx.step(0)
  const lines = readKeys(p)
  const fingerprint = parseAuthorizedKey(ctx.params.key)!.fingerprint
  if (keysOf(lines).some((k) => k.type === key.type && k.body === key.body)) {
    ctx.log(`${fingerprint} is already authorized for ${p.account.user}.`)
    return ctx.result({ fingerprint, added: false })
  }
  while (lines.length && !lines.at(-1)!.trim()) lines.pop()
  writeKeys(p, [...lines, [key.type, key.body, key.comment].filter(Boolean).join(' ')])
  ctx.log(`Added ${fingerprint} for ${p.account.user}.`)
  ctx.result({ fingerprint, added: true })
}

export const keyRemove: JobHandler = async (ctx) => {
  const fingerprint = checked('fingerprint', ctx.params.fingerprint, 'the fingerprint')
  const p = place(ctx)
  ctx.step(0)
  const lines = readKeys(p)
  const kept = lines.filter((l) => parseAuthorizedKey(l)?.fingerprint !== fingerprint)
  const removed = lines.length - kept.length
  if (!removed) {
    ctx.log(`No key with fingerprint ${fingerprint} is authorized for ${p.account.user}; nothing to remove.`)
    return ctx.result({ removed: 0 })
  }
  writeKeys(p, kept)
  ctx.log(`Removed ${removed} line${removed === 1 ? '' : 's'} with ${fingerprint} for ${p.account.user}.`)
  ctx.result({ removed })
}
