// Reading a snapshot back in two phases. Phase 1 downloads every chunk into a
// private folder and checks each one's tag and name and the whole stream's
// SHA-256; only then does phase 2 (replay) hand out plaintext, so a restore
// never writes its first byte from a snapshot that would fail halfway.
import { createHash } from 'node:crypto'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statfsSync, writeFileSync, writeSync } from 'node:fs'
import { dirname, join } from 'node:path'
import type { BackupApi } from './api'
import type { ChunkCache } from './cache'
import { mapOrdered, withRetries } from './pool'
import { MAX_CHUNKS_PER_CALL, type SnapshotManifest } from './protocol'
import { BadChunk, openChunk, openChunkAsync, type ChunkKeys } from './seal'

/** The snapshot cannot be restored as it is stored; the message names the chunk. */
export class SnapshotProblem extends Error {}

export type ReadProgress = { chunksChecked: number; chunks: number; bytesChecked: number; bytesTotal: number }
export type ReadOptions = { parallel?: number; batch?: number; retries?: number; retryBaseMs?: number; onProgress?: (p: ReadProgress) => void; signal?: AbortSignal }
export type CheckedSnapshot = {
  /** The plaintext stream, read back from the checked chunks. */
  replay(): AsyncGenerator<Uint8Array>
  cleanup(): void
}

/** Room left for everything else on the disk beside the chunks. */
const DISK_MARGIN = 64 * 1024 * 1024

const short = (id: string) => id.slice(0, 12)
const where = (m: SnapshotManifest, i: number) => `chunk ${i + 1} of ${m.chunks.length} (${short(m.chunks[i]!.id)})`
const mib = (n: number) => `${(n / 1048576).toFixed(0)} MiB`

export function storedSize(m: SnapshotManifest): number {
  const seen = new Map(m.chunks.map((c) => [c.id, c.size]))
  return [...seen.values()].reduce((a, b) => a + b, 0)
}

export function checkFreeSpace(dir: string, m: SnapshotManifest): void {
  const st = statfsSync(dir)
  const free = Number(st.bavail) * Number(st.bsize)
  const need = storedSize(m) + DISK_MARGIN
  if (free < need) throw new SnapshotProblem(`Not enough free space in ${dir} to check the snapshot before restoring it: it needs ${mib(need)}, ${mib(free)} are free.`)
}

const isNotFound = (err: unknown) => (err as { status?: number }).status === 404

/** The answer to one read call; a 404 (some chunk is not in the pool) is found out id by id, to name it. */
async function readUrls(api: BackupApi, ids: string[]): Promise<Map<string, string>> {
  try {
    return new Map((await api.read(ids)).urls.map((u) => [u.id, u.url]))
  } catch (err) {
    if (!isNotFound(err) || ids.length === 1) throw err
  }
  const urls = new Map<string, string>()
  for (const id of ids) {
    try {
      for (const u of (await api.read([id])).urls) urls.set(u.id, u.url)
    } catch (err) {
      if (!isNotFound(err)) throw err
      return urls
    }
  }
  return urls
}

/** Presigned GET URLs for the chunks at these positions, naming the first that the pool does not hold. */
async function urlsFor(api: BackupApi, m: SnapshotManifest, positions: number[]): Promise<Map<string, string>> {
  const ids = [...new Set(positions.map((i) => m.chunks[i]!.id))]
  const urls = ids.length ? await readUrls(api, ids).catch((err) => (isNotFound(err) ? new Map<string, string>() : Promise.reject(err))) : new Map<string, string>()
  const missing = positions.find((i) => !urls.has(m.chunks[i]!.id))
  if (missing !== undefined) throw new SnapshotProblem(`${where(m, missing)} is missing from the store.`)
  return urls
}

/**
 * Phase 1. With `dir`, each sealed chunk is kept there as downloaded (one file
 * per id, mode 0600); without it (verify), nothing is written.
 */
