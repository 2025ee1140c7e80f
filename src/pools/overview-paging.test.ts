// The Overview of a big fleet sends what is on screen: the map as clusters
// (a count and the worst status a cell, its members on demand) and the
// tiles a page at a time, "Show more" adding the next.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { members } from '../db/schema'
import { testServer, visibleText, type Browser, type TestServer } from '../testing/harness'
import { TILE_LIMIT } from '../members/view-model'

let s: TestServer
let b: Browser
beforeAll(async () => {
  s = await testServer()
  b = await s.browser().signIn()
})
afterAll(() => s.close())

async function createPool(name: string) {
  return (await s.api('POST', '/api/v1/pools', { name, preset: 'generic' })).json.id as string
}

const sqlNameIs = (name: string) => eq(members.name, name)
const ago = (ms: number) => new Date(Date.now() - ms)
type Status = 'down' | 'late' | 'pending' | 'healthy'
/** A heartbeat that makes a member of interval 10 s (failover delay 30 s) show this status. */
const heartbeatFor = (status: Status) => (status === 'pending' ? null : ago(status === 'down' ? 600_000 : status === 'late' ? 20_000 : 2_000))

async function addMembers(poolId: string, list: { name: string; status: Status; at?: [number, number] | null; label?: string }[]) {
  const start = Date.now() - 3_600_000
  await s.db.insert(members).values(
    list.map((m, i) => ({
      id: `mem_${poolId.slice(5, 13)}_${String(i).padStart(4, '0')}`,
      poolId,
      name: m.name,
      hostname: `${m.name}.example.com`,
      createdAt: new Date(start + i * 1000),
      lastHeartbeatAt: heartbeatFor(m.status),
      summary: { interval: 10 },
      location: m.at ? { lat: m.at[0], lon: m.at[1], label: m.label ?? null } : null,
    })),
  )
}

const clusters = (html: string) =>
  [...html.matchAll(/<a class="wm-cluster wm-(\w+)" href="([^"]+)"[^>]*data-count="(\d+)"><title>([^<]+)<\/title>/g)].map((m) => ({
    tone: m[1]!,
    href: m[2]!,
    cell: m[2]!.split('/').at(-1)!,
    count: Number(m[3]),
    label: m[4]!,
  }))
const memberDots = (html: string) => [...html.matchAll(/<a class="wm-point wm-(\w+)"[^>]*data-member-id="([^"]+)"/g)].map((m) => ({ tone: m[1]!, id: m[2]! }))
const mapOf = (html: string) => /<figure class="world-map" id="fleet-map">[\s\S]*?<\/figure>/.exec(html)?.[0] ?? ''
const tileNames = (html: string) => [...html.matchAll(/<li class="tile tile-\w+"[\s\S]*?<span class="tile-name">([^<]+)</g)].map((m) => m[1]!)

