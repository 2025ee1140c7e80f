// `bun src/testing/powerdns-serve.ts ZONE...`: a real PowerDNS for a process
// that cannot run Bun's APIs itself (Playwright runs under Node). It prints
// one JSON line, {apiUrl, apiKey, serverId, dnsPort}, once the zones exist,
// and stops PowerDNS when its stdin closes, that is when its parent goes.
import { startPowerDns } from './powerdns'

const pdns = await startPowerDns()
for (const zone of process.argv.slice(2)) await pdns.addZone(zone)
console.log(JSON.stringify({ apiUrl: pdns.apiUrl, apiKey: pdns.apiKey, serverId: pdns.serverId, dnsPort: pdns.dnsPort }))
for await (const _ of Bun.stdin.stream()) {
  // Nothing is sent; the loop ends when the parent closes the pipe or dies.
}
await pdns.stop()
process.exit(0)
