// Programs whose bytes are the backup: a dump or a tar read from stdout, an
// import or an extract fed on stdin. Job exec (jobs/exec.ts) is for lines of
// text; these stream bytes with backpressure, end in their own process group
// on cancel, and turn a bad exit into a JobFailure before a snapshot is made
// of a truncated stream or a restore is called done.
import { spawn } from 'node:child_process'
import { once } from 'node:events'
import { homedir } from 'node:os'
import { JobFailure } from '../jobs/types'

export type StreamOptions = {
  signal: AbortSignal
  /** Each stderr line, as the job shows it. */
  onStderr: (line: string) => void
  okCodes?: number[]
  cwd?: string
}

const KILL_GRACE_MS = 3000

function start(cmd: string[], stdin: 'pipe' | 'ignore', stdout: 'pipe' | 'ignore', o: StreamOptions) {
  const child = spawn(cmd[0]!, cmd.slice(1), {
    detached: true, // a process group of its own, as jobs/exec.ts does
    stdio: [stdin, stdout, 'pipe'],
    cwd: o.cwd,
    env: { ...process.env, LC_ALL: 'C', LANG: 'C', HOME: process.env.HOME || homedir() },
  })
  let lastLine = ''
  let rest = ''
  child.stderr!.setEncoding('utf8').on('data', (text: string) => {
    const lines = (rest + text).split('\n')
    rest = lines.pop()!
    for (const line of lines) if (line.trim()) o.onStderr((lastLine = line))
  })
  const kill = () => {
    if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return
    const group = (sig: NodeJS.Signals) => {
      try {
        process.kill(-child.pid!, sig)
      } catch {}
    }
    group('SIGTERM')
    setTimeout(() => group('SIGKILL'), KILL_GRACE_MS).unref()
  }
  o.signal.addEventListener('abort', kill, { once: true })
  const exited = new Promise<void>((resolve, reject) => {
    child.on('error', (e: NodeJS.ErrnoException) => reject(new JobFailure(e.code === 'ENOENT' ? `${cmd[0]} is not installed on this server` : `${cmd[0]} could not start: ${e.message}`)))
    child.on('close', (code, sig) => {
      o.signal.removeEventListener('abort', kill)
      if (rest.trim()) o.onStderr((lastLine = rest))
      if (o.signal.aborted) return reject(new JobFailure(`${cmd[0]} was stopped`))
      const exit = code ?? 128 + (sig === 'SIGKILL' ? 9 : 15)
      if ((o.okCodes ?? [0]).includes(exit)) return resolve()
      reject(new JobFailure(`${cmd[0]} exited with code ${exit}${lastLine ? `: ${lastLine}` : ''}`, exit))
    })
  })
  exited.catch(() => {}) // awaited by the caller; an early failure must not count as unhandled
  return { child, exited, kill }
}

/**
 * The program's stdout as a byte stream that throws at its end when the
 * program failed, so a consumer never takes a truncated stream as whole.
 * Leaving the loop early kills the program.
 */
export async function* readFrom(cmd: string[], o: StreamOptions): AsyncGenerator<Uint8Array> {
  const { child, exited, kill } = start(cmd, 'ignore', 'pipe', o)
  let done = false
  try {
    try {
      for await (const piece of child.stdout!) yield piece as Uint8Array
    } catch (err) {
      await exited // the program's own failure (not installed, its exit code) says more than the pipe's
      throw err
    }
    await exited
    done = true
  } finally {
    if (!done) kill()
  }
}

/** Feeds `input` to the program's stdin and waits for it to succeed; a failing input kills it. */
export async function writeTo(cmd: string[], input: AsyncIterable<Uint8Array>, o: StreamOptions): Promise<void> {
  const { child, exited, kill } = start(cmd, 'pipe', 'ignore', o)
  const stdin = child.stdin!
  stdin.on('error', () => {}) // EPIPE when the program quits early; its exit code says why
  let over = false
  exited.then(() => (over = true), () => (over = true))
  try {
    for await (const piece of input) {
      if (over) break
      if (!stdin.write(piece)) await Promise.race([once(stdin, 'drain').catch(() => {}), exited.catch(() => {})])
    }
    stdin.end()
  } catch (err) {
    kill()
    await exited.catch(() => {})
    throw err
  }
  await exited
}
