import { describe, expect, test } from 'bun:test'
import { geoNaturalEarth1, geoPath } from 'd3-geo'
import { compactPath, projectPoint, worldLand, worldMapSvg, MAP_WIDTH } from './world'
import { feature } from 'topojson-client'
import type { GeometryObject, Topology } from 'topojson-specification'
import landTopology from 'world-atlas/land-110m.json'
import { decodePath, insideRings } from './test-helpers'

/** d3's "M1,2L3,4Z…" as rings of points, repeated points dropped (compactPath skips them). */
const absoluteRings = (d: string) =>
  d
    .split('Z')
    .filter(Boolean)
    .map((ring) => (ring.match(/-?\d+(?:\.\d+)?/g) ?? []).map(Number))
    .map((n) => Array.from({ length: n.length / 2 }, (_, i) => [n[2 * i]!, n[2 * i + 1]!] as [number, number]))
    .map((ring) => ring.filter((p, i) => i === 0 || p[0] !== ring[i - 1]![0] || p[1] !== ring[i - 1]![1]))

/** The land path's budget: it is inlined into every page that shows the map. */
const PATH_BUDGET_BYTES = 32_000

const at = (lat: number, lon: number) => {
  const xy = projectPoint(lat, lon)
  if (!xy) throw new Error(`no position for ${lat},${lon}`)
  return { x: xy[0], y: xy[1] }
}

describe('worldLand', () => {
  test('is a non-empty path inside its viewBox, computed once, under the size budget', () => {
    const w = worldLand()
    expect(worldLand()).toBe(w)
    expect(w.width).toBe(MAP_WIDTH)
    expect(w.viewBox).toBe(`0 0 ${w.width} ${w.height}`)
    expect(w.height).toBeGreaterThan(380)
    expect(w.height).toBeLessThan(500)
    expect(w.path.startsWith('M')).toBe(true)
    const bytes = new TextEncoder().encode(w.path).length
    console.log(`land path: ${bytes} bytes (budget ${PATH_BUDGET_BYTES}); outline ${w.outline.length}, graticule ${w.graticule.length}`)
    expect(bytes).toBeGreaterThan(10_000)
    expect(bytes).toBeLessThan(PATH_BUDGET_BYTES)
    const rings = decodePath(w.path)
    expect(rings.length).toBeGreaterThan(100)
    for (const ring of rings) {
      for (const [x, y] of ring) {
        expect(x).toBeGreaterThanOrEqual(-0.1)
        expect(x).toBeLessThanOrEqual(w.width + 0.1)
        expect(y).toBeGreaterThanOrEqual(-0.1)
        expect(y).toBeLessThanOrEqual(w.height + 0.1)
      }
    }
  })

  test('leaves Antarctica off: no land south of Tierra del Fuego', () => {
    const w = worldLand()
    const southernmost = Math.max(...decodePath(w.path).flatMap((r) => r.map(([, y]) => y)))
    expect(southernmost).toBeLessThan(at(-57, -67).y)
    expect(insideRings(decodePath(w.path), at(-78, 0).x, w.height - 1)).toBe(false)
  })
})

describe('worldMapSvg', () => {
  test('is a standalone SVG with the three layers the map uses, uncoloured so the page can theme them', () => {
    const svg = worldMapSvg()
    const w = worldLand()
    expect(svg).toStartWith(`<svg xmlns="http://www.w3.org/2000/svg" viewBox="${w.viewBox}">`)
    expect(svg).toContain(`<path id="ocean" d="${w.outline}"/>`)
    expect(svg).toContain(`<path id="grid" d="${w.graticule}"/>`)
    expect(svg).toContain(`<path id="land" d="${w.path}"/>`)
    expect(svg).not.toMatch(/fill|stroke|style/)
  })
})

