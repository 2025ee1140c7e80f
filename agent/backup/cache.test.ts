import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, utimesSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { chunkCache } from './cache'
import { assembleSnapshot, SnapshotProblem } from './download'
import { fakeBackupServer, type FakeBackupServer } from './fake-server'
import type { SnapshotManifest } from './protocol'
import { apiFor } from './test-api'
import { concat, inPieces, pseudoRandom } from './test-data'
import { backupStream } from './upload'

let fake: FakeBackupServer
let tmp: string
const fast = { retryBaseMs: 1 }
const first = concat([pseudoRandom(6 * 1024 * 1024, 5), new Uint8Array(6 * 1024 * 1024), pseudoRandom(3 * 1024 * 1024, 6)])
// The same stream with 64 KiB rewritten in the middle of the first random stretch.
const second = concat([first.subarray(0, 3 << 20), pseudoRandom(64 * 1024, 9), first.subarray((3 << 20) + 64 * 1024)])

beforeEach(() => {
  fake = fakeBackupServer()
  tmp = mkdtempSync(join(tmpdir(), 'serversctl-cache-'))
})
afterEach(() => {
  fake.stop()
  rmSync(tmp, { recursive: true, force: true })
})

async function snapshotOf(data: Uint8Array): Promise<SnapshotManifest> {
  const { api, keys } = apiFor(fake)
  const done = await backupStream(api, keys, inPieces(data), { kind: 'cpanel_account', source: 'shop', tables: null }, undefined, fast)
  return fake.snapshots.get(done.snapshotId)!
}

const unique = (m: SnapshotManifest) => new Set(m.chunks.map((c) => c.id))

