// What pool pages show of failover: the state for the header on every tab;
// the settings, providers and log on the tab that holds them (Managed DNS
// when it is visible, else Settings).
import type { Deps } from '../server/deps'
import { listProviders } from '../dns/service'
import type { DnsProviderRow } from '../dns/store'
import { memberNames } from '../members/store'
import type { Pool } from '../pools/store'
import { failoverStatusOf, type FailoverStatus } from './service'
import * as store from './store'
import type { FailoverForm } from '../../views/failover/FailoverCard'
import type { ProviderForm } from '../../views/failover/ProvidersCard'

export type FailoverSection = {
  status: FailoverStatus
  /** Names of the members the header's banner speaks of, by id. */
  names: Record<string, string>
  providers: DnsProviderRow[]
  events: store.FailoverEvent[]
  failoverForm?: FailoverForm
  providerForm?: ProviderForm
}

export async function failoverSection(
  deps: Deps,
  pool: Pick<Pool, 'id' | 'activeMemberId'>,
  config: store.FailoverConfig,
  withDetails: boolean,
): Promise<FailoverSection> {
  const status = await failoverStatusOf(deps, pool, config)
  const [names, providers, events] = await Promise.all([
    memberNames(deps.db, bannerMemberIds(status)),
    withDetails ? listProviders(deps.db, pool.id) : [],
    withDetails ? store.listEvents(deps.db, pool.id, 50) : [],
  ])
  return { status, names, providers, events }
}

/** The members the banner names: a page need not hold every member to show it. */
function bannerMemberIds({ state, latest, lastDone }: FailoverStatus): string[] {
  const ids = state === 'failover_active' ? [lastDone?.fromMemberId, lastDone?.toMemberId] : state === 'held_back' || state === 'cutting' ? [latest?.fromMemberId, latest?.toMemberId] : []
  return ids.filter((id): id is string => !!id)
}

/** Where the failover settings live for this pool. */
export const failoverHome = (poolId: string, dnsTabVisible: boolean) => `/pools/${poolId}/${dnsTabVisible ? 'dns' : 'settings'}`
