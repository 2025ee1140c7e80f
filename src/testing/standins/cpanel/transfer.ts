// Transfer sessions as WHM's Transfer Tool keeps them, for the functions of
// cPanel's "Guide to Transfer and Restore API Functions": create a root
// session on a remote host, queue AccountRemoteRoot items, start it (a
// process of its own, as WHM's is), read its state and its master.log, abort.
// The "remote" is another fake root on this machine (STANDIN_WHM_HOSTS).
import { spawn } from 'node:child_process'
import { randomBytes } from 'node:crypto'
import { appendFileSync, existsSync, mkdirSync, readFileSync, rmSync } from 'node:fs'
import { join } from 'node:path'
import { hostname, packageAccount, readAccount, Refusal, restoreArchive, VALID_USER, writeAtomic } from './fakehost'

export type TransferState = 'PENDING' | 'TRANSFER_PENDING' | 'TRANSFER_INPROGRESS' | 'RESTORE_PENDING' | 'RESTORE_INPROGRESS' | 'COMPLETED' | 'ABORTED' | 'FAILED'
export const FINAL_STATES: TransferState[] = ['COMPLETED', 'ABORTED', 'FAILED']

type Item = { module: 'AccountRemoteRoot'; user: string; localuser: string }
type Session = { id: string; host: string; sourceRoot: string; state: TransferState; items: Item[]; created: number; pid?: number }

const sessionsDir = (root: string) => join(root, 'var/cpanel/transfer_sessions')
const sessionDir = (root: string, id: string) => join(sessionsDir(root), id)
const ID = /^[a-z0-9]{1,40}copya\d{14}[A-Za-z0-9]{4}$/

/** Remote hosts by name: STANDIN_WHM_HOSTS is {"host": "/fake/root/of/that/host"}. */
function remoteRoot(host: string): string | null {
  try {
    const map = JSON.parse(process.env.STANDIN_WHM_HOSTS || '{}') as Record<string, string>
    return Object.hasOwn(map, host) ? map[host]! : null
  } catch {
    throw new Refusal('STANDIN_WHM_HOSTS is not a JSON object of host names to fake roots.')
  }
}

function load(root: string, id: string | undefined): Session {
  if (!id || !ID.test(id) || !existsSync(join(sessionDir(root, id), 'session.json'))) throw new Refusal(`The transfer session “${id ?? ''}” does not exist.`)
  return JSON.parse(readFileSync(join(sessionDir(root, id), 'session.json'), 'utf8'))
}

const save = (root: string, s: Session) => writeAtomic(join(sessionDir(root, s.id), 'session.json'), `${JSON.stringify(s, null, 2)}\n`, 0o600)

/** As WHM names them: the host's first label, "copya", a timestamp and four random letters. */
function newId(host: string): string {
  const stamp = new Date().toISOString().replace(/\D/g, '').slice(0, 14)
  const letters = randomBytes(4).toString('base64').replace(/[^A-Za-z0-9]/g, 'x').slice(0, 4)
  return `${host.split('.')[0]!.toLowerCase().replace(/[^a-z0-9]/g, '').slice(0, 40) || 'remote'}copya${stamp}${letters}`
}

export function createSession(root: string, p: Record<string, string>) {
  for (const key of ['host', 'user']) if (!p[key]) throw new Refusal(`The parameter “${key}” is required.`)
  const host = p.host!
  const sourceRoot = remoteRoot(host)
  if (!sourceRoot) throw new Refusal(`The system failed to connect to “${host}”: Name or service not known`)
  if (p.user !== 'root') throw new Refusal(`The stand-in logs in to “${host}” as “root” only, not “${p.user}”.`)
  const expected = process.env.STANDIN_WHM_ROOT_PASSWORD
  if (!expected || p.password !== expected) throw new Refusal(`Basic credential check failed: the server “${host}” refused the login for “root”: Permission denied, please try again.`)
  const id = newId(host)
  mkdirSync(sessionDir(root, id), { recursive: true, mode: 0o700 })
  save(root, { id, host, sourceRoot, state: 'PENDING', items: [], created: Date.now() })
  writeAtomic(join(sessionDir(root, id), 'master.log'), '')
  writeAtomic(join(sessionDir(root, id), 'master.error_log'), '')
  return {
    transfer_session_id: id,
    create_rawout: `Basic credential check … …\nDone\nFetching information from remote host: “${host}” … …\nDone\nRemote Server Type: “WHM”\n`,
    analyze_rawout: `Fetching information from remote host: “${host}” … …\nDone\n`,
  }
}

export function enqueue(root: string, p: Record<string, string>) {
  const s = load(root, p.transfer_session_id)
  if (s.state !== 'PENDING') throw new Refusal(`The transfer session “${s.id}” has already started.`)
  if (p.module !== 'AccountRemoteRoot') throw new Refusal(`The stand-in does not support the module “${p.module ?? ''}”.`)
  for (const key of ['user', 'localuser']) if (!p[key]) throw new Refusal(`The parameter “${key}” is required.`)
  if (!VALID_USER.test(p.localuser!)) throw new Refusal(`“${p.localuser}” is not a valid username.`)
  if (p.localuser !== p.user) throw new Refusal('The stand-in restores an account under its own name only (user and localuser must match).')
  s.items.push({ module: 'AccountRemoteRoot', user: p.user!, localuser: p.localuser! })
  save(root, s)
  return null
}

