// A real ACME CA for tests: Let's Encrypt's Pebble on loopback, with
// pebble-challtestsrv as its DNS server so that any name resolves to
// 127.0.0.1 and http-01 validation really connects to a local port. Needs
// Debian's pebble package (tested with 2.4.0, which ships no TLS certificate
// for the ACME listener, so one is made here with openssl).
//
//   const ca = await startPebble()
//   certbot ... --server ca.directoryUrl --http-01-port ca.httpPort  (env REQUESTS_CA_BUNDLE=ca.caBundle)
//   await ca.stop()
//
// Both servers are killed on stop(), when the test process exits, and by a
// small watchdog shell if the test process is killed outright.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs'
import { createServer } from 'node:net'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Subprocess } from 'bun'

export const PEBBLE = '/usr/bin/pebble'
export const CHALLTESTSRV = '/usr/bin/pebble-challtestsrv'

export type Pebble = {
  /** https://127.0.0.1:PORT/dir */
  directoryUrl: string
  /** PEM file of the ACME listener's certificate: the trust store for clients (REQUESTS_CA_BUNDLE). */
  caBundle: string
  /** The port Pebble connects to for http-01 validation; the client answers on 127.0.0.1 there. */
  httpPort: number
  /** Answer A queries for host with these addresses instead of 127.0.0.1. */
  mapHost(host: string, addresses: string[]): Promise<void>
  /** What both servers wrote so far (for a failing test's message). */
  log(): string
  stop(): Promise<void>
}

/** Why Pebble cannot run here, or null when it can. */
export function pebbleMissing(): string | null {
  for (const bin of [PEBBLE, CHALLTESTSRV]) if (!existsSync(bin)) return `${bin} not found: install Debian's pebble`
  if (!Bun.which('openssl')) return 'openssl not found'
  return null
}

const running = new Set<{ procs: Subprocess[]; dir: string }>()
let exitHookInstalled = false

function installExitHook() {
  if (exitHookInstalled) return
  exitHookInstalled = true
  process.on('exit', () => {
    for (const r of running) {
      for (const p of r.procs) {
        try {
          p.kill('SIGKILL')
        } catch {}
      }
      try {
        rmSync(r.dir, { recursive: true, force: true })
      } catch {}
    }
  })
}

/** Ports free on 127.0.0.1, distinct; the first `udp` of them free for UDP too (DNS needs both). */
async function freePorts(count: number, udp: number): Promise<number[]> {
  const ports: number[] = []
  for (let attempt = 0; ports.length < count && attempt < 100; attempt++) {
    const port = await new Promise<number>((resolve, reject) => {
      const srv = createServer()
      srv.once('error', reject)
      srv.listen(0, '127.0.0.1', () => {
        const p = (srv.address() as { port: number }).port
        srv.close(() => resolve(p))
      })
    })
    if (ports.includes(port)) continue
    if (ports.length < udp) {
      try {
        const sock = await Bun.udpSocket({ hostname: '127.0.0.1', port })
        sock.close()
      } catch {
        continue
      }
    }
    ports.push(port)
  }
  if (ports.length < count) throw new Error('no free loopback ports for Pebble')
  return ports
}

function spawnLogged(cmd: string[], env: Record<string, string>, append: (s: string) => void): Subprocess {
  const proc = Bun.spawn(cmd, { stdin: 'ignore', stdout: 'pipe', stderr: 'pipe', env: { ...process.env, ...env } })
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder()
    for await (const chunk of stream) append(decoder.decode(chunk, { stream: true }))
  }
  void drain(proc.stdout as ReadableStream<Uint8Array>)
  void drain(proc.stderr as ReadableStream<Uint8Array>)
  return proc
}

