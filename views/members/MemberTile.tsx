import { STACK_LABELS, TILE_LIMIT, type MemberCard } from '../../src/members/view-model'
import { memberTabHref } from '../../src/members/tabs'
import { Badge } from '../components/ui'
import type { MemberStatus } from '../../src/members/status'

export const STATUS_TONE: Record<MemberStatus, 'ok' | 'warn' | 'bad' | 'muted'> = {
  pending: 'muted',
  healthy: 'ok',
  late: 'warn',
  down: 'bad',
}

export function StatusBadge({ status }: { status: MemberStatus }) {
  return (
    <Badge tone={STATUS_TONE[status]}>
      <span class="status" data-status={status}>
        {status}
      </span>
    </Badge>
  )
}

function Meter({ label, value }: { label: string; value: number | null }) {
  const shown = value == null ? '–' : `${Math.round(value)}%`
  const tone = value == null ? '' : value >= 90 ? ' bad' : value >= 75 ? ' warn' : ''
  return (
    <div class="meter">
      <span class="meter-label" safe>
        {label}
      </span>
      <span class={`meter-bar${tone}`}>
        <span style={`width:${value == null ? 0 : Math.min(100, Math.max(0, value))}%`}></span>
      </span>
      <span class="meter-value" safe>
        {shown}
      </span>
    </div>
  )
}

/** One enrolled server on the pool overview; the whole tile opens its workspace. */
export function MemberTile({ card, note }: { card: MemberCard; note?: string | null }) {
  const m = card.member
  const href = memberTabHref(m.poolId, m.id, 'control')
  return (
    <li class={`tile tile-${card.status}`} data-member-id={m.id}>
      <a class="tile-link" href={href} hx-get={href} hx-target="#pool-panel" hx-push-url="true">
        <div class="tile-head">
          <span class="tile-name" safe>
            {m.name}
          </span>
          <StatusBadge status={card.status} />
        </div>
        <div class="tile-sub muted" title={m.hostname} safe>
          {m.hostname}
        </div>
        <div class="tile-sub muted" title={card.osName} safe>
          {card.osName}
        </div>
        <div class="tile-sub muted">
          heartbeat <span class="heartbeat-age" safe>{card.age}</span>
          {card.outdated ? (
            <>
              {' '}
              · <span class="warn-text">agent outdated</span>
            </>
          ) : (
            ''
          )}
        </div>
        <div class="tile-stacks">
          {card.detected.length === 0 ? (
            <span class="muted">no stacks detected</span>
          ) : (
            card.detected.map((k) => (
              <Badge tone="info">
                <span safe>{STACK_LABELS[k]}</span>
              </Badge>
            ))
          )}
        </div>
        {card.status === 'pending' ? (
          <p class="tile-note" safe>
            {note ?? 'Waiting for the agent to enrol. Run the install command on the server.'}
          </p>
        ) : (
          <div class="meters">
            <Meter label="CPU" value={card.cpu} />
            <Meter label="Mem" value={card.memPercent} />
            <Meter label="Disk" value={card.diskPercent} />
          </div>
        )}
      </a>
    </li>
  )
}

/**
 * The tiles, polled while the page is visible. The server answers 304 with
 * no body when nothing changed (hx-ptag), so an idle pool costs nothing.
 */
export function MemberTiles({ poolId, cards, notes, ptag, all }: { poolId: string; cards: MemberCard[]; notes: Record<string, string>; ptag: string; all?: boolean }) {
  return (
    <ul
      class="tiles"
      id="member-tiles"
      hx-get={`/pools/${poolId}/tiles${all ? '?all=1' : ''}`}
      hx-trigger="every 3s"
      hx-swap="outerHTML"
      hx-ptag={ptag}
    >
      {cards.map((card) => (
        <MemberTile card={card} note={notes[card.member.id]} />
      ))}
    </ul>
  )
}

/** Under the tiles of a large fleet: how many are left out, and the way to see them all. */
export function TilesMore({ poolId, total, all }: { poolId: string; total: number; all?: boolean }) {
  if (all || total <= TILE_LIMIT) return ''
  return (
    <p class="tiles-more">
      <span safe>{`Showing the ${TILE_LIMIT} members that most need a look (down, late, pending first), of ${total}.`}</span>{' '}
      <a href={`/pools/${poolId}?all=1`}>Show all</a>
    </p>
  )
}
