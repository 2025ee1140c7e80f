// The Control panel's 24-hour charts, drawn on the server: the stored
// one-point-a-minute history, averaged into buckets, as SVG-ready series.
import type { memberMetrics } from '../db/schema'

type Point = typeof memberMetrics.$inferSelect

export type Series = {
  label: string
  unit: '%' | ''
  /** Bucket start times and values (null where no heartbeat arrived). */
  buckets: { at: Date; value: number | null }[]
  max: number
  latest: number | null
}

export const CHART_HOURS = 24
export const BUCKETS = 96 // a quarter of an hour each

/** One decimal, as the charts and their captions show values. */
const round = (v: number) => Math.round(v * 10) / 10

const pct = (used: number | null, total: number | null) => (used != null && total ? (used / total) * 100 : null)

export function chartSeries(points: Point[], now: Date): Series[] {
  const start = now.getTime() - CHART_HOURS * 3_600_000
  const width = (CHART_HOURS * 3_600_000) / BUCKETS
  const pick: [string, '%' | '', (p: Point) => number | null][] = [
    ['CPU', '%', (p) => p.cpuPercent],
    ['Memory', '%', (p) => pct(p.memUsedBytes, p.memTotalBytes)],
    ['Disk', '%', (p) => pct(p.diskUsedBytes, p.diskTotalBytes)],
    ['Load', '', (p) => p.load1],
  ]
  const sorted = [...points].sort((a, b) => a.minute.getTime() - b.minute.getTime())
  return pick.map(([label, unit, value]) => {
    const sums = Array.from({ length: BUCKETS }, () => ({ sum: 0, n: 0 }))
    let latest: number | null = null
    for (const p of sorted) {
      const v = value(p)
      if (v == null) continue
      const i = Math.floor((p.minute.getTime() - start) / width)
      if (i < 0 || i >= BUCKETS) continue
      sums[i]!.sum += v
      sums[i]!.n++
      latest = round(v)
    }
    const buckets = sums.map((b, i) => ({ at: new Date(start + i * width), value: b.n ? round(b.sum / b.n) : null }))
    const peak = Math.max(0, ...buckets.map((b) => b.value ?? 0))
    return { label, unit, buckets, max: unit === '%' ? 100 : Math.max(1, Math.ceil(peak)), latest }
  })
}
