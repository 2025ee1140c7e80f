// The member cards a pool page shows (tiles, member row), the latest refusal
// of each member still waiting to enrol, and a fingerprint for polling.
import type { Db } from '../db'
import * as store from './store'
import { memberCard, type MemberCard } from './view-model'

export async function poolCards(db: Db, members: store.PoolMember[], failoverDelaySeconds: number, now = new Date()) {
  const cards = members.map((m) => memberCard(m, now, { failoverDelaySeconds }))
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
