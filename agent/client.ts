// Single calls to the server: no retries here; the loop owns those.
import type { ClaimedJob, EnrollRequest, EnrollResponse, Heartbeat, JobFinish, JobReport } from './protocol'

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>

export class ServerRefused extends Error {
  constructor(public status: number, public code: string, message: string) {
    super(message)
  }
}

async function call<T>(fetcher: Fetch, url: string, body: unknown, token?: string, opts: { timeoutMs?: number; signal?: AbortSignal } = {}): Promise<T> {
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 15_000)
  const res = await fetcher(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
    signal: opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout,
  })
  const text = await res.text()
  let json: any = null
  try {
    json = text ? JSON.parse(text) : null
  } catch {}
  if (!res.ok) {
    throw new ServerRefused(res.status, json?.error?.code ?? 'http_error', json?.error?.message ?? `HTTP ${res.status}`)
  }
  return json as T
}

/** How long a call made inside a job may take: a snapshot commit checks every chunk it names. */
const JOB_CALL_TIMEOUT_MS = 120_000

/** A POST under /api/v1/agent/ with the agent's token, for what a job says beside its reports (backups). */
export function agentCall<T>(server: string, token: string, path: string, body: unknown, signal?: AbortSignal, fetcher: Fetch = fetch): Promise<T> {
  return call<T>(fetcher, `${server.replace(/\/+$/, '')}/api/v1/agent/${path}`, body, token, { timeoutMs: JOB_CALL_TIMEOUT_MS, signal })
}

export function agentClient(server: string, fetcher: Fetch = fetch) {
  const base = server.replace(/\/+$/, '')
  return {
    enroll: (req: EnrollRequest) => call<EnrollResponse>(fetcher, `${base}/api/v1/agent/enroll`, req),
    heartbeat: (token: string, hb: Heartbeat) =>
      call<{ ok: boolean; heartbeatSeconds: number }>(fetcher, `${base}/api/v1/agent/heartbeat`, hb, token),
    /** Waits on the server up to waitSeconds for a job. */
    claim: (token: string, waitSeconds: number, signal?: AbortSignal) =>
      call<{ job: ClaimedJob | null }>(fetcher, `${base}/api/v1/agent/jobs/claim`, { waitSeconds }, token, { timeoutMs: (waitSeconds + 15) * 1000, signal }),
    report: (token: string, jobId: string, report: JobReport) =>
      call<{ cancel: boolean }>(fetcher, `${base}/api/v1/agent/jobs/${encodeURIComponent(jobId)}/report`, report, token),
    finish: (token: string, jobId: string, finish: JobFinish) =>
      call<{ status: string }>(fetcher, `${base}/api/v1/agent/jobs/${encodeURIComponent(jobId)}/finish`, finish, token),
    release: (token: string, jobId: string, reason: string) =>
      call<{ status: string }>(fetcher, `${base}/api/v1/agent/jobs/${encodeURIComponent(jobId)}/release`, { reason }, token),
  }
}

export type AgentClient = ReturnType<typeof agentClient>
