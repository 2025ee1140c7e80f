import type { MemberView } from '../MemberWorkspace'
import { Card, EmptyState, Kpi, Table } from '../../components/ui'
import { NotDetected } from './NotDetected'

export function CpanelTab({ view }: { view: MemberView }) {
  const cp = view.card.stacks.cpanel
  if (!cp) {
    return (
      <NotDetected stack="cPanel / WHM" install="recipe.install_cpanel" view={view}>
        <p>This tab fills in when the agent finds cPanel/WHM on this host.</p>
      </NotDetected>
    )
  }
  return (
    <div class="stack">
      <Card title="cPanel / WHM">
        <div class="kpis">
          <Kpi label="Version" value={cp.version ?? 'unknown'} />
          <Kpi label="Accounts" value={cp.accounts.length} />
        </div>
      </Card>
      <Card title="Accounts">
        {cp.accounts.length === 0 ? (
          <EmptyState title="No cPanel accounts" />
        ) : (
          <Table id="cpanel-accounts-table" columns={['User', 'Main domain']}>
                {cp.accounts.map((a) => (
                  <tr>
                    <td safe>{a.user}</td>
                    <td safe>{a.domain ?? ''}</td>
                  </tr>
                ))}
              </Table>
        )}
      </Card>
    </div>
  )
}
