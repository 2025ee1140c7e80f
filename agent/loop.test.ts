import { describe, expect, test } from 'bun:test'
import { backoffMs, runLoop } from './loop'
import { ServerRefused } from './client'

describe('backoff', () => {
  test.each([
    [0, 10_000],
    [1, 10_000],
    [2, 20_000],
    [3, 40_000],
    [20, 300_000],
  ])('after %i failures it waits about %i ms', (failures, ms) => {
    expect(backoffMs(failures, 10_000, () => 0.5)).toBe(ms)
  })

  test('it jitters by at most a fifth either way', () => {
    expect(backoffMs(3, 10_000, () => 0)).toBe(32_000)
    expect(backoffMs(3, 10_000, () => 1)).toBe(48_000)
  })
})

describe('the heartbeat loop', () => {
  test('it keeps going through failures, backs off, and resets on success', async () => {
    const answers: (Error | null)[] = [new Error('ECONNREFUSED'), new ServerRefused(503, 'down', 'down'), null, null]
    const waits: number[] = []
    const logs: string[] = []
    const stop = new AbortController()
    let calls = 0
    await runLoop(
      {
        client: {
          heartbeat: async () => {
            const a = answers[calls++]
            if (a) throw a
            return { ok: true, heartbeatSeconds: 10 }
          },
        },
        token: 't',
        intervalSeconds: 10,
        collect: async () => ({}) as never,
        log: (l) => logs.push(l),
        sleep: async (ms) => {
          waits.push(ms)
          if (waits.length === answers.length) stop.abort()
        },
        random: () => 0.5,
      },
      stop.signal,
    )
    expect(calls).toBe(4)
    expect(waits).toEqual([10_000, 20_000, 10_000, 10_000])
    expect(logs.some((l) => l.includes('server unreachable: ECONNREFUSED'))).toBe(true)
    expect(logs.some((l) => l.includes('heartbeat ok again after 2 failures'))).toBe(true)
  })
})
