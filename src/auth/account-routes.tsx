// The account's own safety: change the password, sign out everywhere.
import { Elysia, t } from 'elysia'
import type { Deps } from '../server/deps'
import { accessPlugin, actorOf, expectedCsrf } from '../http/access'
import { sessionCookieName } from '../http/cookies'
import { render } from '../http/render'
import { redirectTo, str } from '../http/forms'
import { TooManyAttempts } from '../throttle/service'
import { PasswordPage, type PasswordForm } from '../../views/account/PasswordPage'
import * as auth from './service'

type Ctx = Parameters<typeof render>[0] & { principal: auth.Principal | null; ip: string | null }

function renderPassword(ctx: Ctx, form: PasswordForm, status?: number) {
  return render(ctx, {
    title: 'Change password',
    section: 'account',
    status,
    main: () => <PasswordPage form={form} csrf={expectedCsrf(ctx)} minPassword={auth.MIN_PASSWORD} />,
  })
}

async function savePassword(deps: Deps, ctx: Ctx & { body: Record<string, string> }) {
  const input = { current: str(ctx.body.current), password: str(ctx.body.password), confirm: str(ctx.body.confirm) }
  try {
    const errors = await auth.changePassword(deps.db, ctx.principal!, actorOf(ctx), input)
    if (Object.keys(errors).length) return renderPassword(ctx, { errors }, 422)
  } catch (err) {
    if (!(err instanceof TooManyAttempts)) throw err
    ctx.set.headers['retry-after'] = String(err.retryAfterSeconds)
    return renderPassword(ctx, { errors: { form: err.message } }, 429)
  }
  return redirectTo(ctx, '/account/password', 'Password changed. Every other browser signed in as you was signed out.')
}

export function accountRoutes(deps: Deps) {
  return new Elysia()
    .use(accessPlugin(deps))
    .get('/account/password', (ctx) => renderPassword(ctx, { errors: {} }), { access: 'user' })
    .post('/account/password', (ctx) => savePassword(deps, ctx), {
      access: 'user',
      body: t.Record(t.String(), t.String(), { maxProperties: 10 }),
    })
    .post(
      '/account/sign-out-everywhere',
      async (ctx) => {
        await auth.endEverySession(deps.db, ctx.principal!, actorOf(ctx))
        ctx.cookie[sessionCookieName]!.remove()
        return redirectTo(ctx, '/login', 'You were signed out everywhere. Sign in again to continue.')
      },
      { access: 'user' },
    )
}
