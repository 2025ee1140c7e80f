// Finding 9 of the security review: agents on plain http are called out, in
// the log and on the Add server page, and https answers carry HSTS.
import { afterEach, describe, expect, test } from 'bun:test'
import { testServer, visibleText, type Browser, type TestServer } from '../testing/harness'
import { plainHttpWarning } from './public-url'

let s: TestServer
afterEach(() => s?.close())

async function poolOn(publicUrl: string) {
  s = await testServer({ env: { PUBLIC_URL: publicUrl } })
  const b = await s.browser().signIn()
  const poolId = (await s.api('POST', '/api/v1/pools', { name: 'Edge', preset: 'generic' })).json.id as string
  return { b, poolId }
}

/** Adds a server through the form; the page with its install command, following a redirect as a browser does. */
async function addServer(b: Browser, poolId: string) {
  const added = await b.post(`/pools/${poolId}/members`, { osFamily: 'debian', name: 'web-1', hostname: 'web-1.example.com', egressIps: '203.0.113.7' })
  return added.status === 303 ? b.get(added.headers.get('location')!) : added
}

test('plainHttpWarning names the address and the fix for http, and says nothing for https', () => {
  expect(plainHttpWarning('http://ctl.example.com')).toBe(
    'The public address http://ctl.example.com is plain http: agent tokens, and the jobs agents run as root, travel in clear text ' +
      'between your servers and serversctl. Set PUBLIC_URL to an https:// address (serversctl behind a TLS proxy).',
  )
  expect(plainHttpWarning('https://ctl.example.com')).toBeNull()
})

describe('PUBLIC_URL on plain http', () => {
  test('the Add server page and the install command say agents would talk in clear text', async () => {
    const { b, poolId } = await poolOn('http://ctl.example.com')
    const warning = plainHttpWarning('http://ctl.example.com')!
    const page = await b.get(`/pools/${poolId}/members/new`)
    expect(page.text).toContain('class="notice notice-warn"')
    expect(visibleText(page.text)).toContain(warning)
    const shown = await addServer(b, poolId)
    expect(shown.text).toContain('--server http://ctl.example.com')
    expect(visibleText(shown.text)).toContain(warning)
  })

  test('no Strict-Transport-Security header', async () => {
    s = await testServer({ env: { PUBLIC_URL: 'http://ctl.example.com' } })
    expect((await s.handle('/login')).headers.get('strict-transport-security')).toBeNull()
  })
})

describe('PUBLIC_URL on https', () => {
  test('no clear-text notice on the Add server page or with the install command', async () => {
    const { b, poolId } = await poolOn('https://ctl.example.com')
    const page = await b.get(`/pools/${poolId}/members/new`)
    expect(page.status).toBe(200)
    expect(page.text).not.toContain('plain http')
    const shown = await addServer(b, poolId)
    expect(shown.text).toContain('--server https://ctl.example.com')
    expect(shown.text).not.toContain('plain http')
  })

  test('every answer, pages, API, errors and assets, carries Strict-Transport-Security', async () => {
    s = await testServer({ env: { PUBLIC_URL: 'https://ctl.example.com' } })
    for (const path of ['/login', '/api/v1/pools', '/nope', '/assets/app.css']) {
      expect({ path, hsts: (await s.handle(path)).headers.get('strict-transport-security') }).toEqual({ path, hsts: 'max-age=31536000' })
    }
  })
})
