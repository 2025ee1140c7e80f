import type { PoolView } from '../PoolPage'
import { Card, EmptyState } from '../../components/ui'

export function ManagedDnsTab({ view: _view }: { view: PoolView }) {
  return (
    <div class="stack">
      <Card title="DNS health">
        <EmptyState title="No DNS provider linked">
          <p>Zones, record health and drift show here once a DNS provider is added to this pool.</p>
        </EmptyState>
      </Card>
      <Card title="API providers">
        <EmptyState title="No API providers yet" />
      </Card>
    </div>
  )
}
