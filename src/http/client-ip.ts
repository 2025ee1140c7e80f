// The address a request came from. X-Forwarded-For counts only when the
// direct peer is one of the proxies named in TRUST_PROXY; otherwise anyone
// could claim any address.
type Server = { requestIP?: (r: Request) => { address: string } | null } | null | undefined

function normalise(ip: string): string {
  return ip.startsWith('::ffff:') ? ip.slice(7) : ip
}

export function clientIp(request: Request, server: Server, trustProxy: string[]): string | null {
  const peer = server?.requestIP?.(request)?.address
  const direct = peer ? normalise(peer) : null
  if (!direct || !trustProxy.includes(direct)) return direct
  const forwarded = request.headers.get('x-forwarded-for')
  if (!forwarded) return direct
  // Walk from the right: the last address a trusted proxy did not add is the client.
  const hops = forwarded.split(',').map((s) => normalise(s.trim())).filter(Boolean)
  for (let i = hops.length - 1; i >= 0; i--) {
    if (!trustProxy.includes(hops[i]!)) return hops[i]!
  }
  return hops[0] ?? direct
}
