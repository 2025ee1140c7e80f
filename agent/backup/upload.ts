// A backup: the source stream cut into chunks, each named, sealed and sent
// only when the pool lacks it, then the manifest committed. A job run again
// after a crash re-reads its source and the server's answers skip the chunks
// the first run stored: that is the resume.
import { createHash, createHmac } from 'node:crypto'
import type { BackupApi } from './api'
import { chunkParts, joined, type Source } from './chunker'
import { forEachLimit, withRetries } from './pool'
import { MAX_CHUNKS_PER_CALL, type BackupKind } from './protocol'
import { sealChunkAsync, type ChunkKeys } from './seal'

export type BackupMeta = { kind: BackupKind; source: string; tables: Record<string, string | null> | null }
export type BackupProgress = { bytesRead: number; bytesUploaded: number; chunks: number; chunksUploaded: number }
export type BackupDone = BackupProgress & {
  snapshotId: string
  sha256: string
  /** Each chunk's sealed size, for the next backup of the same source (UploadOptions.knownSizes). */
  sizes: Map<string, number>
}

export type UploadOptions = {
  /** Chunks asked about in one call; the next batch is read and sealed while one uploads. */
  batchChunks?: number
  /** A batch also closes at this many bytes read, so memory holds about three batches (two sending, one filling) whatever the data. */
  batchBytes?: number
  parallel?: number
  retries?: number
  retryBaseMs?: number
  signal?: AbortSignal
  /**
   * Sealed sizes of chunks an earlier backup of this source sealed (a chunk
   * seals to the same size every time: the same zstd output, a nonce and tag
   * of fixed length). Such a chunk is offered to the server with that size
   * and sealed only if the server asks for it, so an unchanged stretch costs
   * no compression or encryption; a size that turns out different is
   * offered again with the right one before it is uploaded.
   */
  knownSizes?: ReadonlyMap<string, number>
}

/** A chunk whose sealing may still be running on the thread pool, or (body null) one to seal only if the server asks for it. */
type Sealing = { id: string; body: Promise<Uint8Array> | null; plain: Uint8Array[]; known: number }

const DEFAULTS = { batchChunks: 32, batchBytes: 16 * 1024 * 1024, parallel: 4, retries: 3, retryBaseMs: 500 }
const IN_FLIGHT = 2

export async function backupStream(api: BackupApi, keys: ChunkKeys, source: Source, meta: BackupMeta, onProgress: (p: BackupProgress) => void = () => {}, options: UploadOptions = {}): Promise<BackupDone> {
  const o = { ...DEFAULTS, ...options }
  const batchChunks = Math.min(o.batchChunks, MAX_CHUNKS_PER_CALL)
  const progress: BackupProgress = { bytesRead: 0, bytesUploaded: 0, chunks: 0, chunksUploaded: 0 }
  const report = () => onProgress({ ...progress })
  const hash = createHash('sha256')
  const order: string[] = []
  const queued = new Set<string>()

  /** Set when a batch failed, so the one beside it starts no further upload. */
  let failed = false
  const sizes = new Map<string, number>()
  const send = async (sealing: Sealing[]) => {
    if (!sealing.length) return
    const batch = await Promise.all(sealing.map(async (c) => ({ ...c, body: c.body ? await c.body : null })))
    for (const c of batch) sizes.set(c.id, c.body ? c.body.length : c.known)
    const { upload } = await api.chunks(batch.map((c) => ({ id: c.id, size: sizes.get(c.id)! })))
    const urls = new Map(upload.map((u) => [u.id, u.url]))
    await forEachLimit(batch.filter((c) => urls.has(c.id)), o.parallel, async (c) => {
      if (failed) throw new Error('stopped: another batch failed')
      let url = urls.get(c.id)!
      let body = c.body
      if (!body) {
        body = await sealChunkAsync(keys, c.id, joined(c.plain))
        if (body.length !== c.known) {
          // Not the size it sealed to before (another zstd, say): the URL is signed for that size, so ask again.
          sizes.set(c.id, body.length)
          const again = (await api.chunks([{ id: c.id, size: body.length }])).upload[0]
          if (!again) return
          url = again.url
        }
      }
      const sealed = body
      await withRetries(() => api.put(url, sealed), o.retries, o.retryBaseMs, o.signal)
      progress.bytesUploaded += sealed.length
      progress.chunksUploaded++
      report()
    })
  }

  let batch: Sealing[] = []
  let batchBytes = 0
  // Backpressure: at most IN_FLIGHT batches are being checked and uploaded
  // while the next one fills, so one batch's call to the server and the tail
  // of its uploads overlap the next batch's uploads instead of stalling them.
  const sending: Promise<void>[] = []
  const flush = async () => {
    while (sending.length >= IN_FLIGHT) await sending.shift()
    const p = send(batch)
    p.catch(() => {}) // awaited when its turn comes or at the end
    sending.push(p)
    batch = []
    batchBytes = 0
  }

  try {
    await readAll()
  } catch (err) {
    // The failure is the answer only once nothing of this run is still uploading: a run started
    // again right after must not race this one's last retries.
    failed = true
    await Promise.allSettled(sending)
    throw err
  }

  const sha256 = hash.digest('hex')
  const { snapshotId } = await api.snapshot({ ...meta, sizeBytes: progress.bytesRead, sha256, chunks: order, uploadedBytes: progress.bytesUploaded })
  return { ...progress, snapshotId, sha256, sizes }

  async function readAll() {
    for await (const parts of chunkParts(source)) {
      if (o.signal?.aborted) throw new Error('stopped')
      // The chunk's id (seal.ts chunkId) and the stream's hash over its pieces: no copy for a chunk not sealed.
      const mac = createHmac('sha256', keys.idKey)
      let length = 0
      for (const p of parts) {
        hash.update(p)
        mac.update(p)
        length += p.length
      }
      const id = mac.digest('hex')
      order.push(id)
      progress.bytesRead += length
      progress.chunks++
      if (!queued.has(id)) {
        queued.add(id)
        const known = o.knownSizes?.get(id)
        const body = known === undefined ? sealChunkAsync(keys, id, joined(parts)) : null
        body?.catch(() => {}) // a failure is seen when its batch is sent
        // A chunk sealed now needs its plaintext no longer once sealed; one sealed on demand keeps it.
        batch.push({ id, body, plain: body ? [] : parts, known: known ?? 0 })
        // The plain size bounds the memory a batch holds while it seals.
        batchBytes += length
      }
      report()
      if (batch.length >= batchChunks || batchBytes >= o.batchBytes) await flush()
    }
    await flush()
    while (sending.length) await sending.shift()
  }
}
