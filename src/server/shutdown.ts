// SIGTERM: stop in an order that loses nothing. A load balancer is told
// first, background work finishes before the requests it may serve, agents
// waiting on a long-poll get their answer instead of a cut connection, what
// domains hold in memory is flushed while the database is open, and another
// replica takes leadership at once instead of when a connection times out.
import type { Database } from '../db'
import type { LifecycleControl } from './lifecycle'
import { withinMs } from './lifecycle'
import type { Log } from './log'

type Server = { stop(closeActiveConnections?: boolean): Promise<void> | void; readonly pendingRequests?: number }

export type Caps = { ticksMs: number; requestsMs: number; hookMs: number }

const CAPS: Caps = { ticksMs: 10_000, requestsMs: 10_000, hookMs: 5_000 }

export async function stopGracefully(p: {
  log: Log
  lifecycle: LifecycleControl
  stopScheduler: (capMs: number) => Promise<string[]>
  server: Server
  database: Pick<Database, 'releaseLeadership' | 'close'>
  signal: string
  caps?: Partial<Caps>
}): Promise<void> {
  const caps = { ...CAPS, ...p.caps }
  const began = performance.now()
  const step = async (what: string, run: () => Promise<string | void> | void) => {
    const at = performance.now()
    try {
      const said = await run()
      p.log.info('server.stop', `${said ?? what} (${Math.round(performance.now() - at)} ms)`)
    } catch (err) {
      p.log.error('server.stop', `${what} failed after ${Math.round(performance.now() - at)} ms; going on`, err)
    }
  }

  p.log.info('server.stop', `${p.signal}: stopping; a second signal exits at once`)
  await step('draining: /healthz answers 503 "draining"', () => p.lifecycle.drain())
  await step('scheduler stopped, ticks in progress finished', async () => {
    const unfinished = await p.stopScheduler(caps.ticksMs)
    if (unfinished.length) return `scheduler stopped; still running after ${caps.ticksMs} ms, cut short: ${unfinished.join(', ')}`
  })
  await step("agents' job long-polls answered", () => p.lifecycle.abort())
  await step('no longer accepting connections; requests in flight answered', async () => {
    const outcome = await withinMs(Promise.resolve(p.server.stop()), caps.requestsMs)
    if (outcome !== 'timeout') return
    const left = p.server.pendingRequests
    await p.server.stop(true)
    return `requests still in flight after ${caps.requestsMs} ms${left === undefined ? '' : ` (${left})`}: connections closed`
  })
  await step('stop hooks run', () => p.lifecycle.runStopHooks(p.log, caps.hookMs))
  await step('leadership released: another replica may lead at once', () => p.database.releaseLeadership())
  await step('database closed', () => p.database.close())
  p.log.info('server.stop', `stopped in ${Math.round(performance.now() - began)} ms`)
}
