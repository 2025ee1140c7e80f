// What pool pages show of failover: the state for the header on every tab;
// the settings, providers and log on the tab that holds them (Managed DNS
// when it is visible, else Settings).
import type { Deps } from '../server/deps'
import { listProviders } from '../dns/service'
import type { DnsProviderRow } from '../dns/store'
import { failoverStatus, type FailoverStatus } from './service'
import * as store from './store'
import type { FailoverForm } from '../../views/failover/FailoverCard'
import type { ProviderForm } from '../../views/failover/ProvidersCard'

export type FailoverSection = {
  status: FailoverStatus
  providers: DnsProviderRow[]
  events: store.FailoverEvent[]
  failoverForm?: FailoverForm
  providerForm?: ProviderForm
}

export async function failoverSection(deps: Deps, poolId: string, withDetails: boolean): Promise<FailoverSection> {
  const status = await failoverStatus(deps, poolId)
  if (!withDetails) return { status, providers: [], events: [] }
  const [providers, events] = await Promise.all([listProviders(deps.db, poolId), store.listEvents(deps.db, poolId, 50)])
  return { status, providers, events }
}

/** Where the failover settings live for this pool. */
export const failoverHome = (poolId: string, dnsTabVisible: boolean) => `/pools/${poolId}/${dnsTabVisible ? 'dns' : 'settings'}`
