// A real PowerDNS for a spec, started by src/testing/powerdns-serve.ts under
// Bun, and `dig` to read what a resolver would be told.
import { execFile } from 'node:child_process'
import { promisify } from 'node:util'
import { startBunChild } from './bun-child'

export type PowerDns = { apiUrl: string; apiKey: string; serverId: string; dnsPort: number; stop: () => Promise<void> }

export function startPowerDns(zones: string[]): Promise<PowerDns> {
  return startBunChild<Omit<PowerDns, 'stop'>>('PowerDNS', 'src/testing/powerdns-serve.ts', zones)
}

/** The A records of `name` as this PowerDNS answers them (`dig +short`). */
export async function dig(dnsPort: number, name: string): Promise<string[]> {
  const { stdout } = await promisify(execFile)('dig', ['@127.0.0.1', '-p', String(dnsPort), '+short', '+time=1', '+tries=2', name, 'A'])
  return stdout.split('\n').map((l) => l.trim()).filter(Boolean).sort()
}
