// One contract, both backends: the folder under DATA_DIR and S3 through a
// real s3rver on loopback. Every upload is checked by downloading it again.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createHash, randomBytes } from 'node:crypto'
import { statSync } from 'node:fs'
import { join } from 'node:path'
import { testServer, type TestServer } from '../testing/harness'
import { loadSecretKey } from '../crypto/secret-box'
import { folderStore } from './folder'
import { s3Store } from './s3'
import { linkKey } from './signed-url'
import { startS3rver } from './s3rver-for-tests'
import { StorageError, type ObjectStore } from './types'

type Backend = {
  store: ObjectStore
  s: TestServer
  /** The same store with its clock an hour back: its links have expired. */
  pastStore: ObjectStore
  stop: () => Promise<void>
}

const HOUR = 3600 * 1000

async function folderBackend(): Promise<Backend> {
  const s = await testServer()
  s.serve()
  const root = join(s.deps.config.dataDir, 'objects')
  const key = linkKey(loadSecretKey(s.deps.config.secretKey, s.deps.config.dataDir))
  const pastStore = folderStore({ root, linkKey: key, publicUrl: () => s.deps.config.publicUrl, now: () => Date.now() - HOUR })
  return { store: s.deps.storage, s, pastStore, stop: () => s.close() }
}

async function s3Backend(): Promise<Backend> {
  const s3 = await startS3rver()
  const s = await testServer({ env: s3.env })
  const pastStore = s3Store(s.deps.config.s3!, { now: () => Date.now() - HOUR })
  return { store: s.deps.storage, s, pastStore, stop: async () => (await s.close(), await s3.stop()) }
}

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')

async function download(store: ObjectStore, key: string): Promise<Buffer> {
  const found = await store.get(key)
  if (!found) throw new Error(`${key} is missing`)
  return Buffer.from(await new Response(found.body).arrayBuffer())
}

/** `bytes` sent as a stream in 64 KiB pieces, the way a chunk arrives from the network. */
function streamOf(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let at = 0
  return new ReadableStream({
    pull(c) {
      if (at >= bytes.length) return c.close()
      c.enqueue(bytes.slice(at, (at += 64 * 1024)))
    },
  })
}

async function keys(store: ObjectStore, prefix: string) {
  const out: string[] = []
  for await (const o of store.list(prefix)) out.push(o.key)
  return out
}

