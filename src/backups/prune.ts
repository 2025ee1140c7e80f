// Mark and sweep: a chunk goes when no snapshot references it and nothing
// has touched it for the grace period. An upload in progress touches its
// chunks with every check, and a commit touches and locks them while it
// writes the references, so prune never takes a chunk a backup counts on.
import type { Deps } from '../server/deps'
import { chunkKey } from './keys'
import * as store from './store'

export const PRUNE_GRACE_MS = 6 * 3600 * 1000
const BATCH = 200
const DELETES_AT_ONCE = 16

export type PruneResult = { deleted: number; bytes: number; failed: number }

/**
 * Deletes unreferenced chunks older than the grace, objects first, in
 * batches: each batch's rows stay locked until their objects are gone and
 * the rows deleted in the same transaction. A chunk whose object could not
 * be deleted keeps its row, for the next prune.
 */
export async function pruneChunks(deps: Deps, opts: { graceMs?: number; now?: Date } = {}): Promise<PruneResult> {
  const cutoff = new Date((opts.now ?? new Date()).getTime() - (opts.graceMs ?? PRUNE_GRACE_MS))
  const result: PruneResult = { deleted: 0, bytes: 0, failed: 0 }
  const failedKeys = new Set<string>()
  for (;;) {
    const batch = await deps.db.transaction(async (tx) => {
      const t = tx as unknown as typeof deps.db
      const chunks = (await store.lockPrunable(t, cutoff, BATCH + failedKeys.size)).filter((c) => !failedKeys.has(`${c.poolId}/${c.id}`))
      const gone: store.PruneCandidate[] = []
      let next = 0
      const worker = async () => {
        while (next < chunks.length) {
          const c = chunks[next++]!
          try {
            await deps.storage.delete(chunkKey(c.poolId, c.id))
            gone.push(c)
          } catch (err) {
            failedKeys.add(`${c.poolId}/${c.id}`)
            deps.log.error('backups.pruneChunks', `could not delete chunk ${c.id} of pool ${c.poolId}`, err)
          }
        }
      }
      await Promise.all(Array.from({ length: Math.min(DELETES_AT_ONCE, chunks.length) }, worker))
      const deleted = await store.deleteChunkRows(t, gone)
      return { seen: chunks.length, deleted, bytes: gone.reduce((n, c) => n + c.size, 0) }
    })
    result.deleted += batch.deleted
    result.bytes += batch.bytes
    if (batch.seen < BATCH) break
  }
  result.failed = failedKeys.size
  return result
}
