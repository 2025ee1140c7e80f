import type { MemberView } from '../MemberWorkspace'
import { Card, EmptyState, Kpi, Time } from '../../components/ui'

export function SecurityTab({ view }: { view: MemberView }) {
  const fw = view.card.state?.firewall
  return (
    <div class="stack">
      <Card title="Firewall">
        {!view.card.state ? (
          <EmptyState title="No heartbeat yet">
            <p>The firewall summary arrives with the agent's first heartbeat.</p>
          </EmptyState>
        ) : (
          <div class="kpis">
            <Kpi label="Firewall" value={fw?.kind ?? 'none found'} />
            <Kpi label="State" value={fw?.kind ? (fw.active ? 'enabled' : 'disabled') : '–'} />
            <Kpi label="Rules" value={fw?.ruleCount ?? '–'} />
          </div>
        )}
        {view.card.member.lastHeartbeatAt ? (
          <p class="muted">
            Last sync <Time at={view.card.member.lastHeartbeatAt} />
          </p>
        ) : (
          ''
        )}
      </Card>
    </div>
  )
}
