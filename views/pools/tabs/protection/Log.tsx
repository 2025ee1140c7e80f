// The replication log: sync, DNS cut, transfer, failure, skipped and stale
// events, newest first, filtered by kind (?kind= in the address).
import type { ProtectionTabData } from '../../../../src/protection/tab-data'
import { EVENT_KINDS, EVENT_LABELS } from '../../../../src/protection/tab-model'
import { Badge, EmptyState, Table, Time } from '../../../components/ui'
import { logHref } from './parts'

const KIND_TONE = { sync: 'ok', cut: 'info', transfer: 'info', failure: 'bad', skipped: 'warn', stale: 'warn' } as const

export function ReplicationLog({ data }: { data: ProtectionTabData }) {
  const users = new Map(data.accounts.map((a) => [a.id, a.user]))
  const filters: [string | null, string][] = [[null, 'All'], ...EVENT_KINDS.map((k) => [k, EVENT_LABELS[k]] as [string, string])]
  return (
    <section class="card" id="protection-log" data-kind={data.kind ?? ''}>
      <header class="card-head">
        <h2>Replication log</h2>
      </header>
      <nav class="filters" aria-label="Event kinds">
        {filters.map(([kind, label]) => {
          const href = logHref(data.poolId, kind)
          const current = kind === data.kind
          return (
            <a
              href={href}
              hx-get={href}
              hx-target="#protection-log"
              hx-swap="outerHTML"
              hx-push-url="true"
              class={current ? 'chip current' : 'chip'}
              aria-current={current ? 'true' : undefined}
              data-kind={kind ?? 'all'}
              safe
            >
              {label}
            </a>
          )
        })}
      </nav>
      {data.events.length === 0 ? (
        <EmptyState title={data.kind ? `No ${EVENT_LABELS[data.kind].toLowerCase()} events` : 'No replication events yet'}>
          <p>
            {data.kind
              ? 'Choose All to see every kind.'
              : 'Each run, skipped run, failure, stale account and DNS cut is written here as it happens.'}
          </p>
        </EmptyState>
      ) : (
        <Table id="protection-log-table" columns={['When', 'Kind', 'Account', 'What happened']}>
          {data.events.map((ev) => {
            const detailUser = typeof ev.detail?.user === 'string' ? ev.detail.user : null
            const user = (ev.protectedAccountId ? users.get(ev.protectedAccountId) : null) ?? detailUser
            return (
              <tr data-event-kind={ev.kind} data-event-id={String(ev.id)}>
                <td class="small nowrap">
                  <Time at={ev.at} />
                </td>
                <td>
                  <Badge tone={KIND_TONE[ev.kind]}>
                    <span safe>{EVENT_LABELS[ev.kind]}</span>
                  </Badge>
                </td>
                <td>{user ? <span safe>{user}</span> : <span class="muted">–</span>}</td>
                <td class="break" safe>
                  {ev.message}
                </td>
              </tr>
            )
          })}
        </Table>
      )}
    </section>
  )
}
