// The image's HEALTHCHECK: exits 0 only when this container's server answers
// GET /healthz with 200. A 503 (starting, draining after SIGTERM, database
// unreachable) or no answer is unhealthy; the line printed is what
// `docker inspect` shows as the reason.
const ANY_ADDRESS = new Set(['', '0.0.0.0', '::', '[::]'])

export function healthzUrl(env: Record<string, string | undefined>): string {
  const host = (env.HOST ?? '').trim()
  const port = (env.PORT ?? '').trim() || '3000'
  const target = ANY_ADDRESS.has(host) ? '127.0.0.1' : host.includes(':') && !host.startsWith('[') ? `[${host}]` : host
  return `http://${target}:${port}/healthz`
}

async function check(url: string): Promise<{ ok: boolean; line: string }> {
  try {
    // Under the HEALTHCHECK --timeout (5 s), so a hung server is reported here, not killed silently.
    const res = await fetch(url, { signal: AbortSignal.timeout(4000) })
    const body = (await res.json().catch(() => null)) as { status?: string; reason?: string } | null
    const said = [body?.status, body?.reason].filter(Boolean).join(': ')
    return { ok: res.status === 200, line: `${url} answered ${res.status}${said ? ` (${said})` : ''}` }
  } catch (err) {
    return { ok: false, line: `${url} did not answer: ${(err as Error).message}` }
  }
}

if (import.meta.main) {
  const { ok, line } = await check(healthzUrl(process.env))
  console.log(line)
  process.exit(ok ? 0 : 1)
}
