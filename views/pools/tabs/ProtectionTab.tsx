import type { PoolView } from '../PoolPage'
import { Card, EmptyState } from '../../components/ui'

/** The panel the Protection handler loaded (views/pools/tabs/protection/); this stands in only where a page was built without it. */
export function ProtectionTab({ view }: { view: PoolView }) {
  if (view.panel) return view.panel
  return (
    <Card title="Protection">
      <EmptyState title="Protection">
        <p>Open the Protection tab to see the protected accounts of this pool.</p>
      </EmptyState>
    </Card>
  )
}
