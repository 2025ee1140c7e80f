import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { existsSync, mkdtempSync, readdirSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { checkFreeSpace, readSnapshot, SnapshotProblem, verifySnapshot } from './download'
import { fakeBackupServer, type FakeBackupServer } from './fake-server'
import type { SnapshotManifest } from './protocol'
import { apiFor } from './test-api'
import { collect, concat, inPieces, pseudoRandom } from './test-data'
import { backupStream } from './upload'

let fake: FakeBackupServer
let tmp: string
let manifest: SnapshotManifest
const data = concat([pseudoRandom(6 * 1024 * 1024, 5), new Uint8Array(14 * 1024 * 1024), pseudoRandom(3 * 1024 * 1024, 6)])
const fast = { retryBaseMs: 1 }

beforeEach(async () => {
  fake = fakeBackupServer()
  tmp = mkdtempSync(join(tmpdir(), 'serversctl-read-'))
  const { api, keys } = apiFor(fake)
  const done = await backupStream(api, keys, inPieces(data), { kind: 'files', source: '/x', tables: null }, undefined, fast)
  manifest = fake.snapshots.get(done.snapshotId)!
})
afterEach(() => {
  fake.stop()
  rmSync(tmp, { recursive: true, force: true })
})

const flipByteOf = (id: string) => void (fake.objects.get(id)![100]! ^= 1)

describe('readSnapshot', () => {
  test('checks everything, then replays the stream from a private folder, and cleans up', async () => {
    const { api, keys } = apiFor(fake)
    expect(new Set(manifest.chunks.map((c) => c.id)).size).toBeLessThan(manifest.chunks.length) // the zeros repeat
    const read = await readSnapshot(api, manifest, keys, tmp, fast)
    const [dir] = readdirSync(tmp)
    const st = statSync(join(tmp, dir!))
    expect(st.mode & 0o777).toBe(0o700)
    for (const f of readdirSync(join(tmp, dir!))) expect(statSync(join(tmp, dir!, f)).mode & 0o777).toBe(0o600)
    const gets = fake.stats.gets
    expect(concat(await collect(read.replay()))).toEqual(data)
    expect(fake.stats.gets).toBe(gets) // replay reads the disk, not the store
    read.cleanup()
    expect(readdirSync(tmp)).toEqual([])
  })

  test('a flipped byte in one stored chunk: refused in phase 1, naming the chunk, nothing left behind', async () => {
    const { api, keys } = apiFor(fake)
    flipByteOf(manifest.chunks[2]!.id)
    const err = await readSnapshot(api, manifest, keys, tmp, fast).catch((e) => e)
    expect(err).toBeInstanceOf(SnapshotProblem)
    expect(err.message).toContain(`chunk 3 of ${manifest.chunks.length} (${manifest.chunks[2]!.id.slice(0, 12)}) is damaged`)
    expect(err.message).toContain('authentication tag')
    expect(readdirSync(tmp)).toEqual([])
  })

  test('a chunk missing from the store (read answers 404)', async () => {
    const { api, keys } = apiFor(fake)
    fake.objects.delete(manifest.chunks.at(-1)!.id)
    await expect(readSnapshot(api, manifest, keys, tmp, fast)).rejects.toThrow(`chunk ${manifest.chunks.length} of ${manifest.chunks.length}`)
    expect(readdirSync(tmp)).toEqual([])
  })

  test('a chunk the read call lists but the store has lost (GET answers 404)', async () => {
    const base = apiFor(fake)
    const lost = manifest.chunks[1]!.id
    const { api, keys } = apiFor(fake, 'job_1', { get: (url) => (url.includes(lost) ? Promise.resolve(null) : base.api.get(url)) })
    await expect(readSnapshot(api, manifest, keys, tmp, fast)).rejects.toThrow(/chunk 2 of \d+ \(\w+\) is missing from the store/)
  })

  test('intact chunks in the wrong order fail the stream hash', async () => {
    const { api, keys } = apiFor(fake)
    const swapped = { ...manifest, chunks: [manifest.chunks[1]!, manifest.chunks[0]!, ...manifest.chunks.slice(2)] }
    await expect(readSnapshot(api, swapped, keys, tmp, fast)).rejects.toThrow(/SHA-256/)
  })

  test('a chunk changed on disk between check and replay is caught', async () => {
    const { api, keys } = apiFor(fake)
    const read = await readSnapshot(api, manifest, keys, tmp, fast)
    const [dir] = readdirSync(tmp)
    const file = join(tmp, dir!, manifest.chunks.at(-1)!.id)
    const bytes = await Bun.file(file).bytes()
    bytes[50]! ^= 1
    await Bun.write(file, bytes)
    await expect(collect(read.replay())).rejects.toThrow(/changed on this disk/)
    read.cleanup()
  })

  test('not enough disk space is said before anything is downloaded', () => {
    const huge = { ...manifest, chunks: [{ id: 'a'.repeat(64), size: 2 ** 52 }] }
    expect(() => checkFreeSpace(tmp, huge)).toThrow(/Not enough free space in .* it needs \d+ MiB, \d+ MiB are free/)
    expect(existsSync(tmp)).toBe(true)
  })
})

describe('verifySnapshot', () => {
  test('passes on a good snapshot and writes nothing', async () => {
    const { api, keys } = apiFor(fake)
    await verifySnapshot(api, manifest, keys, fast)
  })

  test('fails on a flipped byte', async () => {
    const { api, keys } = apiFor(fake)
    flipByteOf(manifest.chunks[0]!.id)
    await expect(verifySnapshot(api, manifest, keys, fast)).rejects.toThrow(/chunk 1 of \d+ .* is damaged/)
  })
})
