// /api/v1/agent/cpanel/:jobId/*: agent/cpanel/protocol.ts, server side.
// Only the member's own agent, from its own addresses, while the job runs.
import { Elysia, t } from 'elysia'
import type { Deps } from '../server/deps'
import { accessPlugin } from '../http/access'
import { ErrorSchema, Text } from '../http/api-schemas'
import { HttpError } from '../http/errors'
import { foreignAddress } from '../agent-api/service'
import type { MemberRow as Member } from '../members/store'
import { storeReveal, takeCredentials } from './secrets'

const tags = { tags: ['Agent'], security: [{ agent: [] }] }
const errors = { 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 413: ErrorSchema, 422: ErrorSchema }

function ownAgent(member: Member | null, ip: string | null): Member {
  const foreign = foreignAddress(member!, ip)
  if (foreign) throw new HttpError(403, 'address_not_allowed', `Refused: ${foreign}`)
  return member!
}

export function cpanelAgentRoutes(deps: Deps) {
  return new Elysia()
    .use(accessPlugin(deps))
    .post(
      '/api/v1/agent/cpanel/:jobId/reveal',
      async ({ body, member, ip, params }) => {
        await storeReveal(deps, ownAgent(member, ip).id, params.jobId, body)
        return { ok: true as const }
      },
      {
        access: 'agent',
        body: t.Object(
          {
            kind: t.UnionEnum(['password', 'login'], { error: 'password or login' }),
            value: Text({ minLength: 1, maxLength: 4096, error: 'the secret: 1 to 4096 characters' }),
          },
          { additionalProperties: false },
        ),
        response: { 200: t.Object({ ok: t.Literal(true) }), ...errors },
        detail: {
          ...tags,
          summary: "A secret the job made (a new account's password, a one-time login link), shown once to whoever queued the job",
          description: 'cpanel.account.create hands over a password, cpanel.account.login a login link. Kept sealed until shown, at most 10 minutes.',
        },
      },
    )
    .post('/api/v1/agent/cpanel/:jobId/credentials', ({ member, ip, params }) => takeCredentials(deps, ownAgent(member, ip).id, params.jobId), {
      access: 'agent',
      body: t.Object({}, { additionalProperties: false }),
      response: { 200: t.Object({ user: t.String(), password: t.String() }), ...errors },
      detail: {
        ...tags,
        summary: "cpanel.account.transfer: the source server's login the operator typed, handed over once",
        description: 'The server forgets it as it answers; a second call answers 409.',
      },
    })
}
