// whmapi1 as cPanel documents it (api.docs.cpanel.net, WHM API 1):
//   whmapi1 --output=json FUNCTION key=value ...
// Every answer is {metadata:{command, reason, result, version:1[, output:{raw}]}[, data]};
// a refusal is result 0 with WHM's reason, and whmapi1 still exits 0.
import { randomBytes } from 'node:crypto'
import { appendFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import {
  addAccount,
  domainOwner,
  hostIp,
  hostname,
  hostRoot,
  packageExists,
  readAccount,
  Refusal,
  removeAccount,
  requireAccount,
  suspendAccount,
  unsuspendAccount,
  VALID_DOMAIN,
  VALID_USER,
  writeAccount,
} from './fakehost'
import * as transfer from './transfer'

type Params = Record<string, string>
type Answer = { data?: unknown; reason?: string; raw?: string }

/** A package tests can name to have WHM refuse it, as a reseller without access to it is refused. */
export const FORBIDDEN_PACKAGE = 'Forbidden'

/** The services WHM's restartservice and servicestatus know, by their WHM names. */
export const SERVICES: Record<string, string> = {
  httpd: 'Apache Web Server',
  exim: 'Exim Mail Server',
  imap: 'IMAP Server',
  cpsrvd: 'cPanel Daemon',
  named: 'DNS Server',
  mysql: 'Database Server',
  crond: 'Cron Daemon',
  sshd: 'SSH Daemon',
}

const now = () => Math.floor(Date.now() / 1000)
const standinDir = (root: string) => join(root, 'var/cpanel/standin')

function needPackage(root: string, name: string | undefined): string {
  const pkg = name || 'default'
  if (pkg === FORBIDDEN_PACKAGE) throw new Refusal(`You do not have access to the package “${pkg}”.`)
  if (!packageExists(root, pkg)) throw new Refusal(`The package “${pkg}” does not exist.`)
  return pkg
}

function createacct(root: string, p: Params): Answer {
  const user = (p.username ?? '').toLowerCase()
  if (!user) throw new Refusal('You must specify a username.')
  if (!VALID_USER.test(user)) throw new Refusal(`“${user}” is not a valid username: use at most 16 lower-case letters and digits, starting with a letter and not with “test”.`)
  if (readAccount(root, user)) throw new Refusal(`The account “${user}” already exists.`)
  const domain = (p.domain ?? '').toLowerCase()
  if (!VALID_DOMAIN.test(domain)) throw new Refusal(`Sorry, that’s an invalid domain (“${p.domain ?? ''}”).`)
  const owner = domainOwner(root, domain)
  if (owner) throw new Refusal(`The domain “${domain}” already exists on this server (it belongs to “${owner}”).`)
  const pkg = needPackage(root, p.plan)
  const password = p.password ?? p.pass ?? randomBytes(12).toString('base64')
  if (p.password !== undefined && p.pass !== undefined) throw new Refusal('You can use either the “pass” or the “password” parameter, but not both.')
  if (password.length < 12) throw new Refusal('Sorry, the password you selected cannot be used because it is too weak and would be too easy to guess. Please select a password with strength rating of 65 or higher.')
  const ip = hostIp()
  addAccount(root, {
    USER: user,
    DNS: domain,
    PLAN: pkg,
    OWNER: 'root',
    CONTACTEMAIL: p.contactemail ?? '',
    IP: ip,
    STARTDATE: String(now()),
    SUSPENDED: '0',
    FEATURELIST: 'default',
    RS: 'jupiter',
  })
  // What /etc/shadow would hold, in the clear for tests that check the password went nowhere else.
  mkdirSync(join(standinDir(root), 'passwords'), { recursive: true })
  writeFileSync(join(standinDir(root), 'passwords', user), password, { mode: 0o600 })
  const shown = p.showpass === 'n' ? '' : `| PassWord: ${password}\n`
  return {
    reason: 'Account Creation Ok',
    data: { ip, nameserver: `ns1.${hostname()}`, nameserver2: `ns2.${hostname()}`, nameserver3: null, nameserver4: null, package: pkg },
    raw: `WWWAcct 12.6.0 (c) WebPros International, LLC...\n+===================================+\n| New Account Info |\n+===================================+\n| Domain: ${domain}\n| Ip: ${ip} (n)\n| UserName: ${user}\n${shown}| Package: ${pkg}\n+===================================+\nAccount Creation Complete!!!...Account Creation Ok...Done\n`,
  }
}

function changepackage(root: string, p: Params): Answer {
  const account = requireAccount(root, p.user)
  if (!p.pkg) throw new Refusal('You must specify the package.')
  const pkg = needPackage(root, p.pkg)
  writeAccount(root, { ...account, PLAN: pkg })
  return { raw: `<pre>\nChanging Feature List to default\nAccount Upgraded/Downgraded\n</pre>\n`, reason: 'Account Upgraded/Downgraded' }
}

function suspendacct(root: string, p: Params): Answer {
  requireAccount(root, p.user)
  suspendAccount(root, p.user!, p.reason || 'Unknown', p.disallowun === '1')
  return { raw: `Changing Shell to /bin/false...Done\nLocking Password...Done\nSuspending websites...\n${p.user}'s account has been suspended\n` }
}

function unsuspendacct(root: string, p: Params): Answer {
  requireAccount(root, p.user)
  unsuspendAccount(root, p.user!)
  return { raw: `Unlocking password for user ${p.user}.\n${p.user}'s account is now active\n` }
}

function removeacct(root: string, p: Params): Answer {
  const user = p.username ?? p.user
  const account = requireAccount(root, user)
  removeAccount(root, user!)
  return { raw: `Running pre removal script (/usr/local/cpanel/scripts/prekillacct)......Done\nCollecting Domain Name and IP...User: ${user}\nDomain: ${account.DNS ?? ''}\n...Done\nAccount Removal Complete!!!...${user} account removed...Done\n` }
}

function autossl(root: string, p: Params): Answer {
  requireAccount(root, p.username)
  mkdirSync(join(standinDir(root), 'autossl'), { recursive: true })
  appendFileSync(join(standinDir(root), 'autossl', p.username!), `${now()}\n`)
  return { data: { pid: process.pid } }
}

const SESSION_PORTS: Record<string, number> = { cpaneld: 2083, whostmgrd: 2087, webmaild: 2096 }

function createUserSession(root: string, p: Params): Answer {
  if (!p.service || !Object.hasOwn(SESSION_PORTS, p.service)) throw new Refusal(`Invalid service: “${p.service ?? ''}”. Use cpaneld, whostmgrd or webmaild.`)
  requireAccount(root, p.user)
  const token = `/cpsess${String(Math.floor(Math.random() * 9e9) + 1e9)}`
  const session = `${p.user}:${randomBytes(24).toString('base64url')}`
  const url = `https://${hostname()}:${SESSION_PORTS[p.service]}${token}/login/?session=${session}`
  return { data: { url, session, cp_security_token: token, service: p.service, expires: now() + 900 } }
}

function restartservice(root: string, p: Params): Answer {
  const service = p.service ?? ''
  if (!Object.hasOwn(SERVICES, service)) throw new Refusal(`The service “${service}” is not a valid service name.`)
  mkdirSync(standinDir(root), { recursive: true })
  appendFileSync(join(standinDir(root), 'restarts.log'), `${service}\n`)
  return { data: { service, output: `Waiting for “${service}” to restart …\n…finished.\n\n${service} started ok\n` } }
}

/**
 * Every known service enabled and running, unless var/cpanel/standin/services.json
 * ({"httpd": {"enabled": 1, "running": 0}, ...}) says otherwise for some.
 */
function servicestatus(root: string, p: Params): Answer {
  let overrides: Record<string, { enabled?: number; running?: number; installed?: number; monitored?: number }> = {}
  const path = join(standinDir(root), 'services.json')
  if (existsSync(path)) overrides = JSON.parse(readFileSync(path, 'utf8'))
  const names = p.service ? [p.service] : Object.keys(SERVICES)
  if (p.service && !Object.hasOwn(SERVICES, p.service)) throw new Refusal(`The service “${p.service}” is not a valid service name.`)
  const service = names.map((name) => ({ name, display_name: SERVICES[name], enabled: 1, installed: 1, monitored: 1, running: 1, ...overrides[name] }))
  return { data: { service } }
}

const version = (root: string): Answer => {
  const path = join(root, 'usr/local/cpanel/version')
  if (!existsSync(path)) throw new Refusal('cPanel & WHM is not installed (no /usr/local/cpanel/version).')
  return { data: { version: readFileSync(path, 'utf8').trim() } }
}

const FUNCTIONS: Record<string, (root: string, p: Params, script: string) => Answer> = {
  version,
  gethostname: () => ({ data: { hostname: hostname() } }),
  createacct,
  changepackage,
  suspendacct,
  unsuspendacct,
  removeacct,
  start_autossl_check_for_one_user: autossl,
  create_user_session: createUserSession,
  restartservice,
  servicestatus,
  create_remote_root_transfer_session: (root, p) => ({ data: transfer.createSession(root, p) }),
  enqueue_transfer_item: (root, p) => ({ data: transfer.enqueue(root, p) }),
  start_transfer_session: (root, p, script) => ({ data: transfer.start(root, p, script) }),
  get_transfer_session_state: (root, p) => ({ data: transfer.state(root, p) }),
  fetch_transfer_session_log: (root, p) => ({ data: transfer.fetchLog(root, p) }),
  abort_transfer_session: (root, p) => ({ data: transfer.abort(root, p) }),
}

/** STANDIN_WHM_FAIL = {"function": "reason"}: that function is refused with that reason. */
function forcedRefusal(fn: string): string | null {
  const text = process.env.STANDIN_WHM_FAIL
  if (!text) return null
  const map = JSON.parse(text) as Record<string, string>
  return Object.hasOwn(map, fn) ? map[fn]! : null
}

/** Runs one call; returns what whmapi1 prints and its exit code. */
export async function whmapi1(args: string[], script: string): Promise<{ out: string; err: string; code: number }> {
  if (args[0] === '__run_transfer_session') {
    await transfer.runSession(hostRoot(), args[1]!)
    return { out: '', err: '', code: 0 }
  }
  const options = args.filter((a) => a.startsWith('--'))
  const [fn, ...rest] = args.filter((a) => !a.startsWith('--'))
  const output = options.find((o) => o.startsWith('--output='))?.slice('--output='.length)
  if (output !== 'json' && output !== 'jsonpretty') return { out: '', err: 'The stand-in answers only --output=json or --output=jsonpretty.\n', code: 1 }
  if (!fn) return { out: '', err: 'Usage: whmapi1 --output=json FUNCTION key=value ...\n', code: 1 }
  const params: Params = {}
  for (const item of rest) {
    const i = item.indexOf('=')
    if (i > 0) params[item.slice(0, i)] = item.slice(i + 1)
  }
  const metadata: Record<string, unknown> = { command: fn, version: 1 }
  let data: unknown
  try {
    const forced = forcedRefusal(fn)
    if (forced) throw new Refusal(forced)
    const call = FUNCTIONS[fn]
    if (!call) throw new Refusal(`Unknown app (“${fn}”) requested for this version (1) of the API.`)
    const answer = call(hostRoot(), params, script)
    Object.assign(metadata, { result: 1, reason: answer.reason ?? 'OK' })
    if (answer.raw !== undefined) metadata.output = { raw: answer.raw }
    data = answer.data
  } catch (err) {
    if (!(err instanceof Refusal)) throw err
    Object.assign(metadata, { result: 0, reason: err.message })
  }
  const body = data === undefined ? { metadata } : { data, metadata }
  return { out: `${output === 'jsonpretty' ? JSON.stringify(body, null, 3) : JSON.stringify(body)}\n`, err: '', code: 0 }
}
