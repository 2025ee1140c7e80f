// cPanel: its version, the accounts as /var/cpanel/users keeps them, the
// hosting packages and WHM's backup configuration.
import type { CpanelAccount, CpanelBackupConfig, CpanelStack } from '../protocol'
import { isDir, listDir, readText } from './files'
import { homeSizer, type HomeSizer } from './home-size'

const USERS_DIR = 'var/cpanel/users'
// Anything else in the users folder (an editor's backup, a dotfile) is not an account.
const USER_NAME = /^[a-z][a-z0-9_-]{0,31}$/
const MAX_REASON = 256

const account = (user: string, domain: string | null): CpanelAccount => ({
  user,
  domain,
  domains: [],
  plan: null,
  owner: null,
  suspended: false,
  suspendReason: null,
  contactEmail: null,
  ip: null,
  startDate: null,
  diskBytes: null,
})

/** /etc/trueuserdomains has one `domain: user` line per account, for its main domain. */
export function parseTrueUserDomains(text: string): CpanelAccount[] {
  const accounts: CpanelAccount[] = []
  for (const line of text.split('\n')) {
    const m = /^\s*([^:\s]+)\s*:\s*(\S+)\s*$/.exec(line)
    if (m && !accounts.some((a) => a.user === m[2])) accounts.push(account(m[2], m[1]))
  }
  return accounts
}

function keyValues(text: string): Map<string, string> {
  const values = new Map<string, string>()
  for (const line of text.split('\n')) {
    const eq = line.indexOf('=')
    if (eq > 0 && !line.startsWith('#')) values.set(line.slice(0, eq).trim(), line.slice(eq + 1).trim())
  }
  return values
}

const whole = (s: string | undefined) => (s && /^\d+$/.test(s) ? Number(s) : null)

/**
 * /var/cpanel/users/<user>: KEY=VALUE lines. DNS is the main domain, DNS1..n
 * the others (XDNSn are removed ones). null when USER names someone else: a
 * copy of another account's file is not an account.
 */
export function parseUserFile(name: string, text: string): CpanelAccount | null {
  const v = keyValues(text)
  if (v.has('USER') && v.get('USER') !== name) return null
  const domain = v.get('DNS') || null
  const others = [...v]
    .filter(([key, d]) => /^DNS\d+$/.test(key) && d && d !== domain)
    .sort(([a], [b]) => Number(a.slice(3)) - Number(b.slice(3)))
    .map(([, d]) => d)
  return {
    ...account(name, domain),
    domains: [...new Set(others)],
    plan: v.get('PLAN') || null,
    owner: v.get('OWNER') || null,
    suspended: v.get('SUSPENDED') === '1',
    contactEmail: v.get('CONTACTEMAIL') || null,
    ip: v.get('IP') || null,
    startDate: whole(v.get('STARTDATE')),
  }
}

/** /var/cpanel/suspended/<user> holds the reason WHM was given, as typed; the table shows one short line. */
export function parseSuspendReason(text: string): string | null {
  return text.replace(/\s+/g, ' ').trim().slice(0, MAX_REASON) || null
}

/** `user:x:uid:gid:gecos:home:shell` → home, for the homes cPanel placed outside /home. */
export function parsePasswdHomes(text: string): Map<string, string> {
  const homes = new Map<string, string>()
  for (const line of text.split('\n')) {
    const f = line.split(':')
    if (f.length >= 7 && f[0]) homes.set(f[0], f[5]!)
  }
  return homes
}

// The root folder, or one reached through "..", would walk the whole host.
const walkableHome = (home: string | undefined) => !!home && home.startsWith('/') && home !== '/' && !home.split('/').includes('..')

const unquote = (s: string) => s.trim().replace(/^(['"])(.*)\1$/, '$2')
const yes = (s: string | undefined) => !!s && /^(yes|1|true|on)$/i.test(s)

/** /var/cpanel/backups/config: YAML-like `KEY: 'value'` lines; null when none of WHM's backup keys is there. */
export function parseBackupConfig(text: string): CpanelBackupConfig | null {
  const v = new Map<string, string>()
  for (const line of text.split('\n')) {
    const m = /^\s*([A-Z_]+)\s*:\s*(.*?)\s*$/.exec(line)
    if (m) v.set(m[1]!, unquote(m[2]!))
  }
  if (!['BACKUPENABLE', 'BACKUPTYPE', 'BACKUPDIR', 'BACKUP_DAILY_ENABLE'].some((k) => v.has(k))) return null
  return {
    enabled: yes(v.get('BACKUPENABLE')),
    type: v.get('BACKUPTYPE') || null,
    daily: yes(v.get('BACKUP_DAILY_ENABLE')),
    weekly: yes(v.get('BACKUP_WEEKLY_ENABLE')),
    monthly: yes(v.get('BACKUP_MONTHLY_ENABLE')),
    retention: whole(v.get('BACKUP_DAILY_RETENTION')),
    dir: v.get('BACKUPDIR') || null,
  }
}

/** Hosting packages are the regular files of /var/cpanel/packages; `extensions` holds package add-ons, not a package. */
export function listPackages(root: string): string[] {
  return listDir(root, 'var/cpanel/packages')
    .filter((e) => e.isFile() && e.name !== 'extensions' && !e.name.startsWith('.'))
    .map((e) => e.name)
    .sort((a, b) => a.localeCompare(b, 'en'))
}

function accountsFromUsersDir(root: string): CpanelAccount[] {
  const accounts: CpanelAccount[] = []
  for (const e of listDir(root, USERS_DIR)) {
    if (!e.isFile() || !USER_NAME.test(e.name)) continue
    const parsed = parseUserFile(e.name, readText(root, `${USERS_DIR}/${e.name}`, 256_000) ?? '')
    if (!parsed) continue
    const reason = parsed.suspended ? readText(root, `var/cpanel/suspended/${e.name}`, 4096) : null
    accounts.push({ ...parsed, suspendReason: reason === null ? null : parseSuspendReason(reason) })
  }
  return accounts
}

/** Every account, sorted by user, with the size of its home. trueuserdomains only when the users folder has none. */
export function readAccounts(root: string, sizeOf: HomeSizer = homeSizer()): CpanelAccount[] {
  const fromUsers = accountsFromUsersDir(root)
  const accounts = fromUsers.length ? fromUsers : parseTrueUserDomains(readText(root, 'etc/trueuserdomains') ?? '')
  const homes = parsePasswdHomes(readText(root, 'etc/passwd', 10_000_000) ?? '')
  return accounts
    .sort((a, b) => (a.user < b.user ? -1 : a.user > b.user ? 1 : 0))
    .map((a) => {
      const home = homes.get(a.user)
      return { ...a, diskBytes: sizeOf(root, a.user, walkableHome(home) ? home! : `/home/${a.user}`) }
    })
}

export function detectCpanel(root = '/', { now = Date.now }: { now?: () => number } = {}): CpanelStack | null {
  if (!isDir(root, 'usr/local/cpanel')) return null
  const accounts = readAccounts(root, homeSizer({ now }))
  const backup = readText(root, 'var/cpanel/backups/config')
  return {
    version: readText(root, 'usr/local/cpanel/version')?.trim() || null,
    accounts,
    packages: listPackages(root),
    backup: backup === null ? null : parseBackupConfig(backup),
    accountCount: accounts.length,
  }
}