export async function startPebble(): Promise<Pebble> {
  const missing = pebbleMissing()
  if (missing) throw new Error(missing)

  const dir = mkdtempSync(join(tmpdir(), 'sctl-pebble-'))
  const certPath = join(dir, 'cert.pem')
  const keyPath = join(dir, 'key.pem')
  const openssl = Bun.spawnSync(
    ['openssl', 'req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes',
     '-keyout', keyPath, '-out', certPath, '-days', '2', '-subj', '/CN=127.0.0.1',
     '-addext', 'subjectAltName=IP:127.0.0.1,DNS:localhost'],
    { stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' },
  )
  if (openssl.exitCode !== 0) {
    rmSync(dir, { recursive: true, force: true })
    throw new Error(`openssl could not make Pebble's certificate: ${openssl.stderr.toString()}`)
  }

  const [dnsPort, acmePort, mgmtPort, httpPort, tlsPort, dnsMgmtPort] = (await freePorts(6, 1)) as [number, number, number, number, number, number]
  writeFileSync(
    join(dir, 'pebble.json'),
    JSON.stringify({
      pebble: {
        listenAddress: `127.0.0.1:${acmePort}`,
        managementListenAddress: `127.0.0.1:${mgmtPort}`,
        certificate: certPath,
        privateKey: keyPath,
        httpPort,
        tlsPort,
        ocspResponderURL: '',
        externalAccountBindingRequired: false,
      },
    }),
  )

  installExitHook()
  let output = ''
  const append = (s: string) => (output += s)
  // Only the mock DNS and its management API: the client under test answers the challenges.
  const dns = spawnLogged(
    [CHALLTESTSRV, '-dns01', `127.0.0.1:${dnsPort}`, '-http01', '', '-https01', '', '-tlsalpn01', '',
     '-management', `127.0.0.1:${dnsMgmtPort}`, '-defaultIPv4', '127.0.0.1', '-defaultIPv6', ''],
    {},
    append,
  )
  const pebble = spawnLogged(
    [PEBBLE, '-config', join(dir, 'pebble.json'), '-dnsserver', `127.0.0.1:${dnsPort}`, '-strict=false'],
    // No random waits before validating, and no refused nonces: speed and no flakes.
    { PEBBLE_VA_NOSLEEP: '1', PEBBLE_WFE_NONCEREJECT: '0' },
    append,
  )
  const entry = { procs: [dns, pebble], dir }
  running.add(entry)

  const watchdog = Bun.spawn(
    ['sh', '-c',
     `while kill -0 ${process.pid} 2>/dev/null && kill -0 ${pebble.pid} 2>/dev/null; do sleep 1; done; kill -9 ${pebble.pid} ${dns.pid} 2>/dev/null; rm -rf '${dir}'`],
    { stdin: 'ignore', stdout: 'ignore', stderr: 'ignore' },
  )
  watchdog.unref()

  let stopped = false
  const stop = async () => {
    if (stopped) return
    stopped = true
    for (const p of [pebble, dns]) p.kill('SIGTERM')
    let timer: ReturnType<typeof setTimeout> | undefined
    const exited = await Promise.race([
      Promise.all([pebble.exited, dns.exited]).then(() => true),
      new Promise<boolean>((resolve) => (timer = setTimeout(() => resolve(false), 5000))),
    ])
    clearTimeout(timer)
    if (!exited) {
      for (const p of [pebble, dns]) p.kill('SIGKILL')
      await Promise.all([pebble.exited, dns.exited])
    }
    try {
      watchdog.kill('SIGKILL')
    } catch {}
    running.delete(entry)
    rmSync(dir, { recursive: true, force: true })
  }

  const directoryUrl = `https://127.0.0.1:${acmePort}/dir`
  const ca = readFileSync(certPath, 'utf8')
  const deadline = Date.now() + 15_000
  for (;;) {
    const dead = [pebble, dns].find((p) => p.exitCode !== null || p.signalCode !== null)
    if (dead) {
      await Bun.sleep(50)
      await stop()
      throw new Error(`${dead === pebble ? 'pebble' : 'pebble-challtestsrv'} exited during start:\n${output}`)
    }
    try {
      const [acme, mgmt] = await Promise.all([
        fetch(directoryUrl, { tls: { ca }, signal: AbortSignal.timeout(1000) }),
        fetch(`http://127.0.0.1:${dnsMgmtPort}/`, { signal: AbortSignal.timeout(1000) }),
      ])
      if (acme.ok && mgmt.status > 0) break
    } catch {}
    if (Date.now() > deadline) {
      await stop()
      throw new Error(`Pebble did not answer within 15 s:\n${output}`)
    }
    await Bun.sleep(25)
  }

  async function mapHost(host: string, addresses: string[]) {
    const res = await fetch(`http://127.0.0.1:${dnsMgmtPort}/add-a`, {
      method: 'POST',
      body: JSON.stringify({ host, addresses }),
      signal: AbortSignal.timeout(5000),
    })
    if (!res.ok) throw new Error(`pebble-challtestsrv did not map ${host}: ${res.status} ${await res.text()}`)
  }

  return { directoryUrl, caBundle: certPath, httpPort, mapHost, log: () => output, stop }
}
