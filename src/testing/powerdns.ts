// A real PowerDNS Authoritative server for tests: its own temp directory,
// SQLite database and config, DNS and API on loopback ports picked at start.
// Needs Debian's pdns-server and pdns-backend-sqlite3 (tested with 4.7.3).
//
//   const pdns = await startPowerDns()
//   await pdns.addZone('example.com')
//   ... new PowerDnsProvider({ apiUrl: pdns.apiUrl, apiKey: pdns.apiKey, serverId: pdns.serverId })
//   await pdns.stop()
//
// The server is killed on stop(), when the test process exits, and by a small
// watchdog shell if the test process is killed outright.
import { Database } from 'bun:sqlite'
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Subprocess } from 'bun'

export const PDNS_SERVER = '/usr/sbin/pdns_server'
const SCHEMA_PATHS = ['/usr/share/pdns-backend-sqlite3/schema/schema.sqlite3.sql', '/usr/share/doc/pdns-backend-sqlite3/schema.sqlite3.sql']

export type PowerDns = {
  /** http://127.0.0.1:PORT (without /api/v1). */
  apiUrl: string
  apiKey: string
  serverId: 'localhost'
  /** UDP and TCP port of the DNS listener on 127.0.0.1. */
  dnsPort: number
  /** Milliseconds from spawn until the API answered. */
  startupMs: number
  /** The exact pdns.conf used. */
  config: string
  /** The server's own version string, e.g. "4.7.3". */
  version: string
  /** Creates a Native zone with SOA and NS (ns1.<zone>) through the API. */
  addZone(name: string): Promise<void>
  /** What the server wrote to stdout/stderr so far (for a failing test's message). */
  log(): string
  stop(): Promise<void>
}

const running = new Set<{ proc: Subprocess; dir: string }>()
let exitHookInstalled = false

function installExitHook() {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.on('exit', () => {
    for (const r of running) {
      try {
        r.proc.kill('SIGKILL')
      } catch {}
      try {
        rmSync(r.dir, { recursive: true, force: true })
      } catch {}
    }
  })
}

/** A port free for TCP on 127.0.0.1 that is also free for UDP (DNS needs both). */
async function freePort(udpToo: boolean): Promise<number> {
  for (let attempt = 0; attempt < 20; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer()
      srv.once('error', reject)
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port
        srv.close(() => resolve(p))
      })
    })
    if (!udpToo) return port
    try {
      const sock = await Bun.udpSocket({ hostname: '127.0.0.1', port })
      sock.close()
      return port
    } catch {}
  }
  throw new Error('no free loopback port for PowerDNS')
}

