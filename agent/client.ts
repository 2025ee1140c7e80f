// Single calls to the server: no retries here; the loop owns those.
import type { EnrollRequest, EnrollResponse, Heartbeat } from './protocol'

export type Fetch = (input: string, init?: RequestInit) => Promise<Response>

export class ServerRefused extends Error {
  constructor(public status: number, public code: string, message: string) {
    super(message)
  }
}

async function call<T>(fetcher: Fetch, url: string, body: unknown, token?: string): Promise<T> {
  const res = await fetcher(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
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

export function agentClient(server: string, fetcher: Fetch = fetch) {
  const base = server.replace(/\/+$/, '')
  return {
    enroll: (req: EnrollRequest) => call<EnrollResponse>(fetcher, `${base}/api/v1/agent/enroll`, req),
    heartbeat: (token: string, hb: Heartbeat) =>
      call<{ ok: boolean; heartbeatSeconds: number }>(fetcher, `${base}/api/v1/agent/heartbeat`, hb, token),
  }
}

export type AgentClient = ReturnType<typeof agentClient>
