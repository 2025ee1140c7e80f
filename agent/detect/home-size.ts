// How many bytes an account's home holds, for the cPanel Accounts table.
// Detection runs every minute and a walk is slow on a big home, so a result
// is kept for HOME_SIZE_CACHE_MS, and one detection walks at most a budget of
// entries in all: the homes it does not reach are measured by a later one.
import { lstatSync, readdirSync } from 'node:fs'
import { join } from 'node:path'

export const HOME_SIZE_CACHE_MS = 15 * 60_000
/** A home with more entries than this is not measured: its size would be wrong, so it is null. */
export const MAX_HOME_ENTRIES = 100_000
/** Entries one detection may walk across all homes; the walk is synchronous and holds up the agent meanwhile. */
export const WALK_BUDGET = 250_000

/** Bytes of the regular files under dir, by lstat (links are not followed); null when dir cannot be read or holds more than maxEntries. */
export function walkBytes(dir: string, maxEntries = MAX_HOME_ENTRIES): { bytes: number | null; entries: number } {
  let bytes = 0
  let entries = 0
  const dirs = [dir]
  for (let d = dirs.pop(); d !== undefined; d = dirs.pop()) {
    let list
    try {
      list = readdirSync(d, { withFileTypes: true })
    } catch {
      // The home itself unreadable is unmeasurable; a subfolder removed mid-walk (mail tmp) is not.
      if (d === dir) return { bytes: null, entries }
      continue
    }
    entries += list.length
    if (entries > maxEntries) return { bytes: null, entries }
    for (const e of list) {
      const path = join(d, e.name)
      if (e.isDirectory()) dirs.push(path)
      else if (e.isFile()) bytes += sizeOf(path)
    }
  }
  return { bytes, entries }
}

function sizeOf(path: string): number {
  try {
    return lstatSync(path).size
  } catch {
    return 0
  }
}

type Measured = { at: number; bytes: number | null }
const measured = new Map<string, Measured>()

export type HomeSizer = (root: string, user: string, home: string) => number | null

/** One detection's measurer: cached sizes while fresh, a walk while the budget lasts, else the last size known. */
export function homeSizer({ now = Date.now, budget = WALK_BUDGET, maxEntries = MAX_HOME_ENTRIES } = {}): HomeSizer {
  // Stale sizes stand in while the budget is spent; forgotten later, so removed accounts do not pile up.
  for (const [key, m] of measured) if (now() - m.at >= 4 * HOME_SIZE_CACHE_MS) measured.delete(key)
  let left = budget
  return (root, user, home) => {
    const key = `${root}\0${user}\0${home}`
    const known = measured.get(key)
    if (known && now() - known.at < HOME_SIZE_CACHE_MS) return known.bytes
    if (left < maxEntries) return known?.bytes ?? null
    const { bytes, entries } = walkBytes(join(root, home), maxEntries)
    left -= entries
    measured.set(key, { at: now(), bytes })
    return bytes
  }
}
