// The fake cPanel host the stand-ins act on: the files WHM keeps for each
// account under $SERVERSCTL_AGENT_ROOT (default /), written the way cPanel
// writes them, and the cpmove archive pkgacct makes and restorepkg reads.
// Shared by the three scripts and the transfer sessions; see host.ts.
import { spawnSync } from 'node:child_process'
import { chmodSync, copyFileSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs'
import { basename, dirname, join } from 'node:path'

/** A refusal in WHM's words: whmapi1 answers it as metadata.reason, the scripts print it. */
export class Refusal extends Error {}

export const hostRoot = () => process.env.SERVERSCTL_AGENT_ROOT || '/'
export const hostname = () => process.env.STANDIN_WHM_HOSTNAME || 'server.example.test'
export const hostIp = () => process.env.STANDIN_WHM_IP || '192.0.2.10'

const usersFile = (root: string, user: string) => join(root, 'var/cpanel/users', user)
const suspendedFile = (root: string, user: string) => join(root, 'var/cpanel/suspended', user)
export const homeOf = (root: string, user: string) => join(root, 'home', user)

/** WHM's user names: lower-case letters and digits, a letter first, at most 16, not "test…". */
export const VALID_USER = /^(?!test)[a-z][a-z0-9]{0,15}$/
export const VALID_DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/

export const noSuchUser = (user: string) => new Refusal(`The user “${user}” does not exist.`)

/** Written through a rename, as cPanel does, so a reader never sees half a file. */
export function writeAtomic(path: string, text: string, mode = 0o644): void {
  mkdirSync(dirname(path), { recursive: true })
  const tmp = `${path}.tmp-${process.pid}-${Math.random().toString(36).slice(2)}`
  writeFileSync(tmp, text, { mode })
  renameSync(tmp, path)
}

export function parseKeyValues(text: string): Record<string, string> {
  const out: Record<string, string> = {}
  for (const line of text.split('\n')) {
    const m = /^([A-Za-z0-9_-]+)=(.*)$/.exec(line.trim())
    if (m) out[m[1]!] = m[2]!
  }
  return out
}

/** /var/cpanel/users/<user>: cPanel's header line, then KEY=VALUE lines in key order. */
export function formatUsersFile(fields: Record<string, string>): string {
  const lines = Object.keys(fields)
    .sort()
    .map((k) => `${k}=${fields[k]}`)
  return ['# cPanel -- If you edit this file directly you must run /usr/local/cpanel/scripts/updateuserdatacache', ...lines, ''].join('\n')
}

export function readAccount(root: string, user: string): Record<string, string> | null {
  if (!VALID_USER.test(user)) return null
  try {
    return parseKeyValues(readFileSync(usersFile(root, user), 'utf8'))
  } catch {
    return null
  }
}

export function requireAccount(root: string, user: string | undefined): Record<string, string> {
  if (!user) throw new Refusal('You must specify the user.')
  const account = readAccount(root, user)
  if (!account) throw noSuchUser(user)
  return account
}

export const writeAccount = (root: string, fields: Record<string, string>) => writeAtomic(usersFile(root, fields.USER!), formatUsersFile(fields), 0o600)

export const packageExists = (root: string, name: string) => !name.includes('/') && existsSync(join(root, 'var/cpanel/packages', name))

/** The domains an account's users file names: DNS, then DNS1, DNS2, … */
export const domainsOf = (fields: Record<string, string>) => [fields.DNS, ...Object.keys(fields).filter((k) => /^DNS\d+$/.test(k)).sort().map((k) => fields[k])].filter((d): d is string => !!d)

export function domainOwner(root: string, domain: string): string | null {
  for (const line of readText(join(root, 'etc/trueuserdomains')).split('\n')) {
    const m = /^\s*([^:\s]+)\s*:\s*(\S+)\s*$/.exec(line)
    if (m && m[1]!.toLowerCase() === domain.toLowerCase()) return m[2]!
  }
  for (const user of listAccounts(root)) if (domainsOf(readAccount(root, user) ?? {}).some((d) => d.toLowerCase() === domain.toLowerCase())) return user
  return null
}

export const listAccounts = (root: string) => {
  try {
    return readdirSync(join(root, 'var/cpanel/users')).filter((n) => VALID_USER.test(n))
  } catch {
    return []
  }
}

export function readText(path: string): string {
  try {
    return readFileSync(path, 'utf8')
  } catch {
    return ''
  }
}

function setTrueUserDomain(root: string, user: string, domain: string | null): void {
  const path = join(root, 'etc/trueuserdomains')
  const kept = readText(path)
    .split('\n')
    .filter((line) => line.trim() && !new RegExp(`:\\s*${user}\\s*$`).test(line))
  if (domain) kept.push(`${domain}: ${user}`)
  writeAtomic(path, kept.length ? `${kept.join('\n')}\n` : '', 0o640)
}

/** The account's files as createacct leaves them: users file, main domain, a home with public_html. */
export function addAccount(root: string, fields: Record<string, string>): void {
  const user = fields.USER!
  writeAccount(root, fields)
  setTrueUserDomain(root, user, fields.DNS ?? null)
  const home = homeOf(root, user)
  mkdirSync(join(home, 'public_html'), { recursive: true })
  chmodSync(home, 0o711)
  chmodSync(join(home, 'public_html'), 0o750)
}

export function removeAccount(root: string, user: string): void {
  rmSync(usersFile(root, user), { force: true })
  rmSync(suspendedFile(root, user), { force: true })
  rmSync(`${suspendedFile(root, user)}.lock`, { force: true })
  setTrueUserDomain(root, user, null)
  rmSync(homeOf(root, user), { recursive: true, force: true })
}

/** SUSPENDED=1 and the reason in /var/cpanel/suspended/<user>; a .lock beside it when only root may lift it. */
export function suspendAccount(root: string, user: string, reason: string, rootOnly: boolean): void {
  const fields = requireAccount(root, user)
  writeAccount(root, { ...fields, SUSPENDED: '1', SUSPENDTIME: String(Math.floor(Date.now() / 1000)) })
  writeAtomic(suspendedFile(root, user), `${reason}\n`)
  if (rootOnly) writeAtomic(`${suspendedFile(root, user)}.lock`, '')
}

export function unsuspendAccount(root: string, user: string): void {
  const { SUSPENDTIME: _, ...fields } = requireAccount(root, user)
  writeAccount(root, { ...fields, SUSPENDED: '0' })
  rmSync(suspendedFile(root, user), { force: true })
  rmSync(`${suspendedFile(root, user)}.lock`, { force: true })
}

function run(cmd: string[]): void {
  const r = spawnSync(cmd[0]!, cmd.slice(1), { encoding: 'utf8' })
  if (r.status !== 0) throw new Error(`${cmd.join(' ')} failed: ${(r.stderr || r.error?.message || '').trim()}`)
}

/**
 * pkgacct's cpmove archive in `dir`, in the layout its documentation and
 * restorepkg know: cpmove-<user>/cp/<user> (the users file), homedir/ (the
 * home, owners, modes and links kept), mysql/ and mysql.sql (no databases
 * here), suspended/ when it is suspended, homedir_paths and version.
 * cpmove-<user>.tar.gz by default; cpmove-<user>.tar with `compress: false`
 * (pkgacct --nocompress). Returns the archive's path.
 *
 * The home goes into the tar straight from where it is, in name order, as
 * pkgacct streams it: an unchanged file is the same bytes at the same place
 * in two uncompressed archives, so content-defined chunks find it again.
 * The metadata files are written afresh each time (new mtimes), as the real
 * tool's are.
 */
export function packageAccount(root: string, user: string, dir: string, say: (line: string) => void = () => {}, opts: { compress?: boolean } = {}): string {
  const compress = opts.compress !== false
  const fields = requireAccount(root, user)
  const name = `cpmove-${user}`
  const work = join(dir, name)
  rmSync(work, { recursive: true, force: true })
  mkdirSync(join(work, 'cp'), { recursive: true, mode: 0o700 })
  mkdirSync(join(work, 'mysql'))
  say(`pkgacct working dir : ${work}`)
  say('Copying cPanel user file...Done')
  writeFileSync(join(work, 'cp', user), formatUsersFile(fields), { mode: 0o600 })
  writeFileSync(join(work, 'version'), 'pkgacct version: 10\narchive version: 4\n')
  writeFileSync(join(work, 'homedir_paths'), `/home/${user}\n`)
  writeFileSync(join(work, 'mysql.sql'), '')
  if (existsSync(suspendedFile(root, user))) {
    say('Copying Suspension Info (if needed)...Done')
    mkdirSync(join(work, 'suspended'))
    copyFileSync(suspendedFile(root, user), join(work, 'suspended', user))
    if (existsSync(`${suspendedFile(root, user)}.lock`)) copyFileSync(`${suspendedFile(root, user)}.lock`, join(work, 'suspended', `${user}.lock`))
  }
  say('Copying homedir...')
  const home = homeOf(root, user)
  // The home is archived in place, renamed to cpmove-<user>/homedir inside the tar (never a symlink's target: S).
  const homeArgs = existsSync(home) ? ['-C', dirname(home), `--transform=s,^${user}\\(/\\|$\\),${name}/homedir\\1,S`, basename(home)] : []
  if (!homeArgs.length) mkdirSync(join(work, 'homedir'), { mode: 0o711 })
  const archive = join(dir, compress ? `${name}.tar.gz` : `${name}.tar`)
  say(`Creating Archive ./${basename(archive)}....Done`)
  try {
    run(['tar', '--create', ...(compress ? ['--gzip'] : []), '--sort=name', '--numeric-owner', '--file', archive, '-C', dir, name, ...homeArgs])
  } finally {
    rmSync(work, { recursive: true, force: true })
  }
  chmodSync(archive, 0o600)
  return archive
}

/**
 * What restorepkg does with a cpmove archive: the account recreated from its
 * users file (on this host's address), its main domain, its home and its
 * suspension. An existing account is refused unless `force`, and then, as
 * restorepkg --force does, the archive's files are written over the account
 * and what it has besides stays.
 */
export function restoreArchive(root: string, archive: string, opts: { force: boolean }, say: (line: string) => void = () => {}): string {
  if (!existsSync(archive) || !statSync(archive).isFile()) throw new Refusal(`The file “${archive}” does not exist.`)
  const scratch = mkdtempSync(join(dirname(archive), '.restorepkg-'))
  try {
    // tar tells a gzip stream from a plain tar by its first bytes, as restorepkg takes either.
    run(['tar', '--extract', '--numeric-owner', '--preserve-permissions', '--file', archive, '-C', scratch])
    const top = readdirSync(scratch).find((n) => /^cpmove-[a-z0-9]+$/.test(n))
    if (!top) throw new Refusal(`“${basename(archive)}” is not a cpmove archive (no cpmove-USER folder in it).`)
    const user = top.slice('cpmove-'.length)
    const work = join(scratch, top)
    const fields = parseKeyValues(readText(join(work, 'cp', user)))
    if (fields.USER !== user) throw new Refusal(`The archive “${basename(archive)}” has no cPanel user file for “${user}”.`)
    say(`Restoring the account “${user}” from “${basename(archive)}”…`)
    const existed = !!readAccount(root, user)
    if (existed && !opts.force) throw new Refusal(`The account “${user}” already exists on “${hostname()}”.`)
    const owner = fields.DNS ? domainOwner(root, fields.DNS) : null
    if (owner && owner !== user) throw new Refusal(`The domain “${fields.DNS}” already belongs to the account “${owner}” on “${hostname()}”.`)
    writeAccount(root, { ...(existed ? readAccount(root, user) : {}), ...fields, IP: hostIp() })
    setTrueUserDomain(root, user, fields.DNS ?? null)
    const home = homeOf(root, user)
    mkdirSync(dirname(home), { recursive: true })
    if (!existsSync(home)) renameSync(join(work, 'homedir'), home)
    // Each file replaced (unlinked, then written anew), as cPanel's own restore does (a tar pipe from the
    // extracted home into the account's, Cpanel::SafeSync::UserDir): cp truncating every existing file in
    // place made ext4 flush each one on close (auto_da_alloc), several times slower and worse every run.
    else run(['cp', '-a', '--remove-destination', `${join(work, 'homedir')}/.`, home])
    say('Restoring homedir...Done')
    rmSync(suspendedFile(root, user), { force: true })
    rmSync(`${suspendedFile(root, user)}.lock`, { force: true })
    if (fields.SUSPENDED === '1') {
      const saved = join(work, 'suspended', user)
      writeAtomic(suspendedFile(root, user), existsSync(saved) ? readText(saved) : 'Unknown\n')
      if (existsSync(`${saved}.lock`)) writeAtomic(`${suspendedFile(root, user)}.lock`, '')
      say('Restoring suspension...Done')
    }
    return user
  } finally {
    rmSync(scratch, { recursive: true, force: true })
  }
}