export async function startPowerDns(): Promise<PowerDns> {
  if (!existsSync(PDNS_SERVER)) {
    throw new Error(`${PDNS_SERVER} not found: install Debian's pdns-server and pdns-backend-sqlite3`)
  }
  const schemaPath = SCHEMA_PATHS.find((p) => existsSync(p))
  if (!schemaPath) throw new Error('PowerDNS SQLite schema not found: install pdns-backend-sqlite3')

  const dir = mkdtempSync(join(tmpdir(), 'sctl-pdns-'))
  const dbPath = join(dir, 'pdns.sqlite3')
  const db = new Database(dbPath, { create: true })
  db.exec(readFileSync(schemaPath, 'utf8'))
  db.close()

  const dnsPort = await freePort(true)
  let webPort = await freePort(false)
  while (webPort === dnsPort) webPort = await freePort(false)
  const apiKey = `pdns-test-${crypto.randomUUID()}`

  const config =
    [
      'launch=gsqlite3',
      `gsqlite3-database=${dbPath}`,
      'gsqlite3-pragma-synchronous=0',
      'local-address=127.0.0.1',
      `local-port=${dnsPort}`,
      'query-local-address=127.0.0.1',
      'api=yes',
      `api-key=${apiKey}`,
      'webserver=yes',
      'webserver-address=127.0.0.1',
      `webserver-port=${webPort}`,
      'webserver-allow-from=127.0.0.1',
      `socket-dir=${dir}`,
      'guardian=no',
      'daemon=no',
      'disable-syslog=yes',
      'write-pid=no',
      // No security-status query to the outside world.
      'security-poll-suffix=',
      // Answers change the moment the API writes: no packet, query or negative cache, no zone cache.
      'cache-ttl=0',
      'negquery-cache-ttl=0',
      'query-cache-ttl=0',
      'zone-cache-refresh-interval=0',
      'distributor-threads=1',
      'receiver-threads=1',
      'loglevel=4',
    ].join('\n') + '\n'
  writeFileSync(join(dir, 'pdns.conf'), config)

  installExitHook()
  const started = performance.now()
  const proc = Bun.spawn([PDNS_SERVER, `--config-dir=${dir}`], { stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
  const entry = { proc, dir }
  running.add(entry)

  let output = ''
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder()
    for await (const chunk of stream) output += decoder.decode(chunk, { stream: true })
  }
  void drain(proc.stdout as ReadableStream<Uint8Array>)
  void drain(proc.stderr as ReadableStream<Uint8Array>)

  // Kills the server if this test process dies without running its exit hook (SIGKILL, crash).
  const watchdog = Bun.spawn(
    ['sh', '-c', `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${proc.pid} 2>/dev/null; do sleep 1; done; kill -9 ${proc.pid} 2>/dev/null; rm -rf '${dir}'`],
    { stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' },
  )
  watchdog.unref()

  const apiUrl = `http://127.0.0.1:${webPort}`
  const headers = { 'X-API-Key': apiKey, 'content-type': 'application/json' }

  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    proc.kill('SIGTERM')
    let timer: ReturnType<typeof setTimeout> | undefined
    const exited = await Promise.race([
      proc.exited.then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 5000))),
    ])
    clearTimeout(timer)
    if (!exited) {
      proc.kill('SIGKILL')
      await proc.exited
    }
    try {
      watchdog.kill('SIGKILL')
    } catch {}
    running.delete(entry)
    rmSync(dir, { recursive: true, force: true })
  }

  let version = ''
  const deadline = Date.now() + 20_000
  for (;;) {
    if (proc.exitCode !== null || proc.signalCode !== null) {
      await Bun.sleep(50)
      await stop()
      throw new Error(`pdns_server exited during start (${proc.exitCode ?? proc.signalCode}):\n${output}`)
    }
    try {
      const res = await fetch(`${apiUrl}/api/v1/servers/localhost`, { headers, signal: AbortSignal.timeout(1000) })
      if (res.ok) {
        version = ((await res.json()) as { version?: string }).version ?? ''
        break
      }
    } catch {}
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`PowerDNS API did not answer within 20 s:\n${output}`)
    }
    await Bun.sleep(25)
  }
  const startupMs = Math.round(performance.now() - started)

  async function addZone(name: string) {
    const zone = name.replace(/\.$/, '') + '.'
    const res = await fetch(`${apiUrl}/api/v1/servers/localhost/zones`, {
      method: 'POST',
      headers,
      body: JSON.stringify({
        name: zone,
        kind: 'Native',
        nameservers: [`ns1.${zone}`],
        rrsets: [
          {
            name: zone,
            type: 'SOA',
            ttl: 3600,
            records: [{ content: `ns1.${zone} hostmaster.${zone} 1 10800 3600 604800 3600`, disabled: false }],
          },
        ],
      }),
      signal: AbortSignal.timeout(10_000),
    })
    if (res.status !== 201) throw new Error(`PowerDNS did not create zone ${zone}: ${res.status} ${await res.text()}`)
  }

  return { apiUrl, apiKey, serverId: 'localhost', dnsPort, startupMs, config, version, addZone, log: () => output, stop }
}
