import { describe, expect, test } from 'bun:test'
import { runCommandLine } from './main'

const io = () => {
  const out: string[] = []
  const err: string[] = []
  return { out, err, io: { out: (s: string) => out.push(s), err: (s: string) => err.push(s) } }
}

describe('serversctl-agent', () => {
  test('it prints its version', async () => {
    const { out, io: i } = io()
    expect(await runCommandLine(['version'], i)).toBe(0)
    expect(out).toEqual(['dev'])
  })

  test('it refuses an unknown command with usage and exit code 2', async () => {
    const { err, io: i } = io()
    expect(await runCommandLine(['frobnicate'], i)).toBe(2)
    expect(err[0]).toContain('unknown command "frobnicate"')
    expect(err[0]).toContain('Usage:')
  })

  test('enroll without --server or --secret says what is missing', async () => {
    const { err, io: i } = io()
    expect(await runCommandLine(['enroll', '--server', 'http://x'], i)).toBe(2)
    expect(err[0]).toContain('--secret')
  })

  test('run without a config says to enrol first', async () => {
    const { err, io: i } = io()
    expect(await runCommandLine(['run', '--config', '/nonexistent/agent.json'], i)).toBe(1)
    expect(err[0]).toContain('enrol first')
  })

  test('enroll over the attempt limit says it was refused, why, and when to run it again', async () => {
    const server = Bun.serve({
      port: 0,
      hostname: '127.0.0.1',
      fetch: () =>
        Response.json(
          { error: { code: 'too_many_attempts', message: 'Too many enrolment attempts from this address. Try again in 15 minutes.' } },
          { status: 429, headers: { 'retry-after': '900' } },
        ),
    })
    try {
      const { err, io: i } = io()
      const config = `/tmp/sctl-agent-limit-${process.pid}.json`
      expect(await runCommandLine(['enroll', '--server', `http://127.0.0.1:${server.port}`, '--secret', 'mem_x.secret', '--config', config], i)).toBe(1)
      expect(err.at(-1)).toEndWith(
        'serversctl-agent: Enrolment refused: too many enrolment attempts from this address. Try again in 15 minutes. Nothing was changed; run the same command again then.',
      )
      expect(await Bun.file(config).exists()).toBe(false)
    } finally {
      server.stop(true)
    }
  })

  test('an unknown flag is refused clearly', async () => {
    const { err, io: i } = io()
    expect(await runCommandLine(['inspect', '--frob'], i)).toBe(2)
    expect(err[0]).toContain('frob')
  })
})
