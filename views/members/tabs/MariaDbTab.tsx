import type { MemberView } from '../MemberWorkspace'
import { formatBytes } from '../../../src/members/view-model'
import { memberTabHref } from '../../../src/members/tabs'
import { Card, EmptyState, Kpi, Notice, Table } from '../../components/ui'
import { NotDetected } from './NotDetected'

// The agent reports which server answers; people know them by these names.
const FLAVOR_NAMES = { mariadb: 'MariaDB', mysql: 'MySQL' } as const

export function MariaDbTab({ view }: { view: MemberView }) {
  const db = view.card.stacks.mariadb
  const galera = view.card.stacks.galera
  const m = view.card.member
  if (!db) {
    return (
      <NotDetected stack="MariaDB / MySQL" install="recipe.install_mariadb" view={view}>
        <p>This tab fills in when the agent finds a MariaDB or MySQL server on this host.</p>
      </NotDetected>
    )
  }
  const apps = view.card.apps
  return (
    <div class="stack">
      {db.managedBy === 'cpanel' ? (
        <Notice kind="info">
          MySQL on this host is managed by cPanel. Use the{' '}
          <a href={memberTabHref(m.poolId, m.id, 'cpanel')}>cPanel tab</a> for account-level database work.
        </Notice>
      ) : (
        ''
      )}
      <Card title="Overview">
        <div class="kpis">
          <Kpi label="Version" value={db.version ?? 'unknown'} hint={db.flavor ? FLAVOR_NAMES[db.flavor] : undefined} />
          <Kpi label="Server" value={db.running ? 'running' : 'stopped'} />
          <Kpi label="Databases" value={db.databases.length} />
          <Kpi label="Total size" value={formatBytes(db.databases.reduce((n, d) => n + (d.sizeBytes ?? 0), 0))} />
        </div>
      </Card>
      {galera ? (
        <Card title="Galera (wsrep)">
          <div class="kpis">
            <Kpi label="Cluster status" value={galera.clusterStatus ?? '–'} />
            <Kpi label="Cluster size" value={galera.clusterSize ?? '–'} />
            <Kpi label="Local state" value={galera.localState ?? '–'} />
            <Kpi label="Ready" value={galera.ready == null ? '–' : galera.ready ? 'yes' : 'no'} />
          </div>
          <p class="muted">serversctl reads wsrep state only; it does not run quorum, SST or writer election. DNS active ≠ Galera primary.</p>
        </Card>
      ) : (
        ''
      )}
      <Card title="Databases">
        {db.databases.length === 0 ? (
          <EmptyState title="No databases found" />
        ) : (
          <Table id="databases-table" columns={['Database', { label: 'Size', num: true }, 'Used by']}>
                {db.databases.map((d) => {
                  const app = apps.find((a) => a.dbName === d.name)
                  return (
                    <tr>
                      <td safe>{d.name}</td>
                      <td class="num" safe>
                        {formatBytes(d.sizeBytes)}
                      </td>
                      <td class="muted">{app ? <code safe>{`WordPress ${app.path}`}</code> : ''}</td>
                    </tr>
                  )
                })}
              </Table>
        )}
      </Card>
    </div>
  )
}
