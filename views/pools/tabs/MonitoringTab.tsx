import type { PoolView } from '../PoolPage'
import { Card } from '../../components/ui'
import { AlertHistory, FiringNow, PoolAlertsForm, TestEmailButton } from '../../alerts/AlertForms'

export function MonitoringTab({ view }: { view: PoolView }) {
  const a = view.alerts!
  const base = `/pools/${view.pool.id}/monitoring`
  return (
    <div class="stack">
      <Card title="Firing now" actions={<TestEmailButton action={`${base}/test-email`} csrf={view.csrf} />}>
        <FiringNow states={a.firing} />
        <p class="muted">Pool monitoring covers the fleet and failover. Per-server heartbeat and resource alerts are on each member's Monitoring tab.</p>
      </Card>
      <Card title="Pool alerts">
        <PoolAlertsForm action={base} settings={a.settings} csrf={view.csrf} form={a.form} />
      </Card>
      <AlertHistory rows={a.history} />
    </div>
  )
}
