// /api/v1/pools/:poolId/members and /api/v1/members/:memberId (CONTRACT.md).
import { Elysia, t } from 'elysia'
import type { Deps } from '../server/deps'
import { accessPlugin, actorOf } from '../http/access'
import { DateTime, ErrorSchema, NoContent, NullableDateTime, Text } from '../http/api-schemas'
import { HttpError } from '../http/errors'
import { getPool } from '../pools/service'
import * as members from './service'
import type { Member } from './store'

const Ip = Text({ maxLength: 15 })
const Location = t.Object(
  { lat: t.Number({ minimum: -90, maximum: 90 }), lon: t.Number({ minimum: -180, maximum: 180 }), label: t.Optional(t.Nullable(Text({ maxLength: 80 }))) },
  { additionalProperties: false },
)

const Enrollment = t.Object({ secret: t.String(), expiresAt: DateTime, installCommand: t.String() })

const enrollmentJson = (e: { secret: string; expiresAt: Date; installCommand: string }) => ({
  secret: e.secret,
  expiresAt: e.expiresAt.toISOString(),
  installCommand: e.installCommand,
})

const detail = (summary: string, description?: string) => ({ detail: { tags: ['Members'], summary, description } })

const Stack = t.Unknown({ description: 'What the agent found of this stack (version, sites, databases, accounts); null when not detected' })
const Bytes = t.Nullable(t.Number())

export const MemberSchema = t.Object({
  id: t.String(),
  poolId: t.String(),
  name: t.String(),
  hostname: t.String(),
  egressIps: t.Array(t.String(), { description: 'The IPv4 addresses allowed to enrol and send heartbeats' }),
  publicIpv4: t.Nullable(t.String({ description: 'Where DNS points while this member is active' })),
  publicIpv6: t.Nullable(t.String({ description: 'Where AAAA records point while this member is active' })),
  location: t.Nullable(t.Object({ lat: t.Number(), lon: t.Number(), label: t.Optional(t.Nullable(t.String())) })),
  status: t.Union([t.Literal('pending'), t.Literal('healthy'), t.Literal('late'), t.Literal('down')], { description: 'pending until the first heartbeat' }),
  lastHeartbeatAt: NullableDateTime,
  enrolledAt: NullableDateTime,
  agentVersion: t.Nullable(t.String()),
  os: t.Object({ id: t.Nullable(t.String()), versionId: t.Nullable(t.String()), family: t.Nullable(t.String()), prettyName: t.Nullable(t.String()) }),
  stacks: t.Object({ openlitespeed: Stack, mariadb: Stack, galera: Stack, cpanel: Stack }),
  metrics: t.Object({
    cpuPercent: t.Nullable(t.Number()),
    memUsedBytes: Bytes,
    memTotalBytes: Bytes,
    diskUsedBytes: Bytes,
    diskTotalBytes: Bytes,
    load1: t.Nullable(t.Number()),
  }),
  heartbeatSeconds: t.Integer({ description: 'How often the agent reports' }),
})

export function memberApi(deps: Deps) {
  const enroller = () => ({ publicUrl: deps.config.publicUrl, secrets: deps.secrets })
  const oneJson = async (m: Member) => members.memberJson(m, new Date())
  return new Elysia()
    .use(accessPlugin(deps))
    .post(
      '/api/v1/pools/:poolId/members',
      async (ctx) => {
        const { member, enrollment } = await members.addMember(deps.db, actorOf(ctx), ctx.params.poolId, ctx.body, enroller())
        ctx.set.status = 201
        return { id: member.id, name: member.name, hostname: member.hostname, enrollment: enrollmentJson(enrollment) }
      },
      {
        access: 'user',
        body: t.Object(
          {
            name: Text({ maxLength: 80 }),
            hostname: Text({ maxLength: 253 }),
            egressIps: t.Array(Ip, { minItems: 1, maxItems: 16 }),
            publicIpv4: t.Optional(t.Nullable(Ip)),
            osFamily: t.Optional(t.Nullable(t.Union([t.Literal('debian'), t.Literal('rhel')]))),
          },
          { additionalProperties: false },
        ),
        response: {
          201: t.Object({ id: t.String(), name: t.String(), hostname: t.String(), enrollment: Enrollment }),
          404: ErrorSchema,
          422: ErrorSchema,
        },
        ...detail('Add a member', 'Answers the one-time install command; the secret is single use and expires in 24 h.'),
      },
    )
    .get(
      '/api/v1/pools/:poolId/members',
      async ({ params }) => {
        await getPool(deps.db, params.poolId)
        const now = new Date()
        return (await members.listMembers(deps.db, params.poolId)).map((m) => members.memberJson(m, now))
      },
      { access: 'user', response: { 200: t.Array(MemberSchema), 404: ErrorSchema }, ...detail('List the members of a pool') },
    )
    .get('/api/v1/members/:memberId', async ({ params }) => oneJson(await members.getMember(deps.db, params.memberId)), {
      access: 'user',
      response: { 200: MemberSchema, 404: ErrorSchema },
      ...detail('Get a member', 'status is pending, healthy, late or down; a stack not detected is null.'),
    })
    .patch(
      '/api/v1/members/:memberId',
      async (ctx) => oneJson(await members.updateMember(deps.db, actorOf(ctx), ctx.params.memberId, ctx.body)),
      {
        access: 'user',
        body: t.Object(
          {
            name: t.Optional(Text({ maxLength: 80 })),
            hostname: t.Optional(Text({ maxLength: 253 })),
            egressIps: t.Optional(t.Array(Ip, { minItems: 1, maxItems: 16 })),
            publicIpv4: t.Optional(t.Nullable(Ip)),
            publicIpv6: t.Optional(t.Nullable(Text({ maxLength: 45 }))),
            location: t.Optional(t.Nullable(Location)),
          },
          { additionalProperties: false },
        ),
        response: { 200: MemberSchema, 404: ErrorSchema, 422: ErrorSchema },
        ...detail('Change a member'),
      },
    )
    .delete(
      '/api/v1/members/:memberId',
      async (ctx) => {
        await members.removeMember(deps.db, actorOf(ctx), ctx.params.memberId)
        ctx.set.status = 204
      },
      { access: 'user', response: { 204: NoContent, 404: ErrorSchema }, ...detail('Remove a member', 'Detaches the server and revokes its agent token.') },
    )
    .post(
      '/api/v1/members/:memberId/enrollment',
      async (ctx) => {
        const { enrollment } = await members.newInstallCommand(deps.db, actorOf(ctx), ctx.params.memberId, enroller())
        ctx.set.status = 201
        return enrollmentJson(enrollment)
      },
      { access: 'user', response: { 201: Enrollment, 404: ErrorSchema }, ...detail('Issue a new install command', 'Voids any older secret.') },
    )
    .get(
      '/api/v1/members/:memberId/enrollment',
      async ({ params }) => {
        const state = await members.installState(deps.db, await members.getMember(deps.db, params.memberId), enroller())
        if (state.kind !== 'waiting') throw new HttpError(404, 'not_found', 'No install command is waiting for this member: it was used, replaced or expired, or the member is enrolled.')
        return enrollmentJson(state.enrollment)
      },
      {
        access: 'user',
        response: { 200: Enrollment, 404: ErrorSchema },
        ...detail('The install command still waiting to be used', '404 once it is used, replaced or expired, or when the member is enrolled.'),
      },
    )
}
