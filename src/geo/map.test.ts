import { describe, expect, test } from 'bun:test'
import { WorldMap, EMPTY_MAP_TEXT } from '../../views/components/WorldMap'
import { layoutPoints, mapPointsFromCards, LABEL_LIMIT, DOT_RADIUS, type MapPoint } from './points'
import type { MemberCard } from '../members/view-model'
import { projectPoint } from './world'

const point = (id: string, over: Partial<MapPoint> = {}): MapPoint => ({
  id,
  name: `member-${id}`,
  label: 'Amsterdam',
  lat: 52.37,
  lon: 4.9,
  href: `/pools/p1/members/${id}/`,
  tone: 'ok',
  status: 'healthy',
  ...over,
})

const render = async (points: MapPoint[]) => String(await WorldMap({ points }))
const circles = (html: string) => [...html.matchAll(/<circle[^>]*cx="([\d.]+)"[^>]*cy="([\d.]+)"/g)].map((m) => `${m[1]},${m[2]}`)

describe('mapPointsFromCards', () => {
  const card = (id: string, status: MemberCard['status'], location: { lat: number; lon: number; label: string | null } | null) =>
    ({ member: { id, poolId: 'pool-1', name: `n-${id}`, location }, status }) as unknown as MemberCard

  test('keeps members with a location, links each to its workspace, colours by status', () => {
    const points = mapPointsFromCards([
      card('a', 'healthy', { lat: 52.37, lon: 4.9, label: 'Amsterdam' }),
      card('b', 'late', { lat: 40.71, lon: -74, label: null }),
      card('c', 'down', { lat: -33.87, lon: 151.21, label: 'Sydney' }),
      card('d', 'pending', { lat: 1.35, lon: 103.82, label: 'Singapore' }),
      card('e', 'healthy', null),
    ])
    expect(points.map((p) => [p.id, p.tone, p.status])).toEqual([
      ['a', 'ok', 'healthy'],
      ['b', 'warn', 'late'],
      ['c', 'bad', 'down'],
      ['d', 'muted', 'pending'],
    ])
    expect(points[0]).toEqual({ id: 'a', name: 'n-a', label: 'Amsterdam', lat: 52.37, lon: 4.9, href: '/pools/pool-1/members/a/', tone: 'ok', status: 'healthy' })
    expect(points[1]!.label).toBeNull()
  })
})

