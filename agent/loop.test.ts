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
        // Held still: a heartbeat that took a millisecond would take it off the wait.
        now: () => 0,
      },
      stop.signal,
    )
    expect(calls).toBe(4)
    // Unreachable, then a 5xx: the server is away, so it is tried again at the heartbeat pace.
    expect(waits).toEqual([10_000, 10_000, 10_000, 10_000])
    expect(logs.some((l) => l.includes('server unreachable: ECONNREFUSED'))).toBe(true)
    expect(logs.some((l) => l.includes('heartbeat ok again after 2 failures'))).toBe(true)
  })

  test('a control plane back from a long outage hears from its agents within one interval', async () => {
    const waits = await waitsAfter(Array.from({ length: 40 }, () => new Error('ECONNREFUSED')))
    expect(Math.max(...waits)).toBe(10_000)
  })

  test('a refusal backs off, doubling up to five minutes', async () => {
    const waits = await waitsAfter(Array.from({ length: 12 }, () => new ServerRefused(401, 'token_invalid', 'no')))
    expect(waits.slice(0, 4)).toEqual([10_000, 20_000, 40_000, 80_000])
    expect(waits.at(-1)).toBe(300_000)
  })
})

/** The waits the loop chooses while the heartbeat fails with these errors in turn. */
async function waitsAfter(errors: Error[]): Promise<number[]> {
  const waits: number[] = []
  const stop = new AbortController()
  let calls = 0
  await runLoop(
    {
      client: {
        heartbeat: async () => {
          throw errors[calls++]!
        },
      },
      token: 't',
      intervalSeconds: 10,
      collect: async () => ({}) as never,
      log: () => {},
      sleep: async (ms) => {
        waits.push(ms)
        if (waits.length === errors.length) stop.abort()
      },
      random: () => 0.5,
    },
    stop.signal,
  )
  return waits
}
