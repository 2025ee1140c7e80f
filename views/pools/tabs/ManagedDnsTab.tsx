import type { PoolView } from '../PoolPage'
import { FailoverParts } from '../../failover/FailoverParts'

export function ManagedDnsTab({ view }: { view: PoolView }) {
  return (
    <div class="stack">
      <FailoverParts view={view} title="Dynamic DNS" />
    </div>
  )
}
