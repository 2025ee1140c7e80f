// A cPanel account copied here from another server by WHM's own Transfer
// Tool, as cPanel's "Guide to Transfer and Restore API Functions" lays it
// out: a root session on the source, the account queued, the session
// started, then followed until WHM calls it done. This job runs on the
// target; the source's root login comes from the server once, inside the job.
import { type Credentials } from '../../cpanel/protocol'
import { whmapi } from '../../cpanel/tools'
import { matches } from '../patterns'
import { JobFailure, type JobContext, type JobHandler } from '../types'
import { stepper } from './common'
import { accountExists, cpanelUser, sourceHost } from './cpanel-common'

const FINAL = ['COMPLETED', 'ABORTED', 'FAILED']
/** Roughly where a session is, by WHM's state names: transfer first, then restore. */
const PROGRESS: Record<string, number> = { PENDING: 2, TRANSFER_PENDING: 5, TRANSFER_INPROGRESS: 25, RUNNING: 40, RESTORE_PENDING: 55, RESTORE_INPROGRESS: 75, COMPLETED: 100 }
/** Quick looks first (a small account is done in seconds), then every few seconds. */
const POLL_MS = [500, 1000, 2000, 3000]

function sleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(new JobFailure('stopped'))
    const onAbort = () => {
      clearTimeout(timer)
      reject(new JobFailure('stopped'))
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort)
      resolve()
    }, ms)
    signal.addEventListener('abort', onAbort, { once: true })
  })
}

const plain = (text: string) => text.replace(/<[^>]*>/g, '').trimEnd()

/**
 * One line of master.log (a JSON object per line) as a line of the job's
 * output, and the failure it reports, if any. Control lines other than an
 * item's start, end or failure are bookkeeping and stay out.
 */
export function describeLogLine(line: string): { text: string[]; failure?: string } {
  let entry: { type?: string; contents?: any }
  try {
    entry = JSON.parse(line)
  } catch {
    return { text: [plain(line)] }
  }
  const c = entry.contents
  if (entry.type !== 'control') {
    const text = typeof c === 'string' ? c : typeof c?.msg === 'string' ? c.msg : ''
    return { text: text.split('\n').map(plain).filter(Boolean) }
  }
  const what = `${c?.item_name ?? 'Item'} ${c?.item ?? ''}`.trim()
  const queue = c?.queue === 'RESTORE' ? 'restore' : 'transfer'
  switch (c?.action) {
    case 'remotehost':
      return { text: [`Connected to ${c.msg}.`] }
    case 'start-item':
      return { text: [`${what}: ${queue} started.`] }
    case 'success-item':
      return { text: [`${what}: ${queue} done.`] }
    case 'failed-item': {
      const failure = plain(String(c.msg?.failure ?? c.msg ?? 'no reason given'))
      return { text: [`${what}: ${queue} failed: ${failure}`], failure }
    }
    default:
      return { text: [] }
  }
}

/** Complete lines only: WHM may be writing the last one as it is read. */
const completeLines = (log: string) => log.split('\n').slice(0, -1).filter((l) => l.trim())

async function follow(ctx: JobContext, id: string): Promise<{ state: string; failures: string[] }> {
  const failures: string[] = []
  let seen = 0
  for (let i = 0; ; i++) {
    // State first, log second: a session says COMPLETED only after its last line is written.
    const state = String((await whmapi<{ state_name?: string }>(ctx, 'get_transfer_session_state', { transfer_session_id: id })).state_name ?? '')
    const log = String((await whmapi<{ log?: string }>(ctx, 'fetch_transfer_session_log', { transfer_session_id: id, logfile: 'master.log' })).log ?? '')
    const lines = completeLines(log)
    for (const line of lines.slice(seen)) {
      const d = describeLogLine(line)
      for (const t of d.text) ctx.log(t)
      if (d.failure) failures.push(d.failure)
    }
    seen = Math.max(seen, lines.length)
    if (PROGRESS[state] !== undefined) ctx.progress(Math.min(99, PROGRESS[state]))
    ctx.result({ running: true, transferSessionId: id, state })
    if (FINAL.includes(state)) return { state, failures }
    await sleep(POLL_MS[Math.min(i, POLL_MS.length - 1)]!, ctx.signal)
  }
}

