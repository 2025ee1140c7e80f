import { Elysia, t } from 'elysia'
import type { Deps } from '../server/deps'
import { accessPlugin } from '../http/access'
import { pingDatabase } from '../db'

export function healthRoutes(deps: Deps) {
  return new Elysia().use(accessPlugin(deps)).get(
    '/healthz',
    async ({ set }) => {
      const database = await pingDatabase(deps.db)
      set.headers['cache-control'] = 'no-store'
      if (!database) set.status = 503
      return { status: database ? 'ok' : 'unavailable', database: database ? 'ok' : 'unreachable' }
    },
    {
      access: 'public',
      response: { 200: t.Object({ status: t.String(), database: t.String() }), 503: t.Object({ status: t.String(), database: t.String() }) },
      detail: { tags: ['Health'], summary: 'Answers 200 once the server can reach its database' },
    },
  )
}
