import type { PoolView } from '../PoolPage'
import { Card, EmptyState } from '../../components/ui'

export function ProtectionTab({ view }: { view: PoolView }) {
  return (
    <div class="stack">
      <Card title="Protection">
        <EmptyState title="No protected accounts">
          <p>
            Protection keeps cPanel accounts warm on a standby: a scheduled WHM backup, stored securely, restored on
            the standby member, with an optional DNS cut per account. {view.members.length} members are in
            this pool.
          </p>
        </EmptyState>
      </Card>
      <Card title="Replication log">
        <EmptyState title="No replication events yet" />
      </Card>
    </div>
  )
}
