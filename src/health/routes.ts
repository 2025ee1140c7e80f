import { Elysia, t } from 'elysia'
import type { Deps } from '../server/deps'
import { accessPlugin } from '../http/access'
import { pingDatabase } from '../db'

const Health = t.Object({ status: t.String(), database: t.String(), reason: t.Optional(t.String()) })

export function healthRoutes(deps: Deps) {
  return new Elysia().use(accessPlugin(deps)).get(
    '/healthz',
    async ({ set }) => {
      const database = await pingDatabase(deps.db)
      set.headers['cache-control'] = 'no-store'
      // Checked first: a load balancer must stop sending here even while the database still answers.
      if (deps.lifecycle.draining) {
        set.status = 503
        return { status: 'draining', database: database ? 'ok' : 'unreachable', reason: 'The server is stopping: finishing the requests in flight' }
      }
      if (!database) {
        set.status = 503
        return { status: 'unavailable', database: 'unreachable', reason: 'The database does not answer' }
      }
      // Read after the ping: a script that sees 200 can use ADMIN_API_TOKEN at once.
      const waitingFor = deps.startup?.waitingFor
      if (waitingFor) {
        set.status = 503
        return { status: 'starting', database: 'ok', reason: waitingFor }
      }
      return { status: 'ok', database: 'ok' }
    },
    {
      access: 'public',
      response: { 200: Health, 503: Health },
      detail: {
        tags: ['Health'],
        summary: 'Answers 200 once the server has finished starting (first-run admin and API token made) and reaches its database; 503 with a reason before, and with status "draining" once it is stopping (SIGTERM)',
      },
    },
  )
}
