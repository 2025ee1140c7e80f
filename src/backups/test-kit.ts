// What the backup tests share: a served test server, enrolled members with
// their agent tokens, running jobs put straight in the queue (the agent's
// claim is tested in jobs/), and chunks uploaded through their URLs.
import { createHash, randomBytes } from 'node:crypto'
import { eq } from 'drizzle-orm'
import { members } from '../db/schema'
import { newId } from '../crypto/tokens'
import * as jobStore from '../jobs/store'
import { testServer, type TestServer } from '../testing/harness'
import { sampleHeartbeat } from '../testing/heartbeat-fixture'
import * as store from './store'

export type Kit = Awaited<ReturnType<typeof backupKit>>

export async function backupKit() {
  const s: TestServer = await testServer()
  const base = s.serve()

  async function agentCall(token: string, path: string, body: unknown) {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` },
      body: JSON.stringify(body),
    })
    return { status: res.status, json: (await res.json().catch(() => null)) as any }
  }

  async function pool(name: string) {
    return (await s.api('POST', '/api/v1/pools', { name, preset: 'generic' })).json.id as string
  }

  /** A member enrolled from 127.0.0.1 and checked in, with MariaDB and the stacks of the sample heartbeat. */
  async function member(poolId: string, name: string, stacks = sampleHeartbeat().stacks) {
    const added = await s.api('POST', `/api/v1/pools/${poolId}/members`, { name, hostname: `${name}.example.com`, egressIps: ['127.0.0.1'] })
    const os = { id: 'debian', versionId: '12', family: 'debian', prettyName: 'Debian GNU/Linux 12' }
    const res = await fetch(`${base}/api/v1/agent/enroll`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ secret: added.json.enrollment.secret, hostname: `${name}.example.com`, agentVersion: '0.1.0', os }),
    })
    const { token } = (await res.json()) as { token: string }
    await s.db.update(members).set({ lastHeartbeatAt: new Date(), stacks: stacks as never, inventoryFingerprint: null }).where(eq(members.id, added.json.id))
    return { id: added.json.id as string, poolId, name, token }
  }

  /** A job as an agent holds it after claiming: running on the member. */
  async function runningJob(m: { id: string; poolId: string }, name: string, params: Record<string, unknown> = {}, extra: Partial<jobStore.NewJob> = {}) {
    const now = new Date()
    const [job] = await jobStore.insertJobs(s.db, [
      { id: newId('job'), memberId: m.id, poolId: m.poolId, name, params, status: 'running', attempts: 1, timeoutSeconds: 3600, requestedBy: 'test', steps: [], startedAt: now, leaseExpiresAt: new Date(now.getTime() + 30_000), ...extra },
    ])
    return job!
  }

  const call = (m: { token: string }, jobId: string, what: string, body: unknown) => agentCall(m.token, `/api/v1/agent/backups/${jobId}/${what}`, body)

  /** Checks the chunks, uploads what the server asks for, commits; answers the commit. */
  async function backUp(m: { token: string }, jobId: string, commit: { kind: string; source: string; chunks: Chunk[]; tables?: Record<string, string | null> | null }) {
    const check = await call(m, jobId, 'chunks', { chunks: commit.chunks.map(({ id, size }) => ({ id, size })) })
    if (check.status !== 200) return check
    let uploaded = 0
    for (const u of check.json.upload as { id: string; url: string }[]) {
      const c = commit.chunks.find((x) => x.id === u.id)!
      const put = await fetch(u.url, { method: 'PUT', body: c.bytes })
      if (!put.ok) throw new Error(`upload of ${u.id} failed: ${put.status} ${await put.text()}`)
      uploaded += c.size
    }
    const whole = Buffer.concat(commit.chunks.map((c) => c.bytes))
    return call(m, jobId, 'snapshot', {
      kind: commit.kind,
      source: commit.source,
      sizeBytes: whole.length,
      sha256: createHash('sha256').update(whole).digest('hex'),
      chunks: commit.chunks.map((c) => c.id),
      tables: commit.tables ?? null,
      uploadedBytes: uploaded,
    })
  }

  return { s, base, agentCall, pool, member, runningJob, call, backUp, close: () => s.close() }
}

export type Chunk = { id: string; size: number; bytes: Uint8Array<ArrayBuffer> }

/** Random bytes standing in for a sealed chunk, named as a chunk id is (64 hex). */
export function fakeChunk(size = 1024): Chunk {
  const bytes = new Uint8Array(randomBytes(size))
  return { id: createHash('sha256').update(bytes).digest('hex'), size, bytes }
}

/** A committed snapshot straight in the database, for tests of what reads snapshots. */
export async function seedSnapshot(db: TestServer['db'], poolId: string, memberId: string, kind: 'database' | 'files' | 'cpanel_account' = 'database', source = 'shop_wp') {
  const c = fakeChunk(10)
  await store.touchChunks(db, poolId, [{ id: c.id, size: c.size }], new Date())
  const id = newId('snap')
  await store.insertSnapshot(db, { id, poolId, memberId, memberName: 'seeded', kind, source, sizeBytes: 10, storedBytes: 10, chunkCount: 1, sha256: 'a'.repeat(64), chunkIds: [c.id], tables: null }, [c.id])
  return id
}
