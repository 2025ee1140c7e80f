// The Managed DNS tab: the protected accounts' DNS (loaded after the page, as
// it asks every provider), the pool's API providers, then Dynamic DNS (the
// failover hostname's health, settings and log). The providers and failover
// pieces are the same components the Settings tab used.
import type { PoolView } from '../PoolPage'
import { failoverHome } from '../../../src/failover/view'
import { DnsHealthLoader } from '../../failover/DnsHealthCard'
import { FailoverCard } from '../../failover/FailoverCard'
import { FailoverLog } from '../../failover/FailoverLog'
import { ProvidersCard } from '../../failover/ProvidersCard'
import { ProtectedDns, ProtectedDnsLoader, type ProtectedDnsData } from './dns/ProtectedDns'
import { Notice } from '../../components/ui'

/** The panel the Managed DNS handler built (src/managed-dns/routes.tsx), with a refusal above it; or the tab as it stands. */
export function ManagedDnsTab({ view }: { view: PoolView }) {
  if (view.panel) return view.panel
  return <ManagedDnsContent view={view} />
}

/** `records`: the protected accounts' part when the handler has read it (a refused dialog to reopen); else it loads after the page. */
export function ManagedDnsContent({ view, notice, records }: { view: PoolView; notice?: string; records?: ProtectedDnsData }) {
  const f = view.failover
  const back = failoverHome(view.pool.id, true)
  return (
    <div class="stack">
      {notice ? (
        <Notice kind="error">
          <span safe>{notice}</span>
        </Notice>
      ) : (
        ''
      )}
      {records ? <ProtectedDns data={records} /> : <ProtectedDnsLoader poolId={view.pool.id} />}
      <ProvidersCard poolId={view.pool.id} providers={f.providers} csrf={view.csrf} back={back} form={f.providerForm} />
      <div class="mdns-section" id="mdns-dynamic">
        <h2>Dynamic DNS: the failover hostname</h2>
        <p class="muted small">Apart from the protected accounts above: failover hostnames whose A record follows the pool's active member, through one of the API providers.</p>
      </div>
      <DnsHealthLoader poolId={view.pool.id} />
      <FailoverCard title="Dynamic DNS" poolId={view.pool.id} status={f.status} cards={view.cards} providers={f.providers} csrf={view.csrf} back={back} form={f.failoverForm} />
      <FailoverLog events={f.events} cards={view.cards} />
    </div>
  )
}
