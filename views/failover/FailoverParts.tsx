// The failover block of a pool page: DNS health, the settings card, the API
// providers and the failover log, in the order an operator checks them.
import type { PoolView } from '../pools/PoolPage'
import { failoverHome } from '../../src/failover/view'
import { DnsHealthLoader } from './DnsHealthCard'
import { FailoverCard } from './FailoverCard'
import { FailoverLog } from './FailoverLog'
import { ProvidersCard } from './ProvidersCard'

export function FailoverParts({ view, title }: { view: PoolView; title: string }) {
  const f = view.failover
  const back = failoverHome(view.pool.id, view.tabs.some((t) => t.key === 'dns'))
  return (
    <>
      <DnsHealthLoader poolId={view.pool.id} />
      <FailoverCard title={title} poolId={view.pool.id} status={f.status} cards={view.cards} providers={f.providers} csrf={view.csrf} back={back} form={f.failoverForm} />
      <ProvidersCard poolId={view.pool.id} providers={f.providers} csrf={view.csrf} back={back} form={f.providerForm} />
      <FailoverLog events={f.events} cards={view.cards} />
    </>
  )
}
