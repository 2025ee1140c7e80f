// Agent tokens, remembered for a few seconds. Every agent calls several
// times a minute (heartbeats, job polls); without this each call costs a
// lookup before any work. A short lifetime is what keeps it honest across
// replicas: a token replaced or a member removed elsewhere stops working
// within TOKEN_CACHE_MS, and at once on the replica that did it (forget).
import type { Db } from '../db'
import { findMemberByToken, type MemberRow } from '../members/store'

export const TOKEN_CACHE_MS = 5_000
// A bound, so a flood of made-up tokens cannot grow it without end.
const MAX_ENTRIES = 100_000

type Entry<T> = { value: T | undefined; until: number }

export function agentTokenCache<T>(load: (tokenHash: string) => Promise<T | undefined>, now: () => number = Date.now) {
  let entries = new Map<string, Entry<T>>()
  return {
    async find(tokenHash: string): Promise<T | undefined> {
      const hit = entries.get(tokenHash)
      if (hit && hit.until > now()) return hit.value
      const value = await load(tokenHash)
      // Unknown tokens are not remembered: an agent enrolled a moment ago must be let in at once.
      if (value === undefined) {
        entries.delete(tokenHash)
        return undefined
      }
      if (entries.size >= MAX_ENTRIES) entries = new Map()
      entries.set(tokenHash, { value, until: now() + TOKEN_CACHE_MS })
      return value
    },
    forget() {
      entries = new Map()
    },
  }
}

const caches = new WeakMap<Db, ReturnType<typeof agentTokenCache<MemberRow>>>()

/** The agent-token cache of this database (one per app: tests run several in one process). */
export function agentTokens(db: Db) {
  let cache = caches.get(db)
  if (!cache) caches.set(db, (cache = agentTokenCache((hash) => findMemberByToken(db, hash))))
  return cache
}
