import { afterEach, describe, expect, test } from 'bun:test'
import { loginFailures } from '../db/schema'
import { ADMIN, testServer, type TestServer } from '../testing/harness'

let s: TestServer
afterEach(() => s?.close())

describe('sign-in', () => {
  test('it signs in with the right password and lands on the page asked for', async () => {
    s = await testServer()
    const b = s.browser()
    const first = await b.get('/pools/new')
    expect(first.status).toBe(303)
    expect(first.headers.get('location')).toBe('/login?next=%2Fpools%2Fnew')
    await b.get('/login?next=%2Fpools%2Fnew')
    const res = await b.post('/login', { email: ADMIN.email.toUpperCase(), password: ADMIN.password, next: '/pools/new' })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/pools/new')
    expect((await b.get('/pools/new')).status).toBe(200)
  })

  test('it never redirects off-site after sign-in', async () => {
    s = await testServer()
    for (const next of ['//evil.example/x', 'https://evil.example', '/\\evil.example']) {
      const b = s.browser()
      await b.get('/login')
      const res = await b.post('/login', { email: ADMIN.email, password: ADMIN.password, next })
      expect(res.headers.get('location')).toBe('/pools')
    }
  })

  test('it says "wrong email or password" alike for a wrong password and an unknown email', async () => {
    s = await testServer()
    const b = s.browser()
    await b.get('/login')
    const wrongPassword = await b.post('/login', { email: ADMIN.email, password: 'not the password' })
    const unknownEmail = await b.post('/login', { email: 'nobody@example.com', password: 'not the password' })
    for (const res of [wrongPassword, unknownEmail]) {
      expect(res.status).toBe(401)
      expect(res.text).toContain('Wrong email or password')
      expect(res.headers.getSetCookie().some((c) => c.startsWith('sctl_session='))).toBe(false)
    }
  })

  test('it throttles after five wrong passwords, even for the right one', async () => {
    s = await testServer()
    const b = s.browser()
    await b.get('/login')
    for (let i = 0; i < 5; i++) expect((await b.post('/login', { email: ADMIN.email, password: `wrong ${i}` })).status).toBe(401)
    const locked = await b.post('/login', { email: ADMIN.email, password: ADMIN.password })
    expect(locked.status).toBe(429)
    expect(locked.text).toContain('Too many failed sign-ins. Try again in 15 minutes.')
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(800)
  })

  test('it checks at most five of forty wrong passwords sent at once, and the right one waits for the window', async () => {
    s = await testServer()
    const b = s.browser()
    await b.get('/login')
    const answers = await Promise.all(
      Array.from({ length: 40 }, (_, i) => b.post('/login', { email: ADMIN.email, password: `wrong ${i}` })),
    )
    const checked = answers.filter((r) => r.status === 401)
    const refused = answers.filter((r) => r.status === 429)
    expect(checked.length).toBeLessThanOrEqual(5)
    expect(refused.length).toBe(40 - checked.length)
    for (const r of refused) expect(Number(r.headers.get('retry-after'))).toBeGreaterThan(0)

    const right = await b.post('/login', { email: ADMIN.email, password: ADMIN.password })
    expect(right.status).toBe(429)
    expect(Number(right.headers.get('retry-after'))).toBeGreaterThan(800)

    // Fifteen minutes later (the window is moved back rather than the clock forward).
    await s.db.update(loginFailures).set({ windowStartedAt: new Date(Date.now() - 16 * 60_000) })
    const later = await b.post('/login', { email: ADMIN.email, password: ADMIN.password })
    expect(later.status).toBe(303)
  })

  test('it stops one address guessing across many accounts after thirty tries', async () => {
    s = await testServer()
    const b = s.browser()
    await b.get('/login')
    for (let i = 0; i < 30; i++) {
      expect((await b.post('/login', { email: `user${i}@example.com`, password: 'guess' })).status).toBe(401)
    }
    const next = await b.post('/login', { email: ADMIN.email, password: ADMIN.password })
    expect(next.status).toBe(429)
  })

  test('a right password does not count against the address', async () => {
    s = await testServer()
    for (let i = 0; i < 35; i++) {
      const b = s.browser()
      await b.get('/login')
      expect((await b.post('/login', { email: ADMIN.email, password: ADMIN.password })).status).toBe(303)
    }
  })

  test('its session cookie is HttpOnly and SameSite=Lax, and Secure behind https', async () => {
    s = await testServer()
    const plain = s.browser()
    await plain.get('/login')
    const res = await plain.post('/login', { email: ADMIN.email, password: ADMIN.password })
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('sctl_session='))!
    expect(cookie).toMatch(/HttpOnly/i)
    expect(cookie).toMatch(/SameSite=Lax/i)
    expect(cookie).not.toMatch(/Secure/i)
    await s.close()

    s = await testServer({ env: { PUBLIC_URL: 'https://ctl.example.com' } })
    const secure = s.browser()
    await secure.get('/login')
    const res2 = await secure.post('/login', { email: ADMIN.email, password: ADMIN.password })
    expect(res2.headers.getSetCookie().find((c) => c.startsWith('sctl_session='))).toMatch(/Secure/i)
  })

  test('it signs out and the old session cookie stops working', async () => {
    s = await testServer()
    const b = await s.browser().signIn()
    const stolen = b.cookies.get('sctl_session')!
    const out = await b.post('/logout', {})
    expect(out.status).toBe(303)
    expect(out.headers.get('location')).toBe('/login')
    const replay = await s.handle('/pools', { headers: { cookie: `sctl_session=${stolen}` }, redirect: 'manual' })
    expect(replay.status).toBe(303)
  })

  test('it refuses a browser state change without the CSRF token and changes nothing', async () => {
    s = await testServer()
    const b = await s.browser().signIn()
    const forged = await b.post('/pools', { name: 'Forged', preset: 'generic', _csrf: 'wrong' })
    expect(forged.status).toBe(403)
    expect(forged.text).toContain('This form has expired')
    const missing = await s.handle('/pools', {
      method: 'POST',
      headers: { cookie: `sctl_session=${b.cookies.get('sctl_session')}`, 'content-type': 'application/x-www-form-urlencoded' },
      body: 'name=Forged&preset=generic',
      redirect: 'manual',
    })
    expect(missing.status).toBe(403)
    expect((await s.api('GET', '/api/v1/pools')).json).toEqual([])
    // The htmx way: the token in a header instead of the form.
    const viaHeader = await b.post('/pools', { name: 'Real', preset: 'generic', _csrf: '' }, { 'x-csrf-token': b.csrf })
    expect(viaHeader.status).toBe(303)
  })

  test('it refuses a login form posted without its pre-sign-in token', async () => {
    s = await testServer()
    const res = await s.handle('/login', {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ email: ADMIN.email, password: ADMIN.password }),
    })
    expect(res.status).toBe(403)
  })
})
