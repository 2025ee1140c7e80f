import { afterEach, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { apiTokens, users } from '../db/schema'
import { sha256 } from '../crypto/tokens'
import { ADMIN, setupCodeFrom, testServer, type TestServer } from '../testing/harness'

let s: TestServer
afterEach(() => s?.close())

describe('first-run setup', () => {
  test('it prints a one-time code and sends every page to /setup until an admin exists', async () => {
    s = await testServer({ admin: false })
    expect(setupCodeFrom(s.log.lines)).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/)
    const b = s.browser()
    const login = await b.get('/login')
    expect(login.status).toBe(303)
    expect(login.headers.get('location')).toBe('/setup')
    const setup = await b.get('/setup')
    expect(setup.status).toBe(200)
    expect(setup.text).toContain('Set up serversctl')
  })

  test('it refuses a wrong code and creates nobody', async () => {
    s = await testServer({ admin: false })
    const b = s.browser()
    await b.get('/setup')
    const res = await b.post('/setup', { code: 'AAAA-BBBB-CCCC', email: 'me@example.com', password: 'long enough pw', confirm: 'long enough pw' })
    expect(res.status).toBe(422)
    expect(res.text).toContain('That setup code is not right')
    expect(await s.db.select().from(users)).toHaveLength(0)
  })

  test.each([
    ['a bad email', { email: 'nope', password: 'long enough pw', confirm: 'long enough pw' }, 'Enter a valid email address'],
    ['a short password', { email: 'me@example.com', password: 'short', confirm: 'short' }, 'at least 10 characters'],
    ['two different passwords', { email: 'me@example.com', password: 'long enough pw', confirm: 'long enough pX' }, 'The two passwords differ'],
  ])('it refuses %s next to the field', async (_label, fields, message) => {
    s = await testServer({ admin: false })
    const b = s.browser()
    await b.get('/setup')
    const res = await b.post('/setup', { code: setupCodeFrom(s.log.lines), ...fields })
    expect(res.status).toBe(422)
    expect(res.text).toContain(message)
    expect(await s.db.select().from(users)).toHaveLength(0)
  })

  test('it creates the admin with the right code, signs them in, and the code dies', async () => {
    s = await testServer({ admin: false })
    const code = setupCodeFrom(s.log.lines)
    const b = s.browser()
    await b.get('/setup')
    const res = await b.post('/setup', { code: code.toLowerCase(), email: 'me@example.com', password: 'long enough pw', confirm: 'long enough pw' })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/pools')
    const pools = await b.get('/pools')
    expect(pools.status).toBe(200)
    expect(pools.text).toContain('me@example.com')
    const [user] = await s.db.select().from(users)
    expect(user!.passwordHash).toStartWith('$argon2id$')

    const stranger = s.browser()
    expect((await stranger.get('/setup')).headers.get('location')).toBe('/login')
    await stranger.get('/login')
    const again = await stranger.post('/setup', { code, email: 'evil@example.com', password: 'long enough pw', confirm: 'long enough pw' })
    expect(again.status).toBe(303)
    expect(again.headers.get('location')).toBe('/login')
    expect(await s.db.select().from(users)).toHaveLength(1)
  })

  test('it locks out guessing after repeated wrong codes', async () => {
    s = await testServer({ admin: false })
    const b = s.browser()
    await b.get('/setup')
    const fields = { email: 'me@example.com', password: 'long enough pw', confirm: 'long enough pw' }
    for (let i = 0; i < 5; i++) await b.post('/setup', { code: `AAAA-BBBB-CCC${i}`, ...fields })
    const locked = await b.post('/setup', { code: setupCodeFrom(s.log.lines), ...fields })
    expect(locked.status).toBe(429)
    expect(locked.text).toContain('Too many failed')
    expect(await s.db.select().from(users)).toHaveLength(0)
  })
})

describe('admin bootstrap from the environment', () => {
  test('it creates the admin and registers ADMIN_API_TOKEN, stored hashed', async () => {
    s = await testServer()
    expect(s.log.lines.some((l) => l.includes('setup code'))).toBe(false)
    const [user] = await s.db.select().from(users)
    expect(user!.email).toBe(ADMIN.email)
    const [token] = await s.db.select().from(apiTokens).where(eq(apiTokens.userId, user!.id))
    expect(token!.tokenHash).toBe(sha256(ADMIN.token))
    expect(JSON.stringify(token)).not.toContain(ADMIN.token)
    expect((await s.api('GET', '/api/v1/pools')).status).toBe(200)
  })
})
