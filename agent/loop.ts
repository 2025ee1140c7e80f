// The heartbeat loop: owns the timer, the backoff and the stop signal. It
// never exits on its own. A server that is away is retried at the heartbeat
// pace; one that refuses, with a jittered backoff that resets on success.
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
  /** The clock the fixed rate is kept by (tests hold it still). */
  now?: () => number
}

const MAX_BACKOFF_MS = 5 * 60_000

/** Delay after `failures` failures in a row: doubling from the interval, capped, ±20 % jitter. */
export function backoffMs(failures: number, intervalMs: number, random: () => number = Math.random): number {
  if (failures === 0) return intervalMs
  const base = Math.min(MAX_BACKOFF_MS, intervalMs * 2 ** Math.min(failures - 1, 10))
  return Math.round(base * (0.8 + random() * 0.4))
}

/**
 * The server could not be reached or failed (5xx): it is away, not refusing.
 * Such a failure is retried at the heartbeat pace, not backed off, so that a
 * control plane back from a restart hears from every member within one
 * interval and judges no member by the silence of its own downtime.
 */
export function serverAway(err: unknown): boolean {
  return !(err instanceof ServerRefused) || err.status >= 500
}

/** Delay after a failure: the interval (jittered) while the server is away, else the doubling backoff. */
export function retryMs(err: unknown, failures: number, intervalMs: number, random: () => number = Math.random): number {
  return serverAway(err) ? backoffMs(1, intervalMs, random) : backoffMs(failures, intervalMs, random)
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
  let lastFailure: unknown = null
  const now = deps.now ?? Date.now
  while (!signal.aborted) {
    const started = now()
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
      lastFailure = err
      const message = err instanceof ServerRefused ? `server refused (${err.status} ${err.code}): ${err.message}` : `server unreachable: ${(err as Error).message}`
      // Say it when it changes, and now and then while it lasts, not every try.
      if (message !== lastError || failures % 10 === 0) deps.log(`heartbeat failed (${failures} in a row): ${message}`)
      lastError = message
    }
    // At a fixed rate: the time a heartbeat took comes off the wait, so gaps
    // stay one interval and a failover delay equal to it is not crossed.
    const wait = failures === 0 ? Math.max(0, intervalMs - (now() - started)) : retryMs(lastFailure, failures, intervalMs, deps.random)
    await deps.sleep(wait, signal)
  }
}
