// The world map's geometry, drawn on the server from data bundled in
// node_modules (world-atlas, Natural Earth 1:110m land): nothing is fetched,
// so the map works air-gapped. Everything is computed once per process.
import { feature } from 'topojson-client'
import type { Topology, GeometryObject } from 'topojson-specification'
import { geoGraticule, geoNaturalEarth1, geoPath, type GeoProjection } from 'd3-geo'
import landTopology from 'world-atlas/land-110m.json'

/** The map is always this wide; its height follows from the latitudes shown. */
export const MAP_WIDTH = 960
/** Northernmost latitude shown: the top of Greenland (83.6°N) fits with a margin. */
export const MAP_NORTH = 85
/** Southernmost latitude shown: Tierra del Fuego (55.6°S) fits with a margin; Antarctica is left off. */
export const MAP_SOUTH = -59
/** Land polygons wholly south of this are Antarctica and its ice shelves. */
const ANTARCTIC = -60

export type WorldLand = {
  viewBox: string
  /** SVG path data of all land (relative commands, 0.1 px precision). */
  path: string
  width: number
  height: number
  /** The edge of the projected globe, cropped to the map: the ocean. */
  outline: string
  /** Meridians and parallels every 30°, for a faint grid. */
  graticule: string
}

type Geo = { projection: GeoProjection; land: WorldLand }
let cache: Geo | null = null

function build(): Geo {
  const topo = landTopology as unknown as Topology<{ land: GeometryObject }>
  const collection = feature(topo, topo.objects.land) as GeoJSON.FeatureCollection | GeoJSON.Feature
  const geometries = ('features' in collection ? collection.features : [collection]).map((f) => f.geometry)
  const polygons: GeoJSON.Position[][][] = []
  for (const g of geometries) {
    if (g.type === 'Polygon') polygons.push(g.coordinates)
    else if (g.type === 'MultiPolygon') polygons.push(...g.coordinates)
  }
  const land: GeoJSON.MultiPolygon = {
    type: 'MultiPolygon',
    coordinates: polygons.filter((rings) => Math.max(...rings[0]!.map((p) => p[1]!)) > ANTARCTIC),
  }

  // The whole globe spans the width (lon ±180 at the edges at the equator);
  // then the map is cropped to [MAP_SOUTH, MAP_NORTH] by moving it up.
  const projection = geoNaturalEarth1().fitWidth(MAP_WIDTH, { type: 'Sphere' })
  const top = projection([0, MAP_NORTH])![1]
  const bottom = projection([0, MAP_SOUTH])![1]
  const height = Math.ceil(bottom - top)
  const [tx, ty] = projection.translate()
  projection.translate([tx, ty - top])

  const path = geoPath(projection).digits(1)
  // The ocean and the grid run past the top and bottom: cut them at the map's
  // edges, then lift the cut so land and points are projected unclipped.
  projection.clipExtent([[0, 0], [MAP_WIDTH, height]])
  const outline = compactPath(path({ type: 'Sphere' }) ?? '')
  const graticule = compactPath(path(geoGraticule().step([30, 30]).precision(5)()) ?? '')
  projection.clipExtent(null)
  return {
    projection,
    land: {
      viewBox: `0 0 ${MAP_WIDTH} ${height}`,
      path: compactPath(path(land) ?? ''),
      width: MAP_WIDTH,
      height,
      outline,
      graticule,
    },
  }
}

function geo(): Geo {
  return (cache ??= build())
}

/** The land of the world as one SVG path, with the viewBox it was fitted to. */
export function worldLand(): WorldLand {
  return geo().land
}

/**
 * Ocean, grid and land as a file of their own, served once and cached by the
 * browser: pages and polls carry only the members' dots, not 90 KB of
 * coastline each time. The paths have no colours of their own; the page
 * colours them through the <use> elements that show them (see WorldMap).
 */
export function worldMapSvg(): string {
  const w = worldLand()
  return (
    `<svg xmlns="http://www.w3.org/2000/svg" viewBox="${w.viewBox}">` +
    `<path id="ocean" d="${w.outline}"/><path id="grid" d="${w.graticule}"/><path id="land" d="${w.path}"/></svg>`
  )
}

/**
 * Where a latitude/longitude falls on the map, in viewBox units rounded to
 * 0.1. Null for coordinates that are not a place on Earth. A point south of
 * the map (Antarctica) is kept on its bottom edge so it stays visible.
 */
export function projectPoint(lat: number, lon: number): [number, number] | null {
  if (!Number.isFinite(lat) || !Number.isFinite(lon) || Math.abs(lat) > 90 || Math.abs(lon) > 180) return null
  const { projection, land } = geo()
  const xy = projection([lon, lat])
  if (!xy || !Number.isFinite(xy[0]) || !Number.isFinite(xy[1])) return null
  const x = Math.min(land.width, Math.max(0, xy[0]))
  const y = Math.min(land.height, Math.max(0, xy[1]))
  return [Math.round(x * 10) / 10, Math.round(y * 10) / 10]
}

/**
 * Rewrites d3's absolute path data ("M12.3,4.5L13,5Z") as relative moves and
 * lines in tenths ("M12.3 4.5l.7.5z"): the same shape in far fewer bytes.
 * Handles only M, L and Z, which is all geoPath emits for polygons and lines.
 */
export function compactPath(d: string): string {
  const out: string[] = []
  let x = 0 // current point, in tenths, so sums stay exact integers
  let y = 0
  let startX = 0
  let startY = 0
  let last = ''
  let prev = '' // the last number written, to know which separator the next needs
  const re = /([MLZ])([^MLZ]*)/gi
  for (const m of d.matchAll(re)) {
    const cmd = m[1]!.toUpperCase()
    if (cmd === 'Z') {
      out.push('z')
      x = startX
      y = startY
      last = 'z'
      continue
    }
    const nums = m[2]!.split(/[\s,]+/).filter(Boolean).map((n) => Math.round(Number(n) * 10))
    for (let i = 0; i + 1 < nums.length; i += 2) {
      const nx = nums[i]!
      const ny = nums[i + 1]!
      if (cmd === 'M' && i === 0) {
        const sx = num(nx)
        out.push(`M${sx}${sep(sx, ny)}`)
        startX = nx
        startY = ny
        last = 'M'
      } else {
        const dx = nx - x
        const dy = ny - y
        if (dx === 0 && dy === 0) {
          x = nx
          y = ny
          continue
        }
        const sx = last === 'l' ? sep(prev, dx) : 'l' + num(dx)
        const sy = sep(sx, dy)
        out.push(sx + sy)
        prev = sy
        last = 'l'
      }
      x = nx
      y = ny
    }
  }
  return out.join('')
}

/** A number in tenths as the shortest SVG number: 5 → ".5", -15 → "-1.5", 20 → "2". */
function num(tenths: number): string {
  const s = (Math.abs(tenths) / 10).toString().replace(/^0\./, '.')
  return tenths < 0 ? `-${s}` : s
}

/**
 * A number with the separator SVG needs after `before`: none before "-", none
 * before "." when `before` already has a point ("1.5.5" reads as 1.5, .5).
 */
function sep(before: string, tenths: number): string {
  const s = num(tenths)
  if (s[0] === '-') return s
  if (s[0] === '.' && before.includes('.')) return s
  return ` ${s}`
}
