// For the cPanel handler tests: a job that runs its programs for real (the
// stand-ins of src/testing/standins/cpanel first on PATH) on a fake cPanel
// host, with the server's cPanel calls (reveal, credentials) recorded and
// its backup calls answered by the fake backup server.
import type { Credentials, Reveal } from '../../cpanel/protocol'
import type { FakeBackupServer } from '../../backup/fake-server'
import { STANDINS_DIR } from '../../../src/testing/standins/cpanel/host'
import { execForJob } from '../exec'
import type { JobContext, JobHandler } from '../types'
import { fakeContext } from './test-context'

/** Puts the stand-ins first on PATH for a test file; the returned function puts PATH back. */
export function standinsOnPath(): () => void {
  const before = process.env.PATH
  process.env.PATH = `${STANDINS_DIR}:${before ?? ''}`
  return () => void (process.env.PATH = before)
}

/** Runs fn with these variables set in the environment the stand-ins inherit, then puts them back. */
export async function withEnv<T>(vars: Record<string, string | undefined>, fn: () => Promise<T>): Promise<T> {
  const saved = Object.fromEntries(Object.keys(vars).map((k) => [k, process.env[k]]))
  const apply = (v: Record<string, string | undefined>) => {
    for (const [k, value] of Object.entries(v)) {
      if (value === undefined) delete process.env[k]
      else process.env[k] = value
    }
  }
  apply(vars)
  try {
    return await fn()
  } finally {
    apply(saved)
  }
}

type JobOptions = {
  root: string
  jobId?: string
  fake?: FakeBackupServer
  snapshotId?: string
  /** What the server hands over for a transfer (null: it refuses). */
  credentials?: Credentials | null
  revealFails?: boolean
  signal?: AbortSignal
}

let jobs = 0

export function cpanelJob(name: string, params: Record<string, any>, o: JobOptions) {
  const jobId = o.jobId ?? `job_cp_${process.pid}_${++jobs}`
  if (o.snapshotId && o.fake) o.fake.assign(jobId, o.snapshotId)
  const reveals: Reveal[] = []
  const calls: string[] = []
  const agentCall = async <T>(path: string, body: unknown): Promise<T> => {
    calls.push(path)
    if (path === `cpanel/${jobId}/reveal`) {
      if (o.revealFails) throw new Error('the server refused the reveal (409 job_finished)')
      reveals.push(body as Reveal)
      return { ok: true } as T
    }
    if (path === `cpanel/${jobId}/credentials`) {
      if (!o.credentials) throw new Error('the server has no credentials for this job (404 not_found)')
      return o.credentials as T
    }
    if (o.fake) return o.fake.agentCall<T>(path, body)
    throw new Error(`no server for ${path} in this test`)
  }
  const signal = o.signal ?? new AbortController().signal
  const f = fakeContext({ name, params, jobId, root: o.root, server: o.fake?.url, fetch, agentCall, signal })
  const output: string[] = []
  f.ctx.exec = execForJob((stream, line) => void output.push(`${stream}: ${line}`), signal)
  const progress: number[] = []
  f.ctx.progress = (p) => void progress.push(p)
  return {
    ...f,
    reveals,
    calls,
    output,
    progress,
    /** Everything the job showed or kept: program output, its own lines, its results. */
    everything: () => [...output, ...f.logs, JSON.stringify(f.results)].join('\n'),
    /** The handler, with the stand-ins acting on this job's root. */
    run: (handler: JobHandler, env: Record<string, string | undefined> = {}) => withEnv({ SERVERSCTL_AGENT_ROOT: o.root, ...env }, () => handler(f.ctx as JobContext)),
  }
}
