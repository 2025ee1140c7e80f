import { escapeHtml } from '@kitajs/html'
import type { MemberView } from '../MemberWorkspace'
import { formatBytes, serviceRows } from '../../../src/members/view-model'
import { Badge, Card, EmptyState, Table } from '../../components/ui'
import { FirewallSummary, MemberActivity } from './parts'
import { Chart } from '../Chart'
import { QuickActions } from './QuickActions'

type HostState = NonNullable<MemberView['card']['state']>

/** What a chart's percentage is of, from the latest heartbeat: the caption says it once, no figures repeated below. */
function chartDetail(label: string, s: HostState): string | undefined {
  if (label === 'Memory' && s.memory) return `${formatBytes(s.memory.usedBytes)} of ${formatBytes(s.memory.totalBytes)}`
  if (label === 'Disk' && s.disks.length) return `${s.disks.length} filesystem${s.disks.length === 1 ? '' : 's'}`
  if (label === 'Load') return '1-minute average'
  return undefined
}

export function ControlTab({ view }: { view: MemberView }) {
  const { card } = view
  const s = card.state
  const m = card.member
  const services = serviceRows(s?.services ?? [], card.stacks)
  return (
    <div class="stack">
      <Card title="Health">
        <div class="strip">
          <span>
            Agent <strong safe>{m.agentVersion ?? 'not enrolled'}</strong>
            {card.outdated ? <Badge tone="warn">outdated</Badge> : ''}
          </span>
          <span>
            Heartbeat <strong safe>{card.age}</strong>
          </span>
          <span>
            Firewall <FirewallSummary firewall={s?.firewall} />
          </span>
        </div>
      </Card>
      {s ? (
        <Card title={view.charts?.length ? `Resources, ${view.charts[0]!.span}` : 'Resources'}>
          <div class="charts" id="member-charts">
            {(view.charts ?? []).map((series) => (
              <Chart series={series} detail={chartDetail(series.label, s)} />
            ))}
          </div>
        </Card>
      ) : (
        <Card title="Resources">
          <EmptyState title="No heartbeat yet">
            <p>CPU, memory, disk and load appear with the agent's first heartbeat.</p>
          </EmptyState>
        </Card>
      )}
      <QuickActions view={view} />
      <Card title="Services">
        {services.length === 0 ? (
          <EmptyState title="No services of detected stacks" />
        ) : (
          <Table id="services-table" columns={['Unit', 'Stack', 'State']}>
            {services.map((svc) => (
              <tr>
                <td>
                  <code safe>{svc.unit}</code>
                </td>
                <td safe>{svc.stack}</td>
                <td>
                  <Badge tone={svc.tone}>
                    <span safe>{svc.state}</span>
                  </Badge>
                  {svc.note ? (
                    <div class="hint" safe>
                      {svc.note}
                    </div>
                  ) : (
                    ''
                  )}
                </td>
              </tr>
            ))}
          </Table>
        )}
      </Card>
      <Card title="SSL / TLS">
        {(s?.certificates ?? []).length === 0 ? (
          <EmptyState title="No certificates found for hosted domains" />
        ) : (
          <Table id="certificates-table" columns={['Domain', 'Expires', 'Days left', 'Issuer']}>
                {s!.certificates!.map((c) => {
                  const days = c.notAfter ? Math.floor((Date.parse(c.notAfter) - Date.now()) / 86_400_000) : null
                  return (
                    <tr>
                      <td safe>{c.domain}</td>
                      <td>{escapeHtml(c.notAfter ? c.notAfter.slice(0, 10) : '–')}</td>
                      <td>
                        <Badge tone={days == null ? 'muted' : days < 7 ? 'bad' : days < 21 ? 'warn' : 'ok'}>
                          <span safe>{days == null ? '–' : String(days)}</span>
                        </Badge>
                      </td>
                      <td class="muted" safe>
                        {c.issuer ?? ''}
                      </td>
                    </tr>
                  )
                })}
              </Table>
        )}
      </Card>
      <MemberActivity view={view} />
    </div>
  )
}
