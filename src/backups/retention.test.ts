import { describe, expect, test } from 'bun:test'
import { isoWeek, keepIds } from './retention'

const at = (iso: string, id = iso) => ({ id, createdAt: new Date(iso) })

describe('ISO weeks', () => {
  test.each([
    ['2026-01-01T12:00:00Z', '2026-W01'], // a Thursday
    ['2027-01-01T00:00:00Z', '2026-W53'], // a Friday: the last week of 2026
    ['2024-12-30T00:00:00Z', '2025-W01'], // a Monday in the first week of 2025
    ['2026-03-08T23:59:59Z', '2026-W10'], // a Sunday ends the week
    ['2026-03-09T00:00:00Z', '2026-W11'],
  ])('%s is in %s', (d, w) => expect(isoWeek(new Date(d))).toBe(w))
})

describe('grandfather-father-son', () => {
  test('the newest of each of the last N days, weeks and months is kept', () => {
    // Nightly for 70 days up to 2026-03-10, plus a second one on the last day.
    const snaps = Array.from({ length: 70 }, (_, i) => at(new Date(Date.UTC(2026, 2, 10 - i, 2)).toISOString()))
    snaps.push(at('2026-03-10T14:00:00.000Z'))
    const keep = keepIds(snaps, { keepDaily: 3, keepWeekly: 2, keepMonthly: 3 })
    expect([...keep].sort()).toEqual(
      [
        '2026-03-10T14:00:00.000Z', // today (newest of the day, month and week)
        '2026-03-09T02:00:00.000Z',
        '2026-03-08T02:00:00.000Z', // also the newest of ISO week 10
        '2026-02-28T02:00:00.000Z', // February's newest
        '2026-01-31T02:00:00.000Z', // January's newest
      ].sort(),
    )
  })

  test('zero of a kind keeps none of it; the counts are of periods that have a snapshot', () => {
    const snaps = [at('2026-01-01T00:00:00Z', 'a'), at('2026-01-01T05:00:00Z', 'b'), at('2025-06-01T00:00:00Z', 'c')]
    expect(keepIds(snaps, { keepDaily: 2, keepWeekly: 0, keepMonthly: 0 })).toEqual(new Set(['b', 'c']))
    expect(keepIds(snaps, { keepDaily: 0, keepWeekly: 0, keepMonthly: 1 })).toEqual(new Set(['b']))
    expect(keepIds([], { keepDaily: 7, keepWeekly: 4, keepMonthly: 6 })).toEqual(new Set())
  })
})
