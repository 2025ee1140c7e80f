// The control plane's own outage. While no server process listened, no
// heartbeat could arrive, so that stretch counts against no member: a member
// still beating when the control plane stopped listening counts as heard when
// it came back (it had no way to be heard in between, and its agent needs a
// moment to reconnect), while a member that had already fallen silent before
// stays exactly as silent as it was, so an outage neither hides nor invents a
// dead active member.
import type { Db } from '../db'
import { newestHeartbeat } from './store'

export type Outage = {
  /** The last sign that the control plane was listening: the newest heartbeat stored before this process started. */
  heardUntil: Date | null
  /** When this process started listening. */
  upSince: Date
}

/**
 * What this process knows of the outage before it: nothing when another
 * replica was serving all along. Ask before listening; finish with `upSince`
 * the moment the socket is open.
 */
export async function outageBefore(db: Db, othersServing: () => Promise<boolean>): Promise<(upSince: Date) => Outage | null> {
  if (await othersServing()) return () => null
  const heardUntil = await newestHeartbeat(db)
  return (upSince) => ({ heardUntil, upSince })
}

/** Heard within an interval and a half of its own beat: the slack every status rule gives a heartbeat. */
export const beatSlackSeconds = (intervalSeconds: number) => intervalSeconds * 1.5

/** When a member counts as last heard, the control plane's outage taken into account. */
export function lastHeard(last: Date | null, intervalSeconds: number, outage?: Outage | null): Date | null {
  if (!last || !outage || last.getTime() >= outage.upSince.getTime()) return last
  const silentBefore = ((outage.heardUntil ?? last).getTime() - last.getTime()) / 1000
  return silentBefore <= beatSlackSeconds(intervalSeconds) ? outage.upSince : last
}

/** Seconds of silence that count against a member. */
export function silentSeconds(last: Date | null, now: Date, intervalSeconds: number, outage?: Outage | null): number {
  const heard = lastHeard(last, intervalSeconds, outage)
  return heard ? (now.getTime() - heard.getTime()) / 1000 : Infinity
}
