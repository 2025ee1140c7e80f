import { describe, expect, test } from 'bun:test'
import { JobFailure } from '../jobs/types'
import { readFrom, writeTo } from './process'
import { collect, concat } from './test-data'

const opts = (lines: string[] = [], signal = new AbortController().signal) => ({ signal, onStderr: (l: string) => void lines.push(l) })

describe('readFrom', () => {
  test('streams stdout', async () => {
    const out = concat(await collect(readFrom(['sh', '-c', 'head -c 3000000 /dev/zero'], opts())))
    expect(out.length).toBe(3_000_000)
  })

  test('a failing program throws at the end of its stream, with its last stderr line', async () => {
    const lines: string[] = []
    const err = await collect(readFrom(['sh', '-c', 'echo partial; echo "Got error: 1045" >&2; exit 2'], opts(lines))).catch((e) => e)
    expect(err).toBeInstanceOf(JobFailure)
    expect(err.message).toBe('sh exited with code 2: Got error: 1045')
    expect(lines).toEqual(['Got error: 1045'])
  })

  test('a missing program', async () => {
    await expect(collect(readFrom(['serversctl-no-such-program'], opts()))).rejects.toThrow('serversctl-no-such-program is not installed on this server')
  })

  test('cancel kills it', async () => {
    const stop = new AbortController()
    const started = Date.now()
    setTimeout(() => stop.abort(), 100)
    await expect(collect(readFrom(['sh', '-c', 'sleep 30; echo late'], opts([], stop.signal)))).rejects.toThrow('sh was stopped')
    expect(Date.now() - started).toBeLessThan(5000)
  })
})

describe('writeTo', () => {
  async function* pieces(n: number, fail = false) {
    for (let i = 0; i < n; i++) yield new Uint8Array(65536).fill(97)
    if (fail) throw new Error('chunk 3 is damaged')
  }

  test('feeds stdin with backpressure', async () => {
    const lines: string[] = []
    await writeTo(['sh', '-c', 'wc -c >&2'], pieces(100), opts(lines))
    expect(lines).toEqual([String(100 * 65536)])
  })

  test('a program that fails early fails the call', async () => {
    await expect(writeTo(['sh', '-c', 'head -c 10 >/dev/null; echo "ERROR 1064" >&2; exit 1'], pieces(1000), opts())).rejects.toThrow('sh exited with code 1: ERROR 1064')
  })

  test('a failing input kills the program and is the error', async () => {
    await expect(writeTo(['sh', '-c', 'cat >/dev/null; sleep 30'], pieces(3, true), opts())).rejects.toThrow('chunk 3 is damaged')
  })
})
