// GET /metrics for Prometheus. It names members' states, job counts and
// provider failures, so it is not public: a bearer token (METRICS_TOKEN), or
// without one a scraper on this very host.
import { timingSafeEqual } from 'node:crypto'
import { Elysia, t } from 'elysia'
import type { Deps } from '../server/deps'
import { accessPlugin } from '../http/access'
import { ErrorSchema } from '../http/api-schemas'
import { errorBody, forbidden, unauthorized, type HttpError } from '../http/errors'

type Peer = { requestIP?: (r: Request) => { address: string } | null } | null | undefined

const isLoopback = (ip: string) => ip === '::1' || /^(::ffff:)?127\./.test(ip)

function sameToken(sent: string, expected: string): boolean {
  const a = Buffer.from(sent)
  const b = Buffer.from(expected)
  return a.length === b.length && timingSafeEqual(a, b)
}

/**
 * With METRICS_TOKEN: that token. Without: the socket's own peer on loopback,
 * never an X-Forwarded-For (anyone can write one), and not when the request
 * came through a proxy, which on this host would make every client loopback.
 */
export function metricsRefusal(request: Request, server: Peer, token: string | null): HttpError | null {
  if (token) {
    const sent = /^Bearer\s+(\S+)$/i.exec(request.headers.get('authorization') ?? '')?.[1]
    return sent && sameToken(sent, token) ? null : unauthorized('Send the METRICS_TOKEN as "Authorization: Bearer <token>"')
  }
  const peer = server?.requestIP?.(request)?.address
  const proxied = request.headers.has('x-forwarded-for') || request.headers.has('forwarded')
  if (peer && isLoopback(peer) && !proxied) return null
  return forbidden('/metrics answers only this host (loopback) while METRICS_TOKEN is not set; set METRICS_TOKEN to scrape it from elsewhere or through a proxy')
}

export function metricsRoutes(deps: Deps) {
  return new Elysia().use(accessPlugin(deps)).get(
    '/metrics',
    async ({ request, server, set }) => {
      const refused = metricsRefusal(request, server as Peer, deps.config.metricsToken)
      // JSON whatever the scraper accepts: outside /api/ the error handler would answer a page.
      if (refused) {
        set.status = refused.status
        if (refused.status === 401) set.headers['www-authenticate'] = 'Bearer'
        return errorBody(refused.code, refused.message)
      }
      const body = await deps.metrics.registry.metrics()
      set.headers['content-type'] = deps.metrics.registry.contentType
      return body
    },
    {
      // Its own guard above: a Prometheus token is not a user's.
      access: 'static',
      response: { 200: t.String(), 401: ErrorSchema, 403: ErrorSchema },
      detail: {
        tags: ['Health'],
        summary:
          'Prometheus metrics (text format 0.0.4): heartbeats received and rejected, members by status, failover transitions, jobs by status and queue depth, DNS and storage provider errors, request durations by route. With METRICS_TOKEN set, send it as "Authorization: Bearer <token>" (401 otherwise); without it, only a scraper on this host (loopback, not through a proxy) is answered, others get 403',
        security: [{ bearer: [] }],
      },
    },
  )
}
