import type { PoolView } from '../PoolPage'
import { Card, EmptyState } from '../../components/ui'

export function MonitoringTab({ view }: { view: PoolView }) {
  return (
    <div class="stack">
      <Card title="Infrastructure alerts">
        <EmptyState title="No pool-wide alerts are set">
          <p>
            Pool monitoring covers the fleet as a whole: any member going silent, outdated agents, and the failover
            email. Per-server heartbeat and resource alerts live on each member's Monitoring tab.
          </p>
          {view.members.length === 0 ? <p class="muted">This pool has no members to watch yet.</p> : ''}
        </EmptyState>
      </Card>
    </div>
  )
}
