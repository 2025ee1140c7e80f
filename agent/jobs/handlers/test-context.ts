// A JobContext for handler tests: exec records each argv and answers from a
// function (exit 0 with no output otherwise), failing on an exit code that is
// not ok the way the real exec does; everything the handler reports is kept.
import { mkdtempSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { OsFamily } from '../../protocol'
import { JobFailure, type ExecOptions, type ExecResult, type JobContext } from '../types'

export type Answer = Partial<ExecResult> | string | undefined

export type FakeOptions = {
  name?: string
  params?: Record<string, any>
  family?: OsFamily | null
  firewall?: 'ufw' | 'firewalld' | null
  root?: string
  server?: string
  fetch?: typeof fetch
  /** The server's answers to calls made inside the job (a fake backup server's agentCall). */
  agentCall?: JobContext['agentCall']
  signal?: AbortSignal
  jobId?: string
  answer?: (cmd: string[], opts: ExecOptions) => Answer
}

export function fakeContext(o: FakeOptions = {}) {
  const calls: { cmd: string[]; opts: ExecOptions }[] = []
  const logs: string[] = []
  const steps: number[] = []
  const results: unknown[] = []
  let restart = false
  const ctx: JobContext = {
    jobId: o.jobId ?? 'job_test',
    name: o.name ?? 'test',
    params: o.params ?? {},
    family: o.family === undefined ? 'debian' : o.family,
    firewall: o.firewall ?? null,
    root: o.root ?? mkdtempSync(join(tmpdir(), 'serversctl-job-')),
    server: o.server ?? 'http://127.0.0.1:9',
    async exec(cmd, opts = {}) {
      calls.push({ cmd, opts })
      const a = o.answer?.(cmd, opts)
      const res: ExecResult = typeof a === 'string' ? { code: 0, stdout: a, stderr: '' } : { code: 0, stdout: '', stderr: '', ...a }
      if (!(opts.okCodes ?? [0]).includes(res.code)) throw new JobFailure(`${cmd[0]} exited with ${res.code}`, res.code)
      return res
    },
    log: (line) => void logs.push(line),
    step: (i) => void steps.push(i),
    progress: () => {},
    result: (v) => void results.push(v),
    requestRestart: () => void (restart = true),
    signal: o.signal ?? new AbortController().signal,
    fetch: o.fetch ?? ((async () => new Response('no network in tests', { status: 599 })) as unknown as typeof fetch),
    agentCall: o.agentCall ?? (async (path) => Promise.reject(new Error(`no server in tests (${path})`))),
  }
  return {
    ctx,
    calls,
    /** Each argv joined with spaces, for compact expectations. */
    argv: () => calls.map((c) => c.cmd.join(' ')),
    logs,
    steps,
    results,
    restarted: () => restart,
  }
}
