// The Overview's Fleet geography: one dot per cell of the map's grid, so a
// fleet of any size sends a few hundred dots at most. A member alone in its
// cell is its own dot, linking to it; a cluster says how many members it
// holds and the worst status among them, and lists them below the map on
// demand (GET /pools/:poolId/map/:cell).
import { worldLand } from '../../../src/geo/world'
import { DOT_RADIUS } from '../../../src/geo/points'
import { layoutFleetMap, type PlacedCluster } from '../../../src/geo/clusters'
import type { MapCell } from '../../../src/members/store'
import { BaseLayer, CompactMap, Labels } from '../../components/WorldMap'

/** The cluster dot's radius in viewBox units on the widest map; app.css grows it with the dots. */
const CLUSTER_RADIUS = 8

export const cellHref = (poolId: string, cell: string) => `/pools/${poolId}/map/${cell}`

// Kept short: a fleet spread over the world has a few hundred of them. The
// title is the dot's tooltip and its accessible name.
function Cluster({ poolId, c }: { poolId: string; c: PlacedCluster }) {
  const href = cellHref(poolId, c.cell)
  return (
    <a class={`wm-cluster wm-${c.tone}`} href={href} hx-get={href} data-count={String(c.count)}>
      <title safe>{c.text}</title>
      <circle cx={String(c.x)} cy={String(c.y)} r={String(CLUSTER_RADIUS)} />
      <text x={String(c.x)} y={String(c.y)} safe>
        {c.short}
      </text>
    </a>
  )
}

export function FleetMap({ poolId, cells }: { poolId: string; cells: MapCell[] }) {
  if (cells.length === 0) return <CompactMap id="fleet-map" />
  const world = worldLand()
  const { points, clusters, legend } = layoutFleetMap(poolId, cells)
  return (
    <figure class="world-map" id="fleet-map">
      <svg class="world-map-svg" viewBox={world.viewBox} role="img" aria-label="Fleet geography" preserveAspectRatio="xMidYMid meet">
        <BaseLayer />
        <g class="wm-points">
          <g {...{ 'hx-target:inherited': '#map-cell', 'hx-swap:inherited': 'innerHTML ignoreTitle:true' }}>
            {clusters.map((c) => (
              <Cluster poolId={poolId} c={c} />
            ))}
          </g>
          {points.map((p) => (
            <a class={`wm-point wm-${p.tone}`} href={p.href} hx-get={p.href} hx-target="#pool-panel" hx-push-url="true" data-member-id={p.id}>
              <title safe>{[p.name, p.status, p.label].filter(Boolean).join(' — ')}</title>
              <circle class="wm-dot" cx={String(p.x)} cy={String(p.y)} r={String(DOT_RADIUS)} />
              {p.labels ? <Labels labels={p.labels} /> : ''}
            </a>
          ))}
        </g>
      </svg>
      <figcaption class="world-map-caption">
        <ul class="world-map-legend">
          {legend.map(({ status, tone, n }) => (
            <li>
              <span class={`dot dot-${tone}`}></span>
              <span safe>{`${n.toLocaleString('en')} ${status}`}</span>
            </li>
          ))}
        </ul>
        {clusters.length ? <p class="muted wm-hint">A bigger dot with a number is several servers close together: select it to list them.</p> : ''}
      </figcaption>
    </figure>
  )
}
