// One place that turns stored provider settings into a working adapter.
import { CloudflareProvider } from './cloudflare'
import { PowerDnsProvider } from './powerdns'
import { DnsProviderError, type DnsProvider, type ProviderSettings } from './provider'
import { WhmProvider } from './whm'

export function createProvider(settings: ProviderSettings): DnsProvider {
  switch (settings.kind) {
    case 'powerdns':
      return new PowerDnsProvider({ apiUrl: settings.apiUrl, apiKey: settings.apiKey, serverId: settings.serverId })
    case 'cloudflare':
      return new CloudflareProvider({ apiToken: settings.apiToken, baseUrl: settings.baseUrl })
    case 'whm':
      return new WhmProvider({ host: settings.host, username: settings.username, apiToken: settings.apiToken })
    default:
      throw new DnsProviderError(`unknown DNS provider kind "${String((settings as { kind?: unknown }).kind)}"`, false)
  }
}

export { CloudflareProvider, PowerDnsProvider, WhmProvider }
export * from './provider'
