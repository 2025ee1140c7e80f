// For tests only: the server side of protocol.ts on loopback, with chunks in
// memory and "presigned" URLs served by the same Bun.serve. It checks what
// the real server must check (the token, the declared sizes, every chunk
// stored before a snapshot) and lets a test damage the store.
import { randomBytes, randomUUID } from 'node:crypto'
import { agentCall } from '../client'
import type { ChunkCheck, ChunkRead, Outcome, SnapshotCommit, SnapshotManifest } from './protocol'

export const FAKE_TOKEN = 'agent-token-for-tests'

type Options = {
  /** Uploads after this many succeed answer 500, as if the agent died there. */
  failPutsAfter?: number
}

export function fakeBackupServer(options: Options = {}) {
  const dataKey = randomBytes(32).toString('base64')
  const objects = new Map<string, Uint8Array>()
  const declared = new Map<string, number>()
  const snapshots = new Map<string, SnapshotManifest>()
  /** The snapshot each restore, verify or drill job reads, by job id. */
  const jobs = new Map<string, string>()
  const outcomes: { jobId: string; outcome: Outcome }[] = []
  const stats = { puts: 0, putBytes: 0, gets: 0, chunkCalls: 0, readCalls: 0 }
  let failPutsAfter = options.failPutsAfter ?? Infinity
  let accepted = 0

  const refuse = (status: number, code: string, message: string) => Response.json({ error: { code, message } }, { status })

  async function answer(jobId: string, what: string, body: any): Promise<Response> {
    const base = `http://127.0.0.1:${server.port}`
    switch (what) {
      case 'start': {
        const snapshotId = jobs.get(jobId)
        if (snapshotId && !snapshots.has(snapshotId)) return refuse(404, 'not_found', `No snapshot ${snapshotId}`)
        return Response.json({ dataKey, snapshot: snapshotId ? snapshots.get(snapshotId) : null })
      }
      case 'chunks': {
        stats.chunkCalls++
        const { chunks } = body as ChunkCheck
        for (const c of chunks) declared.set(c.id, c.size)
        return Response.json({ upload: chunks.filter((c) => !objects.has(c.id)).map((c) => ({ id: c.id, url: `${base}/objects/${c.id}?sig=put` })) })
      }
      case 'read': {
        stats.readCalls++
        const { ids } = body as ChunkRead
        const missing = ids.find((id) => !objects.has(id))
        if (missing) return refuse(404, 'chunk_missing', `Chunk ${missing} is not in the pool`)
        // Relative, as the folder backend may answer: the agent resolves it against the server.
        return Response.json({ urls: ids.map((id) => ({ id, url: `/objects/${id}?sig=get` })) })
      }
      case 'snapshot': {
        const c = body as SnapshotCommit
        const missing = c.chunks.find((id) => !objects.has(id))
        if (missing) return refuse(409, 'chunk_missing', `Chunk ${missing} is not stored`)
        const id = `snap_${randomUUID().slice(0, 8)}`
        snapshots.set(id, { id, kind: c.kind, source: c.source, sizeBytes: c.sizeBytes, sha256: c.sha256, tables: c.tables, chunks: c.chunks.map((cid) => ({ id: cid, size: objects.get(cid)!.length })) })
        return Response.json({ snapshotId: id }, { status: 201 })
      }
      case 'outcome':
        outcomes.push({ jobId, outcome: body as Outcome })
        return Response.json({ ok: true })
    }
    return refuse(404, 'not_found', `No call ${what}`)
  }

  async function object(req: Request, id: string): Promise<Response> {
    if (req.method === 'GET') {
      stats.gets++
      const body = objects.get(id)
      return body ? new Response(body as Uint8Array<ArrayBuffer>) : new Response('NoSuchKey', { status: 404 })
    }
    if (req.method !== 'PUT') return new Response('method', { status: 405 })
    if (accepted >= failPutsAfter) return new Response('the agent died here', { status: 500 })
    accepted++
    const body = new Uint8Array(await req.arrayBuffer())
    if (declared.get(id) !== body.length || Number(req.headers.get('content-length')) !== body.length) return new Response('size differs from the presigned one', { status: 403 })
    stats.puts++
    stats.putBytes += body.length
    objects.set(id, body)
    return new Response(null, { status: 200 })
  }

  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    async fetch(req) {
      const url = new URL(req.url)
      const obj = /^\/objects\/([0-9a-f]{64})$/.exec(url.pathname)
      if (obj) return object(req, obj[1]!)
      const m = /^\/api\/v1\/agent\/backups\/([^/]+)\/([a-z]+)$/.exec(url.pathname)
      if (!m || req.method !== 'POST') return refuse(404, 'not_found', url.pathname)
      if (req.headers.get('authorization') !== `Bearer ${FAKE_TOKEN}`) return refuse(401, 'unauthorized', 'Bad token')
      return answer(decodeURIComponent(m[1]!), m[2]!, await req.json())
    },
  })
  const url = `http://127.0.0.1:${server.port}`

  return {
    url,
    dataKey,
    objects,
    snapshots,
    outcomes,
    stats,
    /** Makes a job read this snapshot at start. */
    assign: (jobId: string, snapshotId: string) => void jobs.set(jobId, snapshotId),
    failPutsAfter: (n: number) => void (failPutsAfter = n),
    /** POST /api/v1/agent/<path> as the agent would, for JobContext.agentCall. */
    agentCall: <T>(path: string, body: unknown) => agentCall<T>(url, FAKE_TOKEN, path, body),
    stop: () => server.stop(true),
  }
}

export type FakeBackupServer = ReturnType<typeof fakeBackupServer>