describe('the fleet map', () => {
  let poolId: string
  beforeAll(async () => {
    poolId = await createPool('Clustered')
    await addMembers(poolId, [
      // Amsterdam and Rotterdam: one cell (46°N–54°N, 0°–9°E), with one down.
      { name: 'ams-1', status: 'healthy', at: [52.37, 4.9], label: 'Amsterdam' },
      { name: 'ams-2', status: 'healthy', at: [52.36, 4.88], label: 'Amsterdam' },
      { name: 'rtm-1', status: 'down', at: [51.92, 4.48], label: 'Rotterdam' },
      { name: 'ams-3', status: 'late', at: [52.3, 4.7] },
      // Alone in its cell: a member's own dot, as before.
      { name: 'syd-<1>', status: 'healthy', at: [-33.87, 151.21], label: 'Sydney' },
      // Two in another cell, one pending.
      { name: 'nyc-1', status: 'pending', at: [40.71, -74.0] },
      { name: 'nyc-2', status: 'healthy', at: [40.75, -73.98] },
      // No location: a tile, nothing on the map.
      { name: 'nowhere', status: 'down', at: null },
    ])
  })

  test('it draws one dot a cell: a cluster with its count and worst status, a lone member as itself', async () => {
    const html = (await b.get(`/pools/${poolId}`)).text
    const map = mapOf(html)
    const found = clusters(map).sort((x, y) => y.count - x.count)
    expect(found.map((c) => [c.count, c.tone])).toEqual([
      [4, 'bad'],
      [2, 'muted'],
    ])
    expect(found[0]!.label).toBe('4 servers, worst down (1 down, 1 late, 2 healthy)')
    expect(found[1]!.label).toBe('2 servers, worst pending (1 pending, 1 healthy)')
    // Its members are asked for into the list under the map, not as a page of their own.
    expect(map).toContain('hx-target:inherited="#map-cell"')
    // The lone member keeps its dot, its name (escaped) and link.
    const dots = memberDots(map)
    expect(dots).toHaveLength(1)
    expect(map).toContain('<title>syd-&lt;1&gt; — healthy — Sydney</title>')
    expect(map).not.toContain('syd-<1>')
    // The legend counts every located member, not the dots.
    expect(visibleText(/<ul class="world-map-legend">[\s\S]*?<\/ul>/.exec(map)![0]).trim()).toBe('4 healthy 1 late 1 down 1 pending')
    // The member without a location is on no dot.
    expect(map).not.toContain('nowhere')
  })

  test("a cluster's members come on demand, worst first, each linking to its member", async () => {
    const html = (await b.get(`/pools/${poolId}`)).text
    const ams = clusters(mapOf(html)).find((c) => c.count === 4)!
    expect(ams.href).toBe(`/pools/${poolId}/map/${ams.cell}`)
    expect(html).toContain('<div id="map-cell" aria-live="polite"></div>')
    const part = await b.get(ams.href, { 'hx-request': 'true', 'hx-target': 'div#map-cell' })
    expect(part.status).toBe(200)
    expect(part.text).not.toContain('<html')
    const listed = [...part.text.matchAll(/<li data-member-id="([^"]+)">[\s\S]*?<span>([^<]+)<\/span>[\s\S]*?data-status="(\w+)"/g)].map((m) => `${m[2]}:${m[3]}`)
    expect(listed).toEqual(['rtm-1:down', 'ams-3:late', 'ams-1:healthy', 'ams-2:healthy'])
    expect(visibleText(part.text)).toContain('4 servers near 46°N to 54°N, 0° to 9°E')
    expect(part.text).toMatch(new RegExp(`href="/pools/${poolId}/members/mem_\\w+/?"`))
    // Without htmx the same URL is a page of its own, with the way back.
    const page = await b.get(ams.href)
    expect(page.text).toStartWith('<!doctype html>')
    expect(visibleText(page.text)).toContain('Back to the Overview')
    expect(visibleText(page.text)).toContain('rtm-1')
  })

  test('a big cluster lists its members a page at a time', async () => {
    const id = await createPool('Crowded city')
    await addMembers(id, Array.from({ length: 120 }, (_, i) => ({ name: `fra-${i}`, status: 'healthy' as const, at: [50.11 + i / 1000, 8.68] as [number, number] })))
    const cell = clusters(mapOf((await b.get(`/pools/${id}`)).text))[0]!
    expect(cell.count).toBe(120)
    const names = (text: string) => [...text.matchAll(/<li data-member-id="[^"]+">[\s\S]*?<span>([^<]+)<\/span>/g)].map((m) => m[1]!)
    const seen: string[] = []
    for (const [page, n, line] of [
      [1, 50, 'Servers 1–50 of 120.'],
      [2, 50, 'Servers 51–100 of 120.'],
      [3, 20, 'Servers 101–120 of 120.'],
    ] as const) {
      const text = (await b.get(`${cell.href}?page=${page}`, { 'hx-request': 'true', 'hx-target': 'div#map-cell' })).text
      expect(names(text)).toHaveLength(n)
      expect(visibleText(text)).toContain(line)
      seen.push(...names(text))
      expect(text.includes('>Next<')).toBe(page < 3)
    }
    expect(new Set(seen).size).toBe(120)
  })

  test('a city on the edge of two cells is one dot, and lists the members of both', async () => {
    const id = await createPool('Edge city')
    // 8.99°E and 9.01°E: cells 17.20 and 17.21, less than a unit apart on the map.
    await addMembers(id, [
      { name: 'west-1', status: 'healthy', at: [50.1, 8.99] },
      { name: 'west-2', status: 'healthy', at: [50.1, 8.98] },
      { name: 'east-1', status: 'late', at: [50.1, 9.01] },
    ])
    const map = mapOf((await b.get(`/pools/${id}`)).text)
    const found = clusters(map)
    expect(found.map((c) => [c.cell, c.count, c.tone])).toEqual([['17.20,17.21', 3, 'warn']])
    expect(memberDots(map)).toEqual([])
    const part = await b.get(found[0]!.href, { 'hx-request': 'true', 'hx-target': 'div#map-cell' })
    expect(visibleText(part.text)).toContain('3 servers near 46°N to 54°N, 0° to 18°E')
    expect([...part.text.matchAll(/<li data-member-id="[^"]+">[\s\S]*?<span>([^<]+)<\/span>/g)].map((m) => m[1])).toEqual(['east-1', 'west-1', 'west-2'])
  })

  test("the map's corners: the north pole on the antimeridian is in the last cell, a location off the globe in none", async () => {
    const id = await createPool('Corners')
    await addMembers(id, [
      { name: 'pole-1', status: 'healthy', at: [90, 180] },
      { name: 'pole-2', status: 'down', at: [89.5, 179.5] },
      { name: 'nowhere-1', status: 'healthy', at: [91, 10] },
    ])
    const map = mapOf((await b.get(`/pools/${id}`)).text)
    expect(clusters(map).map((c) => [c.cell, c.count])).toEqual([['22.39', 2]])
    expect(visibleText(/<ul class="world-map-legend">[\s\S]*?<\/ul>/.exec(map)![0]).trim()).toBe('1 healthy 1 down')
    const list = await b.get(`/pools/${id}/map/22.39`, { 'hx-request': 'true', 'hx-target': 'div#map-cell' })
    expect(visibleText(list.text)).toContain('2 servers near 86°N to 90°N, 171°E to 180°E')
  })

  test('an empty cell says so; an unknown cell or pool, or a bad page, is refused', async () => {
    const empty = await b.get(`/pools/${poolId}/map/0.0`, { 'hx-request': 'true', 'hx-target': 'div#map-cell' })
    expect(empty.status).toBe(200)
    expect(visibleText(empty.text)).toContain('No server with a location is near 90°S to 82°S, 180°W to 171°W now.')
    for (const cell of ['99.99', 'abc', '1.2.3', '17.20,', Array.from({ length: 17 }, (_, i) => `1.${i}`).join(',')]) {
      const res = await b.get(`/pools/${poolId}/map/${cell}`)
      expect(res.status).toBe(404)
      expect(res.text).toContain('Map cell not found')
    }
    const pool = await b.get(`/pools/pool_missing/map/17.20`)
    expect(pool.status).toBe(404)
    expect(pool.text).toContain('Pool not found')
    const page = await b.get(`/pools/${poolId}/map/17.20?page=0`)
    expect(page.status).toBe(400)
    expect(page.text).toContain('The page must be a whole number from 1')
  })

  test("the tiles' poll brings the map's clusters, and answers 304 while nothing changed", async () => {
    const first = await b.get(`/pools/${poolId}/tiles`, { 'hx-request': 'true' })
    expect(first.status).toBe(200)
    const ptag = first.headers.get('hx-ptag')!
    expect(clusters(first.text).map((c) => c.count).sort()).toEqual([2, 4])
    expect((await b.get(`/pools/${poolId}/tiles`, { 'hx-request': 'true', 'hx-ptag': ptag })).status).toBe(304)
    // nyc-1 reports: its cluster turns healthy, and the poll says so.
    await s.db.update(members).set({ lastHeartbeatAt: new Date() }).where(sqlNameIs('nyc-1'))
    const after = await b.get(`/pools/${poolId}/tiles`, { 'hx-request': 'true', 'hx-ptag': ptag })
    expect(after.status).toBe(200)
    expect(clusters(after.text).find((c) => c.count === 2)!.tone).toBe('ok')
  })
})

describe('tiles a page at a time', () => {
  let poolId: string
  // Two pages of tiles and half a page more: 1 in 30 down, 1 in 15 late, 1 in 60 pending, the rest healthy, mixed through creation order.
  const N = 2 * TILE_LIMIT + TILE_LIMIT / 2
  const statusOf = (i: number): Status => (i % 30 === 7 ? 'down' : i % 15 === 3 ? 'late' : i % 60 === 11 ? 'pending' : 'healthy')
  beforeAll(async () => {
    poolId = await createPool('Paged fleet')
    await addMembers(poolId, Array.from({ length: N }, (_, i) => ({ name: `node-${i}`, status: statusOf(i) })))
  })

  test('the page comes with the first page of tiles, worst first, and "Show more" adds the next page and no one twice', async () => {
    const page = await b.get(`/pools/${poolId}`)
    const first = tileNames(page.text)
    expect(first).toHaveLength(TILE_LIMIT)
    const statuses = [...page.text.matchAll(/<li class="tile tile-(\w+)"/g)].map((m) => m[1])
    const firstHealthy = statuses.indexOf('healthy')
    expect(statuses.slice(0, firstHealthy).every((x) => x !== 'healthy')).toBe(true)
    expect(statuses[0]).toBe('down')
    const text = visibleText(page.text)
    expect(text).toContain(`Showing members 1–${TILE_LIMIT} of ${N}, those that most need a look first (down, late, pending, then healthy).`)
    expect(page.text).toContain(`href="/pools/${poolId}?page=2"`)
    expect(page.text).toContain(`hx-get="/pools/${poolId}/tiles?page=2&part=more&first=1"`)

    const more = await b.get(`/pools/${poolId}/tiles?page=2&part=more&first=1`, { 'hx-request': 'true', 'hx-target': 'p#tiles-more' })
    expect(more.status).toBe(200)
    expect(more.text).toContain(`<ul class="tiles" id="member-tiles-p2" data-page="2" hx-get="/pools/${poolId}/tiles?page=2&part=page" hx-trigger="every 10s"`)
    const second = tileNames(more.text)
    expect(second).toHaveLength(TILE_LIMIT)
    expect(second.filter((n) => first.includes(n))).toEqual([])
    expect(visibleText(more.text)).toContain(`Showing members 1–${2 * TILE_LIMIT} of ${N}`)

    const last = await b.get(`/pools/${poolId}/tiles?page=3&part=more&first=1`, { 'hx-request': 'true', 'hx-target': 'p#tiles-more' })
    const third = tileNames(last.text)
    expect(third).toHaveLength(TILE_LIMIT / 2)
    expect(new Set([...first, ...second, ...third]).size).toBe(N)
    expect(visibleText(last.text)).toContain(`That is all: members 1–${N} of ${N}.`)
    expect(last.text).not.toContain('Show more')
  })

  test('a reload of ?page=2 opens on that page, polls it, and leads back to the first', async () => {
    const page = await b.get(`/pools/${poolId}?page=2`)
    expect(page.status).toBe(200)
    const shown = tileNames(page.text)
    const more = await b.get(`/pools/${poolId}/tiles?page=2&part=page`, { 'hx-request': 'true' })
    expect(tileNames(more.text)).toEqual(shown)
    expect(page.text).toContain(`<ul class="tiles" id="member-tiles" data-page="2" hx-get="/pools/${poolId}/tiles?page=2"`)
    const text = visibleText(page.text)
    expect(text).toContain(`Showing members ${TILE_LIMIT + 1}–${2 * TILE_LIMIT} of ${N}`)
    expect(text).toContain('First page')
    // Fleet status still counts the whole fleet.
    expect(text).toContain(`${N} Members`)
  })

  test('a page past the end says so; a page that is not a number is refused', async () => {
    const past = await b.get(`/pools/${poolId}?page=9`)
    expect(past.status).toBe(200)
    expect(tileNames(past.text)).toEqual([])
    expect(visibleText(past.text)).toContain(`No members on page 9: the pool's ${N} members fit on 3 pages.`)
    for (const bad of ['0', 'two', '-1', '1.5']) {
      const res = await b.get(`/pools/${poolId}?page=${bad}`)
      expect(res.status).toBe(400)
      expect(res.text).toContain('The page must be a whole number from 1')
    }
    expect((await b.get(`/pools/${poolId}/tiles?part=all`)).status).toBe(400)
  })

  test("a later page's poll answers 304 while its tiles hold, and the new state when one changes", async () => {
    const res = await b.get(`/pools/${poolId}/tiles?page=3&part=page`, { 'hx-request': 'true' })
    const ptag = res.headers.get('hx-ptag')!
    expect(ptag).toBeTruthy()
    expect(res.text).not.toContain('hx-partial')
    expect((await b.get(`/pools/${poolId}/tiles?page=3&part=page`, { 'hx-request': 'true', 'hx-ptag': ptag })).status).toBe(304)
    const last = tileNames(res.text).at(-1)!
    await s.db.update(members).set({ name: `${last}-renamed` }).where(sqlNameIs(last))
    const changed = await b.get(`/pools/${poolId}/tiles?page=3&part=page`, { 'hx-request': 'true', 'hx-ptag': ptag })
    expect(changed.status).toBe(200)
    expect(tileNames(changed.text)).toContain(`${last}-renamed`)
  })
})
