// The TCP ports this host listens on, and which program holds each, for the
// cPanel Operations tab (is Exim on 25, cpsrvd on 2087, something unexpected?).
import { MAX_LISTENERS, type Listener } from '../protocol'
import type { RunCommand } from '../run-command'

/** `0.0.0.0:22`, `*:80`, `[::]:443`, `127.0.0.53%lo:53` → address and port; null when the port is not a number. */
export function parseLocalAddress(text: string): { address: string; port: number } | null {
  const colon = text.lastIndexOf(':')
  if (colon <= 0) return null
  const port = Number(text.slice(colon + 1))
  if (!/^\d+$/.test(text.slice(colon + 1)) || port > 65535) return null
  return { address: text.slice(0, colon).replace(/^\[(.*)\]$/, '$1'), port }
}

/**
 * `ss -ltnpH` lines: State Recv-Q Send-Q Local Peer [users:(("exim",pid=1,fd=3),...)].
 * The process is missing when ss may not see it (not root). A header line
 * (an ss without -H) does not parse and is skipped. One entry per address and
 * port, where ss lists a socket per worker (SO_REUSEPORT), sorted by port.
 */
export function parseSsListeners(text: string): Listener[] {
  const found = new Map<string, Listener>()
  for (const line of text.split('\n')) {
    const fields = line.trim().split(/\s+/)
    // Some ss builds leave the State column out when one state is asked for.
    if (fields[0] && !/^\d+$/.test(fields[0])) fields.shift()
    if (!/^\d+$/.test(fields[0] ?? '') || !fields[2]) continue
    const local = parseLocalAddress(fields[2])
    if (!local) continue
    const process = /users:\(\("((?:[^"\\]|\\.)*)"/.exec(line)?.[1] ?? null
    const key = `${local.port} ${local.address}`
    const seen = found.get(key)
    if (!seen || (seen.process === null && process !== null)) found.set(key, { ...local, process })
  }
  return [...found.values()]
    .sort((a, b) => a.port - b.port || (a.address < b.address ? -1 : a.address > b.address ? 1 : 0))
    .slice(0, MAX_LISTENERS)
}

/** [] when ss is missing or fails: the heartbeat goes without rather than failing. */
export async function collectListeners({ run }: { run: RunCommand }): Promise<Listener[]> {
  const res = await run(['ss', '-ltnpH'], { timeoutMs: 5000 })
  return res?.code === 0 ? parseSsListeners(res.stdout) : []
}
