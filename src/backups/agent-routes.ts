// /api/v1/agent/backups/:jobId/*: agent/backup/protocol.ts, server side.
// Only the member's own agent, from its own addresses, while the job runs.
import { Elysia, t } from 'elysia'
import type { Deps } from '../server/deps'
import { accessPlugin } from '../http/access'
import { ErrorSchema, Text } from '../http/api-schemas'
import { HttpError } from '../http/errors'
import { foreignAddress } from '../agent-api/service'
import type { MemberRow as Member } from '../members/store'
import { MAX_CHUNKS_PER_CALL } from '../../agent/backup/protocol'
import * as agent from './agent-service'

const tags = { tags: ['Agent'], security: [{ agent: [] }] }
const errors = { 401: ErrorSchema, 403: ErrorSchema, 404: ErrorSchema, 409: ErrorSchema, 413: ErrorSchema, 422: ErrorSchema }

/** The most chunks one snapshot may name: 200,000 chunks of 1 MiB on average is some 200 GiB. */
const MAX_SNAPSHOT_CHUNKS = 200_000
/** A sealed chunk: the chunker's 4 MiB maximum, plus what zstd and the seal may add. */
const MAX_CHUNK_SIZE = 16 * 1024 * 1024

const ChunkId = t.String({ pattern: '^[0-9a-f]{64}$', error: 'a chunk id: 64 lower-case hex characters' })
const ChunkRef = t.Object({ id: ChunkId, size: t.Integer({ minimum: 1, maximum: MAX_CHUNK_SIZE }) }, { additionalProperties: false })
const Kind = t.UnionEnum(['database', 'files', 'config', 'cpanel_account'])
const Tables = t.Nullable(t.Record(t.String(), t.Nullable(Text({ maxLength: 100 })), { maxProperties: 20_000 }))
const Sha256 = t.String({ pattern: '^[0-9a-f]{64}$', error: 'a SHA-256 in lower-case hex' })
const Bytes = t.Integer({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })

const Manifest = t.Object({
  id: t.String(),
  kind: Kind,
  source: t.String(),
  sizeBytes: t.Integer(),
  sha256: t.String(),
  chunks: t.Array(t.Object({ id: t.String(), size: t.Integer() })),
  tables: t.Nullable(t.Record(t.String(), t.Nullable(t.String()))),
})

const Commit = t.Object(
  {
    kind: Kind,
    source: Text({ maxLength: 1024 }),
    sizeBytes: Bytes,
    sha256: Sha256,
    chunks: t.Array(ChunkId, { maxItems: MAX_SNAPSHOT_CHUNKS }),
    tables: Tables,
    uploadedBytes: Bytes,
  },
  { additionalProperties: false },
)

const Problem = Text({ maxLength: 4000 })
const Outcome = t.Union([
  t.Object(
    { verify: t.Union([t.Object({ ok: t.Literal(true) }, { additionalProperties: false }), t.Object({ ok: t.Literal(false), problem: Problem }, { additionalProperties: false })]) },
    { additionalProperties: false },
  ),
  t.Object(
    {
      drill: t.Union([
        t.Object({ ok: t.Literal(true), tables: t.Integer({ minimum: 0, maximum: 1_000_000 }) }, { additionalProperties: false }),
        t.Object({ ok: t.Literal(false), problem: Problem, mismatched: t.Array(Text({ maxLength: 200 }), { maxItems: 20_000 }) }, { additionalProperties: false }),
      ]),
    },
    { additionalProperties: false },
  ),
])

function ownAgent(member: Member | null, ip: string | null): Member {
  const foreign = foreignAddress(member!, ip)
  if (foreign) throw new HttpError(403, 'address_not_allowed', `Refused: ${foreign}`)
  return member!
}

export function backupAgentRoutes(deps: Deps) {
  return new Elysia()
    .use(accessPlugin(deps))
    .post('/api/v1/agent/backups/:jobId/start', ({ member, ip, params }) => agent.startBackupJob(deps, ownAgent(member, ip).id, params.jobId), {
      access: 'agent',
      body: t.Object({}, { additionalProperties: false }),
      response: { 200: t.Object({ dataKey: t.String({ description: "The pool's 32-byte data key, base64" }), snapshot: t.Nullable(Manifest) }), ...errors },
      detail: { ...tags, summary: "A backup, restore, verify or drill job begins: the pool's data key, and the manifest it reads" },
    })
    .post('/api/v1/agent/backups/:jobId/chunks', ({ body, member, ip, params }) => agent.checkChunks(deps, ownAgent(member, ip).id, params.jobId, body.chunks), {
      access: 'agent',
      body: t.Object({ chunks: t.Array(ChunkRef, { minItems: 1, maxItems: MAX_CHUNKS_PER_CALL }) }, { additionalProperties: false }),
      response: { 200: t.Object({ upload: t.Array(t.Object({ id: t.String(), url: t.String() })) }), ...errors },
      detail: { ...tags, summary: 'Which chunks the pool lacks, each with a presigned PUT URL for exactly its size' },
    })
    .post('/api/v1/agent/backups/:jobId/read', ({ body, member, ip, params }) => agent.readChunks(deps, ownAgent(member, ip).id, params.jobId, body.ids), {
      access: 'agent',
      body: t.Object({ ids: t.Array(ChunkId, { minItems: 1, maxItems: MAX_CHUNKS_PER_CALL }) }, { additionalProperties: false }),
      response: { 200: t.Object({ urls: t.Array(t.Object({ id: t.String(), url: t.String() })) }), ...errors },
      detail: { ...tags, summary: 'Presigned GET URLs for chunks a restore, verify or drill reads' },
    })
    .post(
      '/api/v1/agent/backups/:jobId/snapshot',
      async ({ body, member, ip, params, set }) => {
        const { snapshotId, created } = await agent.commitSnapshot(deps, ownAgent(member, ip).id, params.jobId, body)
        set.status = created ? 201 : 200
        return { snapshotId }
      },
      {
        access: 'agent',
        body: Commit,
        response: { 200: t.Object({ snapshotId: t.String() }), 201: t.Object({ snapshotId: t.String() }), ...errors },
        detail: { ...tags, summary: "A backup's manifest, once every chunk is stored (409 naming the first that is not); a repeat answers the same snapshot" },
      },
    )
    .post(
      '/api/v1/agent/backups/:jobId/outcome',
      async ({ body, member, ip, params }) => {
        await agent.recordOutcome(deps, ownAgent(member, ip).id, params.jobId, body)
        return { ok: true as const }
      },
      {
        access: 'agent',
        body: Outcome,
        response: { 200: t.Object({ ok: t.Literal(true) }), ...errors },
        detail: { ...tags, summary: 'What a verify or drill found: the snapshot is marked verified or proven, or failed with the problem' },
      },
    )
}
