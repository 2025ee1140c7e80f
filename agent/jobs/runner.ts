// The agent's job loop: waits on the server for a job (long-poll), runs it
// with its handler, streams output and progress back, renews the lease while
// it runs, and gives its last word. One job at a time; jobs never overlap on
// a member. Stopping the agent mid-job hands the job back to the server.
import type { AgentClient } from '../client'
import { agentCall, ServerRefused } from '../client'
import type { ClaimedJob, JobLine, JobFinish } from '../protocol'
import { backoffMs } from '../loop'
import { execForJob } from './exec'
import { JobFailure, type JobContext, type JobHandler } from './types'

export type RunnerDeps = {
  client: Pick<AgentClient, 'claim' | 'report' | 'finish' | 'release'>
  token: string
  server: string
  handlers: Record<string, JobHandler>
  /** Read at each job's start: the host may have changed since the agent started. */
  facts: () => Promise<Pick<JobContext, 'family' | 'firewall'>>
  root: string
  log: (line: string) => void
  sleep: (ms: number, signal: AbortSignal) => Promise<void>
  /** Called after a job that asked for it (agent.update) has been reported. */
  restart: () => void
  /** Called as any job ends, before it is reported: what it changed (an account made, a package installed) is read again for the next heartbeat. */
  afterJob?: () => void
  /** How often a running job reports even when it printed nothing: lease renewal and the cancel check. */
  reportEveryMs?: number
}

/** How long one claim waits on the server before asking again. */
const CLAIM_WAIT_SECONDS = 25
const FLUSH_MS = 300
const MAX_LINES_PER_REPORT = 1000

type StopReason = 'cancelled' | 'timed_out' | 'stopping' | 'gone'

export async function runJobs(deps: RunnerDeps, signal: AbortSignal): Promise<void> {
  let failures = 0
  let lastError = ''
  while (!signal.aborted) {
    try {
      const { job } = await deps.client.claim(deps.token, CLAIM_WAIT_SECONDS, signal)
      if (failures > 0) deps.log(`job claims ok again after ${failures} failure${failures === 1 ? '' : 's'}`)
      failures = 0
      lastError = ''
      if (job) await runJob(deps, job, signal)
    } catch (err) {
      if (signal.aborted) break
      failures++
      const message = err instanceof ServerRefused ? `server refused (${err.status} ${err.code}): ${err.message}` : `server unreachable: ${(err as Error).message}`
      if (message !== lastError || failures % 10 === 0) deps.log(`job claim failed (${failures} in a row): ${message}`)
      lastError = message
      await deps.sleep(backoffMs(failures, 1000), signal)
    }
  }
}

/** Output and progress waiting to be sent, and the sending of it. */
function reporter(deps: RunnerDeps, jobId: string, onCancel: () => void, onGone: () => void) {
  let lines: JobLine[] = []
  let step: number | undefined
  let progress: number | undefined
  let result: unknown
  let inFlight: Promise<void> = Promise.resolve()

  const take = () => {
    const batch = { lines: lines.slice(0, MAX_LINES_PER_REPORT), step, progress, result }
    lines = lines.slice(MAX_LINES_PER_REPORT)
    step = progress = result = undefined
    return batch
  }
  const send = async () => {
    const batch = take()
    try {
      const answer = await deps.client.report(deps.token, jobId, batch)
      if (answer.cancel) onCancel()
    } catch (err) {
      if (err instanceof ServerRefused && (err.status === 409 || err.status === 404)) return onGone()
      // Keep what did not go; the next flush tries again, the lease covers the gap.
      lines = [...batch.lines, ...lines]
      step ??= batch.step
      progress ??= batch.progress
      if (batch.result !== undefined && result === undefined) result = batch.result
    }
  }
  return {
    line: (stream: JobLine['stream'], line: string) => void lines.push({ stream, line }),
    step: (i: number) => void (step = i),
    progress: (p: number) => void (progress = p),
    result: (r: unknown) => void (result = r),
    pending: () => lines.length > 0 || step !== undefined || progress !== undefined || result !== undefined,
    flush: () => (inFlight = inFlight.then(send)),
    /** What is left, for the finish call. */
    drain: async () => {
      await inFlight
      return take()
    },
  }
}

