// The chunks a member has read before, kept as they are stored (sealed: the
// pool's data key never rests on a member, so neither does a readable
// chunk), so the next restore of the same account downloads only the chunks
// it has not seen. A cached chunk is trusted for nothing: it is opened (tag
// and HMAC) on every use like a downloaded one, and one that fails is dropped
// and downloaded again. Bounded: after each use the least recently used
// chunks go until the folder is within its budget.
import { createHash, createHmac } from 'node:crypto'
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statfsSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { ChunkKeys } from './seal'

/** At most this much, and never more than would leave less than MIN_FREE_SHARE of the disk free. */
export const CACHE_MAX_BYTES = 8 * 1024 ** 3
const MIN_FREE_SHARE = 0.1

const ID = /^[0-9a-f]{64}$/
const SIZES = /^sizes-[0-9a-f]{16}\.json$/

export type ChunkCache = {
  readonly dir: string
  /** The sealed bytes kept for this id, or null; a hit counts as a use (LRU). */
  get(id: string): Uint8Array | null
  put(id: string, sealed: Uint8Array): void
  /** Forgets a chunk that failed its checks. */
  drop(id: string): void
  has(id: string): boolean
  /** Bytes held now. */
  size(): number
  /** Removes the least recently used chunks until the cache is within its budget; returns how many went. */
  trim(): number
}

/**
 * The cache of one pool under `root` (a folder per pool: chunk names are keyed
 * hashes, so another pool's chunks could never be found here anyway).
 * `maxBytes` defaults to CACHE_MAX_BYTES, lowered to what keeps a tenth of
 * the disk free.
 */
const poolFolder = (root: string, keys: ChunkKeys) => {
  const dir = join(root, createHmac('sha256', keys.idKey).update('serversctl chunk cache v1').digest('hex').slice(0, 16))
  mkdirSync(dir, { recursive: true, mode: 0o700 })
  return dir
}

export function chunkCache(root: string, keys: ChunkKeys, opts: { maxBytes?: number } = {}): ChunkCache {
  const dir = poolFolder(root, keys)
  const path = (id: string) => {
    if (!ID.test(id)) throw new Error(`${JSON.stringify(id)} is not a chunk id`)
    return join(dir, id)
  }
  const budget = () => {
    const max = opts.maxBytes ?? CACHE_MAX_BYTES
    if (opts.maxBytes !== undefined) return max
    const st = statfsSync(dir)
    const room = Number(st.bavail) * Number(st.bsize) + size() - Number(st.blocks) * Number(st.bsize) * MIN_FREE_SHARE
    return Math.max(0, Math.min(max, room))
  }
  const entries = () => {
    const out: { id: string; bytes: number; used: number }[] = []
    for (const name of readdirSync(dir)) {
      const full = join(dir, name)
      if (!ID.test(name)) {
        if (SIZES.test(name)) continue
        // A write that died between its temp file and the rename (an hour on: not one still being written).
        try {
          if (name.endsWith('.part') && statSync(full).mtimeMs < Date.now() - 3_600_000) rmSync(full, { force: true })
        } catch {}
        continue
      }
      try {
        const st = statSync(full)
        out.push({ id: name, bytes: st.size, used: st.mtimeMs })
      } catch {}
    }
    return out
  }
  const size = () => entries().reduce((n, e) => n + e.bytes, 0)
  return {
    dir,
    get(id) {
      try {
        const bytes = readFileSync(path(id))
        const now = new Date()
        utimesSync(path(id), now, now)
        return bytes
      } catch {
        return null
      }
    },
    put(id, sealed) {
      const tmp = `${path(id)}.${process.pid}.${Math.random().toString(36).slice(2)}.part`
      writeFileSync(tmp, sealed, { mode: 0o600 })
      renameSync(tmp, path(id))
    },
    drop: (id) => rmSync(path(id), { force: true }),
    has(id) {
      try {
        return statSync(path(id)).isFile()
      } catch {
        return false
      }
    },
    size,
    trim() {
      const all = entries().sort((a, b) => a.used - b.used)
      let total = all.reduce((n, e) => n + e.bytes, 0)
      const max = budget()
      let removed = 0
      for (const e of all) {
        if (total <= max) break
        rmSync(join(dir, e.id), { force: true })
        total -= e.bytes
        removed++
      }
      return removed
    },
  }
}

/**
 * The sealed size of each chunk of a source's last backup on this member
 * (UploadOptions.knownSizes): ids and sizes only, one small file per source
 * beside the pool's chunk cache. Anything unreadable reads as nothing known.
 */
export function sealedSizes(root: string, keys: ChunkKeys, source: string) {
  const path = join(poolFolder(root, keys), `sizes-${createHash('sha256').update(source).digest('hex').slice(0, 16)}.json`)
  return {
    load(): Map<string, number> {
      try {
        const entries = JSON.parse(readFileSync(path, 'utf8')) as unknown
        if (!Array.isArray(entries)) return new Map()
        return new Map(entries.filter((e): e is [string, number] => Array.isArray(e) && ID.test(e[0]) && Number.isSafeInteger(e[1]) && e[1] > 0))
      } catch {
        return new Map()
      }
    },
    save(sizes: ReadonlyMap<string, number>): void {
      const tmp = `${path}.${process.pid}.part`
      writeFileSync(tmp, JSON.stringify([...sizes]), { mode: 0o600 })
      renameSync(tmp, path)
    },
  }
}
