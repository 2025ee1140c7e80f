// The Control panel's charts, drawn on the server: the stored
// one-point-a-minute history, averaged into buckets, as SVG-ready series.
// The window fits the history there is: a member heard from for five minutes
// gets the last 15 minutes minute by minute, not a day of empty quarter hours.
import type { memberMetrics } from '../db/schema'

type Point = typeof memberMetrics.$inferSelect

export type ChartWindow = { minutes: number; bucketMinutes: number; span: string }

export type Series = {
  label: string
  unit: '%' | ''
  /** The window shown, as captions say it: "last 15 minutes". */
  span: string
  /** Bucket start times and values (null where no heartbeat arrived). */
  buckets: { at: Date; value: number | null }[]
  max: number
  latest: number | null
}

/** The longest window, and so the history the page reads. */
export const CHART_HOURS = 24

/** From the shortest: the first that holds the member's oldest point of the day is shown. */
export const CHART_WINDOWS: ChartWindow[] = [
  { minutes: 15, bucketMinutes: 1, span: 'last 15 minutes' },
  { minutes: 60, bucketMinutes: 1, span: 'last hour' },
  { minutes: 180, bucketMinutes: 3, span: 'last 3 hours' },
  { minutes: 360, bucketMinutes: 5, span: 'last 6 hours' },
  { minutes: 720, bucketMinutes: 10, span: 'last 12 hours' },
  { minutes: CHART_HOURS * 60, bucketMinutes: 15, span: 'last 24 hours' },
]

const MINUTE = 60_000

/** One decimal, as the charts and their captions show values. */
const round = (v: number) => Math.round(v * 10) / 10

const pct = (used: number | null, total: number | null) => (used != null && total ? (used / total) * 100 : null)

/**
 * Where a window's buckets start: whole buckets of the clock, the last one
 * holding the current minute, so a bucket's time is that of its points.
 */
function windowStart(w: ChartWindow, now: Date): number {
  const width = w.bucketMinutes * MINUTE
  const end = Math.floor(now.getTime() / width) * width + width
  return end - w.minutes * MINUTE
}

/** The shortest window that shows all of the day's history (points oldest first). */
export function chartWindow(sorted: Point[], now: Date): ChartWindow {
  const oldest = sorted[0]?.minute.getTime()
  if (oldest === undefined) return CHART_WINDOWS[0]!
  return CHART_WINDOWS.find((w) => windowStart(w, now) <= oldest) ?? CHART_WINDOWS.at(-1)!
}

const PICK: [string, '%' | '', (p: Point) => number | null][] = [
  ['CPU', '%', (p) => p.cpuPercent],
  ['Memory', '%', (p) => pct(p.memUsedBytes, p.memTotalBytes)],
  ['Disk', '%', (p) => pct(p.diskUsedBytes, p.diskTotalBytes)],
  ['Load', '', (p) => p.load1],
]

export function chartSeries(points: Point[], now: Date): Series[] {
  const sorted = [...points].sort((a, b) => a.minute.getTime() - b.minute.getTime())
  const w = chartWindow(sorted, now)
  const start = windowStart(w, now)
  const width = w.bucketMinutes * MINUTE
  const count = w.minutes / w.bucketMinutes
  return PICK.map(([label, unit, value]) => {
    const sums = Array.from({ length: count }, () => ({ sum: 0, n: 0 }))
    let latest: number | null = null
    for (const p of sorted) {
      const v = value(p)
      if (v == null) continue
      const i = Math.floor((p.minute.getTime() - start) / width)
      if (i < 0 || i >= count) continue
      sums[i]!.sum += v
      sums[i]!.n++
      latest = round(v)
    }
    const buckets = sums.map((b, i) => ({ at: new Date(start + i * width), value: b.n ? round(b.sum / b.n) : null }))
    const peak = Math.max(0, ...buckets.map((b) => b.value ?? 0))
    return { label, unit, span: w.span, buckets, max: unit === '%' ? 100 : Math.max(1, Math.ceil(peak)), latest }
  })
}