for (const [name, start] of [['folder', folderBackend], ['s3 (s3rver)', s3Backend]] as const) {
  describe(`the ${name} store`, () => {
    let b: Backend
    beforeAll(async () => {
      b = await start()
    })
    afterAll(() => b.stop())

    test('it stores, reads, heads and deletes an object', async () => {
      const bytes = new TextEncoder().encode('hello, chunk')
      expect(await b.store.put('crud/one.bin', bytes)).toEqual({ size: bytes.length, sha256: sha(bytes) })
      expect(await b.store.head('crud/one.bin')).toEqual({ size: bytes.length })
      expect((await download(b.store, 'crud/one.bin')).toString()).toBe('hello, chunk')
      await b.store.put('crud/one.bin', new TextEncoder().encode('replaced'))
      expect((await download(b.store, 'crud/one.bin')).toString()).toBe('replaced')
      await b.store.delete('crud/one.bin')
      expect(await b.store.head('crud/one.bin')).toBeNull()
      expect(await b.store.get('crud/one.bin')).toBeNull()
      await b.store.delete('crud/one.bin')
      expect(await b.store.head('never/there')).toBeNull()
    })

    test('it lists by prefix in key order and counts objects and bytes', async () => {
      const before = await b.store.stats()
      for (const k of ['list/b/c', 'list/a', 'list/b-d', 'listing', 'other/x']) await b.store.put(k, new Uint8Array(10))
      expect((await keys(b.store, 'list/')).sort()).toEqual(['list/a', 'list/b-d', 'list/b/c'])
      expect((await keys(b.store, 'list/b')).sort()).toEqual(['list/b-d', 'list/b/c'])
      expect((await keys(b.store, 'list')).sort()).toEqual(['list/a', 'list/b-d', 'list/b/c', 'listing'])
      expect(await keys(b.store, 'nothing/')).toEqual([])
      expect(await b.store.stats()).toEqual({ objects: before.objects + 5, bytes: before.bytes + 50 })
      for (const k of ['list/b/c', 'list/a', 'list/b-d', 'listing', 'other/x']) await b.store.delete(k)
      expect(await b.store.stats()).toEqual(before)
    })

    test('a 5 MiB streamed upload comes back with the same SHA-256, with and without a known length', async () => {
      const bytes = randomBytes(5 * 1024 * 1024)
      const unknown = await b.store.put('big/unknown-length', streamOf(bytes))
      const known = await b.store.put('big/known-length', streamOf(bytes), { size: bytes.length })
      for (const [key, stored] of [['big/unknown-length', unknown], ['big/known-length', known]] as const) {
        expect(stored).toEqual({ size: bytes.length, sha256: sha(bytes) })
        expect(await b.store.head(key)).toEqual({ size: bytes.length })
        // The corruption trap: chunk framing stored inside the object changes the bytes.
        expect(sha(await download(b.store, key))).toBe(sha(bytes))
        await b.store.delete(key)
      }
    })

    test('a put over its limit or with the wrong checksum stores nothing', async () => {
      const bytes = randomBytes(1000)
      await expect(b.store.put('limits/big', streamOf(bytes), { maxBytes: 999 })).rejects.toMatchObject({ code: 'too_large' })
      await expect(b.store.put('limits/bad-sum', bytes, { sha256: sha(new Uint8Array(3)) })).rejects.toMatchObject({ code: 'checksum_mismatch' })
      expect(await b.store.head('limits/big')).toBeNull()
      expect(await b.store.head('limits/bad-sum')).toBeNull()
    })

    test('a presigned PUT and GET work with plain fetch and no credentials', async () => {
      const bytes = randomBytes(300 * 1024)
      const put = await b.store.presignPut('links/chunk-0001', { expiresIn: 60, contentLength: bytes.length })
      expect(put.url).not.toContain('S3RVER&')
      const res = await fetch(put.url, { method: 'PUT', body: bytes })
      expect(res.status).toBe(200)
      expect(sha(await download(b.store, 'links/chunk-0001'))).toBe(sha(bytes))
      const get = await b.store.presignGet('links/chunk-0001', { expiresIn: 60 })
      const back = await fetch(get.url)
      expect(back.status).toBe(200)
      expect(sha(new Uint8Array(await back.arrayBuffer()))).toBe(sha(bytes))
      expect(get.expiresAt.getTime()).toBeGreaterThan(Date.now())
    })

    test('an expired link is refused and writes nothing', async () => {
      const put = await b.pastStore.presignPut('links/expired', { expiresIn: 60, contentLength: 5 })
      const res = await fetch(put.url, { method: 'PUT', body: 'hello' })
      expect(res.status).toBeGreaterThanOrEqual(400)
      expect(res.status).toBeLessThan(500)
      expect(await b.store.head('links/expired')).toBeNull()
      await b.store.put('links/old', new Uint8Array(4))
      const get = await b.pastStore.presignGet('links/old', { expiresIn: 60 })
      const read = await fetch(get.url)
      expect(read.status).toBeGreaterThanOrEqual(400)
      expect(read.status).toBeLessThan(500)
    })

    test('keys that could escape the store or are not plain are refused', async () => {
      for (const bad of ['../etc/passwd', 'a/../../b', 'a/./b', '/abs/path', 'a\\b', 'a\u0000b', '', 'a//b', '.hidden', 'a/']) {
        await expect(b.store.put(bad, new Uint8Array(1))).rejects.toBeInstanceOf(StorageError)
        await expect(b.store.presignPut(bad, { expiresIn: 60 })).rejects.toBeInstanceOf(StorageError)
      }
      expect(await keys(b.store, '')).not.toContain('etc/passwd')
    })
  })
}

describe('the folder store on disk', () => {
  let b: Backend
  beforeAll(async () => {
    b = await folderBackend()
  })
  afterAll(() => b.stop())

  test('each object is one file under DATA_DIR/objects/, readable by the server user only, in key order', async () => {
    await b.store.put('snap/1/chunk-a', new Uint8Array(7))
    const file = join(b.s.deps.config.dataDir, 'objects', 'snap', '1', 'chunk-a')
    expect(statSync(file).size).toBe(7)
    expect(statSync(file).mode & 0o777).toBe(0o600)
    for (const k of ['order/b/c', 'order/a', 'order/b-d']) await b.store.put(k, new Uint8Array(1))
    expect(await keys(b.store, 'order/')).toEqual(['order/a', 'order/b-d', 'order/b/c'])
  })

  test('a key that would be both a file and a folder is refused plainly', async () => {
    await b.store.put('clash/x', new Uint8Array(1))
    await expect(b.store.put('clash/x/y', new Uint8Array(1))).rejects.toMatchObject({ code: 'conflict' })
    await b.store.put('clash2/x/y', new Uint8Array(1))
    await expect(b.store.put('clash2/x', new Uint8Array(1))).rejects.toMatchObject({ code: 'conflict' })
    expect((await keys(b.store, '')).filter((k) => k.startsWith('.'))).toEqual([])
  })
})
