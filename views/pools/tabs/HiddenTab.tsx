import type { PoolView } from '../PoolPage'
import { NavLink } from '../../layout/Layout'
import { Card, EmptyState } from '../../components/ui'

/** A deep link to a tab this pool does not show (yet): say why, not 404. */
export function HiddenTab({ view }: { view: PoolView }) {
  const { cpanel } = view
  return (
    <Card>
      <EmptyState title="This tab is not available for this pool">
        <p>
          Protection and Managed DNS appear when two or more members of the pool report cPanel. This pool has{' '}
          {cpanel} cPanel member{cpanel === 1 ? '' : 's'}.
        </p>
        <NavLink href={`/pools/${view.pool.id}`} class="button">
          Back to overview
        </NavLink>
      </EmptyState>
    </Card>
  )
}
