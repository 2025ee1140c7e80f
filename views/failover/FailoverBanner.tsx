import { escapeHtml } from '@kitajs/html'
import type { FailoverSection } from '../../src/failover/view'
import { Notice, Time } from '../components/ui'

/** "Failover active" after a cut, and a louder line while failover is held back. */
export function FailoverBanner({ section }: { section: FailoverSection }) {
  const { state, lastDone, latest } = section.status
  const name = (id: string | null | undefined) => (id ? section.names[id] : undefined) ?? id ?? 'none'
  if (state === 'failover_active' && lastDone) {
    return (
      <Notice kind="warn">
        <strong>Failover active.</strong> <span safe>{`DNS moved from ${name(lastDone.fromMemberId)} to ${name(lastDone.toMemberId)}`}</span> at{' '}
        <Time at={lastDone.completedAt} />.
      </Notice>
    )
  }
  if (state === 'held_back' && latest) {
    const why = latest.reason === 'agent_silent_host_answers' ? 'its agent is silent but the host still answers the probe' : 'no standby is healthy'
    return (
      <Notice kind="error">
        <strong>Active member down.</strong> <span safe>{`${name(latest.fromMemberId)} stopped reporting and failover held back: ${why}.`}</span>
      </Notice>
    )
  }
  if (state === 'cutting') {
    return (
      <Notice kind="warn">
        <strong>Cut in progress.</strong> <span>{escapeHtml(latest?.lastError ? `Last try failed: ${latest.lastError}. Retrying.` : 'Writing DNS records.')}</span>
      </Notice>
    )
  }
  return ''
}
