import { describe, expect, test } from 'bun:test'
import { TIMED_OUT, cannedRun, runCommand } from './run-command'

describe('runCommand', () => {
  test('it returns exit code, stdout and stderr', async () => {
    expect(await runCommand(['sh', '-c', 'echo out; echo err >&2; exit 3'])).toEqual({ code: 3, stdout: 'out\n', stderr: 'err\n' })
  })

  test('a missing program is null, not an exception', async () => {
    expect(await runCommand(['serversctl-no-such-program'])).toBeNull()
  })

  test('it runs in the C locale so output parses the same everywhere', async () => {
    expect((await runCommand(['sh', '-c', 'echo $LC_ALL']))?.stdout).toBe('C\n')
  })

  test('a command that outlives its timeout is killed and reported', async () => {
    const started = performance.now()
    const res = await runCommand(['sleep', '5'], { timeoutMs: 200 })
    expect(res?.code).toBe(TIMED_OUT)
    expect(performance.now() - started).toBeLessThan(2000)
  })

  test('a grandchild holding the pipes open cannot stall it past the timeout', async () => {
    const started = performance.now()
    const res = await runCommand(['sh', '-c', '(sleep 5 &) ; sleep 5'], { timeoutMs: 200 })
    expect(res?.code).toBe(TIMED_OUT)
    expect(performance.now() - started).toBeLessThan(2500)
  })
})

describe('cannedRun', () => {
  test('it answers known commands, records calls and says "not found" otherwise', async () => {
    const run = cannedRun({ 'ufw status': 'Status: inactive\n', 'false': { code: 1, stdout: '', stderr: '' } })
    expect(await run(['ufw', 'status'])).toEqual({ code: 0, stdout: 'Status: inactive\n', stderr: '' })
    expect((await run(['false']))?.code).toBe(1)
    expect(await run(['dnf', 'check-update'])).toBeNull()
    expect(run.calls).toEqual(['ufw status', 'false', 'dnf check-update'])
  })
})
