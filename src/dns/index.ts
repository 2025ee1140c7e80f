// One place that turns stored provider settings into a working adapter.
import type { Config } from '../config'
import { CloudflareProvider } from './cloudflare'
import { PowerDnsProvider } from './powerdns'
import { DnsProviderError, type DnsProvider, type ProviderSettings } from './provider'
import { WhmProvider } from './whm'

/** The server settings that decide where providers may be called. */
export type ProviderEnv = Pick<Config, 'allowPrivateProviderHosts' | 'cloudflareApiUrl'>

/** Cloudflare's address comes from the server's settings, never from the stored provider. */
export function cloudflareProvider(apiToken: string, env: ProviderEnv): CloudflareProvider {
  return new CloudflareProvider({ apiToken, baseUrl: env.cloudflareApiUrl ?? undefined })
}

export function createProvider(settings: ProviderSettings, env: ProviderEnv): DnsProvider {
  const outbound = { allowPrivate: env.allowPrivateProviderHosts }
  switch (settings.kind) {
    case 'powerdns':
      return new PowerDnsProvider({ apiUrl: settings.apiUrl, apiKey: settings.apiKey, serverId: settings.serverId, outbound })
    case 'cloudflare':
      return cloudflareProvider(settings.apiToken, env)
    case 'whm':
      return new WhmProvider({ host: settings.host, username: settings.username, apiToken: settings.apiToken, outbound })
    default:
      throw new DnsProviderError(`unknown DNS provider kind "${String((settings as { kind?: unknown }).kind)}"`, false)
  }
}

export { CloudflareProvider, PowerDnsProvider, WhmProvider }
export * from './provider'
