// Where the fleet is: an inline SVG world map, drawn on the server from
// bundled map data (no tiles, no requests to other hosts), one dot per member
// with a location, coloured by status and linking to the member.
import { worldLand } from '../../src/geo/world'
import { DOT_RADIUS, LABEL_TIERS, layoutPoints, type MapPoint, type MapTone, type PlacedPoint } from '../../src/geo/points'

export type { MapPoint } from '../../src/geo/points'

export const EMPTY_MAP_TEXT = "No member has a location yet. Set one on a member's Settings tab."

const LEGEND_ORDER = ['healthy', 'late', 'down', 'pending']

/** Where the base layer is served (src/http/assets.ts). */
export const WORLD_MAP_ASSET = '/assets/world-map.svg'

// Ocean, grid and land are the same on every map: the browser fetches and
// caches them once; each class colours one layer, which its path inherits.
export function BaseLayer() {
  return (
    <>
      <use class="wm-ocean" href={`${WORLD_MAP_ASSET}#ocean`} />
      <use class="wm-grid" href={`${WORLD_MAP_ASSET}#grid`} />
      <use class="wm-land" href={`${WORLD_MAP_ASSET}#land`} />
    </>
  )
}

/**
 * With no member located there is nothing to find on a full-width map: a
 * thumbnail of the land beside the way to add a location, some 60 px tall
 * instead of 450. The ocean is left off, so no cropped globe edge shows.
 */
export function CompactMap({ id }: { id?: string }) {
  return (
    <figure class="world-map world-map-compact" id={id}>
      <svg class="world-map-svg" viewBox={worldLand().viewBox} aria-hidden="true" preserveAspectRatio="xMidYMid meet">
        <use class="wm-land" href={`${WORLD_MAP_ASSET}#land`} />
      </svg>
      <figcaption class="world-map-caption muted">{EMPTY_MAP_TEXT}</figcaption>
    </figure>
  )
}

export function WorldMap({ points, id }: { points: MapPoint[]; id?: string }) {
  if (points.length === 0) return <CompactMap id={id} />
  const world = worldLand()
  const placed = layoutPoints(points)
  return (
    <figure class="world-map" id={id}>
      <svg class="world-map-svg" viewBox={world.viewBox} role="img" aria-label="Fleet geography" preserveAspectRatio="xMidYMid meet">
        <BaseLayer />
        {placed.length ? (
          <g class="wm-points">
            {placed.map((p) => (
              <a class={`wm-point wm-${p.tone}`} href={p.href} hx-get={p.href} hx-target="#pool-panel" hx-push-url="true" data-member-id={p.id}>
                <title safe>{[p.name, p.status, p.label].filter(Boolean).join(' — ')}</title>
                <circle class="wm-dot" cx={p.x} cy={p.y} r={DOT_RADIUS} />
                {p.labels ? <Labels labels={p.labels} /> : ''}
              </a>
            ))}
          </g>
        ) : (
          ''
        )}
      </svg>
      <Legend points={points} />
    </figure>
  )
}

/** A point's label at each size; app.css shows the one that suits the map's width. */
export function Labels({ labels }: { labels: NonNullable<PlacedPoint['labels']> }) {
  return (
    <>
      {LABEL_TIERS.map(({ tier }) => {
        const l = labels[tier]
        if (!l) return ''
        return (
          <text class={`wm-label wm-label-${tier}`} x={l.x} y={l.y} text-anchor={l.anchor} font-size={l.size} stroke-width={(l.size * 0.27).toFixed(1)} safe>
            {l.text}
          </text>
        )
      })}
    </>
  )
}

/** Counts by status, in the tiles' colours: "● 3 healthy  ● 1 down". */
function Legend({ points }: { points: MapPoint[] }) {
  const counts = new Map<string, { tone: MapTone; n: number }>()
  for (const p of points) {
    const c = counts.get(p.status)
    if (c) c.n++
    else counts.set(p.status, { tone: p.tone, n: 1 })
  }
  const rank = (s: string) => (LEGEND_ORDER.includes(s) ? LEGEND_ORDER.indexOf(s) : LEGEND_ORDER.length)
  const entries = [...counts.entries()].sort((a, b) => rank(a[0]) - rank(b[0]) || a[0].localeCompare(b[0]))
  return (
    <figcaption class="world-map-caption">
      <ul class="world-map-legend">
        {entries.map(([status, { tone, n }]) => (
          <li>
            <span class={`dot dot-${tone}`}></span>
            <span safe>{`${n} ${status}`}</span>
          </li>
        ))}
      </ul>
    </figcaption>
  )
}
