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

export type FleetCards = {
  status: FleetStatus
  /** The tiles on screen: the 120 that most need a look, or all. */
  tiles: MemberCard[]
  /** The member row. */
  row: MemberCard[]
  /** The members on the map. */
  located: MemberCard[]
  notes: Record<string, string>
  ptag: string
}

/**
 * The pool Overview, whatever the size of the fleet: the database counts
 * every member and reads out only the tiles, the member row and the map.
 */
export async function fleetCards(db: Db, poolId: string, opts: { all?: boolean; now?: Date } = {}): Promise<FleetCards> {
  const now = opts.now ?? new Date()
  const fleet = await store.poolOverview(db, poolId, { now, tiles: opts.all ? null : TILE_LIMIT, row: MEMBER_ROW_LIMIT })
  const card = (m: store.PoolMember) => memberCard(m, now)
  const [tiles, row, located] = [fleet.tiles.map(card), fleet.row.map(card), fleet.located.map(card)]
  const f = fleet.figures
  const status: FleetStatus = {
    members: f.members,
    healthy: f.healthy,
    lastCheckIn: f.lastHeartbeatAt ? heartbeatAge(f.lastHeartbeatAt, now) : 'never',
    outdated: f.versions.reduce((n, [version, count]) => n + (isOutdated(version) ? count : 0), 0),
    cpanel: f.cpanel,
  }
  const notes = await pendingNotes(db, tiles)
  return { status, tiles, row, located, notes, ptag: fingerprint([...tiles, ...row, ...located], notes, status) }
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
function fingerprint(cards: MemberCard[], notes: Record<string, string>, status: FleetStatus): string {
  const shown = cards.map((c) => [
    c.member.id, c.member.name, c.member.hostname, c.member.location, c.status, c.age, c.osName, c.detected, c.outdated,
    c.cpu, c.memPercent, c.diskPercent, notes[c.member.id] ?? null,
  ])
  return Bun.hash(JSON.stringify([shown, status])).toString(36)
}
