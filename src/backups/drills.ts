// Restore drills: each database that has backups gets its latest snapshot
// restored into a scratch database and its table checksums compared, once
// per the pool's drill interval (7 days by default, 0 turns it off).
import type { Db } from '../db'
import type { Actor } from '../audit/service'
import { HttpError } from '../http/errors'
import { findMember } from '../members/store'
import { memberFacts, queueJob } from '../jobs/service'
import * as store from './store'

export const DEFAULT_DRILL_DAYS = 7
/** A drill that ended without an outcome (its agent went away) is tried again after this, not every hour. */
const RETRY_AFTER_MS = 24 * 3600 * 1000
const drillActor: Actor = { userId: null, label: 'restore drill', ip: null }

type Series = { latest: store.DrillCandidate; lastTried: number; ids: string[] }

function seriesOf(snaps: store.DrillCandidate[]): Map<string, Series> {
  const series = new Map<string, Series>()
  for (const s of snaps) {
    const key = `${s.memberId}\u0000${s.source}`
    const tried = Math.max(s.provenAt?.getTime() ?? 0, s.drillFailedAt?.getTime() ?? 0)
    const cur = series.get(key)
    if (!cur) {
      series.set(key, { latest: s, lastTried: tried, ids: [s.id] })
      continue
    }
    cur.ids.push(s.id)
    cur.lastTried = Math.max(cur.lastTried, tried)
    if (s.createdAt > cur.latest.createdAt) cur.latest = s
  }
  return series
}

export type DrillTickResult = { queued: number; refused: number }

/** The leader's hourly pass: queues snapshot.drill for each database series that is due. */
export async function queueDueDrills(db: Db, now = new Date()): Promise<DrillTickResult> {
  const result: DrillTickResult = { queued: 0, refused: 0 }
  const [snaps, intervals, busy] = await Promise.all([
    store.databaseSnapshots(db),
    store.drillIntervals(db),
    store.recentDrillSnapshotIds(db, new Date(now.getTime() - RETRY_AFTER_MS)),
  ])
  for (const { latest, lastTried, ids } of seriesOf(snaps).values()) {
    const days = intervals.get(latest.poolId) ?? DEFAULT_DRILL_DAYS
    if (days <= 0 || lastTried > now.getTime() - days * 86_400_000) continue
    if (ids.some((id) => busy.has(id))) continue
    const member = await findMember(db, latest.memberId!)
    if (!member) continue
    const facts = memberFacts(member)
    if (!facts.checkedIn || !facts.stacks.mariadb) continue
    try {
      await queueJob(db, drillActor, member.id, 'snapshot.drill', { snapshotId: latest.id }, { through: true, now })
      result.queued++
    } catch (err) {
      if (!(err instanceof HttpError) || err.status >= 500) throw err
      result.refused++
    }
  }
  return result
}
