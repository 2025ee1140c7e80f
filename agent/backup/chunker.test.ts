import { describe, expect, test } from 'bun:test'
import { createHash } from 'node:crypto'
import { chunkStream, GEAR, MAX_CHUNK, MIN_CHUNK } from './chunker'
import { collect, concat, inPieces, pseudoRandom } from './test-data'

const hashOf = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
const data = pseudoRandom(20 * 1024 * 1024, 42)

describe('chunkStream', () => {
  test('the chunks put back together are the input, each within bounds', async () => {
    const chunks = await collect(chunkStream(inPieces(data, 100_003)))
    expect(Buffer.compare(concat(chunks), data)).toBe(0)
    expect(chunks.length).toBeGreaterThan(6)
    for (const c of chunks.slice(0, -1)) {
      expect(c.length).toBeGreaterThanOrEqual(MIN_CHUNK)
      expect(c.length).toBeLessThanOrEqual(MAX_CHUNK)
    }
    expect(chunks.at(-1)!.length).toBeLessThanOrEqual(MAX_CHUNK)
  })

  test('the cuts do not depend on how the input was split', async () => {
    const a = (await collect(chunkStream(inPieces(data, 997)))).map((c) => c.length)
    const b = (await collect(chunkStream(inPieces(data, 5 * 1024 * 1024)))).map((c) => c.length)
    expect(a).toEqual(b)
  })

  test('an insert of a few bytes early changes only the first chunk or two', async () => {
    const before = (await collect(chunkStream(inPieces(data)))).map(hashOf)
    const edited = concat([data.subarray(0, 5000), new Uint8Array([1, 2, 3, 4, 5, 6, 7]), data.subarray(5000)])
    const after = (await collect(chunkStream(inPieces(edited)))).map(hashOf)
    const kept = after.filter((h) => before.includes(h)).length
    expect(after.length - kept).toBeLessThanOrEqual(2)
    expect(kept).toBeGreaterThanOrEqual(before.length - 2)
  })

  test('long runs of one byte are cut at the maximum', async () => {
    const zeros = new Uint8Array(9 * 1024 * 1024)
    expect((await collect(chunkStream(inPieces(zeros)))).map((c) => c.length)).toEqual([MAX_CHUNK, MAX_CHUNK, 1024 * 1024])
  })

  test('short and empty streams', async () => {
    expect(await collect(chunkStream(inPieces(new Uint8Array(0))))).toEqual([])
    expect((await collect(chunkStream(inPieces(data.subarray(0, 1000))))).map((c) => c.length)).toEqual([1000])
  })

  test('the gear table is fixed: chunk names depend on it', () => {
    expect(createHash('sha256').update(new Uint8Array(GEAR.buffer)).digest('hex').slice(0, 16)).toBe('a5b120bd49223008')
  })
})
