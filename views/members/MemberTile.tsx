import { STACK_LABELS, type MemberCard } from '../../src/members/view-model'
import type { TilePage } from '../../src/members/cards'
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
 * Where a list of tiles polls: the list the page came with (page 1, or the
 * page in the URL) brings the Fleet status figures, the map and the member
 * row along; a page added by "Show more" polls its own tiles alone.
 */
export function tilesPollHref(poolId: string, page: number, added: boolean): string {
  if (added) return `/pools/${poolId}/tiles?page=${page}&part=page`
  return `/pools/${poolId}/tiles${page > 1 ? `?page=${page}` : ''}`
}

/**
 * One page of tiles, polled while the page is visible. The server answers
 * 304 with no body when nothing changed (hx-ptag), so an idle pool costs
 * nothing. `added`: a later page appended under the first by "Show more";
 * it polls less often, since each page's poll ranks the whole fleet and an
 * operator may have added many.
 */
export function MemberTiles({ poolId, cards, notes, ptag, page = 1, added = false }: { poolId: string; cards: MemberCard[]; notes: Record<string, string>; ptag: string; page?: number; added?: boolean }) {
  return (
    <ul
      class="tiles"
      id={added ? `member-tiles-p${page}` : 'member-tiles'}
      data-page={String(page)}
      hx-get={tilesPollHref(poolId, page, added)}
      hx-trigger={added ? 'every 10s' : 'every 3s'}
      hx-swap="outerHTML"
      hx-ptag={ptag}
    >
      {cards.map((card) => (
        <MemberTile card={card} note={notes[card.member.id]} />
      ))}
    </ul>
  )
}

const n = (x: number) => x.toLocaleString('en')

/**
 * Under the tiles of a fleet of more than one page: which members are on
 * screen, and "Show more", which appends the next page (and puts it in the
 * URL: a reload opens on that page). `first` is the page the list began at.
 */
export function TilesMore({ poolId, page, first }: { poolId: string; page: TilePage; first: number }) {
  if (page.pages === 1 && page.page === 1) return ''
  const firstLink = first > 1 ? <a href={`/pools/${poolId}`}>First page</a> : ''
  if (page.to < page.from) {
    return (
      <p class="tiles-more" id="tiles-more">
        <span safe>{`No members on page ${n(page.page)}: the pool's ${n(page.total)} members fit on ${n(page.pages)} page${page.pages === 1 ? '' : 's'}.`}</span>{' '}
        <a href={`/pools/${poolId}`}>First page</a>
      </p>
    )
  }
  const shownFrom = (first - 1) * page.size + 1
  const range = `members ${n(shownFrom)}–${n(page.to)} of ${n(page.total)}`
  if (page.page >= page.pages) {
    return (
      <p class="tiles-more" id="tiles-more" data-last="true">
        <span safe>{`That is all: ${range}.`}</span> {firstLink}
      </p>
    )
  }
  const next = page.page + 1
  return (
    <p class="tiles-more" id="tiles-more">
      <span safe>{`Showing ${range}, those that most need a look first (down, late, pending, then healthy).`}</span> {firstLink}
      {first > 1 ? ' · ' : ''}
      <a
        class="button"
        href={`/pools/${poolId}?page=${next}`}
        hx-get={`/pools/${poolId}/tiles?page=${next}&part=more&first=${first}`}
        hx-target="#tiles-more"
        hx-swap="outerHTML"
        hx-push-url={`/pools/${poolId}?page=${next}`}
      >
        Show more
      </a>
    </p>
  )
}
