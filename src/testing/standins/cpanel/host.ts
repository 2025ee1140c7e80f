// Stand-ins for cPanel & WHM's own tools, for tests of the agent's cPanel
// jobs: `whmapi1`, `pkgacct` and `restorepkg` in this folder are executable
// Bun scripts, answering as cPanel documents them (api.docs.cpanel.net,
// docs.cpanel.net/whm/scripts). Put this folder first on PATH: the agent
// looks its tools up there before /usr/local/cpanel/bin and /scripts.
//
// They act on a fake cPanel host under $SERVERSCTL_AGENT_ROOT (default /),
// in cPanel's own files and formats:
//   usr/local/cpanel/version            "11.124.0.21"
//   var/cpanel/users/<user>             KEY=VALUE: USER, DNS, DNS1.., PLAN, OWNER, SUSPENDED, CONTACTEMAIL, IP, STARTDATE, ...
//   etc/trueuserdomains                 "domain: user", one per account
//   var/cpanel/suspended/<user>[.lock]  the suspension reason (.lock: only root may lift it)
//   var/cpanel/packages/<name>          hosting plans (makeCpanelHost writes "default" and "Starter")
//   home/<user>                         the account's home
//   var/cpanel/transfer_sessions/<id>/  session.json, master.log (JSON lines as WHM writes them), master.error_log
//   var/cpanel/standin/                 what tests may read or set: restarts.log (each restartservice),
//                                       autossl/<user> (each AutoSSL start), passwords/<user> (the password
//                                       createacct was given, in the clear, to prove it went nowhere else),
//                                       services.json (servicestatus overrides, {"httpd": {"running": 0}})
//                                       restorepkg.fail (while present, restorepkg refuses with its text as
//                                       the reason, before touching anything)
//
// whmapi1 functions: version, gethostname, createacct, changepackage,
// suspendacct, unsuspendacct, removeacct, start_autossl_check_for_one_user,
// create_user_session, restartservice, servicestatus,
// create_remote_root_transfer_session, enqueue_transfer_item (AccountRemoteRoot),
// start_transfer_session, get_transfer_session_state,
// fetch_transfer_session_log, abort_transfer_session.
//
// Refusals come back as metadata.result 0 with a reason, whmapi1 exiting 0,
// as WHM's do. Where cPanel's documentation shows WHM's words they are used
// ("The account “u” already exists on “host”." from its transfer log example,
// the password-strength refusal, "u's account has been suspended"); the rest
// are the stand-in's own sentences in WHM's style, e.g. unknown user:
// "The user “u” does not exist.", unknown plan: "The package “p” does not exist.",
// bad domain: "Sorry, that’s an invalid domain (“d”).".
//
// Environment:
//   SERVERSCTL_AGENT_ROOT         the fake host's root (default /)
//   STANDIN_WHM_HOSTNAME          this host's name in answers (default server.example.test)
//   STANDIN_WHM_IP                the address new accounts get (default 192.0.2.10)
//   STANDIN_WHM_HOSTS             transfers: {"source.example.test": "/path/to/that/fake/root"}
//   STANDIN_WHM_ROOT_PASSWORD     transfers: the root password every remote accepts; anything else
//                                 (or no variable) is refused like a failed SSH login
//   STANDIN_WHM_TRANSFER_STEP_MS  pause between a transfer's phases (default 200), so a test can watch or abort it
//   STANDIN_WHM_FAIL              {"function": "reason"}: that function is refused with that reason
// pkgacct --nocompress writes cpmove-USER.tar instead of .tar.gz; restorepkg takes either.
// account-data.ts fills a home with a generated account of a chosen size
// (replication tests, `bun run bench:replicate`).
// A plan named "Forbidden" is refused by createacct and changepackage
// ("You do not have access to the package “Forbidden”."), for tests of
// WHM's refusals without any variable.
import { createHash } from 'node:crypto'
import { chmodSync, chownSync, lchownSync, lstatSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, readlinkSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { addAccount, formatUsersFile } from './fakehost'

/** This folder: put it first on PATH. */
export const STANDINS_DIR = import.meta.dir

export type FixtureAccount = { user: string; domain: string; plan: string; contactEmail: string }
export const FIXTURE_ACCOUNT: FixtureAccount = { user: 'shop', domain: 'shop.example.com', plan: 'Starter', contactEmail: 'owner@shop.example.com' }

/** The fixture's files are owned by this uid and gid when the test runs as root, as an account's are. */
export const FIXTURE_UID = 1500

export type CpanelHost = {
  root: string
  /** The stand-ins' folder, to put first on PATH. */
  pathDir: string
  account: FixtureAccount | null
  /** PATH with the stand-ins first, SERVERSCTL_AGENT_ROOT and the host name: an agent's (or a test's) environment for this host. */
  env: Record<string, string>
  cleanup(): void
}

const PACKAGE = (quota: string) =>
  formatUsersFile({ BWLIMIT: 'unlimited', CGI: 'y', CPMOD: 'jupiter', FEATURELIST: 'default', HASSHELL: 'n', IP: 'n', LANG: 'en', MAXADDON: '0', MAXFTP: 'unlimited', MAXPARK: '0', MAXPOP: 'unlimited', MAXSQL: 'unlimited', MAXSUB: 'unlimited', QUOTA: quota }).replace(/^#.*\n/, '')

/**
 * A fake cPanel host in a temp folder: cPanel's version, the plans "default"
 * and "Starter", and (unless `account: null`) one account whose home has a
 * site with a subfolder, a symlink and a 0600 file.
 */
export function makeCpanelHost(opts: { account?: Partial<FixtureAccount> | null; hostname?: string; version?: string } = {}): CpanelHost {
  const root = mkdtempSync(join(tmpdir(), 'sctl-cpanel-host-'))
  const dirs = ['usr/local/cpanel/bin', 'var/cpanel/users', 'var/cpanel/packages', 'var/cpanel/suspended', 'etc', 'home', 'var/tmp']
  for (const d of dirs) mkdirSync(join(root, d), { recursive: true })
  writeFileSync(join(root, 'usr/local/cpanel/version'), `${opts.version ?? '11.124.0.21'}\n`)
  writeFileSync(join(root, 'etc/os-release'), 'NAME="AlmaLinux"\nVERSION="9.4 (Seafoam Ocelot)"\nID="almalinux"\nVERSION_ID="9.4"\nPRETTY_NAME="AlmaLinux 9.4 (Seafoam Ocelot)"\n')
  writeFileSync(join(root, 'etc/trueuserdomains'), '')
  writeFileSync(join(root, 'var/cpanel/packages/default'), PACKAGE('unlimited'))
  writeFileSync(join(root, 'var/cpanel/packages/Starter'), PACKAGE('2048'))

  const account = opts.account === null ? null : { ...FIXTURE_ACCOUNT, ...opts.account }
  if (account) {
    addAccount(root, {
      USER: account.user,
      DNS: account.domain,
      PLAN: account.plan,
      OWNER: 'root',
      CONTACTEMAIL: account.contactEmail,
      IP: '192.0.2.10',
      STARTDATE: '1700000000',
      SUSPENDED: '0',
      FEATURELIST: 'default',
      RS: 'jupiter',
    })
    const home = join(root, 'home', account.user)
    mkdirSync(join(home, 'public_html/assets'), { recursive: true })
    writeFileSync(join(home, 'public_html/index.html'), `<h1>${account.domain}</h1>\n`)
    writeFileSync(join(home, 'public_html/assets/site.css'), 'body { margin: 0 }\n'.repeat(200))
    writeFileSync(join(home, 'public_html/assets/logo.bin'), new Uint8Array(300_000).map((_, i) => (i * 7919 + 13) % 251))
    symlinkSync('index.html', join(home, 'public_html/home.html'))
    writeFileSync(join(home, '.my.cnf'), '[client]\nuser=shop\n', { mode: 0o600 })
    chmodSync(join(home, '.my.cnf'), 0o600)
    chmodSync(join(home, 'public_html/assets'), 0o755)
    if (process.getuid?.() === 0) chownTree(home, FIXTURE_UID)
  }
  const env: Record<string, string> = { PATH: `${STANDINS_DIR}:${process.env.PATH ?? ''}`, SERVERSCTL_AGENT_ROOT: root }
  if (opts.hostname) env.STANDIN_WHM_HOSTNAME = opts.hostname
  return { root, pathDir: STANDINS_DIR, account, env, cleanup: () => rmSync(root, { recursive: true, force: true }) }
}

function chownTree(path: string, id: number): void {
  const st = lstatSync(path)
  // lchown: a symlink's own owner, never its target's.
  if (st.isSymbolicLink()) return lchownSync(path, id, id)
  chownSync(path, id, id)
  if (st.isDirectory()) for (const name of readdirSync(path)) chownTree(join(path, name), id)
}

/**
 * One hash over a folder: every entry's path, type, mode, owner and content
 * (or link target), so two copies hash equal only when they are the same.
 */
export function treeDigest(dir: string): string {
  const hash = createHash('sha256')
  const walk = (rel: string) => {
    const full = join(dir, rel)
    const st = lstatSync(full)
    const head = `${rel}|${st.mode.toString(8)}|${st.uid}:${st.gid}|`
    if (st.isSymbolicLink()) hash.update(`${head}link:${readlinkSync(full)}\n`)
    else if (st.isDirectory()) {
      hash.update(`${head}dir\n`)
      for (const name of readdirSync(full).sort()) walk(rel ? `${rel}/${name}` : name)
    } else hash.update(`${head}file:${createHash('sha256').update(readFileSync(full)).digest('hex')}\n`)
  }
  walk('')
  return hash.digest('hex')
}
