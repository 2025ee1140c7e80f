// Agent tokens, remembered. Every agent calls several times a minute
// (heartbeats, job polls); without this each call costs a lookup before any
// work. What keeps it honest: a token replaced by a new enrolment or gone
// with its member is announced by the database (a trigger's NOTIFY, migration
// 0009) and every replica listening forgets at once; the replica that did it
// also forgets in-process (forget). Should the announcement be missed (the
// listening connection down), an entry still lives at most TOKEN_CACHE_MS.
import type { Db } from '../db'
import { findMemberByToken, type MemberRow } from '../members/store'

export const TOKEN_CACHE_MS = 60_000
export const TOKENS_CHANNEL = 'serversctl_agent_tokens'
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

type Listening = { listen: (channel: string, fn: () => void) => Promise<unknown> }

const caches = new WeakMap<Db, ReturnType<typeof agentTokenCache<MemberRow>>>()

/** The agent-token cache of this database (one per app: tests run several in one process). */
export function agentTokens(db: Db) {
  let cache = caches.get(db)
  if (!cache) {
    const made = agentTokenCache((hash) => findMemberByToken(db, hash))
    caches.set(db, (cache = made))
    // Both drivers can LISTEN; if it fails, the lifetime above still bounds a stale entry.
    const client = (db as unknown as { $client: Partial<Listening> }).$client
    client.listen?.(TOKENS_CHANNEL, () => made.forget()).catch(() => {})
  }
  return cache
}