describe('assembleSnapshot with the chunk cache', () => {
  test('a miss downloads and keeps every chunk; a second snapshot downloads only the chunks it has not seen', async () => {
    const m1 = await snapshotOf(first)
    const m2 = await snapshotOf(second)
    const { api, keys } = apiFor(fake)
    const cache = chunkCache(join(tmp, 'cache'), keys)

    const got1 = await assembleSnapshot(api, m1, keys, join(tmp, 'one.tar'), { cache, ...fast })
    expect(new Uint8Array(readFileSync(join(tmp, 'one.tar')))).toEqual(first)
    expect(statSync(join(tmp, 'one.tar')).mode & 0o777).toBe(0o600)
    expect(got1.chunksDownloaded).toBe(unique(m1).size)
    for (const id of unique(m1)) expect(cache.has(id)).toBe(true)
    expect(statSync(cache.dir).mode & 0o777).toBe(0o700)

    const gets = fake.stats.gets
    const got2 = await assembleSnapshot(api, m2, keys, join(tmp, 'two.tar'), { cache, ...fast })
    expect(new Uint8Array(readFileSync(join(tmp, 'two.tar')))).toEqual(second)
    const fresh = [...unique(m2)].filter((id) => !unique(m1).has(id))
    expect(fresh.length).toBeGreaterThan(0)
    expect(fresh.length).toBeLessThan(unique(m2).size / 2)
    expect(got2.chunksDownloaded).toBe(fresh.length)
    expect(fake.stats.gets - gets).toBe(fresh.length)
    expect(got2.chunksFromCache).toBe(m2.chunks.length - fresh.length)
  })

  test('a hit on an unchanged snapshot downloads nothing', async () => {
    const m = await snapshotOf(first)
    const { api, keys } = apiFor(fake)
    const cache = chunkCache(join(tmp, 'cache'), keys)
    await assembleSnapshot(api, m, keys, join(tmp, 'a.tar'), { cache, ...fast })
    const gets = fake.stats.gets
    const got = await assembleSnapshot(api, m, keys, join(tmp, 'b.tar'), { cache, ...fast })
    expect(fake.stats.gets).toBe(gets)
    expect(got).toMatchObject({ chunksDownloaded: 0, chunksFromCache: m.chunks.length, cacheRejected: 0 })
    expect(new Uint8Array(readFileSync(join(tmp, 'b.tar')))).toEqual(first)
  })

  test('a cached chunk altered on disk is rejected by its check, dropped and downloaded again', async () => {
    const m = await snapshotOf(first)
    const { api, keys } = apiFor(fake)
    const cache = chunkCache(join(tmp, 'cache'), keys)
    await assembleSnapshot(api, m, keys, join(tmp, 'a.tar'), { cache, ...fast })
    const victim = m.chunks[1]!.id
    const bytes = readFileSync(join(cache.dir, victim))
    bytes[200]! ^= 1
    writeFileSync(join(cache.dir, victim), bytes)
    // Another chunk's sealed bytes under this one's name fail too (the id is the AEAD's associated data).
    const swapped = m.chunks[0]!.id
    writeFileSync(join(cache.dir, swapped), readFileSync(join(cache.dir, m.chunks[2]!.id)))

    const gets = fake.stats.gets
    const got = await assembleSnapshot(api, m, keys, join(tmp, 'b.tar'), { cache, ...fast })
    expect(new Uint8Array(readFileSync(join(tmp, 'b.tar')))).toEqual(first)
    expect(got.cacheRejected).toBe(2)
    expect(got.chunksDownloaded).toBe(2)
    expect(fake.stats.gets - gets).toBe(2)
    // The good copies are back in the cache.
    expect(new Uint8Array(readFileSync(join(cache.dir, victim)))).toEqual(new Uint8Array(fake.objects.get(victim)!))
    expect(new Uint8Array(readFileSync(join(cache.dir, swapped)))).toEqual(new Uint8Array(fake.objects.get(swapped)!))
  })

  test('a chunk damaged in the store is refused by name, and the half-written archive is removed', async () => {
    const m = await snapshotOf(first)
    const { api, keys } = apiFor(fake)
    const cache = chunkCache(join(tmp, 'cache'), keys)
    fake.objects.get(m.chunks[2]!.id)![100]! ^= 1
    const err = await assembleSnapshot(api, m, keys, join(tmp, 'a.tar'), { cache, ...fast }).catch((e) => e)
    expect(err).toBeInstanceOf(SnapshotProblem)
    expect(err.message).toContain(`chunk 3 of ${m.chunks.length}`)
    expect(existsSync(join(tmp, 'a.tar'))).toBe(false)
    expect(cache.has(m.chunks[2]!.id)).toBe(false)
  })

  test('the cache is trimmed to its bound, the least recently used chunks first', async () => {
    const m1 = await snapshotOf(first)
    const m2 = await snapshotOf(pseudoRandom(5 * 1024 * 1024, 77))
    const { api, keys } = apiFor(fake)
    const sized = (m: SnapshotManifest) => [...new Map(m.chunks.map((c) => [c.id, c.size])).values()].reduce((a, b) => a + b, 0)
    const bound = sized(m2) + 1024
    const cache = chunkCache(join(tmp, 'cache'), keys, { maxBytes: bound })
    await assembleSnapshot(api, m1, keys, join(tmp, 'a.tar'), { cache, ...fast })
    expect(cache.size()).toBeLessThanOrEqual(bound)
    // Make m1's chunks clearly older than m2's will be.
    const old = new Date(Date.now() - 3_600_000)
    for (const name of readdirSync(cache.dir)) utimesSync(join(cache.dir, name), old, old)
    await assembleSnapshot(api, m2, keys, join(tmp, 'b.tar'), { cache, ...fast })
    expect(cache.size()).toBeLessThanOrEqual(bound)
    // What was used last stays; what had to go was the older snapshot's.
    for (const id of unique(m2)) expect(cache.has(id)).toBe(true)
    expect([...unique(m1)].some((id) => !cache.has(id))).toBe(true)
  })

  test("another pool's cache is another folder", async () => {
    const { keys } = apiFor(fake)
    const other = fakeBackupServer()
    try {
      const a = chunkCache(join(tmp, 'cache'), keys)
      const b = chunkCache(join(tmp, 'cache'), apiFor(other).keys)
      expect(a.dir).not.toBe(b.dir)
    } finally {
      other.stop()
    }
  })
})
