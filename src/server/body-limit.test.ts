// Finding 6 of the security review: the body limit holds for the bytes that
// arrive, so a chunked body with no Content-Length is refused too.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { ADMIN, testServer, type TestServer } from '../testing/harness'
import { MAX_AGENT_BODY_BYTES, MAX_BODY_BYTES } from './body-limit'

let s: TestServer
let base: string
beforeAll(async () => {
  s = await testServer()
  base = s.serve()
})
afterAll(() => s.close())

/** Sent in 8 KiB pieces from a stream, so fetch sends it chunked, with no Content-Length. */
function chunked(text: string): ReadableStream<Uint8Array> {
  const bytes = new TextEncoder().encode(text)
  return new ReadableStream({
    start(c) {
      for (let i = 0; i < bytes.length; i += 8192) c.enqueue(bytes.slice(i, i + 8192))
      c.close()
    },
  })
}

async function post(path: string, body: string, headers: Record<string, string>) {
  const res = await fetch(base + path, { method: 'POST', headers, body: chunked(body), duplex: 'half', redirect: 'manual' } as RequestInit)
  const text = await res.text()
  return { status: res.status, text, headers: res.headers }
}

/** A JSON body of exactly `bytes` bytes: the object, then spaces. */
const paddedJson = (value: object, bytes: number) => JSON.stringify(value).padEnd(bytes, ' ')

const apiHeaders = { authorization: `Bearer ${ADMIN.token}`, 'content-type': 'application/json' }

describe('the body limit on chunked bodies', () => {
  test('it refuses a chunked JSON body over 64 KiB with 413 and creates nothing', async () => {
    const res = await post('/api/v1/pools', paddedJson({ name: 'Too big', preset: 'generic' }, 100 * 1024), apiHeaders)
    expect(res.status).toBe(413)
    expect(JSON.parse(res.text)).toEqual({ error: { code: 'too_large', message: 'The request body is larger than 64 KiB' } })
    expect((await s.api('GET', '/api/v1/pools')).json.map((p: { name: string }) => p.name)).not.toContain('Too big')
  })

  test('it accepts a chunked JSON body just under the limit', async () => {
    const res = await post('/api/v1/pools', paddedJson({ name: 'Just fits', preset: 'generic' }, MAX_BODY_BYTES - 1), apiHeaders)
    expect(res.status).toBe(201)
    expect(JSON.parse(res.text).name).toBe('Just fits')
  })

  test('it refuses a chunked form over 64 KiB and accepts one just under', async () => {
    const page = await fetch(`${base}/login`)
    const cookie = page.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ')
    const csrf = /name="_csrf" value="([^"]*)"/.exec(await page.text())![1]!
    const form = (bytes: number) => {
      const fields = new URLSearchParams({ _csrf: csrf, email: ADMIN.email, password: ADMIN.password, note: '' }).toString()
      return fields + 'x'.repeat(bytes - fields.length)
    }
    const headers = { cookie, 'content-type': 'application/x-www-form-urlencoded' }

    const big = await post('/login', form(100 * 1024), headers)
    expect(big.status).toBe(413)
    expect(JSON.parse(big.text).error.code).toBe('too_large')

    const fits = await post('/login', form(MAX_BODY_BYTES), headers)
    expect(fits.status).toBe(303)
    expect(fits.headers.getSetCookie().join(';')).toContain('sctl_session')
  })

  test('it allows agent bodies up to 256 KiB and refuses larger ones', async () => {
    const heartbeat = (bytes: number) => post('/api/v1/agent/heartbeat', paddedJson({}, bytes), { authorization: 'Bearer nope', 'content-type': 'application/json' })
    expect((await heartbeat(MAX_AGENT_BODY_BYTES)).status).not.toBe(413)
    expect((await heartbeat(MAX_AGENT_BODY_BYTES + 1)).status).toBe(413)
  })
})
