import type { MemberView } from '../MemberWorkspace'
import { Badge, Card, EmptyState, Kpi, Table } from '../../components/ui'
import { NotDetected } from './NotDetected'

export function OpenLiteSpeedTab({ view }: { view: MemberView }) {
  const ols = view.card.stacks.openlitespeed
  if (!ols) {
    return (
      <NotDetected stack="OpenLiteSpeed" install="recipe.install_openlitespeed" view={view}>
        <p>
          This tab is for servers where OpenLiteSpeed is the web server. cPanel/Apache hosts show this overlay by
          design.
        </p>
      </NotDetected>
    )
  }
  const host = view.card.member.publicIpv4 ?? view.card.member.hostname
  return (
    <div class="stack">
      <Card title="OpenLiteSpeed">
        <div class="kpis">
          <Kpi label="Version" value={ols.version ?? 'unknown'} />
          <Kpi label="Server" value={ols.running ? 'running' : 'stopped'} />
          <Kpi label="Virtual hosts" value={ols.vhosts.length} />
          <Kpi label="WebAdmin port" value={ols.adminPort ?? '–'} />
        </div>
        {ols.adminPort ? (
          <p>
            <a href={`https://${host}:${ols.adminPort}/`} target="_blank" rel="noopener noreferrer">
              Open WebAdmin
            </a>
          </p>
        ) : (
          ''
        )}
      </Card>
      <Card title="Virtual hosts">
        {ols.vhosts.length === 0 ? (
          <EmptyState title="No virtual hosts configured" />
        ) : (
          <Table id="vhosts-table" columns={['Name', 'Root', 'Domains']}>
                {ols.vhosts.map((v) => (
                  <tr>
                    <td safe>{v.name}</td>
                    <td>
                      <code safe>{v.root ?? ''}</code>
                    </td>
                    <td>
                      {v.domains.map((d) => (
                        <Badge>
                          <span safe>{d}</span>
                        </Badge>
                      ))}
                    </td>
                  </tr>
                ))}
              </Table>
        )}
      </Card>
    </div>
  )
}
