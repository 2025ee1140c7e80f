import { afterEach, beforeEach, describe, expect, test } from 'bun:test'
import { mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { execForJob } from '../exec'
import { JobFailure } from '../types'
import { fakeContext } from './test-context'
import { hookArgv, protectionHook } from './protection'

let dir: string
beforeEach(() => (dir = mkdtempSync(join(tmpdir(), 'sctl-hook-'))))
afterEach(() => rmSync(dir, { recursive: true, force: true }))

/** A context whose exec runs real programs, its output lines kept. */
function realContext(params: Record<string, unknown>) {
  const f = fakeContext({ name: 'protection.hook', params })
  const lines: string[] = []
  f.ctx.exec = execForJob((_stream, line) => void lines.push(line), f.ctx.signal)
  return { ...f, lines }
}

describe('the post-failover hook', () => {
  test('it runs the command with sh -c, the account and its domains as $1, $2, ..., and streams its output', async () => {
    const out = join(dir, 'args')
    const command = `printf '%s\\n' "$0" "$#" "$@" > '${out}'; echo "hook ran for $1"`
    const { ctx, lines, steps } = realContext({ command, user: 'shop', domains: ['shop.example.com', 'shop.example.net'] })
    await protectionHook(ctx)
    expect(readFileSync(out, 'utf8').trim().split('\n')).toEqual(['serversctl-hook', '3', 'shop', 'shop.example.com', 'shop.example.net'])
    expect(lines).toContain('hook ran for shop')
    expect(steps).toEqual([0])
  })

  test('nothing of the account is read as shell: the arguments reach the hook as they are', () => {
    expect(hookArgv({ command: 'echo "$@"', user: 'shop', domains: ['a.example.com'] })).toEqual(['/bin/sh', '-c', 'echo "$@"', 'serversctl-hook', 'shop', 'a.example.com'])
  })

  test('a non-zero exit fails the job with its exit code', async () => {
    const { ctx } = realContext({ command: 'echo failing >&2; exit 3', user: 'shop', domains: [] })
    const err = await protectionHook(ctx).catch((e) => e)
    expect(err).toBeInstanceOf(JobFailure)
    expect(err.exitCode).toBe(3)
    expect(err.message).toBe('The post-failover hook exited with code 3.')
  })

  test.each([
    ['a command with a newline', { command: 'true\nrm -rf /', user: 'shop', domains: [] }, 'hook command'],
    ['a command with NUL', { command: 'true\u0000x', user: 'shop', domains: [] }, 'hook command'],
    ['an empty command', { command: ' ', user: 'shop', domains: [] }, 'hook command'],
    ['a user that is not a cPanel user', { command: 'true', user: '$(id)', domains: [] }, 'cPanel user'],
    ['a domain that is not one', { command: 'true', user: 'shop', domains: ['a.example.com;id'] }, 'domain'],
    ['over 100 domains', { command: 'true', user: 'shop', domains: Array.from({ length: 101 }, (_, i) => `d${i}.example.com`) }, 'at most 100'],
  ])('it refuses %s before running anything', async (_label, params, words) => {
    const { ctx, calls } = fakeContext({ name: 'protection.hook', params })
    const err = await protectionHook(ctx).catch((e) => e)
    expect(err).toBeInstanceOf(JobFailure)
    expect(err.message).toContain(words)
    expect(calls).toHaveLength(0)
  })
})
