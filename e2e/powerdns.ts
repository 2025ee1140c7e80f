// A real PowerDNS for a spec, started by src/testing/powerdns-serve.ts under
// Bun, and `dig` to read what a resolver would be told.
import { execFile, spawn } from 'node:child_process'
import { promisify } from 'node:util'
import { APP_ROOT } from './server'

export type PowerDns = { apiUrl: string; apiKey: string; serverId: string; dnsPort: number; stop: () => Promise<void> }

export async function startPowerDns(zones: string[]): Promise<PowerDns> {
  const child = spawn('bun', ['src/testing/powerdns-serve.ts', ...zones], { cwd: APP_ROOT, stdio: ['pipe', 'pipe', 'pipe'] })
  let output = ''
  child.stderr!.setEncoding('utf8').on('data', (s: string) => (output += s))
  const exited = new Promise<void>((done) => child.once('exit', () => done()))
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)
  const line = await new Promise<string>((done, fail) => {
    let out = ''
    child.stdout!.setEncoding('utf8').on('data', (s: string) => {
      out += s
      if (out.includes('\n')) done(out.split('\n')[0]!)
    })
    void exited.then(() => fail(new Error(`PowerDNS did not start:\n${output}`)))
  })
  const stop = async () => {
    child.stdin!.end()
    await Promise.race([exited, new Promise((r) => setTimeout(r, 5000))])
    child.kill('SIGKILL')
    process.off('exit', killOnExit)
  }
  return { ...JSON.parse(line), stop }
}

/** The A records of `name` as this PowerDNS answers them (`dig +short`). */
export async function dig(dnsPort: number, name: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)('dig', ['@127.0.0.1', '-p', String(dnsPort), '+short', '+time=1', '+tries=2', name, 'A'])
  return stdout.split('\n').map((l) => l.trim()).filter(Boolean).sort()
}
