import { escapeHtml } from '@kitajs/html'
import type { FailoverEvent } from '../../src/failover/store'
import { describeEvent, reasonLabel } from '../../src/failover/words'
import type { MemberCard } from '../../src/members/view-model'
import { Badge, Card, EmptyState, Table, Time } from '../components/ui'

export function FailoverLog({ events, cards }: { events: FailoverEvent[]; cards: MemberCard[] }) {
  const name = (id: string) => cards.find((c) => c.member.id === id)?.member.name ?? id
  const cell = (id: string | null) => (id ? name(id) : '–')
  return (
    <Card title="Failover log" id="failover-log">
      {events.length === 0 ? (
        <EmptyState title="No failover events yet" />
      ) : (
        <Table id="failover-events" columns={['Detected', 'From', 'To', 'Reason', 'Completed', 'DNS']}>
          {events.map((e) => {
            const words = describeEvent(e, name)
            const failed = e.status !== 'done' && !!e.lastError
            return (
              <tr>
                <td class="nowrap">
                  <Time at={e.detectedAt} />
                </td>
                <td safe>{cell(e.fromMemberId)}</td>
                <td safe>{cell(e.toMemberId)}</td>
                <td>
                  <Badge tone={e.status === 'done' ? 'ok' : e.status === 'pending' ? 'warn' : 'bad'}>
                    <span safe>{reasonLabel(e.reason)}</span>
                  </Badge>
                </td>
                <td class="nowrap">{e.status === 'done' ? <Time at={e.completedAt} /> : <span class="muted">{escapeHtml(e.status === 'pending' ? `in progress, try ${e.attempts}` : '–')}</span>}</td>
                <td class={failed ? 'field-error' : e.status === 'done' ? '' : 'muted'} safe>
                  {e.status === 'blocked' && failed ? e.lastError : words.dns}
                </td>
              </tr>
            )
          })}
        </Table>
      )}
    </Card>
  )
}
