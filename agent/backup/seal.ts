// A chunk as it is stored: compressed, then encrypted and authenticated with
// keys derived from the pool's data key. The id (a keyed hash of the
// plaintext) is the AES-GCM associated data, so an object stored under
// another chunk's name fails to open instead of restoring the wrong bytes.
import { createCipheriv, createDecipheriv, createHmac, hkdfSync, randomBytes, timingSafeEqual } from 'node:crypto'

export type ChunkKeys = { encKey: Buffer; idKey: Buffer }

const MAGIC = Buffer.from('SCC1')
const NONCE = 12
const TAG = 16
/** What sealing adds to the compressed bytes. */
export const SEAL_OVERHEAD = MAGIC.length + NONCE + TAG
// Level 2: on a real dump cut in 1 MiB chunks it stored 19.8 % against level 3's
// 18.7 %, at about 200 MB/s against 125 on this 2-core machine, where zstd is
// the slowest step of a backup. Decompression speed is the same for both.
const ZSTD_LEVEL = 2

export class BadChunk extends Error {}

export function deriveKeys(dataKey: Uint8Array): ChunkKeys {
  if (dataKey.length !== 32) throw new BadChunk(`The pool's data key is ${dataKey.length} bytes, not 32.`)
  const derive = (info: string) => Buffer.from(hkdfSync('sha256', dataKey, Buffer.alloc(0), info, 32))
  return { encKey: derive('serversctl chunk encryption v1'), idKey: derive('serversctl chunk id v1') }
}

export const keysFromBase64 = (dataKey: string) => deriveKeys(Buffer.from(dataKey, 'base64'))

export const chunkId = (idKey: Uint8Array, plain: Uint8Array): string => createHmac('sha256', idKey).update(plain).digest('hex')

function idBytes(id: string): Buffer {
  if (!/^[0-9a-f]{64}$/.test(id)) throw new BadChunk(`${JSON.stringify(id)} is not a chunk id.`)
  return Buffer.from(id, 'hex')
}

function encrypt(keys: ChunkKeys, id: string, compressed: Uint8Array): Uint8Array {
  const nonce = randomBytes(NONCE)
  const cipher = createCipheriv('aes-256-gcm', keys.encKey, nonce)
  cipher.setAAD(idBytes(id))
  const body = cipher.update(compressed)
  const last = cipher.final()
  return Buffer.concat([MAGIC, nonce, body, last, cipher.getAuthTag()])
}

/** WebCrypto's AES-GCM key for these keys, imported once per key. */
const gcmKeys = new WeakMap<ChunkKeys, Promise<CryptoKey>>()
function gcmKey(keys: ChunkKeys): Promise<CryptoKey> {
  let key = gcmKeys.get(keys)
  if (!key) gcmKeys.set(keys, (key = crypto.subtle.importKey('raw', keys.encKey as Buffer<ArrayBuffer>, 'AES-GCM', false, ['encrypt', 'decrypt'])))
  return key
}

/**
 * encrypt() through WebCrypto, which answers "ciphertext | tag" exactly as
 * the sealed layout needs and runs off the main thread: on this kind of
 * machine it was twice node:crypto's speed, and the main thread stays free
 * for chunking. The same bytes either way.
 */
async function encryptAsync(keys: ChunkKeys, id: string, compressed: Uint8Array): Promise<Uint8Array> {
  const nonce = randomBytes(NONCE)
  const body = new Uint8Array(await crypto.subtle.encrypt({ name: 'AES-GCM', iv: nonce, additionalData: idBytes(id) as Buffer<ArrayBuffer>, tagLength: TAG * 8 }, await gcmKey(keys), compressed as Uint8Array<ArrayBuffer>))
  const out = Buffer.allocUnsafe(MAGIC.length + NONCE + body.length)
  out.set(MAGIC, 0)
  out.set(nonce, MAGIC.length)
  out.set(body, MAGIC.length + NONCE)
  return out
}

