import { describe, expect, test } from 'bun:test'
import { step, type AlertState } from './machine'

const t = (s: number) => new Date(Date.UTC(2026, 10, 26, 12, 0, s))
const run = (samples: [number, boolean][], delays = { downAfterMs: 10_000, upAfterMs: 5_000 }) => {
  let state: AlertState | null = null
  const sent: string[] = []
  for (const [at, bad] of samples) {
    const r = step(state, bad, t(at), delays)
    state = r.next
    if (r.notify) sent.push(`${r.notify}@${at}`)
  }
  return { state: state!.state, sent }
}

describe('the alert state machine', () => {
  test('it fires once after the down delay and resolves once after the up delay', () => {
    const r = run([[0, true], [5, true], [10, true], [11, true], [12, true], [20, false], [24, false], [25, false], [26, false]])
    expect(r.sent).toEqual(['fired@10', 'resolved@25'])
    expect(r.state).toBe('ok')
  })

  test('a short blip never fires', () => {
    expect(run([[0, true], [5, true], [6, false], [7, true], [12, true], [13, false]]).sent).toEqual([])
  })

  test('ten ticks of the same state send nothing new', () => {
    const samples: [number, boolean][] = Array.from({ length: 20 }, (_, i) => [i * 2, true])
    expect(run(samples).sent).toEqual(['fired@10'])
  })

  test('flapping while firing sends no more than one pair', () => {
    const flap: [number, boolean][] = [[0, true], [10, true]]
    for (let s = 12; s < 60; s += 4) flap.push([s, s % 8 === 0], [s + 2, s % 8 !== 0])
    flap.push([70, false], [80, false])
    const r = run(flap)
    expect(r.sent).toHaveLength(2)
    expect(r.sent[0]).toBe('fired@10')
    expect(r.sent[1]).toStartWith('resolved@')
  })

  test('with no down delay it fires at once', () => {
    expect(run([[0, true]], { downAfterMs: 0, upAfterMs: 0 }).sent).toEqual(['fired@0'])
  })
})