/** Starts the session in a process of its own (this same script), as WHM's runs in the background. */
export function start(root: string, p: Record<string, string>, script: string) {
  const s = load(root, p.transfer_session_id)
  if (s.state !== 'PENDING') throw new Refusal(`The transfer session “${s.id}” has already started.`)
  if (!s.items.length) throw new Refusal(`The transfer session “${s.id}” has no items to transfer.`)
  s.state = 'TRANSFER_PENDING'
  save(root, s)
  const child = spawn(process.execPath, [script, '__run_transfer_session', s.id], { detached: true, stdio: 'ignore', env: { ...process.env, SERVERSCTL_AGENT_ROOT: root } })
  child.unref()
  s.pid = child.pid
  save(root, s)
  return { pid: child.pid }
}

export const state = (root: string, p: Record<string, string>) => ({ state_name: load(root, p.transfer_session_id).state })

export function fetchLog(root: string, p: Record<string, string>) {
  const s = load(root, p.transfer_session_id)
  const name = p.logfile ?? ''
  const path = join(sessionDir(root, s.id), name)
  if (!/^(master\.log|master\.error_log|item-[A-Za-z0-9_.-]+)$/.test(name) || !existsSync(path)) throw new Refusal(`The log file “${name}” does not exist for the transfer session “${s.id}”.`)
  return { log: readFileSync(path, 'utf8') }
}

export function abort(root: string, p: Record<string, string>) {
  const s = load(root, p.transfer_session_id)
  if (FINAL_STATES.includes(s.state)) throw new Refusal(`The transfer session “${s.id}” is not running (${s.state}).`)
  s.state = 'ABORTED'
  save(root, s)
  return null
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms))

/** The session's own process; a crash of it leaves the session FAILED with the error in master.error_log. */
export async function runSession(root: string, id: string): Promise<void> {
  try {
    await runItems(root, id)
  } catch (err) {
    appendFileSync(join(sessionDir(root, id), 'master.error_log'), `${(err as Error).message}\n`)
    const s = load(root, id)
    if (s.state !== 'ABORTED') save(root, { ...s, state: 'FAILED' })
  }
}

/** master.log lines shaped as WHM writes them: one JSON object a line. */
async function runItems(root: string, id: string): Promise<void> {
  const dir = sessionDir(root, id)
  const pace = Number(process.env.STANDIN_WHM_TRANSFER_STEP_MS ?? 200)
  let child = 0
  const line = (type: 'control' | 'out' | 'warn', contents: unknown, file = 'master.log') =>
    appendFileSync(join(dir, file), `${JSON.stringify({ contents, pid: process.pid, type, indent: 0, partial: 0 })}\n`)
  const control = (action: string, extra: Record<string, unknown> = {}) => line('control', { action, time: Math.floor(Date.now() / 1000), child_number: child, ...extra })
  /** False once someone aborted the session: the state on disk is the one abort_transfer_session wrote. */
  const move = (to: TransferState) => {
    const s = load(root, id)
    if (s.state === 'ABORTED') return false
    save(root, { ...s, state: to })
    return true
  }
  const s = load(root, id)
  control('start')
  control('remotehost', { msg: s.host })
  for (const item of s.items) {
    child++
    const base = { item: item.user, local_item: item.localuser, item_name: 'Account', item_type: item.module }
    const logT = `item-TRANSFER_${item.module}_${item.user}`
    const logR = `item-RESTORE_${item.module}_${item.user}`
    await sleep(pace)
    if (!move('TRANSFER_INPROGRESS')) return control('abort')
    control('start-item', { ...base, queue: 'TRANSFER', logfile: logT, msg: { size: 1 } })
    const say = (file: string) => (text: string) => {
      line('out', `${text}\n`)
      line('out', `${text}\n`, file)
    }
    let archive: string | null = null
    try {
      if (!readAccount(s.sourceRoot, item.user)) throw new Refusal(`The account “${item.user}” does not exist on “${s.host}”.`)
      if (readAccount(root, item.localuser)) throw new Refusal(`The account “${item.localuser}” already exists on “${hostname()}”.`)
      say(logT)(`Packaging the account “${item.user}” on “${s.host}” …`)
      archive = packageAccount(s.sourceRoot, item.user, dir, say(logT))
      control('success-item', { ...base, queue: 'TRANSFER', logfile: logT, msg: { size: 1 } })
    } catch (err) {
      control('failed-item', { ...base, queue: 'TRANSFER', logfile: logT, msg: { size: 1, failure: (err as Error).message } })
      line('warn', (err as Error).message, 'master.error_log')
    }
    control('complete', { queue: 'TRANSFER' })
    if (!archive) continue
    await sleep(pace)
    if (!move('RESTORE_INPROGRESS')) return control('abort')
    control('start-item', { ...base, queue: 'RESTORE', logfile: logR, msg: { size: 1 } })
    try {
      restoreArchive(root, archive, { force: false }, say(logR))
      say(logR)(`Account Restore Complete: “${item.localuser}”`)
      control('success-item', { ...base, queue: 'RESTORE', logfile: logR, msg: { size: 1 } })
    } catch (err) {
      control('failed-item', { ...base, queue: 'RESTORE', logfile: logR, msg: { size: 1, failure: (err as Error).message } })
      line('warn', (err as Error).message, 'master.error_log')
    } finally {
      rmSync(archive, { force: true })
    }
    control('complete', { queue: 'RESTORE' })
  }
  await sleep(pace)
  child = 0
  control('complete')
  // Items that failed do not fail the session: like WHM's, it completes and its log says which failed.
  move('COMPLETED')
}
