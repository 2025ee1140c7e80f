import { escapeHtml } from '@kitajs/html'
import type { FailoverEvent } from '../../src/failover/store'
import type { MemberCard } from '../../src/members/view-model'
import { Badge, Card, EmptyState, Table, Time } from '../components/ui'

const REASONS: Record<string, string> = {
  initial: 'first active member',
  active_down: 'active member down',
  failback: 'failback',
  manual: 'made active by hand',
  no_healthy_standby: 'held back: no healthy standby',
  agent_silent_host_answers: 'held back: agent silent, host answers',
}

export function FailoverLog({ events, cards }: { events: FailoverEvent[]; cards: MemberCard[] }) {
  const name = (id: string | null) => (id ? (cards.find((c) => c.member.id === id)?.member.name ?? id) : '–')
  return (
    <Card title="Failover log" id="failover-log">
      {events.length === 0 ? (
        <EmptyState title="No failover events yet" />
      ) : (
        <Table id="failover-events" columns={['Detected', 'From', 'To', 'Reason', 'Completed', 'DNS']}>
          {events.map((e) => {
            const dns = e.dnsResult as { provider?: string | null; verified?: boolean; note?: string } | null
            return (
              <tr>
                <td class="nowrap">
                  <Time at={e.detectedAt} />
                </td>
                <td safe>{name(e.fromMemberId)}</td>
                <td safe>{name(e.toMemberId)}</td>
                <td>
                  <Badge tone={e.status === 'done' ? 'ok' : e.status === 'pending' ? 'warn' : 'bad'}>
                    <span safe>{REASONS[e.reason] ?? e.reason}</span>
                  </Badge>
                </td>
                <td class="nowrap">{e.status === 'done' ? <Time at={e.completedAt} /> : <span class="muted">{escapeHtml(e.status === 'pending' ? `in progress, try ${e.attempts}` : '–')}</span>}</td>
                <td>
                  {e.lastError && e.status !== 'done' ? (
                    <span class="field-error" safe>
                      {e.lastError}
                    </span>
                  ) : dns?.verified ? (
                    <span safe>{`${dns.provider ?? ''}: written and verified`}</span>
                  ) : (
                    <span class="muted" safe>
                      {dns?.note ?? ''}
                    </span>
                  )}
                </td>
              </tr>
            )
          })}
        </Table>
      )}
    </Card>
  )
}
