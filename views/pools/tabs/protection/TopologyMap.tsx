// Where the primaries and their standbys are: the pool Overview's world map
// (its bundled base layer and point layout) with an arrow per source →
// standby pair, and an honest note when members have no location.
import { worldLand } from '../../../../src/geo/world'
import { DOT_RADIUS, LABEL_TIERS, layoutPoints } from '../../../../src/geo/points'
import type { ProtectionTabData } from '../../../../src/protection/tab-data'
import { EMPTY_MAP_TEXT, WORLD_MAP_ASSET, WorldMap } from '../../../components/WorldMap'

export function TopologyMap({ data }: { data: ProtectionTabData }) {
  const names = new Map(data.servers.map((s) => [s.id, s.name]))
  const note = data.unlocated.length ? (
    <p class="hint" id="protection-map-note" safe>
      {`Not on the map (no location set on their Settings tab): ${data.unlocated.join(', ')}.`}
    </p>
  ) : (
    ''
  )
  if (!data.points.length) {
    return (
      <div id="protection-map">
        <WorldMap points={[]} />
        {data.servers.length ? '' : <p class="muted">{EMPTY_MAP_TEXT}</p>}
        {note}
      </div>
    )
  }
  const world = worldLand()
  const placed = layoutPoints(data.points)
  const at = new Map(placed.map((p) => [p.id, p]))
  const roles = (id: string) => {
    const primary = data.links.some((l) => l.from === id) || data.accounts.some((a) => a.sourceMemberId === id)
    const standby = data.links.some((l) => l.to === id) || data.accounts.some((a) => a.standbyMemberId === id)
    return primary && standby ? 'both' : primary ? 'primary' : standby ? 'standby' : 'none'
  }
  return (
    <div id="protection-map">
      <figure class="world-map protection-map">
        <svg class="world-map-svg" viewBox={world.viewBox} role="img" aria-label="Primaries and standbys" preserveAspectRatio="xMidYMid meet">
          <defs>
            <marker id="pm-arrow" viewBox="0 0 10 10" refX="9" refY="5" markerWidth="6" markerHeight="6" orient="auto-start-reverse">
              <path d="M 0 0 L 10 5 L 0 10 z" class="pm-arrow-head" />
            </marker>
          </defs>
          <use class="wm-ocean" href={`${WORLD_MAP_ASSET}#ocean`} />
          <use class="wm-grid" href={`${WORLD_MAP_ASSET}#grid`} />
          <use class="wm-land" href={`${WORLD_MAP_ASSET}#land`} />
          <g class="pm-links">
            {data.links.map((l) => {
              const a = at.get(l.from)
              const b = at.get(l.to)
              if (!a || !b) return ''
              return (
                <line class="pm-link" x1={String(a.x)} y1={String(a.y)} x2={String(b.x)} y2={String(b.y)} marker-end="url(#pm-arrow)" data-from={l.from} data-to={l.to}>
                  <title safe>{`${names.get(l.from) ?? a.name} → ${names.get(l.to) ?? b.name}: ${l.count} account${l.count === 1 ? '' : 's'}`}</title>
                </line>
              )
            })}
          </g>
          <g class="wm-points">
            {placed.map((p) => (
              <a class={`wm-point wm-${p.tone} pm-${roles(p.id)}`} href={p.href} hx-get={p.href} hx-target="#pool-panel" hx-push-url="true" data-member-id={p.id} data-role={roles(p.id)}>
                <title safe>{[p.name, roles(p.id) === 'none' ? 'not in the topology' : roles(p.id), p.label].filter(Boolean).join(' — ')}</title>
                <circle class="wm-dot" cx={String(p.x)} cy={String(p.y)} r={String(DOT_RADIUS)} />
                {p.labels
                  ? LABEL_TIERS.map(({ tier }) => {
                      const l = p.labels![tier]
                      if (!l) return ''
                      return (
                        <text class={`wm-label wm-label-${tier}`} x={String(l.x)} y={String(l.y)} text-anchor={l.anchor} font-size={String(l.size)} stroke-width={(l.size * 0.27).toFixed(1)} safe>
                          {l.text}
                        </text>
                      )
                    })
                  : ''}
              </a>
            ))}
          </g>
        </svg>
        <figcaption class="muted small">
          {data.links.length ? 'Arrows run from the server an account lives on to its standby.' : 'No protected account has both its servers located yet.'}
        </figcaption>
      </figure>
      {note}
    </div>
  )
}
