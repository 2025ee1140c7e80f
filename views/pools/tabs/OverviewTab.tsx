import type { PoolView } from '../PoolPage'
import { NavLink } from '../../layout/Layout'
import { Card, EmptyState, Kpi } from '../../components/ui'

export function OverviewTab({ view }: { view: PoolView }) {
  const id = view.pool.id
  return (
    <div class="stack">
      <Card
        title="Fleet status"
        actions={
          <div class="card-actions">
            <NavLink href={`/pools/${id}/settings`} class="button">
              Pool settings
            </NavLink>
          </div>
        }
      >
        <div class="kpis">
          <Kpi label="Members" value={view.members.length} />
        </div>
      </Card>
      <Card title="Servers">
        {view.members.length === 0 ? (
          <EmptyState title="No servers in this pool yet">
            <p>
              Each server you enrol shows here as a tile with its status, heartbeat age, operating system, detected
              stacks and resource use.
            </p>
          </EmptyState>
        ) : (
          <ul class="tiles">
            {view.members.map((m) => (
              <li class="tile">
                <span class="strong" safe>
                  {m.name}
                </span>
              </li>
            ))}
          </ul>
        )}
      </Card>
    </div>
  )
}
