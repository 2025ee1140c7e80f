// Outages and recoveries in a member's history. The leader's tick finds the
// members whose "down or not" changed since their last such event and writes
// it, dated when it happened (the last heartbeat plus the pool's failover
// delay; the heartbeat that came back), not when the tick noticed.
//
// While no server process ran, no heartbeat could arrive: silence is counted
// from when this process's ticks started at the earliest, so a restart after
// a long stop does not write every member down (and back a moment later).
// A member silent since before then is written down one delay after it.
import type { Db } from '../db'
import * as store from './store'
import { DEFAULT_FAILOVER_DELAY_SECONDS } from './status'

type OutageEvent = Parameters<typeof store.insertOutageEvent>[1]

const utc = (d: Date) => `${d.toISOString().slice(0, 19).replace('T', ' ')} UTC`

/** "40 s", "3 min 5 s", "2 h 4 min", "3 d 2 h". */
export function spanText(ms: number): string {
  const s = Math.max(0, Math.round(ms / 1000))
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`
  const h = Math.floor(m / 60)
  if (h < 24) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`
  const d = Math.floor(h / 24)
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`
}

export function outageEvent(c: store.OutageChange, countFrom: Date | null = null): OutageEvent {
  const silentFrom = Math.max(c.lastHeartbeatAt.getTime(), countFrom?.getTime() ?? 0)
  return {
    memberId: c.memberId,
    kind: 'outage',
    at: new Date(silentFrom + c.delaySeconds * 1000),
    level: 'error',
    message: `No heartbeat for ${c.delaySeconds} s, the pool's failover delay: down. The last one came at ${utc(c.lastHeartbeatAt)}.`,
  }
}

/**
 * Back since the heartbeat that ended the silence: the start of the current
 * run of heartbeats when that run began after the silence did, else (a gap too
 * short to break a run) the latest heartbeat, within a tick of the truth.
 */
export function recoveryEvent(c: store.OutageChange): OutageEvent {
  const silentFrom = c.outageAt ? c.outageAt.getTime() - c.delaySeconds * 1000 : c.lastHeartbeatAt.getTime()
  const back = c.healthySince && c.healthySince.getTime() > silentFrom ? c.healthySince : c.lastHeartbeatAt
  return {
    memberId: c.memberId,
    kind: 'recovered',
    at: back,
    level: 'info',
    message: `Heartbeats resumed after ${spanText(back.getTime() - silentFrom)} of silence.`,
  }
}

/** The tick: writes each outage and recovery not yet in the members' history. `countFrom`: when the ticks started. */
export async function recordOutages(db: Db, now = new Date(), countFrom: Date | null = null): Promise<{ outages: number; recoveries: number }> {
  const counts = { outages: 0, recoveries: 0 }
  for (const change of await store.outageChanges(db, now, DEFAULT_FAILOVER_DELAY_SECONDS, countFrom)) {
    const outage = change.kind === 'outage'
    if (!(await store.insertOutageEvent(db, outage ? outageEvent(change, countFrom) : recoveryEvent(change)))) continue
    if (outage) counts.outages++
    else counts.recoveries++
  }
  return counts
}
