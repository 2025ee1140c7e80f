// Links the server signs for its own folder store, so an agent can upload or
// download one object without any credential. The signature covers the
// method, the key, the expiry and the most bytes an upload may carry: change
// any of them and the link is refused.
import { createHmac, timingSafeEqual } from 'node:crypto'

export type SignedAccess = { method: 'GET' | 'PUT'; key: string; expires: number; maxBytes: number }

/** The path every signed link starts with (body-limit.ts lets its uploads be larger). */
export const OBJECT_PATH = '/storage/o/'

/** A key of its own for links, so a leaked link signature says nothing about the secrets key. */
export function linkKey(secretKey: Buffer): Buffer {
  return createHmac('sha256', secretKey).update('serversctl storage links v1').digest()
}

function signature(key: Buffer, a: SignedAccess): string {
  return createHmac('sha256', key).update(`${a.method}\n${a.key}\n${a.expires}\n${a.maxBytes}`).digest('base64url')
}

export function signedUrl(base: string, key: Buffer, a: SignedAccess): string {
  const query = new URLSearchParams({ exp: String(a.expires), max: String(a.maxBytes), sig: signature(key, a) })
  return `${base}${OBJECT_PATH}${a.key}?${query}`
}

export type LinkCheck = { ok: true; maxBytes: number } | { ok: false; reason: string }

/** Whether a request's link was signed by us for this method and key and is still valid. */
export function checkLink(key: Buffer, method: string, objectKey: string, query: Record<string, string | undefined>, now = Date.now()): LinkCheck {
  const expires = Number(query.exp)
  const maxBytes = Number(query.max)
  const sig = query.sig ?? ''
  if (!Number.isSafeInteger(expires) || !Number.isSafeInteger(maxBytes) || maxBytes < 0 || !sig) {
    return { ok: false, reason: 'This storage link is incomplete: it needs exp, max and sig' }
  }
  if (method !== 'GET' && method !== 'PUT') return { ok: false, reason: 'Storage links are for GET and PUT only' }
  const expected = Buffer.from(signature(key, { method, key: objectKey, expires, maxBytes }))
  const given = Buffer.from(sig)
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { ok: false, reason: 'This storage link is not valid: its signature does not match' }
  }
  if (now > expires * 1000) return { ok: false, reason: 'This storage link has expired' }
  return { ok: true, maxBytes }
}
