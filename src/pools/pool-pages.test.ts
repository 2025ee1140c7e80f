import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { failoverConfigs, members, pools } from '../db/schema'
import { testServer, visibleText, type Browser, type TestServer } from '../testing/harness'
import { fleetCards } from '../members/cards'
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

const tabLabels = (html: string) =>
  [...html.matchAll(/<nav class="tabs pool-tabs"[\s\S]*?<\/nav>/g)][0]![0].match(/data-tab="(\w+)"/g)!.map((m) => m.slice(10, -1))

describe('pools list', () => {
  test('it shows an empty state, then the pools', async () => {
    const empty = await b.get('/pools')
    expect(empty.text).toContain('No pools yet')
    await createPool('Alpha <b>bold</b>')
    const list = await b.get('/pools')
    expect(list.text).toContain('Alpha &lt;b&gt;bold&lt;/b&gt;')
    expect(list.text).not.toContain('<b>bold</b>')
  })

  test('it names the active member and links to it, never its id', async () => {
    const poolId = await createPool('Named active')
    const memberId = (await s.api('POST', `/api/v1/pools/${poolId}/members`, { name: 'web-<1>', hostname: 'web-1.example.com', egressIps: ['203.0.113.7'] })).json.id as string
    await s.db.update(pools).set({ activeMemberId: memberId }).where(eq(pools.id, poolId))
    const list = await b.get('/pools')
    const row = /<tr>(?:(?!<\/tr>)[\s\S])*Named active[\s\S]*?<\/tr>/.exec(list.text)![0]
    expect(row).not.toContain(memberId + '<')
    expect(row).toContain(`href="/pools/${poolId}/members/${memberId}/status"`)
    expect(visibleText(row)).toContain('web-<1>')
    expect(row).not.toContain('web-<1>')
  })

  test('/ leads to the pools list', async () => {
    const res = await b.get('/')
    expect(res.headers.get('location')).toBe('/pools')
  })
})

describe('create pool', () => {
  test('it creates a pool from the form and lands on its page with a notice', async () => {
    await b.get('/pools/new')
    const res = await b.post('/pools', { name: 'Web farm', preset: 'generic' })
    expect(res.status).toBe(303)
    const location = res.headers.get('location')!
    expect(location).toMatch(/^\/pools\/pool_\w+$/)
    const page = await b.get(location)
    expect(page.text).toContain('<h1>Web farm</h1>')
    expect(visibleText(page.text)).toContain('Pool "Web farm" created.')
    // The notice shows once.
    expect((await b.get(location)).text).not.toContain('created.')
  })

  test.each([
    ['no name', { name: '', preset: 'generic' }, 422, 'Give the pool a name'],
    ['no preset', { name: 'X' }, 422, 'Choose a preset'],
    ['a taken name', { name: 'web FARM', preset: 'generic' }, 409, 'already exists'],
  ])('it re-renders the form with %s and creates nothing', async (_l, fields, status, message) => {
    const before = (await s.api('GET', '/api/v1/pools')).json.length
    await b.get('/pools/new')
    const res = await b.post('/pools', fields as Record<string, string>)
    expect(res.status).toBe(status)
    expect(res.text).toContain(message)
    expect(res.text).toContain('class="field-error"')
    expect((await s.api('GET', '/api/v1/pools')).json.length).toBe(before)
  })
})

