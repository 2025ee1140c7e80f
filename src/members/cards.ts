// The member cards a pool page shows (tiles, member row, map), the latest
// refusal of each member still waiting to enrol, and a fingerprint for polling.
import type { Db } from '../db'
import * as store from './store'
import { heartbeatAge } from './status'
import { isOutdated, memberCard, TILE_LIMIT, type MemberCard } from './view-model'
import { MEMBER_ROW_LIMIT } from '../pools/tabs'

/** One card per member, for the member row of the pages other than the Overview (which reads its own: fleetCards). */
export function rowCards(members: store.PoolMember[], now = new Date()): MemberCard[] {
  return members.map((m) => memberCard(m, now))
}

/** Fleet status as the Overview shows it. */
export type FleetStatus = { members: number; healthy: number; lastCheckIn: string; outdated: number; cpanel: number }

/** Which page of tiles is on screen: members `from`–`to` (1-based) of `total`, in the tiles' order. */
export type TilePage = { page: number; size: number; total: number; from: number; to: number; pages: number }

export type FleetCards = {
  status: FleetStatus
  /** The tiles on screen: one page (TILE_LIMIT), those that most need a look first. */
  tiles: MemberCard[]
  page: TilePage
  /** The member row. */
  row: MemberCard[]
  /** The map: located members counted per cell (src/geo/cells.ts). */
  cells: store.MapCell[]
  notes: Record<string, string>
  ptag: string
}

/**
 * The pool Overview, whatever the size of the fleet: the database counts
 * every member and reads out only a page of tiles, the member row and the
 * map's cells. `tilesOnly` is for a later page of tiles, polled on its own.
 */
export async function fleetCards(db: Db, poolId: string, opts: { page?: number; tilesOnly?: boolean; now?: Date } = {}): Promise<FleetCards> {
  const now = opts.now ?? new Date()
  const page = Math.max(1, Math.floor(opts.page ?? 1))
  const size = TILE_LIMIT
  const fleet = await store.poolOverview(db, poolId, {
    now,
    tiles: { offset: (page - 1) * size, limit: size },
    row: opts.tilesOnly ? 0 : MEMBER_ROW_LIMIT,
    map: !opts.tilesOnly,
  })
  const card = (m: store.PoolMember) => memberCard(m, now)
  const [tiles, row] = [fleet.tiles.map(card), fleet.row.map(card)]
  const f = fleet.figures
  const status: FleetStatus = {
    members: f.members,
    healthy: f.healthy,
    lastCheckIn: f.lastHeartbeatAt ? heartbeatAge(f.lastHeartbeatAt, now) : 'never',
    outdated: f.versions.reduce((n, [version, count]) => n + (isOutdated(version) ? count : 0), 0),
    cpanel: f.cpanel,
  }
  const from = (page - 1) * size + 1
  const tilePage: TilePage = { page, size, total: f.members, from, to: from + tiles.length - 1, pages: Math.max(1, Math.ceil(f.members / size)) }
  const notes = await pendingNotes(db, tiles)
  return { status, tiles, page: tilePage, row, cells: fleet.cells, notes, ptag: fingerprint([...tiles, ...row], fleet.cells, notes, status) }
}

/** Why each member still waiting to enrol was last refused, for its tile. */
async function pendingNotes(db: Db, cards: MemberCard[]): Promise<Record<string, string>> {
  const notes: Record<string, string> = {}
  const pending = cards.filter((c) => c.status === 'pending').map((c) => c.member.id)
  for (const last of await store.latestEvents(db, pending)) {
    if (last.level === 'error') notes[last.memberId] = last.message
  }
  return notes
}

/**
 * Changes exactly when something the page shows of its members changes. A
 * 64-bit wyhash, not SHA-1: the tag only tells one state from the next.
 */
function fingerprint(cards: MemberCard[], cells: store.MapCell[], notes: Record<string, string>, status: FleetStatus): string {
  const shown = cards.map((c) => [
    c.member.id, c.member.name, c.member.hostname, c.member.location, c.status, c.age, c.osName, c.detected, c.outdated,
    c.cpu, c.memPercent, c.diskPercent, notes[c.member.id] ?? null,
  ])
  return Bun.hash(JSON.stringify([shown, cells, status])).toString(36)
}
