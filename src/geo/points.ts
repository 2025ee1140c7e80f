// Members on the world map: which ones have a place, where their dots go,
// and where their labels fit. Pure: no queries, no markup.
import type { MemberCard } from '../members/view-model'
import type { MemberStatus } from '../members/status'
import { memberTabHref } from '../members/tabs'
import { projectPoint, worldLand } from './world'

export type MapTone = 'ok' | 'warn' | 'bad' | 'muted'

export type MapPoint = {
  id: string
  name: string
  label: string | null
  lat: number
  lon: number
  href: string
  tone: MapTone
  status: string
}

/** The same colours as the member tiles' status badges (views/members/MemberTile.tsx). */
export const TONE_BY_STATUS: Record<MemberStatus, MapTone> = {
  pending: 'muted',
  healthy: 'ok',
  late: 'warn',
  down: 'bad',
}

/** One point per member that has a location; members without one are left off. */
export function mapPointsFromCards(cards: MemberCard[]): MapPoint[] {
  const points: MapPoint[] = []
  for (const card of cards) {
    const m = card.member
    const loc = m.location
    if (!loc || !Number.isFinite(loc.lat) || !Number.isFinite(loc.lon)) continue
    points.push({
      id: m.id,
      name: m.name,
      label: loc.label ?? null,
      lat: loc.lat,
      lon: loc.lon,
      href: memberTabHref(m.poolId, m.id, 'control'),
      tone: TONE_BY_STATUS[card.status],
      status: card.status,
    })
  }
  return points
}

/** Dots get a text label beside them only when there are this many or fewer. */
export const LABEL_LIMIT = 12
/** Dot radius in viewBox units. */
export const DOT_RADIUS = 5
/** Points whose projected positions are closer than this share a place. */
const SAME_PLACE = 4
/**
 * The map scales with its box, from about 1,200 px wide down to 330 on a
 * phone, and its text with it: an 11-unit label would be 4 px there. So each
 * label is laid out at three sizes (viewBox units), and the page shows the
 * one that comes out about 11 px at the map's width (container queries in
 * app.css, which also draw dots at `dot` radius). A smaller map's labels are
 * shorter, and left off where they would cover another.
 */
export const LABEL_TIERS = [
  { tier: 'wide', size: 11, dot: DOT_RADIUS, maxChars: 24 },
  { tier: 'mid', size: 18, dot: 7, maxChars: 18 },
  { tier: 'narrow', size: 32, dot: 10, maxChars: 12 },
] as const

export type LabelTier = (typeof LABEL_TIERS)[number]['tier']

export type PlacedLabel = { x: number; y: number; anchor: 'start' | 'end' | 'middle'; text: string; size: number }

export type PlacedPoint = MapPoint & {
  /** The dot's centre, after any offset from others at the same place. */
  x: number
  y: number
  /** Null when the map has too many points to label. */
  labels: Record<LabelTier, PlacedLabel | null> | null
}

/** Drawn later = on top: a down member is never hidden under a healthy one. */
const TONE_ORDER: Record<MapTone, number> = { muted: 0, ok: 1, warn: 2, bad: 3 }

const round1 = (n: number) => Math.round(n * 10) / 10

/**
 * Where each point's dot (and, for a few points, its label) goes. Points at
 * the same place are spread around it deterministically (by id): in a column
 * when labelled so labels do not collide, else on a small ring or spiral.
 * Points without a valid position are dropped. The result is in draw order.
 * A map that also draws other dots (the fleet map's clusters) says whether
 * there are few enough of all of them to label.
 */
export function layoutPoints(points: MapPoint[], labelled = points.length <= LABEL_LIMIT): PlacedPoint[] {
  const { width, height } = worldLand()

  // Group by place: a grid of SAME_PLACE cells, keyed on the projected spot.
  const groups = new Map<string, { x: number; y: number; members: MapPoint[] }>()
  for (const p of points) {
    const xy = projectPoint(p.lat, p.lon)
    if (!xy) continue
    const key = `${Math.round(xy[0] / SAME_PLACE)},${Math.round(xy[1] / SAME_PLACE)}`
    const g = groups.get(key)
    if (g) g.members.push(p)
    else groups.set(key, { x: xy[0], y: xy[1], members: [p] })
  }

  const placed: PlacedPoint[] = []
  for (const g of groups.values()) {
    const members = g.members.slice().sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
    const offsets = spread(members.length, labelled)
    members.forEach((p, i) => {
      const [dx, dy] = offsets[i]!
      placed.push({
        ...p,
        x: round1(clamp(g.x + dx, DOT_RADIUS, width - DOT_RADIUS)),
        y: round1(clamp(g.y + dy, DOT_RADIUS, height - DOT_RADIUS)),
        labels: null,
      })
    })
  }

  if (labelled) {
    const byTier = LABEL_TIERS.map((t) => [t.tier, placeLabels(placed, width, height, t)] as const)
    placed.forEach((p, i) => (p.labels = Object.fromEntries(byTier.map(([tier, labels]) => [tier, labels[i]!])) as PlacedPoint['labels']))
  }
  return placed.sort((a, b) => TONE_ORDER[a.tone] - TONE_ORDER[b.tone] || (a.id < b.id ? -1 : a.id > b.id ? 1 : 0))
}

