// /api/v1/pools: the pool endpoints of the automation contract.
import { Elysia, t } from 'elysia'
import type { Deps } from '../server/deps'
import { accessPlugin, actorOf } from '../http/access'
import { ErrorSchema, NoContent, Text } from '../http/api-schemas'
import * as pools from './service'
import type { PoolWithCounts } from './store'

export const PoolSchema = t.Object({
  id: t.String(),
  name: t.String(),
  preset: t.String(),
  memberCount: t.Integer(),
  activeMemberId: t.Nullable(t.String()),
  createdAt: t.String({ format: 'date-time' }),
  updatedAt: t.String({ format: 'date-time' }),
})

const poolJson = (p: PoolWithCounts) => ({
  id: p.id,
  name: p.name,
  preset: p.preset,
  memberCount: p.memberCount,
  activeMemberId: p.activeMemberId,
  createdAt: p.createdAt.toISOString(),
  updatedAt: p.updatedAt.toISOString(),
})

const detail = (summary: string, description?: string) => ({ detail: { tags: ['Pools'], summary, description } })

export function poolApi(deps: Deps) {
  return new Elysia({ prefix: '/api/v1/pools', normalize: false })
    .use(accessPlugin(deps))
    .get('', async () => (await pools.listPools(deps.db)).map(poolJson), {
      access: 'user',
      response: { 200: t.Array(PoolSchema) },
      ...detail('List pools'),
    })
    .post(
      '',
      async (ctx) => {
        const pool = await pools.createPool(deps.db, actorOf(ctx), ctx.body)
        ctx.set.status = 201
        return { id: pool.id, name: pool.name, preset: pool.preset }
      },
      {
        access: 'user',
        body: t.Object(
          {
            name: Text({ minLength: 1, maxLength: pools.MAX_POOL_NAME }),
            preset: t.Union(pools.PRESETS.map((p) => t.Literal(p.key))),
          },
          { additionalProperties: false },
        ),
        response: { 201: t.Object({ id: t.String(), name: t.String(), preset: t.String() }), 409: ErrorSchema, 422: ErrorSchema },
        ...detail('Create a pool', 'Pool names are unique, ignoring case.'),
      },
    )
    .get('/:poolId', async ({ params }) => poolJson(await pools.getPool(deps.db, params.poolId)), {
      access: 'user',
      response: { 200: PoolSchema, 404: ErrorSchema },
      ...detail('Get a pool'),
    })
    .patch(
      '/:poolId',
      async (ctx) => {
        await pools.renamePool(deps.db, actorOf(ctx), ctx.params.poolId, ctx.body.name)
        return poolJson(await pools.getPool(deps.db, ctx.params.poolId))
      },
      {
        access: 'user',
        body: t.Object({ name: Text({ minLength: 1, maxLength: pools.MAX_POOL_NAME }) }, { additionalProperties: false }),
        response: { 200: PoolSchema, 404: ErrorSchema, 409: ErrorSchema, 422: ErrorSchema },
        ...detail('Rename a pool'),
      },
    )
    .delete(
      '/:poolId',
      async (ctx) => {
        await pools.deletePool(deps.db, actorOf(ctx), ctx.params.poolId)
        ctx.set.status = 204
      },
      { access: 'user', response: { 204: NoContent, 404: ErrorSchema }, ...detail('Delete a pool', 'Removes its members and settings.') },
    )
}
