// The storage page and API against both backends, and against an S3
// endpoint nobody listens on: the failure is told in words, never a 500.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { createServer } from 'node:net'
import { testServer, visibleText, type TestServer } from '../testing/harness'
import { createUser } from '../auth/service'
import { startS3rver, S3RVER_BUCKET } from './s3rver-for-tests'

const HTMX_TEST = { 'hx-request': 'true', 'hx-target': 'div#storage-test' }

/** A loopback port that was free a moment ago and has nothing listening now. */
async function closedPort(): Promise<number> {
  const server = createServer()
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve))
  const { port } = server.address() as { port: number }
  await new Promise((resolve) => server.close(resolve))
  return port
}

async function adminPage(s: TestServer) {
  const browser = await s.browser().signIn()
  return { browser, page: await browser.get('/account/storage') }
}

describe('with the folder backend', () => {
  let s: TestServer
  beforeAll(async () => {
    s = await testServer()
  })
  afterAll(() => s.close())

  test('the page shows the folder, the counts and a Test button, in the layout and as a fragment', async () => {
    await s.deps.storage.put('page/one', new Uint8Array(2048))
    const { browser, page } = await adminPage(s)
    expect(page.status).toBe(200)
    expect(page.text).toStartWith('<!doctype html>')
    const text = visibleText(page.text)
    expect(text).toContain('Folder on this server')
    expect(text).toContain(`${s.deps.config.dataDir}/objects`)
    expect(text).toContain('Objects')
    expect(text).toContain('2.0 KiB')
    expect(page.text).toContain('hx-post="/account/storage/test"')
    expect(page.text).toContain('href="/account/storage"')
    const fragment = await browser.get('/account/storage', { 'hx-request': 'true', 'hx-target': 'main#main' })
    expect(fragment.text).not.toContain('<!doctype html>')
    expect(visibleText(fragment.text)).toContain('Folder on this server')
  })

  test('Test writes, reads back, compares and deletes, and says so step by step', async () => {
    const { browser } = await adminPage(s)
    const before = await s.deps.storage.stats()
    const res = await browser.post('/account/storage/test', {}, HTMX_TEST)
    expect(res.status).toBe(200)
    expect(res.text).toStartWith('<div id="storage-test"')
    const text = visibleText(res.text)
    expect(text).toContain('The store works')
    expect(text).toMatch(/Write ok \d+ ms 262144 bytes written/)
    expect(text).toMatch(/Read back ok \d+ ms 262144 bytes read back/)
    expect(text).toContain('SHA-256 matches')
    expect(text).toMatch(/Delete ok \d+ ms Deleted, and gone/)
    expect(await s.deps.storage.stats()).toEqual(before)
  })

  test('without htmx the Test answers the whole page with the result', async () => {
    const { browser } = await adminPage(s)
    const res = await browser.post('/account/storage/test', {})
    expect(res.status).toBe(200)
    expect(res.text).toStartWith('<!doctype html>')
    expect(visibleText(res.text)).toContain('The store works')
  })

  test('the Test needs the CSRF token', async () => {
    const { browser } = await adminPage(s)
    const res = await browser.post('/account/storage/test', { _csrf: 'wrong' }, HTMX_TEST)
    expect(res.status).toBe(403)
  })

  test('an operator sees the page but cannot run the test', async () => {
    await createUser(s.db, 'operator@example.com', 'operator password 123', 'operator')
    const browser = await s.browser().signIn('operator@example.com', 'operator password 123')
    const page = await browser.get('/account/storage')
    expect(page.status).toBe(200)
    expect(visibleText(page.text)).toContain('Only admins can run the test.')
    expect(page.text).not.toContain('hx-post="/account/storage/test"')
    expect((await browser.post('/account/storage/test', {}, HTMX_TEST)).status).toBe(403)
  })

  test('the API tells the backend and counts, and runs the same test', async () => {
    const info = await s.api('GET', '/api/v1/storage')
    expect(info.status).toBe(200)
    expect(info.json).toMatchObject({ backend: 'folder', path: `${s.deps.config.dataDir}/objects`, error: null })
    expect(info.json.objects).toBeNumber()
    const run = await s.api('POST', '/api/v1/storage/test')
    expect(run.status).toBe(200)
    expect(run.json.ok).toBe(true)
    expect(run.json.steps.map((st: { step: string; outcome: string }) => `${st.step}:${st.outcome}`)).toEqual(['write:ok', 'read:ok', 'compare:ok', 'delete:ok'])
    expect((await s.api('GET', '/api/v1/storage', undefined, null)).status).toBe(401)
    expect((await s.api('POST', '/api/v1/storage/test', undefined, null)).status).toBe(401)
  })

  test('the OpenAPI document describes both endpoints', async () => {
    const doc = (await s.api('GET', '/api/v1/openapi.json')).json
    expect(doc.paths['/api/v1/storage'].get.responses['200']).toBeDefined()
    expect(doc.paths['/api/v1/storage/test'].post.responses['200']).toBeDefined()
  })
})

