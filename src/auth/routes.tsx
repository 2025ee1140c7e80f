// /login, /setup and /logout: the browser's way in and out.
import { Elysia, t } from 'elysia'
import type { Deps } from '../server/deps'
import { accessPlugin, actorOf, expectedCsrf } from '../http/access'
import { csrfCookieName, sessionCookieName } from '../http/cookies'
import { render } from '../http/render'
import { redirectTo, str } from '../http/forms'
import { HttpError } from '../http/errors'
import { fieldChecks } from '../http/field-errors'
import { newSecret } from '../crypto/tokens'
import { LoginPage, SetupPage, type LoginForm, type SetupForm } from '../../views/auth/AuthPages'
import { TooManyAttempts } from '../throttle/service'
import { accountRoutes } from './account-routes'
import * as auth from './service'

const formBody = t.Record(t.String(), t.String(), { maxProperties: 20 })

type Ctx = Parameters<typeof render>[0] & { cookie: Record<string, any> }

const AFTER_SIGN_IN = '/pools'
// A browser silently drops tab and newline from a URL and reads a backslash as
// a slash, so such a value can name another site even though it looks like a path.
const AMBIGUOUS = /[\u0000-\u001f\u007f\\]/

/**
 * The page to go to after sign-in, as a path on this server. `next` is
 * resolved the way a browser would, against PUBLIC_URL, and kept only when it
 * stays on the same origin; the answer is the normalised path, never the raw text.
 */
export function safeNext(next: unknown, publicUrl: string): string {
  if (typeof next !== 'string' || AMBIGUOUS.test(next)) return AFTER_SIGN_IN
  let url: URL
  try {
    url = new URL(next, publicUrl)
  } catch {
    return AFTER_SIGN_IN
  }
  if (url.origin !== new URL(publicUrl).origin) return AFTER_SIGN_IN
  // Dot segments can fold "/x/..//evil.example" into a protocol-relative path.
  if (url.pathname.startsWith('//')) return AFTER_SIGN_IN
  // Back to the sign-in page itself would redirect a signed-in user in a loop.
  if (url.pathname === '/login' || url.pathname === '/setup') return AFTER_SIGN_IN
  return url.pathname + url.search + url.hash
}

function ensurePreSignInCsrf(deps: Deps, ctx: Ctx) {
  if (typeof ctx.cookie[csrfCookieName]?.value === 'string' && ctx.cookie[csrfCookieName].value) return
  ctx.cookie[csrfCookieName].set({
    value: newSecret(),
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: deps.config.secureCookies,
  })
}

function setSessionCookie(deps: Deps, ctx: Ctx, value: string, expires: Date) {
  ctx.cookie[sessionCookieName].set({
    value,
    path: '/',
    httpOnly: true,
    sameSite: 'lax',
    secure: deps.config.secureCookies,
    expires,
  })
}

function renderLogin(deps: Deps, ctx: Ctx, form: LoginForm, status?: number) {
  ensurePreSignInCsrf(deps, ctx)
  return render(ctx, { title: 'Sign in', section: 'none', status, main: () => <LoginPage form={form} csrf={expectedCsrf(ctx)} /> })
}

function renderSetup(deps: Deps, ctx: Ctx, form: SetupForm, status?: number) {
  ensurePreSignInCsrf(deps, ctx)
  return render(ctx, {
    title: 'Set up',
    section: 'none',
    status,
    main: () => <SetupPage form={form} csrf={expectedCsrf(ctx)} minPassword={auth.MIN_PASSWORD} />,
  })
}

function checkSetupInput(body: Record<string, string>): SetupForm['errors'] {
  const fields = fieldChecks()
  if (!str(body.code).trim()) fields.refuse('code', 'Enter the setup code from the server log')
  fields.check(() => auth.checkEmail(body.email))
  fields.check(() => auth.checkNewPassword(body.password))
  if (!fields.refused('password') && body.password !== body.confirm) fields.refuse('confirm', 'The two passwords differ')
  return { ...fields.errors }
}

export function authRoutes(deps: Deps) {
  return new Elysia()
    .use(accessPlugin(deps))
    .use(accountRoutes(deps))
    .get(
      '/login',
      async (ctx) => {
        if (ctx.principal) return ctx.redirect(safeNext(ctx.query.next, deps.config.publicUrl), 303)
        if (!(await auth.hasUsers(deps.db))) return ctx.redirect('/setup', 303)
        return renderLogin(deps, ctx, { email: '', next: safeNext(ctx.query.next, deps.config.publicUrl) })
      },
      { access: 'public', query: t.Object({ next: t.Optional(t.String({ maxLength: 500 })) }) },
    )
    .post(
      '/login',
      async (ctx) => {
        const form = { email: str(ctx.body.email).trim(), next: safeNext(ctx.body.next, deps.config.publicUrl) }
        try {
          const user = await auth.checkCredentials(deps.db, {
            email: form.email,
            password: str(ctx.body.password),
            ip: ctx.ip,
          })
          const session = await auth.startSession(
            deps.db,
            user,
            { ip: ctx.ip, userAgent: ctx.request.headers.get('user-agent') },
            deps.config.session,
          )
          setSessionCookie(deps, ctx, session.cookieValue, session.expiresAt)
          return redirectTo(ctx, form.next)
        } catch (err) {
          if (!(err instanceof HttpError)) throw err
          if (err instanceof TooManyAttempts) ctx.set.headers['retry-after'] = String(err.retryAfterSeconds)
          return renderLogin(deps, ctx, { ...form, error: err.message }, err.status)
        }
      },
      { access: 'public', body: formBody },
    )
    .get(
      '/setup',
      async (ctx) => {
        if (await auth.hasUsers(deps.db)) return ctx.redirect('/login', 303)
        return renderSetup(deps, ctx, { code: '', email: '', errors: {} })
      },
      { access: 'public' },
    )
    .post(
      '/setup',
      async (ctx) => {
        const body = ctx.body
        const form: SetupForm = { code: str(body.code), email: str(body.email).trim(), errors: checkSetupInput(body) }
        if (Object.keys(form.errors).length) return renderSetup(deps, ctx, form, 422)
        try {
          const user = await auth.completeSetup(deps.db, {
            code: form.code,
            email: form.email,
            password: body.password!,
            ip: ctx.ip,
          })
          const session = await auth.startSession(
            deps.db,
            user,
            { ip: ctx.ip, userAgent: ctx.request.headers.get('user-agent') },
            deps.config.session,
          )
          setSessionCookie(deps, ctx, session.cookieValue, session.expiresAt)
          return redirectTo(ctx, AFTER_SIGN_IN, 'Welcome. Create your first pool to get started.')
        } catch (err) {
          if (!(err instanceof HttpError)) throw err
          if (err.status === 409) return ctx.redirect('/login', 303)
          if (err instanceof TooManyAttempts) ctx.set.headers['retry-after'] = String(err.retryAfterSeconds)
          form.errors[(err.field as keyof SetupForm['errors']) ?? 'form'] = err.message
          return renderSetup(deps, ctx, form, err.status)
        }
      },
      { access: 'public', body: formBody },
    )
    .post(
      '/logout',
      async (ctx) => {
        await auth.endSession(deps.db, ctx.principal!, actorOf(ctx))
        ctx.cookie[sessionCookieName].remove()
        return redirectTo(ctx, '/login')
      },
      { access: 'user' },
    )
}