/** Offsets for n dots at one place, none of them at exactly the same spot. */
export function spread(n: number, column: boolean): [number, number][] {
  if (n === 1) return [[0, 0]]
  const step = DOT_RADIUS * 2.4
  if (column) return Array.from({ length: n }, (_, i) => [0, (i - (n - 1) / 2) * step] as [number, number])
  if (n <= 7) {
    const r = n === 2 ? step / 2 : step / (2 * Math.sin(Math.PI / n))
    return Array.from({ length: n }, (_, i) => {
      const a = -Math.PI / 2 + (2 * Math.PI * i) / n
      return [r * Math.cos(a), r * Math.sin(a)] as [number, number]
    })
  }
  // A sunflower spiral: evenly packed however many there are.
  const golden = Math.PI * (3 - Math.sqrt(5))
  return Array.from({ length: n }, (_, i) => {
    const r = (step / 1.8) * Math.sqrt(i + 0.5)
    return [r * Math.cos(i * golden), r * Math.sin(i * golden)] as [number, number]
  })
}

type Box = { x0: number; y0: number; x1: number; y1: number }
const overlaps = (a: Box, b: Box) => a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1

/**
 * Puts each label right of its dot, or left, above or below, whichever first
 * collides with nothing. The widest map keeps a label that collides (its
 * tooltip-sized text rarely does); the smaller ones leave it off.
 */
function placeLabels(placed: PlacedPoint[], width: number, height: number, t: (typeof LABEL_TIERS)[number]): (PlacedLabel | null)[] {
  const taken: Box[] = placed.map((p) => ({ x0: p.x - t.dot, y0: p.y - t.dot, x1: p.x + t.dot, y1: p.y + t.dot }))
  const labels: (PlacedLabel | null)[] = placed.map(() => null)
  const order = placed.map((p, i) => ({ p, i })).sort((a, b) => a.p.x - b.p.x || a.p.y - b.p.y)
  const h = t.size
  const gap = t.dot + 3 * (t.size / LABEL_TIERS[0].size)
  const baseline = t.size * 0.35 // centres the x-height on the dot
  for (const { p, i } of order) {
    const text = truncate(p.name, t.maxChars)
    const w = text.length * 0.6 * t.size
    const candidates: PlacedLabel[] = [
      { x: p.x + gap, y: p.y + baseline, anchor: 'start', text, size: t.size },
      { x: p.x - gap, y: p.y + baseline, anchor: 'end', text, size: t.size },
      { x: p.x, y: p.y - gap - 1, anchor: 'middle', text, size: t.size },
      { x: p.x, y: p.y + gap + h - 1, anchor: 'middle', text, size: t.size },
    ]
    const boxOf = (c: PlacedLabel): Box => {
      const x0 = c.anchor === 'start' ? c.x : c.anchor === 'end' ? c.x - w : c.x - w / 2
      return { x0, y0: c.y - h * 0.8, x1: x0 + w, y1: c.y + h * 0.2 }
    }
    const inside = (b: Box) => b.x0 >= 2 && b.x1 <= width - 2 && b.y0 >= 0 && b.y1 <= height
    const fits = candidates.filter((c) => inside(boxOf(c)))
    const free = fits.find((c) => !taken.some((b) => overlaps(b, boxOf(c))))
    const best = free ?? (t.tier === 'wide' ? (fits[0] ?? candidates[0]!) : null)
    labels[i] = best
    if (best) taken.push(boxOf(best))
  }
  return labels
}

function truncate(s: string, max: number): string {
  const chars = Array.from(s)
  return chars.length > max ? chars.slice(0, max - 1).join('') + '…' : s
}

function clamp(n: number, lo: number, hi: number) {
  return Math.min(hi, Math.max(lo, n))
}
