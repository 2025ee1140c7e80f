// API tokens: the account page and /api/v1/tokens.
import { Elysia, t } from 'elysia'
import type { Deps } from '../server/deps'
import { accessPlugin, actorOf, expectedCsrf } from '../http/access'
import { render } from '../http/render'
import { formAction, redirectTo, str } from '../http/forms'
import { ErrorSchema, NoContent } from '../http/api-schemas'
import { TokensPage, type TokensForm } from '../../views/account/TokensPage'
import * as auth from './service'
import type { ApiToken } from './store'

type Ctx = Parameters<typeof render>[0] & { principal: auth.Principal | null }

async function renderTokens(deps: Deps, ctx: Ctx, form: TokensForm, status?: number) {
  const tokens = await auth.listApiTokens(deps.db, ctx.principal!.user.id)
  return render(ctx, {
    title: 'API tokens',
    section: 'account',
    status,
    main: () => <TokensPage tokens={tokens} form={form} csrf={expectedCsrf(ctx)} />,
  })
}

const TokenSchema = t.Object({
  id: t.String(),
  name: t.String(),
  lastFour: t.String(),
  createdAt: t.String({ format: 'date-time' }),
  lastUsedAt: t.Nullable(t.String({ format: 'date-time' })),
})

const tokenJson = (tk: ApiToken) => ({
  id: tk.id,
  name: tk.name,
  lastFour: tk.lastFour,
  createdAt: tk.createdAt.toISOString(),
  lastUsedAt: tk.lastUsedAt?.toISOString() ?? null,
})

const detail = (summary: string) => ({ detail: { tags: ['API tokens'], summary } })

export function tokenRoutes(deps: Deps) {
  return new Elysia()
    .use(accessPlugin(deps))
    .get('/account/tokens', (ctx) => renderTokens(deps, ctx, { name: '' }), { access: 'user' })
    .post(
      '/account/tokens',
      async (ctx) => {
        const result = await formAction(async () =>
          auth.createApiToken(deps.db, actorOf(ctx), ctx.principal!.user.id, auth.checkTokenName(ctx.body.name)),
        )
        if (!result.ok) return renderTokens(deps, ctx, { name: str(ctx.body.name), error: result.message }, result.status)
        // Not a redirect: the secret is shown on this answer and never again.
        ctx.set.status = 201
        return renderTokens(deps, ctx, { name: '', created: { name: result.value.token.name, secret: result.value.secret } })
      },
      { access: 'user', body: t.Record(t.String(), t.String(), { maxProperties: 10 }) },
    )
    .post(
      '/account/tokens/:tokenId/revoke',
      async (ctx) => {
        const token = await auth.revokeApiToken(deps.db, actorOf(ctx), ctx.principal!.user.id, ctx.params.tokenId)
        return redirectTo(ctx, '/account/tokens', `Token "${token.name}" revoked.`)
      },
      { access: 'user' },
    )
    .get('/api/v1/tokens', async (ctx) => (await auth.listApiTokens(deps.db, ctx.principal!.user.id)).map(tokenJson), {
      access: 'user',
      response: { 200: t.Array(TokenSchema) },
      ...detail('List your API tokens'),
    })
    .post(
      '/api/v1/tokens',
      async (ctx) => {
        const { token, secret } = await auth.createApiToken(
          deps.db,
          actorOf(ctx),
          ctx.principal!.user.id,
          auth.checkTokenName(ctx.body.name),
        )
        ctx.set.status = 201
        return { ...tokenJson(token), token: secret }
      },
      {
        access: 'user',
        body: t.Object({ name: t.String({ minLength: 1, maxLength: 80 }) }, { additionalProperties: false }),
        response: { 201: t.Composite([TokenSchema, t.Object({ token: t.String() })]), 422: ErrorSchema },
        ...detail('Create an API token (the secret is returned once)'),
      },
    )
    .delete(
      '/api/v1/tokens/:tokenId',
      async (ctx) => {
        await auth.revokeApiToken(deps.db, actorOf(ctx), ctx.principal!.user.id, ctx.params.tokenId)
        ctx.set.status = 204
      },
      { access: 'user', response: { 204: NoContent, 404: ErrorSchema }, ...detail('Revoke an API token') },
    )
}
