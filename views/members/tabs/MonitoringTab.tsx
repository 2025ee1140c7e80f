import type { MemberView } from '../MemberWorkspace'
import { Card } from '../../components/ui'
import { AlertHistory, FiringNow, MemberAlertsForm, TestEmailButton } from '../../alerts/AlertForms'

export function MemberMonitoringTab({ view }: { view: MemberView }) {
  const a = view.alerts!
  const m = view.card.member
  const base = `/pools/${m.poolId}/members/${m.id}/monitoring`
  return (
    <div class="stack">
      <Card title="Firing now" actions={<TestEmailButton action={`${base}/test-email`} csrf={view.csrf} />}>
        <FiringNow states={a.firing} />
      </Card>
      <Card title="Alerts for this server">
        <MemberAlertsForm action={base} settings={a.settings} csrf={view.csrf} form={a.form} />
      </Card>
      <AlertHistory rows={a.history} />
    </div>
  )
}
