// The member cards a pool page shows (tiles, member row), the latest refusal
// of each member still waiting to enrol, and a fingerprint for polling.
import type { Db } from '../db'
import * as store from './store'
import { memberCard, tilesFirst, type MemberCard } from './view-model'

/**
 * One card per member. `tiles` is the Overview's: it reads the tile details
 * (operating system, stacks, resource use) of the tiles it shows, the first
 * 120 or all of them; other pages show no tile and read none.
 */
export async function poolCards(db: Db, members: store.PoolMember[], failoverDelaySeconds: number, opts: { tiles?: 'first' | 'all'; now?: Date } = {}) {
  const now = opts.now ?? new Date()
  const card = (m: store.PoolMember) => memberCard(m, now, { failoverDelaySeconds })
  let cards = members.map(card)
  if (opts.tiles) {
    const shown = opts.tiles === 'all' ? cards : tilesFirst(cards)
    cards = (await store.withTileDetails(db, members, shown.map((c) => c.member.id))).map(card)
  }
  const notes: Record<string, string> = {}
  const pending = cards.filter((c) => c.status === 'pending').map((c) => c.member.id)
  for (const last of await store.latestEvents(db, pending)) {
    if (last.level === 'error') notes[last.memberId] = last.message
  }
  return { cards, notes, ptag: fingerprint(cards, notes) }
}

/**
 * Changes exactly when something a tile shows changes. A 64-bit wyhash, not
 * SHA-1: the tag only tells one state from the next, and for a thousand
 * members SHA-1 took 0.7 ms of every page and poll.
 */
export function fingerprint(cards: MemberCard[], notes: Record<string, string>): string {
  const shown = cards.map((c) => [
    c.member.id, c.member.name, c.member.hostname, c.status, c.age, c.osName, c.detected, c.outdated,
    c.cpu, c.memPercent, c.diskPercent, notes[c.member.id] ?? null,
  ])
  return Bun.hash(JSON.stringify(shown)).toString(36)
}
