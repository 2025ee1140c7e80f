// What a domain needs to know about the server stopping: a signal that fires
// when it starts to (long-polls answer at once), and hooks that run once no
// request is left in flight, before leadership and the database go.
import type { Log } from './log'

export type Lifecycle = {
  /** Aborted when the server starts stopping: waits (an agent's job long-poll) end with their usual "nothing yet". */
  signal: AbortSignal
  /** True from the first moment of a stop: /healthz answers 503 so a load balancer sends no more. */
  readonly draining: boolean
  /**
   * Runs `fn` after the last request is answered and before leadership is
   * released and the database closed: the place to flush what a domain holds
   * in memory (a batch of heartbeats). `name` is what the stop log calls it.
   */
  onStop(name: string, fn: () => Promise<void>): void
}

export type LifecycleControl = Lifecycle & {
  drain(): void
  /** Ends the waits on `signal`. */
  abort(): void
  /** Runs the onStop hooks in order, each within `capMs`; a failing one is logged and the rest still run. */
  runStopHooks(log: Log, capMs: number): Promise<void>
}

export function createLifecycle(): LifecycleControl {
  const controller = new AbortController()
  const hooks: { name: string; fn: () => Promise<void> }[] = []
  let draining = false
  return {
    signal: controller.signal,
    get draining() {
      return draining
    },
    onStop: (name, fn) => void hooks.push({ name, fn }),
    drain: () => void (draining = true),
    abort: () => controller.abort(),
    async runStopHooks(log, capMs) {
      for (const hook of hooks) {
        const began = performance.now()
        const outcome = await withinMs(hook.fn().then(() => 'done' as const), capMs).catch((err: unknown) => {
          log.error('server.stop', `stop hook "${hook.name}" failed`, err)
          return 'failed' as const
        })
        const ms = Math.round(performance.now() - began)
        if (outcome === 'timeout') log.warn('server.stop', `stop hook "${hook.name}" still running after ${ms} ms; going on without it`)
        else if (outcome === 'done') log.info('server.stop', `stop hook "${hook.name}" done in ${ms} ms`)
      }
    },
  }
}

/**
 * Runs `fn` with a signal that aborts with either `a` or `b`, and lets go of
 * both afterwards. Not AbortSignal.any: in Bun its signals stay attached to a
 * long-lived one, some 60 bytes for every agent long-poll (measured).
 */
export async function withEitherSignal<T>(a: AbortSignal, b: AbortSignal, fn: (signal: AbortSignal) => Promise<T>): Promise<T> {
  const either = new AbortController()
  const abort = () => either.abort()
  if (a.aborted || b.aborted) either.abort()
  a.addEventListener('abort', abort, { once: true })
  b.addEventListener('abort', abort, { once: true })
  try {
    return await fn(either.signal)
  } finally {
    a.removeEventListener('abort', abort)
    b.removeEventListener('abort', abort)
  }
}

/** The promise's outcome, or 'timeout' if it takes longer than `ms`. */
export async function withinMs<T>(work: Promise<T>, ms: number): Promise<T | 'timeout'> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const late = new Promise<'timeout'>((done) => (timer = setTimeout(() => done('timeout'), ms)))
  try {
    return await Promise.race([work, late])
  } finally {
    clearTimeout(timer)
  }
}