async function checkAll(api: BackupApi, m: SnapshotManifest, keys: ChunkKeys, dir: string | null, o: ReadOptions): Promise<void> {
  const batch = Math.min(o.batch ?? 100, MAX_CHUNKS_PER_CALL)
  const progress: ReadProgress = { chunksChecked: 0, chunks: m.chunks.length, bytesChecked: 0, bytesTotal: m.sizeBytes }
  const stored = new Map<string, Promise<void>>()
  const hash = createHash('sha256')

  const fetchOne = async (i: number, url: string): Promise<Uint8Array> => {
    const { id, size } = m.chunks[i]!
    const sealed = await withRetries(() => api.get(url), o.retries ?? 3, o.retryBaseMs ?? 500, o.signal)
    if (!sealed) throw new SnapshotProblem(`${where(m, i)} is missing from the store.`)
    let plain: Uint8Array
    try {
      plain = openChunk(keys, id, sealed)
    } catch (err) {
      const sized = sealed.length !== size ? ` (stored ${sealed.length} bytes, the snapshot says ${size})` : ''
      throw new SnapshotProblem(`${where(m, i)} is damaged${sized}: ${(err as Error).message}.`)
    }
    if (dir) writeFileSync(join(dir, id), sealed, { mode: 0o600, flag: 'wx' })
    return plain
  }
  // Without a folder, a chunk the stream holds twice is kept in memory until its last use.
  const last = new Map(m.chunks.map((c, i) => [c.id, i]))
  const again = new Map<string, Uint8Array>()
  const checkOne = (urls: Map<string, string>) => async (i: number): Promise<Uint8Array> => {
    const id = m.chunks[i]!.id
    const first = stored.get(id)
    if (first) {
      await first
      if (dir) return openChunk(keys, id, readFileSync(join(dir, id)))
      const plain = again.get(id)!
      if (last.get(id) === i) again.delete(id)
      return plain
    }
    const p = fetchOne(i, urls.get(id)!)
    stored.set(id, p.then((plain) => void (!dir && last.get(id) !== i && again.set(id, plain)), () => {}))
    return p
  }

  for (let start = 0; start < m.chunks.length; start += batch) {
    const positions = Array.from({ length: Math.min(batch, m.chunks.length - start) }, (_, k) => start + k)
    const urls = await urlsFor(api, m, positions.filter((i) => !stored.has(m.chunks[i]!.id)))
    for await (const plain of mapOrdered(positions, o.parallel ?? 4, checkOne(urls))) {
      if (o.signal?.aborted) throw new Error('stopped')
      hash.update(plain)
      progress.chunksChecked++
      progress.bytesChecked += plain.length
      o.onProgress?.({ ...progress })
    }
  }
  if (progress.bytesChecked !== m.sizeBytes) throw new SnapshotProblem(`The chunks hold ${progress.bytesChecked} bytes; the snapshot says ${m.sizeBytes}.`)
  if (hash.digest('hex') !== m.sha256) throw new SnapshotProblem("Every chunk is intact, but the stream they make differs from the snapshot's SHA-256: the manifest's chunk list is wrong.")
}

/** Reads back and checks every chunk and the stream hash, keeping nothing. */
export const verifySnapshot = (api: BackupApi, m: SnapshotManifest, keys: ChunkKeys, o: ReadOptions = {}) => checkAll(api, m, keys, null, o)

/** Phase 1 into a private folder under tmpDir; the answer replays the checked plaintext. */
export async function readSnapshot(api: BackupApi, m: SnapshotManifest, keys: ChunkKeys, tmpDir: string, o: ReadOptions = {}): Promise<CheckedSnapshot> {
  checkFreeSpace(tmpDir, m)
  const dir = mkdtempSync(join(tmpDir, 'serversctl-snapshot-')) // mode 0700
  const cleanup = () => rmSync(dir, { recursive: true, force: true })
  try {
    await checkAll(api, m, keys, dir, o)
  } catch (err) {
    cleanup()
    throw err
  }
  return {
    async *replay() {
      // Opened again: the tag also covers the time the chunks spent on this disk.
      for (let i = 0; i < m.chunks.length; i++) {
        const id = m.chunks[i]!.id
        try {
          yield openChunk(keys, id, readFileSync(join(dir, id)))
        } catch (err) {
          throw new SnapshotProblem(`${where(m, i)} changed on this disk after it was checked: ${(err as Error).message}`)
        }
      }
    },
    cleanup,
  }
}

export type AssembleOptions = ReadOptions & { cache: ChunkCache }
export type Assembled = { chunksFromCache: number; chunksDownloaded: number; bytesDownloaded: number; cacheRejected: number }

