// The fleet map's dots from its cells (src/geo/cells.ts): a cell of one
// member is that member's dot, as on any map; a cell of several is one
// cluster dot with their count and the worst status among them (and cells
// whose dots would overlap are one dot). Pure.
import type { MapCell } from '../members/store'
import { memberTabHref } from '../members/tabs'
import { cellId, MAX_CELLS_A_DOT, STATUS_BY_SEVERITY } from './cells'
import { LABEL_LIMIT, layoutPoints, TONE_BY_STATUS, type MapPoint, type MapTone, type PlacedPoint } from './points'
import { projectPoint } from './world'
import type { MemberStatus } from '../members/status'

export type PlacedCluster = {
  /** The cells it stands for, as its URL names them: "17.20" or "17.20,17.21". */
  cell: string
  x: number
  y: number
  count: number
  worst: MemberStatus
  tone: MapTone
  /** "12 servers, worst down (2 down, 10 healthy)": the dot's title and accessible name. */
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

/**
 * Dots closer than this (viewBox units: a cluster dot's diameter on a wide
 * map) are drawn as one: a city on a cell's edge is split between two
 * cells, and its two dots would lie one on the other.
 */
export const MERGE_DISTANCE = 16

type Dot = { cells: MapCell[]; x: number; y: number; n: number; counts: MapCell['counts'] }

/** Cells to dots: each cell's dot, neighbours that would overlap drawn together, biggest first. */
function dotsOf(cells: MapCell[]): Dot[] {
  const dots: Dot[] = []
  // Dots by the square of MERGE_DISTANCE they started in: a cell looks only at its own and the eight around it.
  const near = new Map<string, Dot[]>()
  const square = (x: number, y: number) => [Math.floor(x / MERGE_DISTANCE), Math.floor(y / MERGE_DISTANCE)] as const
  const total = (c: MapCell) => c.counts.reduce((a, b) => a + b, 0)
  const ordered = cells.slice().sort((a, b) => total(b) - total(a) || a.row - b.row || a.col - b.col)
  for (const cell of ordered) {
    const xy = projectPoint(cell.lat, cell.lon)
    if (!xy) continue
    const n = total(cell)
    const [sx, sy] = square(xy[0], xy[1])
    let into: Dot | undefined
    for (let dx = -1; dx <= 1 && !into; dx++) {
      for (let dy = -1; dy <= 1 && !into; dy++) {
        into = near.get(`${sx + dx},${sy + dy}`)?.find((d) => Math.hypot(d.x - xy[0], d.y - xy[1]) < MERGE_DISTANCE && d.cells.length < MAX_CELLS_A_DOT)
      }
    }
    if (!into) {
      const dot: Dot = { cells: [cell], x: xy[0], y: xy[1], n, counts: [...cell.counts] }
      dots.push(dot)
      const key = `${sx},${sy}`
      near.set(key, [...(near.get(key) ?? []), dot])
      continue
    }
    into.x = (into.x * into.n + xy[0] * n) / (into.n + n)
    into.y = (into.y * into.n + xy[1] * n) / (into.n + n)
    into.n += n
    into.cells.push(cell)
    cell.counts.forEach((k, i) => (into.counts[i] += k))
  }
  return dots
}

const round1 = (n: number) => Math.round(n * 10) / 10

export function layoutFleetMap(poolId: string, cells: MapCell[]): FleetMapLayout {
  const singles: MapPoint[] = []
  const clusters: PlacedCluster[] = []
  const totals: [number, number, number, number] = [0, 0, 0, 0]
  const dots = dotsOf(cells)
  for (const dot of dots) {
    dot.counts.forEach((n, i) => (totals[i] += n))
    const worst = worstOf(dot.counts)
    const only = dot.cells.length === 1 ? dot.cells[0]!.only : null
    if (only) {
      const cell = dot.cells[0]!
      singles.push({
        id: only.id,
        name: only.name,
        label: only.label,
        lat: cell.lat,
        lon: cell.lon,
        href: memberTabHref(poolId, only.id, 'control'),
        tone: TONE_BY_STATUS[worst],
        status: worst,
      })
      continue
    }
    clusters.push({
      cell: dot.cells.map(cellId).sort().join(','),
      x: round1(dot.x),
      y: round1(dot.y),
      count: dot.n,
      worst,
      tone: TONE_BY_STATUS[worst],
      text: `${plural(dot.n, 'server', 'servers')}, worst ${worst} (${countsText(dot.counts)})`,
      short: shortCount(dot.n),
    })
  }
  const points = layoutPoints(singles, dots.length <= LABEL_LIMIT)
  const legend = LEGEND_ORDER.map((status) => {
    const n = totals[STATUS_BY_SEVERITY.indexOf(status)]!
    return { status, tone: TONE_BY_STATUS[status], n }
  }).filter((e) => e.n > 0)
  // Drawn later = on top, as layoutPoints orders members: the worst clusters last.
  clusters.sort((a, b) => STATUS_BY_SEVERITY.indexOf(b.worst) - STATUS_BY_SEVERITY.indexOf(a.worst) || a.cell.localeCompare(b.cell))
  return { points, clusters, legend }
}
