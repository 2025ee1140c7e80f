// Keys are made by the server (snapshot and chunk names), so a narrow
// alphabet costs nothing and makes every key a safe relative path and a URL
// path that needs no escaping, on both backends alike.
import { StorageError } from './types'

export const MAX_KEY_LENGTH = 512
const SEGMENT = /^[A-Za-z0-9_~-][A-Za-z0-9._~-]*$/

/** The key's segments, or a StorageError saying what is wrong with it. */
export function checkKey(key: string): string[] {
  if (typeof key !== 'string' || key === '') throw new StorageError('bad_key', 'An object key cannot be empty')
  if (key.length > MAX_KEY_LENGTH) throw new StorageError('bad_key', `An object key is at most ${MAX_KEY_LENGTH} characters`)
  if (key.includes('\u0000')) throw new StorageError('bad_key', 'An object key cannot hold a NUL character')
  if (key.includes('\\')) throw new StorageError('bad_key', 'An object key cannot hold a backslash')
  if (key.startsWith('/')) throw new StorageError('bad_key', 'An object key cannot start with "/" (it is relative to the store)')
  const segments = key.split('/')
  for (const segment of segments) {
    if (segment === '..' || segment === '.') throw new StorageError('bad_key', 'An object key cannot hold "." or ".." as a part')
    if (!SEGMENT.test(segment)) {
      throw new StorageError(
        'bad_key',
        `Object key part "${segment.slice(0, 40)}" is not allowed: use letters, digits, ".", "_", "~" and "-", not starting with "."`,
      )
    }
  }
  return segments
}

/** A prefix for list(): the same alphabet, but it may end mid-segment or with "/". */
export function checkPrefix(prefix: string): void {
  if (prefix === '') return
  checkKey(prefix.endsWith('/') ? prefix.slice(0, -1) : prefix)
}
