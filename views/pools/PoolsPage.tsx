import type { PoolWithCounts } from '../../src/pools/store'
import { NavLink } from '../layout/Layout'
import { Card, EmptyState, Time, Table } from '../components/ui'
import { presetLabel } from './presets'
import { memberTabHref } from '../../src/members/tabs'

function ActiveMember({ pool }: { pool: PoolWithCounts }) {
  if (!pool.activeMemberId || !pool.activeMemberName) return <span class="muted">none</span>
  return (
    <NavLink href={memberTabHref(pool.id, pool.activeMemberId, 'status')}>
      <span safe>{pool.activeMemberName}</span>
    </NavLink>
  )
}

export function PoolsPage({ pools }: { pools: PoolWithCounts[] }) {
  return (
    <div class="page">
      <header class="page-head">
        <div>
          <h1>Pools</h1>
          <p class="muted">Each pool is a set of servers that share failover DNS and pool-wide settings.</p>
        </div>
        <NavLink href="/pools/new" class="button primary">
          Create pool
        </NavLink>
      </header>
      {pools.length === 0 ? (
        <Card>
          <EmptyState title="No pools yet">
            <p>Create a pool, then enrol your servers into it with one pasted command.</p>
            <NavLink href="/pools/new" class="button primary">
              Create your first pool
            </NavLink>
          </EmptyState>
        </Card>
      ) : (
        <Card>
          <Table id="pools-table" columns={['Name', 'Preset', { label: 'Members', num: true }, 'Active member', 'Created']}>
              {pools.map((pool) => (
                <tr>
                  <td>
                    <NavLink href={`/pools/${pool.id}`} class="strong">
                      <span safe>{pool.name}</span>
                    </NavLink>
                  </td>
                  <td safe>{presetLabel(pool.preset)}</td>
                  <td class="num">{pool.memberCount}</td>
                  <td>
                    <ActiveMember pool={pool} />
                  </td>
                  <td>
                    <Time at={pool.createdAt} />
                  </td>
                </tr>
              ))}
            </Table>
        </Card>
      )}
    </div>
  )
}
