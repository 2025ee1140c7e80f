// Runs a program for a job: its own process group, so cancel and timeout can
// kill everything it started (an installer's children, a package manager's
// helpers), with each output line streamed into the job as it comes.
import { spawn } from 'node:child_process'
import { homedir } from 'node:os'
import { JobFailure, type ExecOptions, type ExecResult } from './types'

export type LineSink = (stream: 'stdout' | 'stderr', line: string) => void

/** What a job keeps of one program's output for its handler to parse. */
const MAX_CAPTURE = 4 * 1024 * 1024
/** After SIGTERM, how long a process group gets before SIGKILL. */
const KILL_GRACE_MS = 3000

function killGroup(pid: number, signal: NodeJS.Signals) {
  try {
    process.kill(-pid, signal)
  } catch {
    // Already gone.
  }
}

/** Splits a byte stream into lines, holding a partial last line until it ends. */
function lineSplitter(onLine: (line: string) => void) {
  let rest = ''
  return {
    push(chunk: string) {
      rest += chunk
      let i: number
      while ((i = rest.indexOf('\n')) >= 0) {
        onLine(rest.slice(0, i).replace(/\r$/, ''))
        rest = rest.slice(i + 1)
      }
    },
    end() {
      if (rest) onLine(rest)
      rest = ''
    },
  }
}

export function execForJob(sink: LineSink, signal: AbortSignal) {
  return (cmd: string[], opts: ExecOptions = {}): Promise<ExecResult> =>
    new Promise((resolve, reject) => {
      if (signal.aborted) return reject(new JobFailure('stopped before it started'))
      const child = spawn(cmd[0]!, cmd.slice(1), {
        detached: true, // a process group of its own: kill(-pid) reaches its children
        stdio: [opts.input !== undefined ? 'pipe' : 'ignore', 'pipe', 'pipe'],
        env: { ...process.env, LC_ALL: 'C', LANG: 'C', HOME: process.env.HOME || homedir(), ...opts.env },
      })
      let stdout = ''
      let stderr = ''
      const capture = (which: 'stdout' | 'stderr') => (line: string) => {
        if (which === 'stdout' && stdout.length < MAX_CAPTURE) stdout += line + '\n'
        if (which === 'stderr' && stderr.length < MAX_CAPTURE) stderr += line + '\n'
        if (which === 'stderr' || !opts.quiet) sink(which, line)
      }
      const out = lineSplitter(capture('stdout'))
      const err = lineSplitter(capture('stderr'))
      child.stdout!.setEncoding('utf8').on('data', (c: string) => out.push(c))
      child.stderr!.setEncoding('utf8').on('data', (c: string) => err.push(c))
      if (opts.input !== undefined) child.stdin!.end(opts.input)

      let killTimer: ReturnType<typeof setTimeout> | undefined
      const onAbort = () => {
        if (child.pid === undefined) return
        killGroup(child.pid, 'SIGTERM')
        killTimer = setTimeout(() => killGroup(child.pid!, 'SIGKILL'), KILL_GRACE_MS)
      }
      signal.addEventListener('abort', onAbort, { once: true })

      child.on('error', (e: NodeJS.ErrnoException) => {
        signal.removeEventListener('abort', onAbort)
        reject(new JobFailure(e.code === 'ENOENT' ? `${cmd[0]} is not installed on this server` : `${cmd[0]} could not start: ${e.message}`))
      })
      child.on('close', (code, sig) => {
        signal.removeEventListener('abort', onAbort)
        clearTimeout(killTimer)
        // The group may outlive its leader; whatever is left goes with it.
        if (signal.aborted && child.pid !== undefined) killGroup(child.pid, 'SIGKILL')
        out.end()
        err.end()
        if (signal.aborted) return reject(new JobFailure(`${cmd[0]} was stopped`))
        const exit = code ?? 128 + (sig ? 15 : 0)
        if (!(opts.okCodes ?? [0]).includes(exit)) {
          const last = stderr.trim().split('\n').pop() || stdout.trim().split('\n').pop() || ''
          return reject(new JobFailure(`${cmd[0]} exited with code ${exit}${last ? `: ${last}` : ''}`, exit))
        }
        resolve({ code: exit, stdout, stderr })
      })
    })
}
