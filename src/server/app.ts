// Builds the whole HTTP application from its domains. Tests build it the same
// way, with their own database and settings.
import { Elysia } from 'elysia'
import { html } from '@elysiajs/html'
import type { Deps } from './deps'
import { assertEveryRouteGuarded } from '../http/access'
import { handleError } from '../http/error-handler'
import { inputGuard } from '../http/input-guard'
import { errorBody } from '../http/errors'
import { assetRoutes } from '../http/assets'
import { healthRoutes } from '../health/routes'
import { authRoutes } from '../auth/routes'
import { tokenRoutes } from '../auth/tokens-routes'
import { objectRoutes } from '../storage/object-routes'
import { storageRoutes } from '../storage/routes'
import { poolPages } from '../pools/routes'
import { poolApi } from '../pools/api'
import { auditRoutes } from '../audit/routes'
import { docsRoutes } from '../docs/routes'
import { bodyLimit, bodyTooLarge } from './body-limit'
import { HSTS } from './public-url'
import { agentRoutes } from '../agent-api/routes'
import { memberPages } from '../members/routes'
import { memberApi } from '../members/api'
import { failoverApi } from '../failover/api'
import { failoverPages } from '../failover/routes'
import { alertRoutes } from '../alerts/routes'
import { jobApi } from '../jobs/api'
import { jobAgentRoutes } from '../jobs/agent-routes'
import { jobPages } from '../jobs/routes'
import { scheduleApi } from '../jobs/schedule-api'
import { jobMemberPages } from '../jobs/job-pages'
import { backupTabPages } from '../backups/tab-routes'
import { cpanelTabPages } from '../cpanel/tab-routes'
import { protectionTabPages } from '../protection/tab-routes'
import { runPages } from '../jobs/run-pages'
import { backupApi } from '../backups/api'
import { backupAgentRoutes } from '../backups/agent-routes'
import { cpanelAgentRoutes } from '../cpanel/agent-routes'
import { cpanelApi } from '../cpanel/api'
import { protectionApi } from '../protection/api'
import { protectionCutApi } from '../protection/hook-api'
import { managedDnsPages } from '../managed-dns/routes'
import { managedDnsApi } from '../managed-dns/api'
import { metricsRoutes } from '../metrics/routes'
import { observeRequest } from '../metrics/http'
import { beginRequest, currentRequest } from './request-id'

export { MAX_AGENT_BODY_BYTES, MAX_BODY_BYTES } from './body-limit'

const SECURITY_HEADERS = {
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'same-origin',
  'x-frame-options': 'DENY',
  // Pages show one-time secrets (install commands, new API tokens) and signed-in
  // data; no browser or proxy may keep a copy. Assets and agent downloads set
  // their own caching, which wins because they set it later.
  'cache-control': 'no-store',
  // No 'unsafe-eval': Alpine's CSP build parses its expressions itself, with
  // no globals and no document, so markup that slips past escaping cannot run
  // a script through x-init or @click.
  'content-security-policy':
    "default-src 'self'; script-src 'self'; style-src 'self' 'unsafe-inline'; img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; form-action 'self'; base-uri 'self'",
}

export function buildApp(deps: Deps) {
  const headers = deps.config.secureCookies ? { ...SECURITY_HEADERS, 'strict-transport-security': HSTS } : SECURITY_HEADERS
  // normalize off: an unknown field in a request body is refused, not dropped.
  const onError = handleError(deps.log)
  const app: Elysia = new Elysia({ normalize: false })
    .use(html({ autoDetect: false }))
    // First, and not async: what it starts is seen by every later hook, the handler and any log line they write.
    .onRequest(({ request, set }) => {
      set.headers['x-request-id'] = beginRequest(request).id
    })
    .onRequest(async ({ request, set }) => {
      Object.assign(set.headers, headers)
      if (await bodyTooLarge(request)) {
        return Response.json(errorBody('too_large', `The request body is larger than ${bodyLimit(request) / 1024} KiB`), {
          status: 413,
        })
      }
    })
    .onError((async (ctx: Parameters<typeof onError>[0]) => {
      const res = await onError(ctx)
      const current = currentRequest()
      if (current) current.status = res.status
      return res
    }) as never)
    .onAfterResponse((ctx) => {
      const current = currentRequest()
      if (!current) return
      const answered = (ctx as { responseValue?: unknown }).responseValue
      const status = current.status ?? (answered instanceof Response ? answered.status : typeof ctx.set.status === 'number' ? ctx.set.status : 200)
      const seconds = (performance.now() - current.startedAt) / 1000
      observeRequest(deps.metrics, { method: ctx.request.method, route: (ctx as { route?: string }).route, path: ctx.path, status, seconds })
    })
    .use(inputGuard())
    .use(assetRoutes(deps))
    .use(healthRoutes(deps))
    .use(metricsRoutes(deps))
    .use(authRoutes(deps))
    .use(poolPages(deps))
    .use(poolApi(deps))
    .use(memberPages(deps))
    .use(memberApi(deps))
    .use(failoverApi(deps))
    .use(failoverPages(deps))
    .use(alertRoutes(deps))
    .use(agentRoutes(deps))
    .use(jobAgentRoutes(deps))
    .use(jobApi(deps))
    .use(jobPages(deps))
    .use(scheduleApi(deps))
    .use(jobMemberPages(deps))
    .use(backupTabPages(deps))
    .use(cpanelTabPages(deps))
    .use(protectionTabPages(deps))
    .use(runPages(deps))
    .use(backupAgentRoutes(deps))
    .use(backupApi(deps))
    .use(cpanelAgentRoutes(deps))
    .use(cpanelApi(deps))
    .use(protectionApi(deps))
    .use(protectionCutApi(deps))
    .use(managedDnsPages(deps))
    .use(managedDnsApi(deps))
    .use(tokenRoutes(deps))
    .use(storageRoutes(deps))
    .use(objectRoutes(deps))
    .use(auditRoutes(deps))
    .use(docsRoutes(deps, () => app)) as unknown as Elysia
  assertEveryRouteGuarded(app)
  return app
}
