// Request bodies are limited on the bytes that arrive, not on what
// Content-Length claims: a chunked body declares no length at all.
import { OBJECT_PATH } from '../storage/signed-url'

/** Bodies larger than this are refused before they are parsed. */
export const MAX_BODY_BYTES = 64 * 1024
/** Heartbeats carry every vhost, database and certificate of a host. */
export const MAX_AGENT_BODY_BYTES = 256 * 1024
/** A backup chunk uploaded through a signed storage link (storage/object-routes.ts). */
export const MAX_STORAGE_BODY_BYTES = 16 * 1024 * 1024

const isStorageUpload = (pathname: string) => pathname.startsWith(OBJECT_PATH)
/** A snapshot's manifest names every chunk: some 70 bytes each, 200,000 at most. */
export const MAX_SNAPSHOT_BODY_BYTES = 16 * 1024 * 1024
const isSnapshotCommit = (pathname: string) => /^\/api\/v1\/agent\/backups\/[^/]+\/snapshot$/.test(pathname)

export function bodyLimit(request: Request): number {
  const { pathname } = new URL(request.url)
  if (isStorageUpload(pathname)) return MAX_STORAGE_BODY_BYTES
  if (isSnapshotCommit(pathname)) return MAX_SNAPSHOT_BODY_BYTES
  return pathname.startsWith('/api/v1/agent/') ? MAX_AGENT_BODY_BYTES : MAX_BODY_BYTES
}

/**
 * Whether the body is over its limit. Reads a clone, so the route still
 * parses the original; at most the limit plus one chunk is held meanwhile.
 */
export async function bodyTooLarge(request: Request): Promise<boolean> {
  const limit = bodyLimit(request)
  const declared = request.headers.get('content-length')
  // With a length and no Transfer-Encoding (which would override it), the
  // server reads exactly that many bytes: the body is what it says. Only a
  // chunked body has to be counted: reading a clone of every body was a few
  // per cent of the server's time under a flood of heartbeats.
  if (declared !== null && /^\d+$/.test(declared) && !request.headers.has('transfer-encoding')) return Number(declared) > limit
  if (Number(declared ?? 0) > limit) return true
  if (!request.body) return false
  // Uploads stream to disk and the route stops at its link's limit; reading a clone
  // first would hold the whole chunk in memory.
  if (isStorageUpload(new URL(request.url).pathname)) return false
  return exceeds(request.clone().body!, limit)
}

async function exceeds(body: ReadableStream<Uint8Array>, limit: number): Promise<boolean> {
  const reader = body.getReader()
  let read = 0
  try {
    for (;;) {
      const { done, value } = await reader.read()
      if (done) return false
      read += value.byteLength
      if (read > limit) {
        void reader.cancel().catch(() => {})
        return true
      }
    }
  } catch {
    // A body cut off mid-way: the route's own parser meets the same error.
    return false
  }
}