/**
 * The snapshot's plaintext written to `path` (a new file, mode 0600), for a
 * restore that hands a program one whole file (restorepkg). Each chunk comes
 * from the cache when it is there and opens (tag and HMAC), else from the
 * store, and is cached; a cached chunk that fails is dropped and downloaded
 * again. The whole stream's size and SHA-256 are checked before this returns,
 * so the caller still starts nothing from a snapshot that would fail
 * halfway; on any failure the file is removed. The cache is trimmed to its
 * budget afterwards, whatever happened.
 */
export async function assembleSnapshot(api: BackupApi, m: SnapshotManifest, keys: ChunkKeys, path: string, o: AssembleOptions): Promise<Assembled> {
  const { cache } = o
  const batch = Math.min(o.batch ?? 100, MAX_CHUNKS_PER_CALL)
  const stats: Assembled = { chunksFromCache: 0, chunksDownloaded: 0, bytesDownloaded: 0, cacheRejected: 0 }
  const progress: ReadProgress = { chunksChecked: 0, chunks: m.chunks.length, bytesChecked: 0, bytesTotal: m.sizeBytes }
  const sizes = new Map(m.chunks.map((c) => [c.id, c.size]))
  const toFetch = [...sizes].filter(([id]) => !cache.has(id)).reduce((n, [, size]) => n + size, 0)
  const need = m.sizeBytes + toFetch + DISK_MARGIN
  const st = statfsSync(dirname(path))
  const free = Number(st.bavail) * Number(st.bsize)
  if (free < need) throw new SnapshotProblem(`Not enough free space in ${dirname(path)} to assemble the snapshot before restoring it: it needs ${mib(need)}, ${mib(free)} are free.`)

  const hash = createHash('sha256')
  const fd = openSync(path, 'wx', 0o600)
  let ok = false
  try {
    const download = async (i: number, url: string | undefined): Promise<Uint8Array> => {
      const { id, size } = m.chunks[i]!
      url ??= (await urlsFor(api, m, [i])).get(id)!
      const sealed = await withRetries(() => api.get(url), o.retries ?? 3, o.retryBaseMs ?? 500, o.signal)
      if (!sealed) throw new SnapshotProblem(`${where(m, i)} is missing from the store.`)
      let plain: Uint8Array
      try {
        plain = await openChunkAsync(keys, id, sealed)
      } catch (err) {
        const sized = sealed.length !== size ? ` (stored ${sealed.length} bytes, the snapshot says ${size})` : ''
        throw new SnapshotProblem(`${where(m, i)} is damaged${sized}: ${(err as Error).message}.`)
      }
      cache.put(id, sealed)
      stats.chunksDownloaded++
      stats.bytesDownloaded += sealed.length
      return plain
    }
    const loadOne = (urls: Map<string, string>) => async (i: number): Promise<Uint8Array> => {
      const id = m.chunks[i]!.id
      const cached = urls.has(id) ? null : cache.get(id)
      if (cached) {
        try {
          const plain = await openChunkAsync(keys, id, cached)
          stats.chunksFromCache++
          return plain
        } catch (err) {
          if (!(err instanceof BadChunk)) throw err
          cache.drop(id)
          stats.cacheRejected++
        }
      }
      return download(i, urls.get(id))
    }
    for (let start = 0; start < m.chunks.length; start += batch) {
      const positions = Array.from({ length: Math.min(batch, m.chunks.length - start) }, (_, k) => start + k)
      const urls = await urlsFor(api, m, positions.filter((i) => !cache.has(m.chunks[i]!.id)))
      for await (const plain of mapOrdered(positions, o.parallel ?? 4, loadOne(urls))) {
        if (o.signal?.aborted) throw new Error('stopped')
        hash.update(plain)
        for (let off = 0; off < plain.length; ) off += writeSync(fd, plain, off)
        progress.chunksChecked++
        progress.bytesChecked += plain.length
        o.onProgress?.({ ...progress })
      }
    }
    if (progress.bytesChecked !== m.sizeBytes) throw new SnapshotProblem(`The chunks hold ${progress.bytesChecked} bytes; the snapshot says ${m.sizeBytes}.`)
    if (hash.digest('hex') !== m.sha256) throw new SnapshotProblem("Every chunk is intact, but the stream they make differs from the snapshot's SHA-256: the manifest's chunk list is wrong.")
    ok = true
    return stats
  } finally {
    closeSync(fd)
    if (!ok) rmSync(path, { force: true })
    try {
      cache.trim()
    } catch {}
  }
}