/** The last thing WHM wrote to the session's error log, for a session that failed without an item saying why. */
async function lastError(ctx: JobContext, id: string): Promise<string | null> {
  try {
    const log = String((await whmapi<{ log?: string }>(ctx, 'fetch_transfer_session_log', { transfer_session_id: id, logfile: 'master.error_log' })).log ?? '')
    const last = log.split('\n').filter((l) => l.trim()).at(-1)
    return last ? (describeLogLine(last).text.join(' ') || null) : null
  } catch {
    return null
  }
}

function credentials(value: unknown): Credentials {
  const c = value as Partial<Credentials> | null
  if (!c || !matches('user', c.user) || typeof c.password !== 'string' || !c.password) throw new JobFailure("The server handed over no usable login for the source server; start the transfer again and type the source's root login.")
  return { user: c.user, password: c.password }
}

export const accountTransfer: JobHandler = async (ctx) => {
  const user = cpanelUser(ctx.params.user)
  const host = sourceHost(ctx.params.sourceHost)
  const step = stepper(ctx, 'cpanel.account.transfer')
  // Before the login is asked for: WHM would copy everything and then refuse to restore over it.
  if (accountExists(ctx, user)) throw new JobFailure(`An account named ${user} exists on this server already; terminate it here first if the copy from ${host} is to replace it.`)

  step('Create the transfer session')
  const login = credentials(await ctx.agentCall<Credentials>(`cpanel/${encodeURIComponent(ctx.jobId)}/credentials`, {}))
  const session = await whmapi<{ transfer_session_id?: string }>(ctx, 'create_remote_root_transfer_session', {
    remote_server_type: 'cpanel',
    host,
    port: 22,
    user: login.user,
    password: login.password,
    transfer_threads: 1,
    restore_threads: 1,
    unrestricted_restore: 1,
    copy_reseller_privs: 0,
    compressed: 0,
    unencrypted: 0,
    low_priority: 0,
    // The current reference marks these required; older WHM takes its defaults without them.
    comm_transport: 'ssh',
    use_backups: 0,
    enable_custom_pkgacct: 0,
  })
  const id = session.transfer_session_id
  if (!id || !/^[A-Za-z0-9]{1,80}$/.test(id)) throw new JobFailure('WHM created a transfer session but gave no usable session id.')
  ctx.log(`WHM logged in to ${host} as ${login.user}: transfer session ${id}.`)
  ctx.result({ running: true, transferSessionId: id, state: 'PENDING' })

  let outcome: { state: string; failures: string[] }
  try {
    step('Queue the account')
    await whmapi(ctx, 'enqueue_transfer_item', { transfer_session_id: id, module: 'AccountRemoteRoot', user, localuser: user })
    step('Start the transfer')
    await whmapi(ctx, 'start_transfer_session', { transfer_session_id: id })
    step('Follow the transfer')
    outcome = await follow(ctx, id)
  } catch (err) {
    if (ctx.signal.aborted) {
      // The job's own calls are stopped by now; the abort runs on its own time limit.
      await whmapi(ctx, 'abort_transfer_session', { transfer_session_id: id }, { afterCancel: true, allowReason: /not running|does not exist/i }).then(
        () => ctx.log(`Transfer session ${id} aborted in WHM.`),
        (e) => ctx.log(`Could not abort transfer session ${id} in WHM: ${(e as Error).message}`),
      )
    }
    throw err
  }

  const { state, failures } = outcome
  ctx.result({ transferSessionId: id, state, ...(failures.length ? { failures } : {}) })
  if (state === 'COMPLETED' && !failures.length) {
    ctx.log(`${user} is transferred from ${host} and restored here.`)
    return
  }
  // A session completes even when its item failed: the item's failure is the job's.
  if (failures.length) throw new JobFailure(`The transfer of ${user} from ${host} failed: ${failures.join(' ')}`)
  if (state === 'ABORTED') throw new JobFailure(`WHM reports transfer session ${id} as aborted.`)
  const why = await lastError(ctx, id)
  throw new JobFailure(`WHM's transfer session ${id} ended ${state}${why ? `: ${why}` : '; see Transfers → View Transfer and Restore History in WHM'}.`)
}