describe('pool page', () => {
  test('each tab answers a full page, and an htmx tab click only the panel and tab bar', async () => {
    const id = await createPool('Tabs')
    for (const [path, heading] of [
      ['', 'Fleet status'],
      ['/monitoring', 'Infrastructure alerts'],
      ['/settings', 'Danger zone'],
    ]) {
      const full = await b.get(`/pools/${id}${path}`)
      expect(full.status).toBe(200)
      expect(full.text).toStartWith('<!doctype html>')
      expect(full.text).toContain(heading)
      const part = await b.get(`/pools/${id}${path}`, { 'hx-request': 'true', 'hx-target': 'div#pool-panel' })
      expect(part.text).not.toContain('<html')
      expect(part.text).not.toContain('<h1>')
      expect(part.text).toContain(heading)
      expect(part.text).toContain('<hx-partial hx-target="#pool-tabs"')
      expect(part.headers.get('vary')).toContain('HX-Request')
    }
  })

  test('the current tab is marked in the tab bar', async () => {
    const id = await createPool('Marked')
    const page = await b.get(`/pools/${id}/settings`)
    expect(page.text).toMatch(/class="tab current" aria-current="page" data-tab="settings"/)
  })

  test('without cPanel members, Protection and Managed DNS stay hidden and say why', async () => {
    const id = await createPool('Plain')
    const page = await b.get(`/pools/${id}`)
    expect(tabLabels(page.text)).toEqual(['overview', 'monitoring', 'settings'])
    const hidden = await b.get(`/pools/${id}/protection`)
    expect(hidden.status).toBe(200)
    expect(hidden.text).toContain('This tab is not available for this pool')
  })

  test('with two members reporting cPanel, Protection and Managed DNS appear', async () => {
    const id = await createPool('Hosting')
    const cpanel = { version: '120.0', accounts: [] }
    await s.db.insert(members).values([
      { id: 'mem_a', poolId: id, name: 'whm-1', hostname: 'whm-1.example.com', stacks: { cpanel }, summary: { stacks: ['cpanel'] } },
      { id: 'mem_b', poolId: id, name: 'ols-1', hostname: 'ols-1.example.com', stacks: { openlitespeed: {} }, summary: { stacks: ['openlitespeed'] } },
    ])
    expect(tabLabels((await b.get(`/pools/${id}`)).text)).toEqual(['overview', 'monitoring', 'settings'])
    await s.db.insert(members).values({ id: 'mem_c', poolId: id, name: 'whm-2', hostname: 'whm-2.example.com', stacks: { cpanel }, summary: { stacks: ['cpanel'] } })
    const page = await b.get(`/pools/${id}`)
    expect(tabLabels(page.text)).toEqual(['overview', 'protection', 'dns', 'monitoring', 'settings'])
    expect((await b.get(`/pools/${id}/dns`)).text).toContain('DNS health')
    expect(page.text).toContain('whm-2')
    // A member's page counts them without reading every member.
    expect(tabLabels((await b.get(`/pools/${id}/members/mem_b`)).text)).toEqual(['overview', 'protection', 'dns', 'monitoring', 'settings'])
  })

  test('an unknown pool answers 404 with a page', async () => {
    const res = await b.get('/pools/pool_missing/settings')
    expect(res.status).toBe(404)
    expect(res.text).toContain('Pool not found')
  })
})

