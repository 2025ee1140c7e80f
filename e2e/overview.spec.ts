// The pool overview as an operator watches it: a real compiled agent turns its
// tile healthy, and when the agent stops the tile, the "Fleet status" figures
// follow it down by polling alone (no reload). And the "Fleet geography" map:
// a location set on a member's Settings tab puts a labelled point on the map
// that opens the member's workspace.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { APIRequestContext, Page } from '@playwright/test'
import { test, expect, useServer, ADMIN, signIn, createPool } from './fixtures'
import { APP_ROOT } from './server'
import { agentTempDir, cleanUpAgents, enrollAgent, ensureAgentBuilt, startAgent, stopAgent, type Agent } from './agent-binary'

const API_TOKEN = 'sctl_e2e_overview_token_0123456789abcdef'
const server = useServer({ admin: { ...ADMIN, apiToken: API_TOKEN } })

/** The agent's heartbeat interval in these tests (SERVERSCTL_HEARTBEAT_SECONDS). */
const HEARTBEAT_SECONDS = 2

// ---------------------------------------------------------------- the agent

test.beforeAll(() => ensureAgentBuilt())

// Every agent a test starts, and its temp dirs: afterEach stops and removes them.
test.afterEach(cleanUpAgents)

/** Enrols the member with the compiled agent (`enroll`), then starts `run`. */
async function enrollAndRun(member: AddedMember): Promise<Agent> {
  const config = join(agentTempDir('serversctl-overview-e2e-'), 'agent.json')
  const opts = { hostname: member.hostname, heartbeatSeconds: HEARTBEAT_SECONDS }
  const enrolled = await enrollAgent({ server: server.current.baseURL, secret: member.secret, config }, opts)
  expect(enrolled.code, `enroll exits 0:\n${enrolled.output}`).toBe(0)
  expect(enrolled.output).toContain(`enrolled as member ${member.id}`)
  return startAgent(['run', '--config', config], opts)
}

// ---------------------------------------------------------------- the API and the page

type AddedMember = { id: string; name: string; hostname: string; secret: string }

const auth = { authorization: `Bearer ${API_TOKEN}` }

/** Adds a member that may enrol from 127.0.0.1, through the JSON API. */
async function addMember(request: APIRequestContext, poolId: string, name: string): Promise<AddedMember> {
  const hostname = `${name}.example.com`
  const res = await request.post(`/api/v1/pools/${poolId}/members`, { headers: auth, data: { name, hostname, egressIps: ['127.0.0.1'] } })
  expect(res.status(), await res.text()).toBe(201)
  const body = (await res.json()) as { id: string; enrollment: { secret: string } }
  return { id: body.id, name, hostname, secret: body.enrollment.secret }
}

const tile = (page: Page, memberId: string) => page.locator(`ul#member-tiles > li.tile[data-member-id="${memberId}"]`)
const tileStatus = (page: Page, memberId: string) => tile(page, memberId).locator('.status')
const kpi = (page: Page, label: string) =>
  page.locator('#fleet-kpis .kpi').filter({ has: page.locator('.kpi-label', { hasText: new RegExp(`^${label}$`) }) }).locator('.kpi-value')

/** Puts a marker on window; it survives htmx swaps and dies with a full page load. */
async function markWindow(page: Page) {
  await page.evaluate(() => ((window as unknown as { __marker?: number }).__marker = 1))
}
const marker = (page: Page) => page.evaluate(() => (window as unknown as { __marker?: number }).__marker ?? null)

test.beforeEach(async ({ page }) => {
  await signIn(page)
})

// ---------------------------------------------------------------- the tests

