// The server calls a backup job makes (protocol.ts), and the transfers of
// sealed chunks to and from the store's presigned URLs. The URLs carry their
// own authorization, so the agent's token is never sent to the store.
import type { ChunkCheckAnswer, ChunkReadAnswer, ChunkRef, Outcome, SnapshotCommit, StartAnswer } from './protocol'

export type BackupApi = {
  start(): Promise<StartAnswer>
  chunks(refs: ChunkRef[]): Promise<ChunkCheckAnswer>
  read(ids: string[]): Promise<ChunkReadAnswer>
  snapshot(commit: SnapshotCommit): Promise<{ snapshotId: string }>
  outcome(outcome: Outcome): Promise<void>
  /** Stores one sealed chunk at its presigned URL. */
  put(url: string, body: Uint8Array): Promise<void>
  /** One stored object, or null when the store has none (404). */
  get(url: string): Promise<Uint8Array | null>
}

export type ApiDeps = {
  jobId: string
  /** POST /api/v1/agent/<path> as this agent (JobContext.agentCall). */
  call: <T>(path: string, body: unknown) => Promise<T>
  fetch: typeof fetch
  /** Presigned URLs of the folder backend may be relative to the server. */
  server: string
  signal: AbortSignal
}

/** How long one chunk transfer (at most 4 MiB) may take. */
const TRANSFER_TIMEOUT_MS = 120_000

export class TransferFailed extends Error {
  constructor(public status: number, message: string) {
    super(message)
  }
}

export function backupApi(d: ApiDeps): BackupApi {
  const call = <T>(what: string, body: unknown) => d.call<T>(`backups/${encodeURIComponent(d.jobId)}/${what}`, body)
  const signal = () => AbortSignal.any([d.signal, AbortSignal.timeout(TRANSFER_TIMEOUT_MS)])
  const absolute = (url: string) => new URL(url, `${d.server}/`).toString()
  return {
    start: () => call('start', {}),
    chunks: (chunks) => call('chunks', { chunks }),
    read: (ids) => call('read', { ids }),
    snapshot: (commit) => call('snapshot', commit),
    outcome: async (outcome) => void (await call('outcome', outcome)),
    async put(url, body) {
      const res = await d.fetch(absolute(url), { method: 'PUT', body: body as Uint8Array<ArrayBuffer>, headers: { 'content-length': String(body.length), 'content-type': 'application/octet-stream' }, signal: signal() })
      if (!res.ok) throw new TransferFailed(res.status, `the store answered ${res.status} to an upload: ${(await res.text()).slice(0, 200)}`)
      await res.arrayBuffer()
    },
    async get(url) {
      const res = await d.fetch(absolute(url), { signal: signal() })
      if (res.status === 404) return (await res.arrayBuffer(), null)
      if (!res.ok) throw new TransferFailed(res.status, `the store answered ${res.status} to a download: ${(await res.text()).slice(0, 200)}`)
      return new Uint8Array(await res.arrayBuffer())
    },
  }
}