describe('with S3 (s3rver)', () => {
  let s3: Awaited<ReturnType<typeof startS3rver>>
  let s: TestServer
  beforeAll(async () => {
    s3 = await startS3rver()
    s = await testServer({ env: s3.env })
  })
  afterAll(async () => {
    await s.close()
    await s3.stop()
  })

  test('the page shows endpoint, bucket, region and the key id’s last four, never the secret', async () => {
    const { page } = await adminPage(s)
    const text = visibleText(page.text)
    expect(text).toContain('S3-compatible')
    expect(text).toContain(s3.endpoint)
    expect(text).toContain(S3RVER_BUCKET)
    expect(text).toContain('us-east-1')
    expect(text).toContain('…RVER')
    expect(text).toContain('path-style')
    expect(page.text).not.toContain('secret-never-shown')
    expect(page.text).not.toContain('S3RVER<')
    const api = await s.api('GET', '/api/v1/storage')
    expect(api.json).toMatchObject({ backend: 's3', endpoint: s3.endpoint, bucket: S3RVER_BUCKET, accessKeyId: '…RVER', forcePathStyle: true })
    expect(api.text).not.toContain('secret-never-shown')
  })

  test('the Test passes against it', async () => {
    const { browser } = await adminPage(s)
    const res = await browser.post('/account/storage/test', {}, HTMX_TEST)
    expect(visibleText(res.text)).toContain('The store works')
  })
})

describe('with an S3 endpoint where nothing listens', () => {
  let s: TestServer
  let endpoint: string
  beforeAll(async () => {
    endpoint = `http://127.0.0.1:${await closedPort()}`
    s = await testServer({ env: { S3_ENDPOINT: endpoint, S3_BUCKET: 'gone', S3_ACCESS_KEY_ID: 'AKIAEXAMPLE', S3_SECRET_ACCESS_KEY: 'x', S3_FORCE_PATH_STYLE: 'true' } })
  })
  afterAll(() => s.close())

  test('the page still renders and says the objects could not be counted, and why', async () => {
    const { page } = await adminPage(s)
    expect(page.status).toBe(200)
    expect(visibleText(page.text)).toContain('Could not count the stored objects: Could not connect to the storage endpoint')
  })

  test('the Test reports the write failing with the connection refused, the rest not tried', async () => {
    const { browser } = await adminPage(s)
    const res = await browser.post('/account/storage/test', {}, HTMX_TEST)
    expect(res.status).toBe(200)
    const text = visibleText(res.text)
    expect(text).toContain('The test failed')
    expect(text).toMatch(/Write failed \d+ ms Could not connect to the storage endpoint.*connection was refused/)
    expect(text).toContain('Read back skipped 0 ms Not tried: the write failed')
    const api = await s.api('POST', '/api/v1/storage/test')
    expect(api.status).toBe(200)
    expect(api.json.ok).toBe(false)
    expect(api.json.steps[0]).toMatchObject({ step: 'write', outcome: 'failed' })
    const info = await s.api('GET', '/api/v1/storage')
    expect(info.json).toMatchObject({ objects: null, bytes: null })
    expect(info.json.error).toContain('connection was refused')
  })
})
