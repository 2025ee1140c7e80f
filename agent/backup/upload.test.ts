import { afterEach, describe, expect, test } from 'bun:test'
import { createHash } from 'node:crypto'
import { fakeBackupServer, type FakeBackupServer } from './fake-server'
import { openChunk } from './seal'
import { apiFor } from './test-api'
import { concat, inPieces, pseudoRandom } from './test-data'
import { backupStream, type BackupProgress } from './upload'

let fake: FakeBackupServer
afterEach(() => fake?.stop())

const meta = { kind: 'files' as const, source: '/srv/www', tables: null }
const data = pseudoRandom(24 * 1024 * 1024, 3)
const fast = { retryBaseMs: 1 }

describe('backupStream', () => {
  test('stores every chunk sealed and commits the ordered manifest', async () => {
    fake = fakeBackupServer()
    const { api, keys } = apiFor(fake)
    const seen: BackupProgress[] = []
    const done = await backupStream(api, keys, inPieces(data), meta, (p) => seen.push(p), fast)
    const m = fake.snapshots.get(done.snapshotId)!
    expect(m).toMatchObject({ kind: 'files', source: '/srv/www', sizeBytes: data.length, tables: null })
    expect(m.sha256).toBe(createHash('sha256').update(data).digest('hex'))
    expect(done.sha256).toBe(m.sha256)
    expect(concat(m.chunks.map((c) => openChunk(keys, c.id, fake.objects.get(c.id)!)))).toEqual(new Uint8Array(data))
    expect(done).toMatchObject({ bytesRead: data.length, chunks: m.chunks.length, chunksUploaded: m.chunks.length, bytesUploaded: fake.stats.putBytes })
    expect(seen.at(-1)).toMatchObject({ bytesRead: data.length, bytesUploaded: fake.stats.putBytes })
  })

  test('a second backup of the same data uploads nothing; a small change uploads a chunk or two', async () => {
    fake = fakeBackupServer()
    const { api, keys } = apiFor(fake)
    const first = await backupStream(api, keys, inPieces(data), meta, undefined, fast)
    const again = await backupStream(api, keys, inPieces(data), meta, undefined, fast)
    expect(again.chunksUploaded).toBe(0)
    expect(again.bytesUploaded).toBe(0)
    const edited = concat([data.subarray(0, 9_000_000), new Uint8Array(100).fill(9), data.subarray(9_000_000)])
    const third = await backupStream(api, keys, inPieces(edited), meta, undefined, fast)
    expect(third.chunksUploaded).toBeLessThanOrEqual(2)
    expect(third.bytesUploaded).toBeLessThan(first.bytesUploaded / 4)
    expect(fake.snapshots.size).toBe(3)
  })

  test('a chunk that repeats in the stream is uploaded once', async () => {
    fake = fakeBackupServer()
    const { api, keys } = apiFor(fake)
    const done = await backupStream(api, keys, inPieces(new Uint8Array(13 * 1024 * 1024)), meta, undefined, fast)
    expect(done.chunks).toBe(4)
    expect(done.chunksUploaded).toBe(2)
  })

  test('killed mid-upload and run again, it uploads only the chunks still missing', async () => {
    fake = fakeBackupServer({ failPutsAfter: 7 })
    const { api, keys } = apiFor(fake)
    await expect(backupStream(api, keys, inPieces(data), meta, undefined, { ...fast, batchChunks: 4 })).rejects.toThrow(/500/)
    expect(fake.snapshots.size).toBe(0)
    const stored = fake.objects.size
    expect(stored).toBe(7)
    fake.failPutsAfter(Infinity)
    const done = await backupStream(api, keys, inPieces(data), meta, undefined, fast)
    expect(done.chunksUploaded).toBe(done.chunks - stored)
    expect(fake.stats.puts).toBe(done.chunks)
  })

  test('a failed upload is retried', async () => {
    fake = fakeBackupServer()
    const base = apiFor(fake)
    let failures = 0
    const put = async (url: string, body: Uint8Array) => {
      if (failures++ < 2) throw new Error('connection reset')
      return base.api.put(url, body)
    }
    const { api, keys } = apiFor(fake, 'job_1', { put })
    const done = await backupStream(api, keys, inPieces(data.subarray(0, 3_000_000)), meta, undefined, fast)
    expect(fake.snapshots.get(done.snapshotId)!.sizeBytes).toBe(3_000_000)
  })

  test('memory stays bounded: never more than two batches of sealed chunks waiting', async () => {
    fake = fakeBackupServer()
    const base = apiFor(fake)
    let inFlight = 0
    let most = 0
    let read = 0
    const source = async function* () {
      for await (const piece of inPieces(data)) {
        read += piece.length
        yield piece
      }
    }
    const put = async (url: string, body: Uint8Array) => {
      most = Math.max(most, read - fake.stats.putBytes)
      inFlight++
      await Bun.sleep(5)
      await base.api.put(url, body)
      inFlight--
    }
    const { api, keys } = apiFor(fake, 'job_1', { put })
    await backupStream(api, keys, source(), meta, undefined, { ...fast, batchChunks: 3 })
    // read minus stored: the chunker's buffer, the batch uploading and the one filling (random data does not compress).
    expect(most).toBeLessThan((3 * 2 + 2) * 4 * 1024 * 1024)
    expect(inFlight).toBe(0)
  })

  test('with the sealed sizes of the last backup, chunks the store lost are still uploaded whole, and a wrong size is asked again', async () => {
    fake = fakeBackupServer()
    const { api, keys } = apiFor(fake)
    const first = await backupStream(api, keys, inPieces(data), meta, undefined, fast)
    const m1 = fake.snapshots.get(first.snapshotId)!
    const byId = (e: [string, number][]) => e.sort((a, b) => (a[0] < b[0] ? -1 : 1))
    expect(byId([...first.sizes])).toEqual(byId(m1.chunks.map((c) => [c.id, c.size])))

    // The store lost two chunks (pruned, say), and one size is remembered wrong.
    const [lost, alsoLost, misremembered] = m1.chunks.map((c) => c.id)
    fake.objects.delete(lost!)
    fake.objects.delete(misremembered!)
    const known = new Map(first.sizes)
    known.set(misremembered!, known.get(misremembered!)! + 5)
    fake.objects.delete(alsoLost!)
    const puts = fake.stats.puts
    const second = await backupStream(api, keys, inPieces(data), meta, undefined, { ...fast, knownSizes: known })
    expect(fake.stats.puts - puts).toBe(3)
    expect(second.chunksUploaded).toBe(3)
    const m2 = fake.snapshots.get(second.snapshotId)!
    expect(m2.chunks.map((c) => c.id)).toEqual(m1.chunks.map((c) => c.id))
    // Every chunk opens to the stream again, the re-sealed ones included, under their true sizes.
    expect(concat(m2.chunks.map((c) => openChunk(keys, c.id, fake.objects.get(c.id)!)))).toEqual(new Uint8Array(data))
    expect(second.sizes.get(misremembered!)).toBe(fake.objects.get(misremembered!)!.length)
  })
})