describe('projectPoint', () => {
  test('puts cities in the right order', () => {
    const amsterdam = at(52.37, 4.9)
    const newYork = at(40.71, -74.0)
    const sydney = at(-33.87, 151.21)
    const tokyo = at(35.68, 139.69)
    const capeTown = at(-33.92, 18.42)
    expect(amsterdam.x).toBeGreaterThan(newYork.x)
    expect(amsterdam.y).toBeLessThan(sydney.y)
    expect(newYork.y).toBeLessThan(sydney.y)
    expect(amsterdam.y).toBeLessThan(newYork.y) // further north
    expect(tokyo.x).toBeGreaterThan(amsterdam.x)
    expect(sydney.x).toBeGreaterThan(tokyo.x)
    expect(capeTown.y).toBeGreaterThan(amsterdam.y)
  })

  test('puts the antimeridian on the edges and the prime meridian in the middle', () => {
    const { width, height } = worldLand()
    expect(at(0, -180).x).toBe(0)
    expect(at(0, 180).x).toBe(width)
    expect(at(0, 0).x).toBe(width / 2)
    expect(at(85, 0).y).toBe(0)
    expect(at(-59, 0).y).toBeGreaterThan(height - 2)
    expect(at(-89, 0).y).toBe(height) // kept on the bottom edge, not dropped
  })

  test('puts inland cities on land and mid-ocean spots in the sea', () => {
    const rings = decodePath(worldLand().path)
    const onLand = (lat: number, lon: number) => {
      const p = at(lat, lon)
      return insideRings(rings, p.x, p.y)
    }
    const cities: [string, number, number][] = [
      ['Paris', 48.86, 2.35],
      ['Madrid', 40.42, -3.7],
      ['Berlin', 52.52, 13.4],
      ['Moscow', 55.76, 37.62],
      ['Chicago', 41.88, -87.63],
      ['Denver', 39.74, -104.99],
      ['Mexico City', 19.43, -99.13],
      ['Brasília', -15.79, -47.88],
      ['Nairobi', -1.29, 36.82],
      ['Johannesburg', -26.2, 28.05],
      ['Delhi', 28.61, 77.21],
      ['Beijing', 39.9, 116.4],
      ['Alice Springs', -23.7, 133.88],
    ]
    for (const [name, lat, lon] of cities) expect({ name, onLand: onLand(lat, lon) }).toEqual({ name, onLand: true })
    const seas: [string, number, number][] = [
      ['mid-Atlantic', 0, -30],
      ['mid-Pacific', 0, -140],
      ['Indian Ocean', -20, 80],
      ['North Sea', 56, 3],
    ]
    for (const [name, lat, lon] of seas) expect({ name, onLand: onLand(lat, lon) }).toEqual({ name, onLand: false })
  })

  test('refuses coordinates that are not on Earth', () => {
    expect(projectPoint(Number.NaN, 0)).toBeNull()
    expect(projectPoint(0, Number.POSITIVE_INFINITY)).toBeNull()
    expect(projectPoint(91, 0)).toBeNull()
    expect(projectPoint(0, -181)).toBeNull()
  })
})

describe('compactPath', () => {
  test('draws the same points as d3 in fewer bytes', () => {
    const path = geoPath(geoNaturalEarth1().fitWidth(960, { type: 'Sphere' })).digits(1)
    const shape: GeoJSON.MultiPolygon = {
      type: 'MultiPolygon',
      coordinates: [
        [[[0, 0], [10, 0.04], [10, 10], [0, 10], [0, 0]], [[2, 2], [2, 3], [3, 3], [2, 2]]],
        [[[-120, -40], [-100.5, -40], [-100.5, -20.05], [-120, -40]]],
      ],
    }
    const absolute = path(shape)!
    const compact = compactPath(absolute)
    expect(compact.length).toBeLessThan(absolute.length)
    expect(decodePath(compact)).toEqual(absoluteRings(absolute))
  })

  test('round-trips the whole world exactly', () => {
    const topo = landTopology as unknown as Topology<{ land: GeometryObject }>
    const land = feature(topo, topo.objects.land)
    const absolute = geoPath(geoNaturalEarth1().fitWidth(960, { type: 'Sphere' })).digits(1)(land)!
    const compact = compactPath(absolute)
    console.log(`d3 absolute path ${absolute.length} bytes → compact ${compact.length} bytes`)
    expect(compact.length).toBeLessThan(absolute.length * 0.7)
    expect(decodePath(compact)).toEqual(absoluteRings(absolute))
  })

  test('never runs an integer into a following fraction', () => {
    // "M12 .5" must not become "M12.5".
    expect(decodePath(compactPath('M12,0.5L12.5,1Z'))).toEqual([[[12, 0.5], [12.5, 1]]])
    expect(compactPath('M12,0.5L12.5,1Z')).toBe('M12 .5l.5.5z')
  })
})
