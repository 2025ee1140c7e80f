// Request bodies are limited on the bytes that arrive, not on what
// Content-Length claims: a chunked body declares no length at all.

/** Bodies larger than this are refused before they are parsed. */
export const MAX_BODY_BYTES = 64 * 1024
/** Heartbeats carry every vhost, database and certificate of a host. */
export const MAX_AGENT_BODY_BYTES = 256 * 1024

export function bodyLimit(request: Request): number {
  return new URL(request.url).pathname.startsWith('/api/v1/agent/') ? MAX_AGENT_BODY_BYTES : MAX_BODY_BYTES
}

/**
 * Whether the body is over its limit. Reads a clone, so the route still
 * parses the original; at most the limit plus one chunk is held meanwhile.
 */
export async function bodyTooLarge(request: Request): Promise<boolean> {
  const limit = bodyLimit(request)
  if (Number(request.headers.get('content-length') ?? 0) > limit) return true
  if (!request.body) return false
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
