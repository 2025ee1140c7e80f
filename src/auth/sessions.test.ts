// How long a session lives (SESSION_IDLE_HOURS, SESSION_MAX_DAYS) and the
// account's ways to end sessions: sign out everywhere, change password.
import { afterEach, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { auditEvents, sessions, users } from '../db/schema'
import { sha256 } from '../crypto/tokens'
import { ADMIN, testServer, visibleText, type TestServer } from '../testing/harness'
import { principalFromSession } from './service'

let s: TestServer
afterEach(() => s?.close())

const HOUR = 3_600_000
const policy = { idleHours: 8, maxDays: 7 }

async function signedInSession(env: Record<string, string> = {}) {
  s = await testServer({ env })
  const b = await s.browser().signIn()
  const cookie = b.cookies.get('sctl_session')!
  return { b, cookie, id: sha256(cookie) }
}

const sessionRow = async (id: string) => (await s.db.select().from(sessions).where(eq(sessions.id, id)))[0]

describe('session lifetime', () => {
  test('it ends a session left unused longer than the idle timeout', async () => {
    const { b, id } = await signedInSession({ SESSION_IDLE_HOURS: '1' })
    await s.db.update(sessions).set({ lastSeenAt: new Date(Date.now() - 59 * 60_000) }).where(eq(sessions.id, id))
    expect((await b.get('/pools')).status).toBe(200)
    // That use counted: the session is good for another hour from now.
    await s.db.update(sessions).set({ lastSeenAt: new Date(Date.now() - 61 * 60_000) }).where(eq(sessions.id, id))
    const idle = await b.get('/pools')
    expect(idle.status).toBe(303)
    expect(idle.headers.get('location')).toBe('/login?next=%2Fpools')
  })

  test('it keeps the last use accurate to a minute, so the idle timeout is too', async () => {
    const { cookie, id } = await signedInSession()
    const created = (await sessionRow(id))!.createdAt
    const later = new Date(created.getTime() + 61_000)
    expect(await principalFromSession(s.db, cookie, policy, later)).not.toBeNull()
    expect((await sessionRow(id))!.lastSeenAt.getTime()).toBe(later.getTime())
    // Used every few hours, it lives; left 8 hours after its last use, it ends.
    const uses = [4, 8, 12].map((h) => new Date(created.getTime() + h * HOUR))
    for (const at of uses) expect(await principalFromSession(s.db, cookie, policy, at)).not.toBeNull()
    expect(await principalFromSession(s.db, cookie, policy, new Date(uses[2]!.getTime() + 8 * HOUR + 1000))).toBeNull()
  })

  test('it ends a session at its absolute lifetime however often it is used', async () => {
    const { b, cookie, id } = await signedInSession()
    const created = (await sessionRow(id))!.createdAt
    for (let h = 6; h < 7 * 24; h += 6) {
      expect(await principalFromSession(s.db, cookie, policy, new Date(created.getTime() + h * HOUR))).not.toBeNull()
    }
    expect(await principalFromSession(s.db, cookie, policy, new Date(created.getTime() + 7 * 24 * HOUR + 1000))).toBeNull()

    // And through the app: a session created eight days ago and used a minute ago.
    await s.db
      .update(sessions)
      .set({ createdAt: new Date(Date.now() - 8 * 24 * HOUR), lastSeenAt: new Date(Date.now() - 60_000) })
      .where(eq(sessions.id, id))
    expect((await b.get('/pools')).status).toBe(303)
  })

  test('its cookie expires no later than the absolute lifetime', async () => {
    s = await testServer({ env: { SESSION_MAX_DAYS: '2' } })
    const b = s.browser()
    await b.get('/login')
    const before = Date.now()
    const res = await b.post('/login', { email: ADMIN.email, password: ADMIN.password })
    // The session begins somewhere inside the sign-in, which takes seconds on a busy machine.
    const after = Date.now()
    const cookie = res.headers.getSetCookie().find((c) => c.startsWith('sctl_session='))!
    const expires = Date.parse(/expires=([^;]+)/i.exec(cookie)![1]!)
    expect(expires).toBeLessThanOrEqual(after + 2 * 24 * HOUR + 1000)
    expect(expires).toBeGreaterThan(before + 2 * 24 * HOUR - 5000)
  })
})

describe('sign out everywhere', () => {
  test('it ends every session of the user, the other browser and this one', async () => {
    const { b } = await signedInSession()
    const other = await s.browser().signIn()
    expect((await other.get('/pools')).status).toBe(200)
    const res = await b.post('/account/sign-out-everywhere', {})
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/login')
    expect(visibleText((await b.get('/login')).text)).toContain('You were signed out everywhere.')
    expect((await other.get('/pools')).status).toBe(303)
    expect((await b.get('/pools')).status).toBe(303)
    expect(await s.db.select().from(sessions)).toHaveLength(0)
    const actions = (await s.db.select().from(auditEvents)).map((e) => e.action)
    expect(actions).toContain('auth.sign_out_everywhere')
  })

  test('it refuses without the form token and ends nothing', async () => {
    const { b } = await signedInSession()
    const res = await b.post('/account/sign-out-everywhere', { _csrf: 'forged' })
    expect(res.status).toBe(403)
    expect((await b.get('/pools')).status).toBe(200)
  })

  test('it is in the account menu', async () => {
    const { b } = await signedInSession()
    const page = (await b.get('/pools')).text
    expect(page).toContain('action="/account/sign-out-everywhere"')
    expect(page).toContain('href="/account/password"')
  })
})

describe('change password', () => {
  const NEW = 'a brand new passphrase'

  test('it changes the password, ends the other session and keeps this one', async () => {
    const { b } = await signedInSession()
    const other = await s.browser().signIn()
    const form = await b.get('/account/password')
    expect(form.status).toBe(200)
    expect(visibleText(form.text)).toContain('Current password')
    const res = await b.post('/account/password', { current: ADMIN.password, password: NEW, confirm: NEW })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe('/account/password')
    expect(visibleText((await b.get('/account/password')).text)).toContain('Password changed.')
    expect((await b.get('/pools')).status).toBe(200)
    expect((await other.get('/pools')).status).toBe(303)
    const actions = (await s.db.select().from(auditEvents)).map((e) => e.action)
    expect(actions).toContain('user.password_change')

    // The new password signs in; the old one no longer does.
    const fresh = s.browser()
    await fresh.get('/login')
    expect((await fresh.post('/login', { email: ADMIN.email, password: ADMIN.password })).status).toBe(401)
    expect((await fresh.post('/login', { email: ADMIN.email, password: NEW })).status).toBe(303)
  })

  test('it refuses a wrong current password and changes nothing', async () => {
    const { b } = await signedInSession()
    const other = await s.browser().signIn()
    const [before] = await s.db.select().from(users)
    const res = await b.post('/account/password', { current: 'not the password', password: NEW, confirm: NEW })
    expect(res.status).toBe(422)
    expect(visibleText(res.text)).toContain('That is not your current password')
    const [after] = await s.db.select().from(users)
    expect(after!.passwordHash).toBe(before!.passwordHash)
    expect((await other.get('/pools')).status).toBe(200)
  })

  test('it shows every field’s refusal at once, next to the field', async () => {
    const { b } = await signedInSession()
    const res = await b.post('/account/password', { current: 'not the password', password: 'short', confirm: 'other' })
    expect(res.status).toBe(422)
    expect(res.text).toMatch(/id="field-current-error"[^>]*>\s*That is not your current password/)
    expect(res.text).toMatch(/id="field-password-error"[^>]*>\s*Use a password of at least 10 characters/)
    const mismatch = await b.post('/account/password', { current: '', password: NEW, confirm: 'something else' })
    expect(mismatch.text).toMatch(/id="field-current-error"[^>]*>\s*Enter your current password/)
    expect(mismatch.text).toMatch(/id="field-confirm-error"[^>]*>\s*The two passwords differ/)
  })

  test('its guesses at the current password count against the sign-in limit', async () => {
    const { b } = await signedInSession()
    for (let i = 0; i < 5; i++) {
      expect((await b.post('/account/password', { current: `wrong ${i}`, password: NEW, confirm: NEW })).status).toBe(422)
    }
    const locked = await b.post('/account/password', { current: ADMIN.password, password: NEW, confirm: NEW })
    expect(locked.status).toBe(429)
    expect(Number(locked.headers.get('retry-after'))).toBeGreaterThan(0)
    const [user] = await s.db.select().from(users)
    expect(await Bun.password.verify(ADMIN.password, user!.passwordHash)).toBe(true)
  })

  test('it answers an htmx request with the page body only', async () => {
    const { b } = await signedInSession()
    const res = await b.get('/account/password', { 'hx-request': 'true', 'hx-target': '#main' })
    expect(res.status).toBe(200)
    expect(res.text).not.toContain('<!doctype html>')
    expect(res.text).toContain('Change password')
  })
})