test('a stopped agent turns its tile down and the healthy count to 0, without a reload', async ({ page, request }, testInfo) => {
  test.setTimeout(120_000)
  const poolId = await createPool(page, 'Watch fleet')
  const member = await addMember(request, poolId, 'watch-1')
  // On the map too: its point follows the same poll as the tile.
  const located = await request.patch(`/api/v1/members/${member.id}`, { headers: auth, data: { location: { lat: 50.11, lon: 8.68, label: 'Frankfurt' } } })
  expect(located.status(), await located.text()).toBe(200)

  await page.goto(`/pools/${poolId}`)
  const point = page.locator(`figure.world-map#fleet-map a.wm-point[data-member-id="${member.id}"]`)
  await expect(tileStatus(page, member.id)).toHaveAttribute('data-status', 'pending')
  await expect(point).toHaveClass(/\bwm-muted\b/)
  await expect(kpi(page, 'Members')).toHaveText('1')
  await expect(kpi(page, 'Healthy agents')).toHaveText('0')
  await markWindow(page)

  const agent = await enrollAndRun(member)
  // Healthy by polling alone. The agent's very first heartbeat waits for its package-update
  // check (up to 15 s, see agent/collect/updates.ts), then the tiles poll every 3 s.
  await expect(tileStatus(page, member.id)).toHaveAttribute('data-status', 'healthy', { timeout: 25_000 })
  const healthyAfter = Date.now() - agent.startedAt
  await expect(tileStatus(page, member.id)).toHaveText('healthy')
  await expect(kpi(page, 'Healthy agents')).toHaveText('1')
  await expect(kpi(page, 'Last check-in')).toHaveText('just now')
  await expect(point).toHaveClass(/\bwm-ok\b/)
  await expect(point.locator('title')).toHaveText('watch-1 — healthy — Frankfurt')
  expect(await marker(page), 'the tile turned healthy without a page reload').toBe(1)
  // A few more heartbeats, so the agent is settled in its steady pace.
  await page.waitForTimeout(2 * HEARTBEAT_SECONDS * 1000)
  expect(agent.child.exitCode, `the agent keeps running:\n${agent.output()}`).toBeNull()

  // Stop the agent: SIGTERM, a clean exit.
  const stoppedAt = Date.now()
  expect(await stopAgent(agent), `the agent exits 0 on SIGTERM:\n${agent.output()}`).toBe(0)
  expect(agent.output()).toContain('SIGTERM: stopping')

  // Late after 15 s of silence: the healthy count drops to 0 then.
  await expect(kpi(page, 'Healthy agents')).toHaveText('0', { timeout: 25_000 })
  const notHealthyAfter = Date.now() - stoppedAt
  // The same poll brought the tile: late, not down yet (that takes 30 s).
  await expect(tileStatus(page, member.id)).toHaveAttribute('data-status', 'late', { timeout: 1_000 })
  await expect(point).toHaveClass(/\bwm-warn\b/, { timeout: 1_000 })
  // Down after 30 s of silence; the 3 s poll shows it well within 45 s.
  await expect(tileStatus(page, member.id)).toHaveAttribute('data-status', 'down', { timeout: Math.max(1, stoppedAt + 45_000 - Date.now()) })
  const downAfter = Date.now() - stoppedAt
  await expect(tileStatus(page, member.id)).toHaveText('down')
  await expect(tile(page, member.id)).toHaveClass(/\btile-down\b/)
  await expect(kpi(page, 'Healthy agents')).toHaveText('0')
  await expect(kpi(page, 'Members')).toHaveText('1')
  // The map's point follows the same poll.
  await expect(point).toHaveClass(/\bwm-bad\b/)
  await expect(point.locator('title')).toHaveText('watch-1 — down — Frankfurt')
  await expect(page.locator('#fleet-map .world-map-legend')).toHaveText('1 down')
  expect(await marker(page), 'the tile went down without a page reload').toBe(1)

  // A reload agrees with what the poll showed.
  await page.reload()
  await expect(tileStatus(page, member.id)).toHaveAttribute('data-status', 'down')
  await expect(kpi(page, 'Healthy agents')).toHaveText('0')
  await expect(point).toHaveClass(/\bwm-bad\b/)

  const timings = `healthy ${healthyAfter} ms after "run" started; after SIGTERM: not healthy at ${notHealthyAfter} ms, down at ${downAfter} ms`
  testInfo.annotations.push({ type: 'timings', description: timings })
  console.log(`[overview.spec] ${timings}`)
})