describe('WorldMap', () => {
  test('draws the land, a linked dot per member, and its accessible name', async () => {
    const html = await render([point('a'), point('b', { lat: 40.71, lon: -74, tone: 'bad', status: 'down', label: null })])
    expect(html).toStartWith('<figure class="world-map">')
    expect(html).toContain('role="img"')
    expect(html).toContain('aria-label="Fleet geography"')
    // The coastline is a cached file of its own (see world.test.ts); the page only points at it.
    expect(html).toContain('<use class="wm-land" href="/assets/world-map.svg#land"></use>')
    expect(html.length).toBeLessThan(3000)
    expect(html).toContain('<a class="wm-point wm-ok" href="/pools/p1/members/a/" hx-get="/pools/p1/members/a/" hx-target="#pool-panel" hx-push-url="true"')
    expect(html).toContain('class="wm-point wm-bad"')
    expect(html).toContain('<title>member-a — healthy — Amsterdam</title>')
    expect(html).toContain('<title>member-b — down</title>')
    expect(html).not.toContain(EMPTY_MAP_TEXT.slice(0, 20))
    expect(html).toContain('1 healthy')
    expect(html).toContain('1 down')
    // The down member is drawn last, on top.
    expect(html.indexOf('wm-bad')).toBeGreaterThan(html.indexOf('wm-ok'))
  })

  test('with no member located it is a compact thumbnail of the land beside how to add a location', async () => {
    const html = await render([])
    expect(html).toStartWith('<figure class="world-map world-map-compact">')
    expect(html).toContain('class="wm-land"')
    // No ocean: the globe's cropped top and bottom edges do not show.
    expect(html).not.toContain('wm-ocean')
    expect(html).not.toContain('<circle')
    expect(html).toContain(`<figcaption class="world-map-caption muted">No member has a location yet. Set one on a member's Settings tab.</figcaption>`)
  })

  test('escapes names and labels in the tooltip and the visible label', async () => {
    const html = await render([point('x', { name: '<script>alert(1)</script>', label: '<img src=x onerror=alert(2)>', status: '<b>bad</b>' })])
    expect(html).not.toContain('<script>')
    expect(html).not.toContain('<img')
    expect(html).not.toContain('<b>')
    const title = html.match(/<title>([^<]*)<\/title>/)![1]
    expect(title).toBe('&lt;script&gt;alert(1)&lt;/script&gt; — &lt;b&gt;bad&lt;/b&gt; — &lt;img src=x onerror=alert(2)&gt;')
    // The visible label is cut to fit (before escaping, so no entity is ever cut in half).
    const label = html.match(/<text[^>]*>([^<]*)<\/text>/)![1]
    expect(label).toBe('&lt;script&gt;alert(1)&lt;/scrip…')
    const short = await render([point('y', { name: '<script>x</script>' })])
    expect(short.match(/<text[^>]*>([^<]*)<\/text>/)![1]).toBe('&lt;script&gt;x&lt;/script&gt;')
    expect(short).not.toContain('<script>')
  })

  test('escapes hrefs in attributes', async () => {
    const html = await render([point('q', { href: '/x" onmouseover="alert(1)' })])
    expect(html).not.toContain('" onmouseover="')
    expect(html).toContain('href="/x&#34; onmouseover=&#34;alert(1)"')
  })

  test('labels a few dots, not many', async () => {
    const few = Array.from({ length: LABEL_LIMIT }, (_, i) => point(`f${i}`, { lat: -40 + i * 8, lon: -150 + i * 25 }))
    const fewHtml = await render(few)
    expect(fewHtml.match(/wm-label-wide/g)!.length).toBe(LABEL_LIMIT)
    const many = [...few, point('one-more', { lat: 10, lon: 10 })]
    expect(await render(many)).not.toContain('<text ')
  })

  test('spreads members at the same place so none hides another, the same way whatever the order', async () => {
    const same = [point('a'), point('b'), point('c')]
    const html = await render(same)
    expect(new Set(circles(html)).size).toBe(3)
    expect(circles(await render(same.slice().reverse())).sort()).toEqual(circles(html).sort())
    expect(html.match(/wm-label-wide/g)!.length).toBe(3)

    // Unlabelled (many points), the same holds for a crowd at one place.
    const crowd = Array.from({ length: 40 }, (_, i) => point(`c${String(i).padStart(2, '0')}`))
    const placed = layoutPoints(crowd)
    const [cx, cy] = projectPoint(52.37, 4.9)!
    expect(new Set(placed.map((p) => `${p.x},${p.y}`)).size).toBe(40)
    for (const p of placed) expect(Math.hypot(p.x - cx, p.y - cy)).toBeLessThan(DOT_RADIUS * 10)
    // No two dots closer than one radius: each stays visible.
    for (const a of placed) for (const b of placed) if (a !== b) expect(Math.hypot(a.x - b.x, a.y - b.y)).toBeGreaterThan(DOT_RADIUS)
  })

  test('leaves labels of neighbouring dots apart', () => {
    const placed = layoutPoints([
      point('ams', { name: 'web-amsterdam' }),
      point('fra', { name: 'db-frankfurt', lat: 50.11, lon: 8.68 }),
      point('bru', { name: 'edge-brussels', lat: 50.85, lon: 4.35 }),
    ])
    const boxes = placed.map((p) => {
      const l = p.labels!.wide!
      const w = l.text.length * 6.6
      const x0 = l.anchor === 'start' ? l.x : l.anchor === 'end' ? l.x - w : l.x - w / 2
      return { x0, x1: x0 + w, y0: l.y - 9, y1: l.y + 2 }
    })
    for (const a of boxes) for (const b of boxes) if (a !== b) expect(a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1).toBe(false)
  })

  test('lays each label out again, bigger and shorter, for a phone-sized map, leaving off those that would cover another', async () => {
    const placed = layoutPoints([
      point('ams', { name: 'customer-wordpress-production-amsterdam' }),
      point('fra', { name: 'db-frankfurt', lat: 50.11, lon: 8.68 }),
      point('syd', { name: 'syd', lat: -33.87, lon: 151.21 }),
    ])
    const narrow = placed.map((p) => p.labels!.narrow)
    const ams = placed.find((p) => p.id === 'ams')!.labels!
    expect(ams.wide!.size).toBe(11)
    expect(ams.mid!.size).toBe(18)
    expect(ams.narrow!.text).toBe('customer-wo…')
    expect(placed.find((p) => p.id === 'syd')!.labels!.narrow).toMatchObject({ text: 'syd', size: 32 })
    expect(narrow.every(Boolean)).toBe(true)
    // Six at one place: at 32 units not every label stands clear, and those that would not are left off.
    const crowd = layoutPoints(Array.from({ length: 6 }, (_, i) => point(`c${i}`, { name: `web-${i}` })))
    expect(crowd.filter((p) => p.labels!.wide).length).toBe(6)
    const shown = crowd.map((p) => p.labels!.narrow).filter((l) => l !== null)
    expect(shown.length).toBeGreaterThan(0)
    expect(shown.length).toBeLessThan(6)
    const boxes = shown.map((l) => {
      const w = l.text.length * 0.6 * 32
      const x0 = l.anchor === 'start' ? l.x : l.anchor === 'end' ? l.x - w : l.x - w / 2
      return { x0, x1: x0 + w, y0: l.y - 32 * 0.8, y1: l.y + 32 * 0.2 }
    })
    for (const a of boxes) for (const b of boxes) if (a !== b) expect(a.x0 < b.x1 && b.x0 < a.x1 && a.y0 < b.y1 && b.y0 < a.y1).toBe(false)
    const html = await render(placed)
    expect(html).toContain('class="wm-label wm-label-narrow" x=')
    expect(html).toMatch(/<text class="wm-label wm-label-narrow"[^>]* font-size="32" stroke-width="8.6">syd<\/text>/)
  })

  test('renders 1,000 points quickly', async () => {
    const statuses = [['healthy', 'ok'], ['late', 'warn'], ['down', 'bad'], ['pending', 'muted']] as const
    // A deterministic spread of places, with many members sharing a few.
    const points = Array.from({ length: 1000 }, (_, i) => {
      const [status, tone] = statuses[i % 4]!
      return point(`m${i}`, { name: `server-${i}`, lat: ((i * 37) % 140) - 60, lon: ((i * 53) % 360) - 180, status, tone })
    })
    await render(points) // warm the land cache
    const runs = 5
    const t0 = performance.now()
    let html = ''
    for (let i = 0; i < runs; i++) html = await render(points)
    const ms = (performance.now() - t0) / runs
    console.log(`WorldMap with 1,000 points: ${ms.toFixed(1)} ms per render, ${(html.length / 1024).toFixed(0)} KiB of HTML`)
    expect(circles(html).length).toBe(1000)
  })
})
