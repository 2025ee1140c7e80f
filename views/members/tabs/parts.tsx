// Small pieces several member tabs share.
import type { Firewall } from '../../../agent/protocol'
import type { MemberEvent } from '../../../src/members/store'
import { Badge, EmptyState, Time } from '../../components/ui'

export function FirewallSummary({ firewall }: { firewall?: Firewall | null }) {
  if (!firewall || !firewall.kind) return <span class="muted">no ufw or firewalld found</span>
  return (
    <span>
      <span>{firewall.kind}</span>{' '}
      <Badge tone={firewall.active ? 'ok' : 'warn'}>{firewall.active ? 'active' : 'inactive'}</Badge>{' '}
      <span class="muted" safe>
        {firewall.ruleCount == null ? '' : `${firewall.ruleCount} rules`}
      </span>
    </span>
  )
}

export function ActivityList({ events }: { events: MemberEvent[] }) {
  if (events.length === 0) return <EmptyState title="No activity yet" />
  return (
    <ul class="activity" id="member-activity">
      {events.map((e) => (
        <li class={`activity-${e.level}`}>
          <Time at={e.at} /> <span safe>{e.message}</span>
        </li>
      ))}
    </ul>
  )
}
