// Where sign-in sends you afterwards: `next` may only name a page of this server.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { ADMIN, testServer, type TestServer } from '../testing/harness'

let s: TestServer
beforeAll(async () => {
  s = await testServer()
})
afterAll(() => s.close())

// A browser drops tab and newline from a URL, so "/\t/evil.example/x" is read as
// "//evil.example/x", another site; a backslash counts as a slash.
const OFF_SITE = [
  ['a tab', '/\t/evil.example/x'],
  ['a newline', '/\n/x'],
  ['a protocol-relative address', '//evil.example/x'],
  ['a backslash', '/\\evil.example'],
  ['an absolute address', 'https://evil.example/x'],
  ['dot segments that fold into //', '/x/..//evil.example/y'],
  ['a script address', 'javascript:alert(1)'],
] as const

const hiddenNext = (html: string) => /<input type="hidden" name="next" value="([^"]*)"/.exec(html)?.[1]

describe('the page after sign-in', () => {
  test.each(OFF_SITE)('it sends a signed-in browser with %s in next to /pools', async (_label, next) => {
    const b = await s.browser().signIn()
    const res = await b.get(`/login?next=${encodeURIComponent(next)}`)
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/pools')
  })

  test.each(OFF_SITE)('it does not carry %s into the sign-in form', async (_label, next) => {
    const b = s.browser()
    const res = await b.get(`/login?next=${encodeURIComponent(next)}`)
    expect(res.status).toBe(200)
    expect(hiddenNext(res.text)).toBe('/pools')
  })

  test.each(OFF_SITE)('it never redirects off-site with %s posted in next', async (_label, next) => {
    const b = s.browser()
    await b.get('/login')
    const res = await b.post('/login', { email: ADMIN.email, password: ADMIN.password, next })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/pools')
  })

  test('it answers the addresses from the report with /pools, not another site or a server error', async () => {
    const signedIn = await s.browser().signIn()
    for (const url of ['/login?next=/%09/evil.example/x', '/login?next=/%0a/x', '/login?next=/%0d%0aSet-Cookie:%20x=1']) {
      const res = await signedIn.get(url)
      expect(res.status).toBe(303)
      expect(res.headers.get('location')).toBe('/pools')
      expect(hiddenNext((await s.browser().get(url)).text)).toBe('/pools')
    }
  })

  test('it keeps a page of this server with its query, from the link to the form to the redirect', async () => {
    const b = s.browser()
    const form = await b.get(`/login?next=${encodeURIComponent('/pools/x?tab=1')}`)
    expect(hiddenNext(form.text)).toBe('/pools/x?tab=1')
    const res = await b.post('/login', { email: ADMIN.email, password: ADMIN.password, next: '/pools/x?tab=1' })
    expect(res.headers.get('location')).toBe('/pools/x?tab=1')
    const again = await b.get(`/login?next=${encodeURIComponent('/pools/x?tab=1')}`)
    expect(again.headers.get('location')).toBe('/pools/x?tab=1')
  })

  test('it does not send a signed-in browser back to the sign-in page in a loop', async () => {
    const b = await s.browser().signIn()
    for (const next of ['/login', '/login?next=/login', '/setup']) {
      const res = await b.get(`/login?next=${encodeURIComponent(next)}`)
      expect(res.headers.get('location')).toBe('/pools')
    }
  })
})
