import { describe, expect, test } from 'bun:test'
import { randomBytes } from 'node:crypto'
import { BadChunk, chunkId, deriveKeys, openChunk, openChunkAsync, sealChunk, sealChunkAsync } from './seal'
import { pseudoRandom } from './test-data'

const keys = deriveKeys(new Uint8Array(32).fill(7))
const text = new TextEncoder().encode('INSERT INTO t VALUES (1,"a");\n'.repeat(5000))

describe('seal', () => {
  test('round trip, and a dump compresses', () => {
    const id = chunkId(keys.idKey, text)
    const sealed = sealChunk(keys, id, text)
    expect(sealed.length).toBeLessThan(text.length / 10)
    expect(Buffer.compare(openChunk(keys, id, sealed), text)).toBe(0)
    const random = pseudoRandom(300_000)
    const rid = chunkId(keys.idKey, random)
    expect(Buffer.compare(openChunk(keys, rid, sealChunk(keys, rid, random)), random)).toBe(0)
  })

  test('keys are HKDF of the data key, fixed by their info strings', () => {
    expect(keys.encKey.length).toBe(32)
    expect(keys.encKey.equals(keys.idKey)).toBe(false)
    expect(chunkId(keys.idKey, new Uint8Array(0))).toBe(chunkId(deriveKeys(new Uint8Array(32).fill(7)).idKey, new Uint8Array(0)))
    expect(chunkId(keys.idKey, text)).not.toBe(chunkId(deriveKeys(new Uint8Array(32).fill(8)).idKey, text))
    expect(() => deriveKeys(new Uint8Array(16))).toThrow(BadChunk)
  })

  test('sealing twice gives different bytes (a fresh nonce) that open the same', () => {
    const id = chunkId(keys.idKey, text)
    const [a, b] = [sealChunk(keys, id, text), sealChunk(keys, id, text)]
    expect(Buffer.compare(a, b)).not.toBe(0)
    expect(Buffer.compare(openChunk(keys, id, b), text)).toBe(0)
  })

  test('a stored chunk looks like neither zstd nor gzip', () => {
    const id = chunkId(keys.idKey, text)
    const sealed = Buffer.from(sealChunk(keys, id, text))
    expect(sealed.subarray(0, 4).toString()).toBe('SCC1')
    expect(sealed.subarray(0, 4).equals(Buffer.from([0x28, 0xb5, 0x2f, 0xfd]))).toBe(false)
    expect(sealed.subarray(0, 2).equals(Buffer.from([0x1f, 0x8b]))).toBe(false)
    expect(() => Bun.zstdDecompressSync(sealed)).toThrow()
  })

  test.each([0, 4, 20, -20, -1])('a flipped byte at %i fails clearly', (at) => {
    const id = chunkId(keys.idKey, text)
    const sealed = sealChunk(keys, id, text)
    sealed[at < 0 ? sealed.length + at : at]! ^= 0x01
    expect(() => openChunk(keys, id, sealed)).toThrow(BadChunk)
    expect(() => openChunk(keys, id, sealed)).toThrow(/bad magic|authentication tag/)
  })

  test("another chunk's object stored under this id fails", () => {
    const other = randomBytes(1000)
    const [idA, idB] = [chunkId(keys.idKey, text), chunkId(keys.idKey, other)]
    expect(() => openChunk(keys, idA, sealChunk(keys, idB, other))).toThrow(/authentication tag/)
  })

  test('a chunk sealed under its id but with other content fails the HMAC check', () => {
    const id = chunkId(keys.idKey, text)
    expect(() => openChunk(keys, id, sealChunk(keys, id, randomBytes(10)))).toThrow(/HMAC mismatch/)
  })

  test('a chunk of another pool does not open', () => {
    const id = chunkId(keys.idKey, text)
    expect(() => openChunk(deriveKeys(new Uint8Array(32).fill(9)), id, sealChunk(keys, id, text))).toThrow(/authentication tag/)
  })

  test('the off-thread sealing and opening make and read the same format as the others', async () => {
    for (const plain of [text, pseudoRandom(300_000), new Uint8Array(0)]) {
      const id = chunkId(keys.idKey, plain)
      const sealed = await sealChunkAsync(keys, id, plain)
      expect(Buffer.from(sealed).subarray(0, 4).toString()).toBe('SCC1')
      expect(Buffer.compare(openChunk(keys, id, sealed), plain)).toBe(0)
      expect(Buffer.compare(await openChunkAsync(keys, id, sealChunk(keys, id, plain)), plain)).toBe(0)
    }
  })

  test('openChunkAsync refuses what openChunk refuses, with the same words', async () => {
    const id = chunkId(keys.idKey, text)
    for (const at of [0, 20, -1]) {
      const sealed = sealChunk(keys, id, text)
      sealed[at < 0 ? sealed.length + at : at]! ^= 0x01
      const err = await openChunkAsync(keys, id, sealed).catch((e) => e)
      expect(err).toBeInstanceOf(BadChunk)
      expect(err.message).toMatch(/bad magic|authentication tag/)
    }
    const other = randomBytes(1000)
    await expect(openChunkAsync(keys, id, sealChunk(keys, chunkId(keys.idKey, other), other))).rejects.toThrow(/authentication tag/)
    await expect(openChunkAsync(keys, id, sealChunk(keys, id, randomBytes(10)))).rejects.toThrow(/HMAC mismatch/)
    await expect(openChunkAsync(deriveKeys(new Uint8Array(32).fill(9)), id, sealChunk(keys, id, text))).rejects.toThrow(/authentication tag/)
  })
})