export function sealChunk(keys: ChunkKeys, id: string, plain: Uint8Array): Uint8Array {
  return encrypt(keys, id, Bun.zstdCompressSync(plain, { level: ZSTD_LEVEL }))
}

/**
 * sealChunk with the compression, its slowest step, on Bun's thread pool:
 * the agent keeps reading its source (and the dump keeps running instead of
 * waiting on a full pipe) while earlier chunks compress on the other core.
 */
export async function sealChunkAsync(keys: ChunkKeys, id: string, plain: Uint8Array): Promise<Uint8Array> {
  return encryptAsync(keys, id, await Bun.zstdCompress(plain, { level: ZSTD_LEVEL }))
}

const badMagic = (id: string) => new BadChunk(`chunk ${id.slice(0, 12)} is not a sealed chunk (bad magic)`)
const badTag = (id: string) => new BadChunk(`chunk ${id.slice(0, 12)} failed its authentication tag: it was altered, or stored under another chunk's name`)
const badName = (id: string) => new BadChunk(`chunk ${id.slice(0, 12)} does not match its name (HMAC mismatch)`)

/**
 * openChunk with decryption and decompression off the main thread (WebCrypto
 * and Bun's thread pool), so several chunks open at once on a restore. The
 * same checks, in the same order, with the same refusals.
 */
export async function openChunkAsync(keys: ChunkKeys, id: string, sealed: Uint8Array): Promise<Uint8Array> {
  const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength)
  if (bytes.length < SEAL_OVERHEAD || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw badMagic(id)
  let compressed: Uint8Array
  try {
    const nonce = bytes.subarray(MAGIC.length, MAGIC.length + NONCE)
    compressed = new Uint8Array(await crypto.subtle.decrypt({ name: 'AES-GCM', iv: nonce as Buffer<ArrayBuffer>, additionalData: idBytes(id) as Buffer<ArrayBuffer>, tagLength: TAG * 8 }, await gcmKey(keys), bytes.subarray(MAGIC.length + NONCE) as Buffer<ArrayBuffer>))
  } catch (err) {
    if (err instanceof BadChunk) throw err
    throw badTag(id)
  }
  let plain: Uint8Array
  try {
    plain = await Bun.zstdDecompress(compressed)
  } catch (e) {
    throw new BadChunk(`chunk ${id.slice(0, 12)} does not decompress: ${(e as Error).message}`)
  }
  if (!timingSafeEqual(Buffer.from(chunkId(keys.idKey, plain), 'hex'), idBytes(id))) throw badName(id)
  return plain
}

/** The plaintext of a stored chunk, or BadChunk saying what is wrong with it. */
export function openChunk(keys: ChunkKeys, id: string, sealed: Uint8Array): Uint8Array {
  const bytes = Buffer.from(sealed.buffer, sealed.byteOffset, sealed.byteLength)
  if (bytes.length < SEAL_OVERHEAD || !bytes.subarray(0, MAGIC.length).equals(MAGIC)) throw badMagic(id)
  const decipher = createDecipheriv('aes-256-gcm', keys.encKey, bytes.subarray(MAGIC.length, MAGIC.length + NONCE))
  decipher.setAAD(idBytes(id))
  decipher.setAuthTag(bytes.subarray(bytes.length - TAG))
  let compressed: Buffer
  try {
    compressed = Buffer.concat([decipher.update(bytes.subarray(MAGIC.length + NONCE, bytes.length - TAG)), decipher.final()])
  } catch {
    throw badTag(id)
  }
  let plain: Uint8Array
  try {
    plain = Bun.zstdDecompressSync(compressed)
  } catch (e) {
    throw new BadChunk(`chunk ${id.slice(0, 12)} does not decompress: ${(e as Error).message}`)
  }
  // The tag proves who sealed it; the keyed hash proves it is the content its name says.
  if (!timingSafeEqual(Buffer.from(chunkId(keys.idKey, plain), 'hex'), idBytes(id))) throw badName(id)
  return plain
}
