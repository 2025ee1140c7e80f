// The fleet map's dots from its cells (src/geo/cells.ts): a cell of one
// member is that member's dot, as on any map; a cell of several is one
// cluster dot with their count and the worst status among them. Pure.
import type { MapCell } from '../members/store'
import { memberTabHref } from '../members/tabs'
import { cellId, cellPlace, STATUS_BY_SEVERITY } from './cells'
import { LABEL_LIMIT, layoutPoints, TONE_BY_STATUS, type MapPoint, type MapTone, type PlacedPoint } from './points'
import { projectPoint } from './world'
import type { MemberStatus } from '../members/status'

export type PlacedCluster = {
  cell: string
  x: number
  y: number
  count: number
  worst: MemberStatus
  tone: MapTone
  /** "12 members, worst down: 2 down, 10 healthy": the dot's title and accessible name. */
  text: string
  /** The count as the dot shows it: "12", "1.2k". */
  short: string
}

export type FleetMapLayout = {
  points: PlacedPoint[]
  clusters: PlacedCluster[]
  /** Located members by status, for the legend. */
  legend: { status: MemberStatus; tone: MapTone; n: number }[]
}

/** The legend's order, as every map's (views/components/WorldMap.tsx). */
const LEGEND_ORDER: MemberStatus[] = ['healthy', 'late', 'down', 'pending']

const plural = (n: number, one: string, many: string) => `${n.toLocaleString('en')} ${n === 1 ? one : many}`

/** "2 down, 10 healthy": a cell's members by status, worst first. */
export function countsText(counts: MapCell['counts']): string {
  return STATUS_BY_SEVERITY.map((status, i) => (counts[i] ? `${counts[i]!.toLocaleString('en')} ${status}` : ''))
    .filter(Boolean)
    .join(', ')
}

export const worstOf = (counts: MapCell['counts']): MemberStatus => STATUS_BY_SEVERITY[counts.findIndex((n) => n > 0)] ?? 'healthy'

const shortCount = (n: number) => (n < 1000 ? String(n) : n < 10_000 ? `${(Math.floor(n / 100) / 10).toString()}k` : `${Math.floor(n / 1000)}k`)

export function layoutFleetMap(poolId: string, cells: MapCell[]): FleetMapLayout {
  const singles: MapPoint[] = []
  const clusters: PlacedCluster[] = []
  const totals: [number, number, number, number] = [0, 0, 0, 0]
  for (const cell of cells) {
    cell.counts.forEach((n, i) => (totals[i] += n))
    const worst = worstOf(cell.counts)
    if (cell.only) {
      singles.push({
        id: cell.only.id,
        name: cell.only.name,
        label: cell.only.label,
        lat: cell.lat,
        lon: cell.lon,
        href: memberTabHref(poolId, cell.only.id, 'control'),
        tone: TONE_BY_STATUS[worst],
        status: worst,
      })
      continue
    }
    const xy = projectPoint(cell.lat, cell.lon)
    if (!xy) continue
    const count = cell.counts.reduce((a, b) => a + b, 0)
    clusters.push({
      cell: cellId(cell),
      x: xy[0],
      y: xy[1],
      count,
      worst,
      tone: TONE_BY_STATUS[worst],
      text: `${plural(count, 'member', 'members')} near ${cellPlace(cell)}, worst ${worst}: ${countsText(cell.counts)}`,
      short: shortCount(count),
    })
  }
  const points = layoutPoints(singles, cells.length <= LABEL_LIMIT)
  const legend = LEGEND_ORDER.map((status) => {
    const n = totals[STATUS_BY_SEVERITY.indexOf(status)]!
    return { status, tone: TONE_BY_STATUS[status], n }
  }).filter((e) => e.n > 0)
  // Drawn later = on top, as layoutPoints orders members: the worst clusters last.
  clusters.sort((a, b) => STATUS_BY_SEVERITY.indexOf(b.worst) - STATUS_BY_SEVERITY.indexOf(a.worst) || a.cell.localeCompare(b.cell))
  return { points, clusters, legend }
}
