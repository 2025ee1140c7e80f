// Per-request figures, counted by the app's last hook (server/app.ts) from
// the answer actually sent, so no route has to remember to count itself.
import type { Metrics } from './index'

const HEARTBEAT_PATH = '/api/v1/agent/heartbeat'
const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'PATCH', 'DELETE', 'OPTIONS'])

export type Answered = {
  method: string
  /** Elysia's route template ("/pools/:poolId"); absent when no route matched. */
  route: string | undefined
  /** Taken from the URL only to recognise a heartbeat refused before routing (too large). */
  path: string
  status: number
  seconds: number
}

export function observeRequest(metrics: Metrics, a: Answered): void {
  // Unmatched paths share one label: a scanner's thousand URLs must not become a thousand series.
  const route = a.route || 'unmatched'
  const method = METHODS.has(a.method) ? a.method : 'other'
  metrics.requestDuration.observe({ route, method, status: `${Math.floor(a.status / 100)}xx` }, a.seconds)
  if (a.method === 'POST' && (a.route ?? a.path) === HEARTBEAT_PATH) {
    metrics.heartbeatsReceived.inc()
    if (a.status >= 400) metrics.heartbeatsRejected.inc({ status: String(a.status) })
  }
}
