// The one guard every route declares: `{ access: 'static' | 'public' | 'user' | 'admin' }`.
// It runs before the body is validated, so a stranger learns nothing about a
// route's input, and it checks the CSRF token of every browser state change.
// buildApp refuses to start if any route forgot to declare it.
import { Elysia } from 'elysia'
import type { AnyElysia } from 'elysia'
import { principalFromSession, principalFromToken, type Principal } from '../auth/service'
import type { Deps } from '../server/deps'
import type { Actor } from '../audit/service'
import { clientIp } from './client-ip'
import { forbidden, HttpError, unauthorized } from './errors'
import { csrfCookieName, sessionCookieName } from './cookies'
import { memberFromAgentToken } from '../agent-api/service'
import type { MemberRow as Member } from '../members/store'

/**
 * static: files, no lookup at all; public: anyone, but knows who is signed in;
 * agent: an enrolled member's agent, by its own bearer token.
 */
export type Access = 'static' | 'public' | 'agent' | 'user' | 'admin'

type Ctx = {
  request: Request
  server: unknown
  cookie: Record<string, { value?: unknown }>
  body: unknown
  principal?: Principal | null
  member?: Member | null
  ip?: string | null
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS'])

function bearer(ctx: Ctx): string | null {
  const auth = ctx.request.headers.get('authorization')
  if (!auth) return null
  const match = /^Bearer\s+(\S+)$/i.exec(auth)
  if (!match) throw unauthorized('The Authorization header must be "Bearer <token>"')
  return match[1]!
}

async function findAgent(deps: Deps, ctx: Ctx): Promise<Member> {
  const token = bearer(ctx)
  if (!token) throw unauthorized('Send the agent token as "Authorization: Bearer <token>"')
  const member = await memberFromAgentToken(deps.db, token)
  if (!member) throw unauthorized('This agent token is not valid: the member was removed or enrolled again')
  return member
}

async function findPrincipal(deps: Deps, ctx: Ctx): Promise<Principal | null> {
  const token = bearer(ctx)
  if (token) {
    const principal = await principalFromToken(deps.db, token)
    if (!principal) throw unauthorized('That API token is unknown or revoked')
    return principal
  }
  const session = ctx.cookie[sessionCookieName]?.value
  return typeof session === 'string' && session ? principalFromSession(deps.db, session, deps.config.session) : null
}

function submittedCsrf(ctx: Ctx): string | null {
  const header = ctx.request.headers.get('x-csrf-token')
  if (header) return header
  const body = ctx.body as Record<string, unknown> | null | undefined
  return body && typeof body === 'object' && typeof body._csrf === 'string' ? body._csrf : null
}

/** The token a browser must echo: the session's, or the pre-sign-in cookie's. */
export function expectedCsrf(ctx: Pick<Ctx, 'cookie' | 'principal'>): string | null {
  if (ctx.principal?.via === 'session') return ctx.principal.csrfToken
  const pre = ctx.cookie?.[csrfCookieName]?.value
  return typeof pre === 'string' && pre ? pre : null
}

function checkCsrf(ctx: Ctx) {
  if (SAFE_METHODS.has(ctx.request.method)) return
  // Bearer tokens are never sent by a browser on its own, so they need no CSRF token.
  if (ctx.principal?.via === 'token') return
  // Nor can another site make a browser send JSON: that needs a CORS preflight we never grant.
  if ((ctx.request.headers.get('content-type') ?? '').toLowerCase().startsWith('application/json')) return
  const expected = expectedCsrf(ctx)
  const submitted = submittedCsrf(ctx)
  if (!expected || !submitted || submitted !== expected) {
    throw new HttpError(403, 'csrf_failed', 'This form has expired. Reload the page and try again.')
  }
}

function guard(deps: Deps, need: Access) {
  const check = async (ctx: Ctx) => {
    ctx.ip = clientIp(ctx.request, ctx.server as never, deps.config.trustProxy)
    if (need === 'static') return
    if (need === 'agent') {
      ctx.member = await findAgent(deps, ctx)
      return
    }
    ctx.principal = await findPrincipal(deps, ctx)
    if (need !== 'public') {
      if (!ctx.principal) throw unauthorized()
      if (need === 'admin' && ctx.principal.user.role !== 'admin') throw forbidden('Only admins can do that')
    }
    checkCsrf(ctx)
  }
  return Object.assign(check, { access: need })
}

export function accessPlugin(deps: Deps) {
  return new Elysia({ name: 'access' }).macro({
    access: (need: Access) => ({
      transform: guard(deps, need),
      resolve: (ctx) => {
        const c = ctx as unknown as Ctx
        return { principal: c.principal ?? null, member: c.member ?? null, ip: c.ip ?? null }
      },
    }),
  })
}

/** The actor an audit entry names for this request. */
export function actorOf(ctx: { principal: Principal | null; ip: string | null }): Actor {
  const p = ctx.principal
  if (!p) return { userId: null, label: 'anonymous', ip: ctx.ip }
  const label = p.via === 'token' ? `${p.user.email} (token "${p.tokenName}")` : p.user.email
  return { userId: p.user.id, label, ip: ctx.ip }
}

/** Access declared by each route, read back from its hooks. */
export function declaredAccess(app: AnyElysia): { method: string; path: string; access: Access | null }[] {
  return app.routes.map((route) => {
    const transforms = ((route.hooks as { transform?: unknown[] } | undefined)?.transform ?? []) as unknown[]
    const tagged = transforms
      .map((h) => ((h as { fn?: unknown }).fn ?? h) as { access?: Access })
      .find((fn) => typeof fn?.access === 'string')
    return { method: route.method, path: route.path, access: tagged?.access ?? null }
  })
}

export function assertEveryRouteGuarded(app: AnyElysia): void {
  const missing = declaredAccess(app).filter((r) => r.access === null)
  if (missing.length) {
    throw new Error(`routes without an access declaration: ${missing.map((r) => `${r.method} ${r.path}`).join(', ')}`)
  }
}
