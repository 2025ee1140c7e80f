// How the agent runs other programs. Detectors take a RunCommand so tests can
// hand them canned output instead of touching the machine.
import { homedir } from 'node:os'

export type CommandResult = { code: number; stdout: string; stderr: string }

/** null means the program is not installed (not on PATH). Never throws. */
export type RunCommand = (cmd: string[], opts?: { timeoutMs?: number }) => Promise<CommandResult | null>

export const TIMED_OUT = 124

// A C locale keeps the output we parse (apt, ufw, systemctl) in English; HOME
// lets the mariadb client find /root/.my.cnf when systemd started us without it.
const env = () => ({ ...process.env, LC_ALL: 'C', LANG: 'C', HOME: process.env.HOME || homedir() })

export const runCommand: RunCommand = async (cmd, opts = {}) => {
  const timeoutMs = opts.timeoutMs ?? 10_000
  let proc: Bun.Subprocess<'ignore', 'pipe', 'pipe'>
  try {
    proc = Bun.spawn(cmd, { stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', env: env() })
  } catch {
    return null
  }
  let timedOut = false
  let timer: ReturnType<typeof setTimeout> | undefined
  // A grandchild can keep the pipes open after we kill the child, so the
  // deadline races the whole read, not only the exit.
  const deadline = new Promise<null>((resolve) => {
    timer = setTimeout(() => {
      timedOut = true
      proc.kill('SIGKILL')
      setTimeout(() => resolve(null), 1000).unref?.()
    }, timeoutMs)
  })
  try {
    const done = Promise.all([
      new Response(proc.stdout).text(),
      new Response(proc.stderr).text(),
      proc.exited,
    ])
    const result = await Promise.race([done, deadline])
    if (!result) return { code: TIMED_OUT, stdout: '', stderr: 'timed out' }
    const [stdout, stderr, code] = result
    if (timedOut) return { code: TIMED_OUT, stdout, stderr: stderr + 'timed out' }
    return { code, stdout, stderr }
  } catch {
    return { code: -1, stdout: '', stderr: 'failed to read output' }
  } finally {
    clearTimeout(timer)
  }
}

/**
 * A RunCommand for tests: answers keyed by the command line joined with
 * spaces (a string is stdout with exit code 0); anything else is "not found".
 */
export function cannedRun(answers: Record<string, CommandResult | string> = {}): RunCommand & { calls: string[] } {
  const calls: string[] = []
  const run = async (cmd: string[]) => {
    const key = cmd.join(' ')
    calls.push(key)
    const a = answers[key]
    if (a === undefined) return null
    return typeof a === 'string' ? { code: 0, stdout: a, stderr: '' } : a
  }
  return Object.assign(run, { calls })
}
