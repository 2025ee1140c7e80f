// /api/v1/protected-accounts/:protectedAccountId/cut and
// /api/v1/pools/:poolId/protection/hook (CONTRACT.md): the per-account DNS cut
// and the pool's post-failover hook.
import { Elysia, t } from 'elysia'
import type { Deps } from '../server/deps'
import { accessPlugin, actorOf } from '../http/access'
import { ErrorSchema, Text } from '../http/api-schemas'
import { HttpError } from '../http/errors'
import { cutAccount } from './cut'
import { getHookCommand, HOOK_MAX, setHookCommand } from './hook'

const tags = (summary: string, description?: string) => ({ detail: { tags: ['Protection'], summary, description } })

const Values = t.Array(t.String())
const CutRecordJson = t.Object({
  name: t.String(),
  type: t.UnionEnum(['A', 'AAAA', 'MX', 'SRV']),
  before: Values,
  after: t.Array(t.String(), { description: 'As read back from the provider after the write' }),
  verified: t.Boolean({ description: 'The provider answered the new values when read back' }),
  state: t.UnionEnum(['moved', 'at_standby'], { description: 'moved: rewritten now; at_standby: already named the standby, left as it was' }),
})

const CutJson = t.Object({
  ok: t.Literal(true),
  protectedAccountId: t.String(),
  user: t.String(),
  sourceMemberId: t.String(),
  standbyMemberId: t.String(),
  provider: t.String({ description: "The DNS provider's name" }),
  domains: t.Array(t.String(), { description: "The account's main and other domains" }),
  records: t.Array(CutRecordJson),
  notes: t.Array(t.String(), { description: 'What was looked at and left: names without a zone, unknown IPv6, records naming neither member' }),
  hookJobId: t.Nullable(t.String({ description: 'The post-failover hook queued on the standby; null when the pool has none' })),
  eventId: t.Integer({ description: "The 'cut' row of the replication log" }),
})

const HookJson = t.Object({ command: t.Nullable(t.String({ description: 'Run by the standby\'s agent as sh -c <command> serversctl-hook <user> <domain>...' })) })

export function protectionCutApi(deps: Deps) {
  return new Elysia()
    .use(accessPlugin(deps))
    .post(
      '/api/v1/protected-accounts/:protectedAccountId/cut',
      async (ctx) => {
        const result = await cutAccount(deps, actorOf(ctx), ctx.params.protectedAccountId, { reason: 'manual' })
        if (!result.ok) throw new HttpError(502, 'dns_cut_failed', result.error ?? 'The DNS cut failed')
        const { error: _none, ...json } = result
        return { ...json, ok: true as const }
      },
      {
        access: 'user',
        body: t.Object({}, { additionalProperties: false }),
        response: { 200: CutJson, 404: ErrorSchema, 422: ErrorSchema, 502: ErrorSchema },
        ...tags(
          "Cut an account's DNS to its standby",
          "Rewrites the account's chosen records (A by default; AAAA, MX, SRV) that name its source member to name its standby, with the account's TTL, through its DNS provider, and reads each back. Records already at the standby are left and reported. Then queues the pool's post-failover hook on the standby. 422 without a DNS provider; 502 with the provider's words when a record does not read back as written (the failure is in the replication log).",
        ),
      },
    )
    .get('/api/v1/pools/:poolId/protection/hook', async ({ params }) => ({ command: await getHookCommand(deps.db, params.poolId) }), {
      access: 'user',
      response: { 200: HookJson, 404: ErrorSchema },
      ...tags('The post-failover hook'),
    })
    .put(
      '/api/v1/pools/:poolId/protection/hook',
      async (ctx) => ({ command: await setHookCommand(deps.db, actorOf(ctx), ctx.params.poolId, ctx.body.command) }),
      {
        access: 'user',
        body: t.Object({ command: t.Nullable(Text({ maxLength: HOOK_MAX + 200 })) }, { additionalProperties: false }),
        response: { 200: HookJson, 404: ErrorSchema, 422: ErrorSchema },
        ...tags(
          'Set the post-failover hook',
          `One shell line of up to ${HOOK_MAX} characters (null or empty: none), run on the standby after each account's DNS cut as sh -c <command> serversctl-hook <user> <domain>...: the account is $1, its domains $2 onwards.`,
        ),
      },
    )
}