export async function runJob(deps: RunnerDeps, job: ClaimedJob, agentStop: AbortSignal): Promise<void> {
  const stop = new AbortController()
  let reason: StopReason | null = null
  const halt = (why: StopReason) => {
    if (stop.signal.aborted) return
    reason = why
    stop.abort()
  }
  const out = reporter(deps, job.id, () => halt('cancelled'), () => halt('gone'))
  const timeout = setTimeout(() => halt('timed_out'), job.timeoutSeconds * 1000)
  const onAgentStop = () => halt('stopping')
  agentStop.addEventListener('abort', onAgentStop, { once: true })

  let lastSent = Date.now()
  const ticker = setInterval(() => {
    if (out.pending() || Date.now() - lastSent >= (deps.reportEveryMs ?? 1000)) {
      lastSent = Date.now()
      out.flush()
    }
  }, FLUSH_MS)

  let restartWanted = false
  const ctx: JobContext = {
    jobId: job.id,
    name: job.name,
    params: job.params as Record<string, any>,
    ...(await deps.facts()),
    root: deps.root,
    server: deps.server,
    exec: execForJob((stream, line) => out.line(stream, line), stop.signal),
    log: (line) => out.line('agent', line),
    step: (i) => out.step(i),
    progress: (p) => out.progress(p),
    result: (r) => out.result(r),
    requestRestart: () => void (restartWanted = true),
    signal: stop.signal,
    fetch,
    agentCall: (path, body) => agentCall(deps.server, deps.token, path, body, stop.signal),
  }

  deps.log(`job ${job.id} (${job.name}) started, attempt ${job.attempt}`)
  let finish: Pick<JobFinish, 'status' | 'exitCode' | 'error'>
  const handler = deps.handlers[job.name]
  try {
    if (!handler) throw new JobFailure(`This agent does not know the job "${job.name}"; update the agent.`)
    await handler(ctx)
    if (stop.signal.aborted) throw new JobFailure('stopped')
    finish = { status: 'succeeded', exitCode: 0 }
  } catch (err) {
    const message = (err as Error).message
    const exitCode = err instanceof JobFailure ? (err.exitCode ?? 1) : 1
    finish =
      reason === 'cancelled' ? { status: 'cancelled', exitCode: null, error: 'Cancelled; its processes were stopped' }
      : reason === 'timed_out' ? { status: 'timed_out', exitCode: null, error: `Stopped after its ${job.timeoutSeconds} s timeout` }
      : { status: 'failed', exitCode, error: err instanceof JobFailure ? message : `The handler failed: ${message}` }
  } finally {
    clearInterval(ticker)
    clearTimeout(timeout)
    agentStop.removeEventListener('abort', onAgentStop)
  }

  deps.afterJob?.()
  const rest = await out.drain()
  if (reason === 'gone') {
    deps.log(`job ${job.id} was ended on the server; stopped it here`)
    return
  }
  if (reason === 'stopping') {
    await deps.client.release(deps.token, job.id, 'The agent was stopped while the job ran').catch(() => {})
    deps.log(`job ${job.id} handed back: the agent is stopping`)
    return
  }
  await finishWithRetries(deps, job.id, { ...rest, ...finish }, agentStop)
  deps.log(`job ${job.id} (${job.name}) ${finish.status}${finish.error ? `: ${finish.error}` : ''}`)
  if (restartWanted && finish.status === 'succeeded') deps.restart()
}

/** The last word matters: retried while the server is away, until the agent stops. */
async function finishWithRetries(deps: RunnerDeps, jobId: string, finish: JobFinish, agentStop: AbortSignal) {
  for (let attempt = 1; ; attempt++) {
    try {
      await deps.client.finish(deps.token, jobId, finish)
      return
    } catch (err) {
      if (err instanceof ServerRefused && err.status < 500) return deps.log(`job ${jobId}: the server refused its result: ${err.message}`)
      if (agentStop.aborted || attempt >= 20) return deps.log(`job ${jobId}: could not report its result: ${(err as Error).message}`)
      await deps.sleep(backoffMs(attempt, 1000), agentStop)
    }
  }
}
