import type { PoolView } from '../PoolPage'
import { NavLink } from '../../layout/Layout'
import { Card, EmptyState, Kpi } from '../../components/ui'
import { MemberTiles } from '../../members/MemberTile'

export function OverviewTab({ view }: { view: PoolView }) {
  const id = view.pool.id
  const healthy = view.cards.filter((c) => c.status === 'healthy').length
  const outdated = view.cards.filter((c) => c.outdated).length
  return (
    <div class="stack">
      <Card
        title="Fleet status"
        actions={
          <div class="card-actions">
            <NavLink href={`/pools/${id}/members/new`} class="button primary">
              Add server
            </NavLink>
            <NavLink href={`/pools/${id}/settings`} class="button">
              Pool settings
            </NavLink>
          </div>
        }
      >
        <div class="kpis">
          <Kpi label="Members" value={view.cards.length} />
          <Kpi label="Healthy agents" value={healthy} />
          <Kpi label="Outdated agents" value={outdated} />
        </div>
      </Card>
      <Card title="Servers">
        {view.cards.length === 0 ? (
          <EmptyState title="No servers in this pool yet">
            <p>
              Add a server, then paste its install command on the VM. Each server shows here as a tile with its status,
              heartbeat age, operating system, detected stacks and resource use.
            </p>
            <NavLink href={`/pools/${id}/members/new`} class="button primary">
              Add server
            </NavLink>
          </EmptyState>
        ) : (
          <MemberTiles poolId={id} cards={view.cards} notes={view.notes} ptag={view.ptag} />
        )}
      </Card>
    </div>
  )
}