test('a location set on the Settings tab puts the member on the map, and its point opens the member', async ({ page, request }) => {
  test.setTimeout(90_000)
  const poolId = await createPool(page, 'Map fleet')
  const member = await addMember(request, poolId, 'ams-1')
  // A second member, not located: it has a tile but no point.
  const elsewhere = await addMember(request, poolId, 'nowhere-1')

  // Before: the map is there (the pool has members) but compact, a thumbnail beside the way to add a point.
  await page.goto(`/pools/${poolId}`)
  const map = page.locator('figure.world-map#fleet-map')
  await expect(map).toBeVisible()
  await expect(map).toHaveClass(/\bworld-map-compact\b/)
  expect((await map.boundingBox())!.height).toBeLessThan(100)
  await expect(map.locator('a.wm-point')).toHaveCount(0)
  await expect(map).toContainText("No member has a location yet. Set one on a member's Settings tab.")

  // The member's Settings tab: "Server location".
  await page.goto(`/pools/${poolId}/members/${member.id}/settings`)
  const card = page.locator('.card', { has: page.getByRole('heading', { name: 'Server location' }) })
  await expect(card).toBeVisible()
  await card.getByLabel('Latitude').fill('52.37')
  await card.getByLabel('Longitude').fill('4.90')
  await card.getByLabel('Label').fill('Amsterdam')
  await card.getByRole('button', { name: 'Save location' }).click()
  await expect(page.getByText('Location saved.')).toBeVisible()
  await expect(page).toHaveURL(new RegExp(`/pools/${poolId}/members/${member.id}/settings$`))
  // The form shows what was saved.
  await expect(page.getByLabel('Latitude')).toHaveValue('52.37')
  await expect(page.getByLabel('Longitude')).toHaveValue('4.9')
  await expect(page.getByLabel('Label')).toHaveValue('Amsterdam')
  // And the API agrees.
  const saved = await (await request.get(`/api/v1/members/${member.id}`, { headers: auth })).json()
  expect(saved.location).toEqual({ lat: 52.37, lon: 4.9, label: 'Amsterdam' })

  // The overview: the full map, one point, for that member.
  await page.goto(`/pools/${poolId}`)
  await expect(map).toBeVisible()
  await expect(map).not.toHaveClass(/\bworld-map-compact\b/)
  await expect(map.locator('svg[aria-label="Fleet geography"]')).toBeVisible()
  const points = map.locator('a.wm-point')
  await expect(points).toHaveCount(1)
  const point = map.locator(`a.wm-point[data-member-id="${member.id}"]`)
  await expect(point).toHaveCount(1)
  await expect(map.locator(`a.wm-point[data-member-id="${elsewhere.id}"]`)).toHaveCount(0)
  const title = point.locator('title')
  await expect(title).toHaveText(/ams-1/)
  await expect(title).toHaveText(/Amsterdam/)
  await expect(title).toHaveText('ams-1 — pending — Amsterdam')
  await expect(point).toHaveClass(/\bwm-muted\b/) // pending: the tiles' muted tone
  await expect(point.locator('circle')).toHaveCount(1)
  // One point (≤ 12): a visible text label with the member's name.
  // Laid out at three sizes; the one for the map's width shows.
  const label = point.locator('text.wm-label').locator('visible=true')
  await expect(label).toHaveText('ams-1')
  await expect(label).toHaveClass(/\bwm-label-wide\b/)
  await expect(point.locator('circle')).toBeVisible()
  await expect(map).not.toContainText('No member has a location yet')
  await expect(map.locator('.world-map-legend')).toHaveText('1 pending') // the legend counts the points, not the tiles

  // The point sits roughly where Amsterdam is on the drawn map: in the upper
  // half (northern hemisphere), just right of the centre (4.9° E).
  const [, , vbWidth, vbHeight] = ((await map.locator('svg').getAttribute('viewBox')) ?? '').split(/\s+/).map(Number)
  const cx = Number(await point.locator('circle').getAttribute('cx')) / vbWidth!
  const cy = Number(await point.locator('circle').getAttribute('cy')) / vbHeight!
  expect(cx, 'x of the Amsterdam dot, as a fraction of the map width').toBeGreaterThan(0.48)
  expect(cx).toBeLessThan(0.56)
  expect(cy, 'y of the Amsterdam dot, as a fraction of the map height').toBeGreaterThan(0.1)
  expect(cy).toBeLessThan(0.4)

  // The coastline comes from the cached map file: the browser lays it out.
  // What lies under a point of Central Africa is land; under the South
  // Atlantic, ocean (both in viewBox units, from projectPoint).
  const layerAt = (x: number, y: number) =>
    map.locator('svg').evaluate((svg: SVGSVGElement, [x, y]) => {
      const p = new DOMPoint(x, y).matrixTransform(svg.getScreenCTM()!)
      const hit = document.elementFromPoint(p.x, p.y)
      return hit ? `${hit.tagName}.${hit.getAttribute('class')}` : `nothing at ${p.x},${p.y}`
    }, [x, y])
  await map.scrollIntoViewIfNeeded()
  await expect.poll(() => layerAt(533.3, 244.3), { message: 'land at 0° N 20° E' }).toBe('use.wm-land')
  await expect.poll(() => layerAt(415.3, 321.6), { message: 'ocean at 25° S 25° W' }).toBe('use.wm-ocean')

  mkdirSync(join(APP_ROOT, 'e2e/screenshots'), { recursive: true })
  // From the top: a full-page shot taken scrolled down paints the sticky top bar mid-page.
  await page.evaluate(() => window.scrollTo(0, 0))
  await page.screenshot({ path: join(APP_ROOT, 'e2e/screenshots/overview-map.png'), fullPage: true })

  // Clicking the point opens the member's workspace, by htmx (no reload).
  await markWindow(page)
  await point.locator('circle').click()
  await expect(page).toHaveURL(new RegExp(`/pools/${poolId}/members/${member.id}/?$`))
  await expect(page.locator('#member-tab-bar')).toBeVisible()
  const workspace = page.locator(`#pool-panel .workspace[data-member-id="${member.id}"]`)
  await expect(workspace).toBeVisible()
  await expect(workspace.locator('.workspace-head h2')).toHaveText('ams-1')
  await expect(page.locator('#member-tab-bar a[aria-current="page"]')).toHaveText('Control panel')
  expect(await marker(page), 'the point opens the member without a page reload').toBe(1)
})
