// The folder store's signed links, end to end over a real socket: what a
// link allows, and every way of stretching it refused with nothing written.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createHash, randomBytes } from 'node:crypto'
import { request } from 'node:http'
import { testServer, type TestServer } from '../testing/harness'
import { startS3rver } from './s3rver-for-tests'

let s: TestServer
beforeAll(async () => {
  s = await testServer()
  s.serve()
})
afterAll(() => s.close())

const sha = (b: Uint8Array) => createHash('sha256').update(b).digest('hex')
const put = (url: string, body: BodyInit, headers: Record<string, string> = {}) => fetch(url, { method: 'PUT', body, headers, duplex: 'half' } as RequestInit)

/** Sent as a stream, so it arrives chunked with no Content-Length to check first. */
function chunked(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new ReadableStream({
    start(c) {
      for (let i = 0; i < bytes.length; i += 8192) c.enqueue(bytes.slice(i, i + 8192))
      c.close()
    },
  })
}

async function refusedWithNothingWritten(res: Response, key: string, status: number) {
  expect(res.status).toBe(status)
  expect((await res.json()).error.message).toBeString()
  expect(await s.deps.storage.head(key)).toBeNull()
}

describe('signed links to the folder store', () => {
  test('a tampered signature, length, key or method is refused and writes nothing', async () => {
    const { url } = await s.deps.storage.presignPut('t/chunk', { expiresIn: 60, contentLength: 4 })
    const u = new URL(url)
    const sig = u.searchParams.get('sig')!
    const tampered = (edit: (u: URL) => void) => {
      const copy = new URL(url)
      edit(copy)
      return copy.toString()
    }
    await refusedWithNothingWritten(await put(tampered((c) => c.searchParams.set('sig', (sig[0] === 'A' ? 'B' : 'A') + sig.slice(1))), 'abcd'), 't/chunk', 403)
    await refusedWithNothingWritten(await put(tampered((c) => c.searchParams.set('max', '99999')), 'abcd'), 't/chunk', 403)
    await refusedWithNothingWritten(await put(tampered((c) => c.searchParams.set('exp', String(Number(c.searchParams.get('exp')) + 3600))), 'abcd'), 't/chunk', 403)
    await refusedWithNothingWritten(await put(tampered((c) => (c.pathname = '/storage/o/t/other')), 'abcd'), 't/other', 403)
    await refusedWithNothingWritten(await put(tampered((c) => c.searchParams.delete('sig')), 'abcd'), 't/chunk', 403)
    // A download link does not upload.
    const { url: getUrl } = await s.deps.storage.presignGet('t/chunk', { expiresIn: 60 })
    await refusedWithNothingWritten(await put(getUrl, 'abcd'), 't/chunk', 403)
    expect((await put(url, 'abcd')).status).toBe(200)
    // An upload link does not download.
    expect((await fetch(url)).status).toBe(403)
  })

  test('an upload larger than its link allows is refused, declared or chunked', async () => {
    const { url } = await s.deps.storage.presignPut('t/small', { expiresIn: 60, contentLength: 10 })
    await refusedWithNothingWritten(await put(url, new Uint8Array(20)), 't/small', 413)
    await refusedWithNothingWritten(await put(url, chunked(new Uint8Array(20))), 't/small', 413)
  })

  test('a 10 MiB chunk passes the server-wide body limit; past 16 MiB is refused', async () => {
    const bytes = randomBytes(10 * 1024 * 1024)
    const { url } = await s.deps.storage.presignPut('t/big', { expiresIn: 60, contentLength: bytes.length })
    const res = await put(url, chunked(bytes))
    expect(res.status).toBe(200)
    expect((await res.json()).sha256).toBe(sha(bytes))
    const { url: huge } = await s.deps.storage.presignPut('t/huge', { expiresIn: 60, contentLength: 32 * 1024 * 1024 })
    await refusedWithNothingWritten(await put(huge, chunked(new Uint8Array(16 * 1024 * 1024 + 1))), 't/huge', 413)
  })

  test('a checksum sent with the upload is verified', async () => {
    const bytes = randomBytes(1000)
    const { url } = await s.deps.storage.presignPut('t/summed', { expiresIn: 60 })
    const wrong = createHash('sha256').update('other').digest('base64')
    await refusedWithNothingWritten(await put(url, bytes, { 'x-amz-checksum-sha256': wrong }), 't/summed', 400)
    const right = createHash('sha256').update(bytes).digest('base64')
    const res = await put(url, bytes, { 'x-amz-checksum-sha256': right })
    expect(res.status).toBe(200)
    expect(res.headers.get('x-amz-checksum-sha256')).toBe(right)
    const back = await fetch((await s.deps.storage.presignGet('t/summed', { expiresIn: 60 })).url)
    expect(sha(new Uint8Array(await back.arrayBuffer()))).toBe(sha(bytes))
  })

  test('a key with ".." is refused before any signature is looked at', async () => {
    // fetch folds "../" away, so the path goes out as written, the way a hostile client sends it.
    // A literal "../" is folded by Bun before routing (so it misses /storage/o/ altogether); encoded, it reaches the key check.
    const cases: [string, number][] = [['/storage/o/t/../../escape', 404], ['/storage/o/t/..%2F..%2Fescape', 400], ['/storage/o/t%5C..%5Cescape', 400], ['/storage/o/t/%00x', 400]]
    for (const [path, expected] of cases) {
      const status = await new Promise<number>((resolve, reject) => {
        const req = request(`${s.deps.config.publicUrl}${path}?exp=9999999999&max=10&sig=x`, { method: 'PUT' }, (res) => {
          res.resume()
          resolve(res.statusCode!)
        })
        req.on('error', reject)
        req.end('abcd')
      })
      expect([path, status]).toEqual([path, expected])
    }
    expect(await s.deps.storage.head('escape')).toBeNull()
  })

  test('a missing object is a 404 for a valid download link', async () => {
    const res = await fetch((await s.deps.storage.presignGet('t/none', { expiresIn: 60 })).url)
    expect(res.status).toBe(404)
  })
})

describe('with S3 configured', () => {
  test('the folder endpoints do not exist', async () => {
    const s3 = await startS3rver()
    const other = await testServer({ env: s3.env })
    try {
      const res = await other.handle('/storage/o/t/x?exp=9999999999&max=10&sig=x', { method: 'PUT', body: 'abcd' })
      expect(res.status).toBe(404)
    } finally {
      await other.close()
      await s3.stop()
    }
  })
})