describe('a large fleet', () => {
  // A page of tiles and 10 more, each with its own operating system; the last one enrolled is down.
  const N = TILE_LIMIT + 10
  const LAST = N - 1
  async function largePool() {
    const id = await createPool(`Large fleet ${Math.random()}`)
    const start = Date.now() - 3_600_000
    await s.db.insert(members).values(
      Array.from({ length: N }, (_, i) => ({
        id: `mem_large_${id}_${String(i).padStart(3, '0')}`,
        poolId: id,
        name: `node-${i}`,
        hostname: `node-${i}.example.com`,
        createdAt: new Date(start + i * 1000),
        lastHeartbeatAt: new Date(Date.now() - (i === LAST ? 600_000 : 2_000)),
        summary: { osName: `Debian 12 build ${i}`, cpu: i % 100, memPercent: 50, diskPercent: 25, stacks: ['mariadb' as const], interval: 10 },
      })),
    )
    return id
  }
  const tiles = (html: string) => [...html.matchAll(/<li class="tile tile-(\w+)" data-member-id="[^"]+"[\s\S]*?<\/li>/g)].map((m) => ({ status: m[1], text: visibleText(m[0]) }))

  test('the Overview shows the page of tiles that most need a look, each with its details, and the way to the other 10', async () => {
    const id = await largePool()
    const page = await b.get(`/pools/${id}`)
    const shown = tiles(page.text)
    expect(shown).toHaveLength(TILE_LIMIT)
    expect(shown[0]!.status).toBe('down')
    expect(shown[0]!.text).toContain(`node-${LAST}`)
    expect(shown[0]!.text).toContain(`Debian 12 build ${LAST}`)
    // Every tile on screen has its own operating system, stacks and figures.
    for (const tile of shown) {
      const n = /node-(\d+)/.exec(tile.text)![1]
      expect(tile.text).toContain(`Debian 12 build ${n}`)
      expect(tile.text).toContain('MariaDB')
    }
    const text = visibleText(page.text)
    expect(text).toContain(`Showing members 1–${TILE_LIMIT} of ${N}, those that most need a look first (down, late, pending, then healthy).`)
    expect(text).toContain(`${N} Members`)
    expect(text).toContain(`${LAST} Healthy agents`)
    // The poll answers the same tiles.
    const poll = await b.get(`/pools/${id}/tiles`, { 'hx-request': 'true' })
    expect(tiles(poll.text).map((t) => t.text)).toEqual(shown.map((t) => t.text))

    // "Show more": the other 10, with their details, and the line says that is all.
    const more = await b.get(`/pools/${id}/tiles?page=2&part=more&first=1`, { 'hx-request': 'true' })
    const rest = tiles(more.text)
    expect(rest).toHaveLength(10)
    for (const tile of rest) expect(tile.text).toContain(`Debian 12 build ${/node-(\d+)/.exec(tile.text)![1]}`)
    expect(new Set([...shown, ...rest].map((t) => t.text)).size).toBe(N)
    expect(visibleText(more.text)).toContain(`That is all: members 1–${N} of ${N}.`)
    // ?all=1 no longer sends every tile: a page at most.
    expect(tiles((await b.get(`/pools/${id}?all=1`)).text)).toHaveLength(TILE_LIMIT)
  })
})

describe('Fleet status', () => {
  test('counts the statuses the tiles show, orders the tiles by them, and counts outdated agents', async () => {
    const id = await createPool('Mixed fleet')
    await s.db.insert(failoverConfigs).values({ poolId: id, delaySeconds: 60 })
    const start = Date.now() - 3_600_000
    const ago = (seconds: number) => new Date(Date.now() - seconds * 1000)
    const fleet: [string, Date | null, number | null, string | null][] = [
      ['pending', null, null, null],
      ['fresh', ago(2), null, '0.1.0'],
      ['quiet', ago(30), null, '0.1.0'], // late: past 1.5 intervals, within the 60 s delay
      ['gone', ago(120), null, '0.1.0'], // down: past the delay
      ['slow-ok', ago(45), 60, '0.1.0'], // reports every 60 s: healthy
      ['slow-gone', ago(100), 60, '0.1.0'], // down: past 1.5 of its intervals and the delay
      ['old-agent', ago(3), null, '0.0.1'],
    ]
    await s.db.insert(members).values(
      fleet.map(([name, lastHeartbeatAt, interval, agentVersion], i) => ({
        id: `mem_mixed_${i}`,
        poolId: id,
        name,
        hostname: `${name}.example.com`,
        createdAt: new Date(start + i * 1000),
        lastHeartbeatAt,
        agentVersion,
        summary: interval ? { interval } : {},
      })),
    )
    const page = await b.get(`/pools/${id}`)
    const tiles = [...page.text.matchAll(/<li class="tile tile-(\w+)"[\s\S]*?<span class="tile-name">([^<]+)</g)].map((m) => `${m[2]}:${m[1]}`)
    expect(tiles).toEqual(['gone:down', 'slow-gone:down', 'quiet:late', 'pending:pending', 'fresh:healthy', 'slow-ok:healthy', 'old-agent:healthy'])
    const text = visibleText(page.text)
    expect(text).toMatch(/\b7 Members/)
    expect(text).toMatch(/\b3 Healthy agents/)
    expect(text).toMatch(/just now Last check-in/)
    expect(text).toMatch(/\b1 Outdated agents/)
    // The map and the member row use the same statuses.
    const row = [...page.text.matchAll(/class="member-tab[^"]*"[^>]*>\s*<span class="dot dot-(\w+)"><\/span><span>([^<]+)</g)].map((m) => `${m[2]}:${m[1]}`)
    expect(row).toEqual(['pending:muted', 'fresh:ok', 'quiet:warn', 'gone:bad', 'slow-ok:ok', 'slow-gone:bad', 'old-agent:ok'])
  })
})

describe('Fleet status at the edges', () => {
  // The database counts, the tiles judge each member again: at the very
  // millisecond a member turns late or down, both must say the same.
  test.each([
    ['15.000 s after its heartbeat (1.5 intervals): healthy', 15_000, 'healthy'],
    ['15.001 s: late', 15_001, 'late'],
    ['30.000 s (the failover delay): late', 30_000, 'late'],
    ['30.001 s: down', 30_001, 'down'],
  ] as const)('%s', async (label, silentMs, status) => {
    const id = await createPool(`Edge ${label}`)
    const now = new Date('2026-11-26T12:00:00.000Z')
    await s.db.insert(members).values({ id: `mem_edge_${silentMs}`, poolId: id, name: 'edge', hostname: 'edge.example.com', lastHeartbeatAt: new Date(now.getTime() - silentMs), summary: { interval: 10 } })
    const fleet = await fleetCards(s.db, id, { now })
    expect(fleet.tiles.map((c) => c.status)).toEqual([status])
    expect(fleet.status.healthy).toBe(status === 'healthy' ? 1 : 0)
  })
})

describe('pool settings', () => {
  test('it renames the pool', async () => {
    const id = await createPool('Old name')
    await b.get(`/pools/${id}/settings`)
    const res = await b.post(`/pools/${id}/settings/name`, { name: 'New name' })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`/pools/${id}/settings`)
    const page = await b.get(`/pools/${id}/settings`)
    expect(page.text).toContain('<h1>New name</h1>')
    expect(page.text).toContain('Pool renamed.')
  })

  test('it refuses an empty or taken name next to the field and keeps the old one', async () => {
    const id = await createPool('Keep me')
    await createPool('Taken')
    await b.get(`/pools/${id}/settings`)
    const empty = await b.post(`/pools/${id}/settings/name`, { name: ' ' })
    expect(empty.status).toBe(422)
    expect(empty.text).toContain('Give the pool a name')
    const taken = await b.post(`/pools/${id}/settings/name`, { name: 'taken' })
    expect(taken.status).toBe(409)
    expect(taken.text).toContain('already exists')
    expect((await s.api('GET', `/api/v1/pools/${id}`)).json.name).toBe('Keep me')
  })

  test('it deletes the pool only when its name is typed', async () => {
    const id = await createPool('Doomed')
    await b.get(`/pools/${id}/settings`)
    const wrong = await b.post(`/pools/${id}/delete`, { confirmName: 'doomed' })
    expect(wrong.status).toBe(422)
    expect(visibleText(wrong.text)).toContain("Type the pool's name, Doomed, to confirm")
    expect((await s.api('GET', `/api/v1/pools/${id}`)).status).toBe(200)

    const right = await b.post(`/pools/${id}/delete`, { confirmName: 'Doomed' })
    expect(right.status).toBe(303)
    expect(right.headers.get('location')).toBe('/pools')
    const list = await b.get('/pools')
    expect(visibleText(list.text)).toContain('Pool "Doomed" deleted.')
    expect((await s.api('GET', `/api/v1/pools/${id}`)).status).toBe(404)
  })

  test('deleting a pool removes its members', async () => {
    const id = await createPool('With members')
    await s.db.insert(members).values({ id: 'mem_z', poolId: id, name: 'z', hostname: 'z.example.com' })
    expect((await s.api('DELETE', `/api/v1/pools/${id}`)).status).toBe(204)
    expect(await s.db.select().from(members)).not.toContainEqual(expect.objectContaining({ id: 'mem_z' }))
  })
})
