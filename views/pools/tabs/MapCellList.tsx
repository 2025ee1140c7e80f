// The members of one cluster of the fleet map, listed below the map when the
// cluster is selected (and as a page of its own without JavaScript): worst
// first, a page at a time, each linking to its member.
import type { MapCellPage } from '../../../src/pools/map-cell'
import { memberTabHref } from '../../../src/members/tabs'
import { NavLink } from '../../layout/Layout'
import { StatusBadge } from '../../members/MemberTile'
import { cellHref } from './FleetMap'

function PageLink({ poolId, cell, page, children }: { poolId: string; cell: string; page: number; children: string }) {
  const href = `${cellHref(poolId, cell)}?page=${page}`
  return (
    <a href={href} hx-get={href} hx-target="#map-cell" hx-swap="innerHTML ignoreTitle:true" safe>
      {children}
    </a>
  )
}

/** The list's body, swapped into #map-cell. */
export function MapCellList({ poolId, data }: { poolId: string; data: MapCellPage }) {
  const { cell, place, total, members, page, pages, from, to } = data
  if (total === 0) {
    return (
      <div class="map-cell" data-cell={cell}>
        <p class="muted" safe>{`No server with a location is near ${place} now.`}</p>
      </div>
    )
  }
  return (
    <div class="map-cell" data-cell={cell}>
      <h3 safe>{`${total.toLocaleString('en')} server${total === 1 ? '' : 's'} near ${place}`}</h3>
      {members.length ? (
        <ul class="map-cell-list">
          {members.map((m) => {
            const href = memberTabHref(poolId, m.id, 'control')
            return (
              <li data-member-id={m.id}>
                <NavLink href={href}>
                  <span safe>{m.name}</span>
                </NavLink>{' '}
                <StatusBadge status={m.status} />{' '}
                <span class="muted" safe>
                  {[m.hostname, m.label].filter(Boolean).join(' · ')}
                </span>
              </li>
            )
          })}
        </ul>
      ) : (
        <p class="muted" safe>{`No servers on page ${page}: this part of the map has ${pages} page${pages === 1 ? '' : 's'}.`}</p>
      )}
      {pages > 1 ? (
        <p class="map-cell-pages">
          {members.length ? <span safe>{`Servers ${from.toLocaleString('en')}–${to.toLocaleString('en')} of ${total.toLocaleString('en')}. `}</span> : ''}
          {page > 1 ? <PageLink poolId={poolId} cell={cell} page={Math.min(page - 1, pages)}>Previous</PageLink> : ''}
          {page > 1 && page < pages ? ' · ' : ''}
          {page < pages ? <PageLink poolId={poolId} cell={cell} page={page + 1}>Next</PageLink> : ''}
        </p>
      ) : (
        ''
      )}
    </div>
  )
}
