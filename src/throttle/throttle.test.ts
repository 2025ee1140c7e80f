import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { testServer, type TestServer } from '../testing/harness'
import { takeAttempt, attemptSucceeded, TooManyAttempts } from './service'

let s: TestServer
beforeAll(async () => {
  s = await testServer({ admin: false })
})
afterAll(() => s.close())

const limit = (key: string, n = 5) => ({ key, limit: n, windowMs: 60_000 })

describe('attempt limits', () => {
  test('it lets exactly the limit through when forty attempts arrive at once', async () => {
    const results = await Promise.allSettled(Array.from({ length: 40 }, () => takeAttempt(s.db, [limit('race')])))
    expect(results.filter((r) => r.status === 'fulfilled')).toHaveLength(5)
    const refused = results.filter((r) => r.status === 'rejected') as PromiseRejectedResult[]
    expect(refused).toHaveLength(35)
    expect(refused.every((r) => r.reason instanceof TooManyAttempts && r.reason.status === 429)).toBe(true)
  })

  test('it starts a new window once the old one has passed', async () => {
    const t0 = new Date('2026-01-01T00:00:00Z')
    for (let i = 0; i < 5; i++) await takeAttempt(s.db, [limit('window')], undefined, t0)
    const e = await takeAttempt(s.db, [limit('window')], undefined, new Date(t0.getTime() + 30_000)).catch((x) => x)
    expect(e).toBeInstanceOf(TooManyAttempts)
    expect(e.retryAfterSeconds).toBe(30)
    await takeAttempt(s.db, [limit('window')], undefined, new Date(t0.getTime() + 61_000))
  })

  test('a success clears one key and takes back the attempt on another', async () => {
    for (let i = 0; i < 5; i++) await takeAttempt(s.db, [limit('acct'), limit('addr', 6)])
    await attemptSucceeded(s.db, { clear: ['acct'], uncount: ['addr'] })
    // acct starts over; addr went from 5 back to 4, so one more fits under 6 and a second too.
    await takeAttempt(s.db, [limit('acct'), limit('addr', 6)])
    await takeAttempt(s.db, [limit('addr', 6)])
    expect(await takeAttempt(s.db, [limit('addr', 6)]).catch((x) => x)).toBeInstanceOf(TooManyAttempts)
  })
})
