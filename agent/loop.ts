// The heartbeat loop: owns the timer, the backoff and the stop signal. It
// never exits on its own; a server that is down or refusing is retried with
// jittered backoff that resets on the first success.
import type { Heartbeat } from './protocol'
import { ServerRefused, type AgentClient } from './client'

export type LoopDeps = {
  client: Pick<AgentClient, 'heartbeat'>
  token: string
  intervalSeconds: number
  collect: () => Promise<Heartbeat>
  log: (line: string) => void
  sleep: (ms: number, signal: AbortSignal) => Promise<void>
  random?: () => number
}

const MAX_BACKOFF_MS = 5 * 60_000

/** Delay after `failures` failures in a row: doubling from the interval, capped, ±20 % jitter. */
export function backoffMs(failures: number, intervalMs: number, random: () => number = Math.random): number {
  if (failures === 0) return intervalMs
  const base = Math.min(MAX_BACKOFF_MS, intervalMs * 2 ** Math.min(failures - 1, 10))
  return Math.round(base * (0.8 + random() * 0.4))
}

export const abortableSleep = (ms: number, signal: AbortSignal) =>
  new Promise<void>((resolve) => {
    if (signal.aborted) return resolve()
    const timer = setTimeout(resolve, ms)
    signal.addEventListener('abort', () => (clearTimeout(timer), resolve()), { once: true })
  })

export async function runLoop(deps: LoopDeps, signal: AbortSignal): Promise<void> {
  let failures = 0
  let intervalMs = deps.intervalSeconds * 1000
  let lastError = ''
  while (!signal.aborted) {
    const started = Date.now()
    try {
      const hb = await deps.collect()
      const answer = await deps.client.heartbeat(deps.token, hb)
      if (failures > 0) deps.log(`heartbeat ok again after ${failures} failure${failures === 1 ? '' : 's'}`)
      failures = 0
      lastError = ''
      // The server may ask for another pace; the environment override wins.
      if (!process.env.SERVERSCTL_HEARTBEAT_SECONDS && answer.heartbeatSeconds > 0) intervalMs = answer.heartbeatSeconds * 1000
    } catch (err) {
      failures++
      const message = err instanceof ServerRefused ? `server refused (${err.status} ${err.code}): ${err.message}` : `server unreachable: ${(err as Error).message}`
      // Say it when it changes, and now and then while it lasts, not every try.
      if (message !== lastError || failures % 10 === 0) deps.log(`heartbeat failed (${failures} in a row): ${message}`)
      lastError = message
    }
    // At a fixed rate: the time a heartbeat took comes off the wait, so gaps
    // stay one interval and a failover delay equal to it is not crossed.
    const wait = failures === 0 ? Math.max(0, intervalMs - (Date.now() - started)) : backoffMs(failures, intervalMs, deps.random)
    await deps.sleep(wait, signal)
  }
}
