// Random identifiers and secrets, and the one-way hash we store for them.
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'

const ID_ALPHABET = '0123456789abcdefghjkmnpqrstvwxyz'

/** A short, URL-safe, prefixed id such as `pool_3kq8w2m9x0ab`. */
export function newId(prefix: string, length = 12): string {
  const bytes = randomBytes(length)
  let out = ''
  for (const b of bytes) out += ID_ALPHABET[b & 31]
  return `${prefix}_${out}`
}

/** A secret with enough entropy to be a bearer credential. */
export function newSecret(prefix = ''): string {
  return prefix + randomBytes(30).toString('base64url')
}

export function sha256(value: string): string {
  return createHash('sha256').update(value).digest('hex')
}

export function sameSecret(a: string, b: string): boolean {
  const x = Buffer.from(sha256(a))
  const y = Buffer.from(sha256(b))
  return timingSafeEqual(x, y)
}
