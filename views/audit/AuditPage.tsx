import type { AuditRow } from '../../src/audit/store'
import { auditTarget } from '../../src/audit/target'
import { NavLink } from '../layout/Layout'
import { Card, EmptyState, Time, Table } from '../components/ui'

export type AuditView = {
  events: AuditRow[]
  nextBeforeId: number | null
  poolId: string | null
  pools: { id: string; name: string }[]
}

function auditHref(poolId: string | null, beforeId?: number) {
  const q = new URLSearchParams()
  if (poolId) q.set('pool', poolId)
  if (beforeId) q.set('before', String(beforeId))
  const s = q.toString()
  return s ? `/audit?${s}` : '/audit'
}

/** A deleted pool by the name its own audit rows last gave it. */
function deletedPoolName(view: AuditView): string {
  const named = view.events.find((e) => e.targetType === 'pool' && e.targetId === view.poolId && e.targetLabel)
  return named ? `${named.targetLabel} (deleted)` : 'A deleted pool'
}

function Filter({ view }: { view: AuditView }) {
  const known = view.pools.some((p) => p.id === view.poolId)
  return (
    <form method="get" action="/audit" class="inline-form" hx-get="/audit" hx-target="#main" hx-push-url="true">
      <div class="field">
        <label for="audit-pool">Pool</label>
        <select id="audit-pool" name="pool" hx-get="/audit" hx-target="#main" hx-push-url="true">
          <option value="">All pools and the rest</option>
          {view.pools.map((p) => (
            <option value={p.id} selected={p.id === view.poolId} safe>
              {p.name}
            </option>
          ))}
          {view.poolId && !known ? (
            <option value={view.poolId} selected safe>
              {deletedPoolName(view)}
            </option>
          ) : (
            ''
          )}
        </select>
      </div>
      <noscript>
        <button type="submit" class="button">
          Filter
        </button>
      </noscript>
    </form>
  )
}

function AuditTargetCell({ event }: { event: AuditRow }) {
  const target = auditTarget(event)
  if (target.gone) {
    return (
      <span class="muted" safe>
        {target.text}
      </span>
    )
  }
  const name = target.href ? (
    <NavLink href={target.href}>
      <span safe>{target.text}</span>
    </NavLink>
  ) : (
    <span safe>{target.text}</span>
  )
  return (
    <>
      {name}{' '}
      <span class="muted" safe>
        {target.kind}
      </span>
    </>
  )
}

export function AuditPage({ view }: { view: AuditView }) {
  return (
    <div class="page">
      <header class="page-head">
        <div>
          <h1>Audit log</h1>
          <p class="muted">Every change, newest first: who, what, which target, when and from which address.</p>
        </div>
      </header>
      <Card actions={<Filter view={view} />}>
        {view.events.length === 0 ? (
          <EmptyState title="Nothing recorded here yet" />
        ) : (
          <Table id="audit-table" columns={['When', 'Who', 'Action', 'Target', 'Source IP']}>
              {view.events.map((e) => (
                <tr>
                  <td class="nowrap">
                    <Time at={e.at} />
                  </td>
                  <td safe>{e.actorLabel}</td>
                  <td>
                    <code safe>{e.action}</code>
                  </td>
                  <td>
                    <AuditTargetCell event={e} />
                  </td>
                  <td class="muted" safe>
                    {e.ip ?? ''}
                  </td>
                </tr>
              ))}
            </Table>
        )}
        {view.nextBeforeId ? (
          <div class="pager">
            <NavLink href={auditHref(view.poolId, view.nextBeforeId)} class="button">
              Older entries
            </NavLink>
          </div>
        ) : (
          ''
        )}
      </Card>
    </div>
  )
}
