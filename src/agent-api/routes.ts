// What agents and the install script talk to: the install script, the agent
// binaries and their checksums, enrolment and heartbeats.
import { Elysia, t } from 'elysia'
import { readFileSync } from 'node:fs'
import type { Deps } from '../server/deps'
import { accessPlugin } from '../http/access'
import { ErrorSchema } from '../http/api-schemas'
import { errorBody } from '../http/errors'
import { TooManyAttempts } from '../throttle/service'
import { AGENT_FILES, agentPath, checksumsFile, installScriptPath, type AgentFile } from './downloads'
import { EnrollSchema, HeartbeatSchema, Int } from './schema'
import * as agents from './service'

const tags = { tags: ['Agent'] }

export function agentRoutes(deps: Deps) {
  const script = readFileSync(installScriptPath, 'utf8')
  return new Elysia()
    .use(accessPlugin(deps))
    .get(
      '/install.sh',
      ({ set }) => {
        set.headers['content-type'] = 'text/x-shellscript; charset=utf-8'
        set.headers['cache-control'] = 'no-cache'
        return script
      },
      { access: 'static', detail: { ...tags, summary: 'The agent install script' } },
    )
    .get(
      '/agent/SHA256SUMS',
      ({ set }) => {
        set.headers['content-type'] = 'text/plain; charset=utf-8'
        set.headers['cache-control'] = 'no-cache'
        return checksumsFile()
      },
      { access: 'static', detail: { ...tags, summary: 'Checksums of the agent binaries' } },
    )
    .get(
      '/agent/download/:file',
      ({ params }) => {
        const file = params.file as AgentFile
        const path = AGENT_FILES.includes(file) ? agentPath(file) : null
        if (!path) {
          const message = AGENT_FILES.includes(file)
            ? `${file} is not built on this server: run "bun run build:agent"`
            : `No agent binary named ${file}`
          return Response.json(errorBody('not_found', message), { status: 404 })
        }
        return new Response(Bun.file(path), {
          headers: { 'content-type': 'application/octet-stream', 'content-disposition': `attachment; filename="${file}"` },
        })
      },
      { access: 'static', detail: { ...tags, summary: 'An agent binary (serversctl-agent-linux-x64 or -arm64)' } },
    )
    .post(
      '/api/v1/agent/enroll',
      async ({ body, ip, set }) => {
        try {
          const result = await agents.enroll(deps.db, body, ip)
          set.status = 201
          return result
        } catch (err) {
          if (err instanceof TooManyAttempts) set.headers['retry-after'] = String(err.retryAfterSeconds)
          throw err
        }
      },
      {
        access: 'public',
        body: EnrollSchema,
        response: {
          201: t.Object({ memberId: t.String(), poolId: t.String(), token: t.String(), heartbeatSeconds: t.Integer() }),
          401: ErrorSchema,
          403: ErrorSchema,
          422: ErrorSchema,
          429: ErrorSchema,
        },
        detail: {
          ...tags,
          summary: 'Trade a one-time enrolment secret for the member token',
          description: 'At most 30 attempts per client address in 15 minutes; a successful one is not counted. Over the limit: 429 with Retry-After.',
        },
      },
    )
    .post('/api/v1/agent/heartbeat', ({ body, ip, member }) => agents.heartbeat(deps.db, member!, body, ip), {
      access: 'agent',
      body: HeartbeatSchema,
      response: { 200: t.Object({ ok: t.Boolean(), heartbeatSeconds: Int() }), 401: ErrorSchema, 403: ErrorSchema, 422: ErrorSchema },
      detail: { ...tags, summary: "The agent's heartbeat: host state and detected stacks", security: [{ agent: [] }] },
    })
}
