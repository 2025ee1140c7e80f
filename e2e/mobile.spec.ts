// A phone (390 px wide) on every page, with awkward real data: long pool,
// member, host, database and domain names. Nothing scrolls sideways, the
// member tab strip shows the tab you are on, the header keeps the product
// name, and the map's labels are big enough to read.
import type { Page } from '@playwright/test'
import { test, expect, useServer, ADMIN, signIn } from './fixtures'
import { seedFleet, type SeededFleet } from './seed-fleet'

const API_TOKEN = 'sctl_e2e_mobile_token_0123456789abcdef'
const server = useServer({ admin: { ...ADMIN, apiToken: API_TOKEN } })

const PHONE = { width: 390, height: 844 }
test.use({ viewport: PHONE })

let fleet: SeededFleet
test.beforeAll(async () => {
  fleet = await seedFleet(server.current.baseURL, API_TOKEN)
})

test.beforeEach(async ({ page }) => {
  await signIn(page)
})

const MEMBER_TABS = ['', 'security', 'openlitespeed', 'mariadb', 'cpanel', 'cpanel/operations', 'cpanel/accounts', 'cpanel/migrate', 'status', 'jobs', 'backups', 'recipes', 'monitoring', 'settings']

function everyPage(f: SeededFleet): string[] {
  const member = (id: string) => MEMBER_TABS.map((tab) => `/pools/${f.poolId}/members/${id}/${tab}`)
  const pool = (id: string) => [`/pools/${id}`, `/pools/${id}/monitoring`, `/pools/${id}/settings`, `/pools/${id}/runs`, `/pools/${id}/members/new`]
  return [
    '/pools',
    '/pools/new',
    ...pool(f.emptyPoolId),
    ...pool(f.poolId),
    ...member(f.memberId),
    ...member(f.pendingId),
    `/pools/${f.poolId}/members/${f.pendingId}/install`,
    `/pools/${f.poolId}/members/${f.memberId}/jobs/${f.jobId}`,
    `/pools/${f.poolId}/runs/${f.runId}`,
    '/audit',
    '/docs',
    '/account/tokens',
    '/account/password',
    '/outbox',
  ]
}

/** How far the page scrolls sideways, and the widest element that sticks out (for the message). */
const sideways = (page: Page) =>
  page.evaluate(() => {
    const over = document.documentElement.scrollWidth - innerWidth
    if (over <= 0) return null
    let culprit = ''
    let right = innerWidth
    for (const el of document.body.querySelectorAll('*')) {
      const r = el.getBoundingClientRect().right
      if (r > right) {
        right = r
        culprit = `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}.${[...el.classList].join('.')}`
      }
    }
    return `${over}px (${culprit})`
  })

test('every page fits 390 px: none scrolls sideways', async ({ page }) => {
  test.setTimeout(180_000)
  const wide: string[] = []
  for (const path of everyPage(fleet)) {
    const res = await page.goto(path)
    expect(res?.status(), path).toBeLessThan(400)
    const over = await sideways(page)
    if (over) wide.push(`${path}: ${over}`)
  }
  expect(wide).toEqual([])
})

/** Whether the element lies wholly inside its scrolling strip's visible part. */
const inView = (page: Page, selector: string) =>
  page.locator(selector).evaluate((el) => {
    const strip = el.closest('.tabs')!.getBoundingClientRect()
    const tab = el.getBoundingClientRect()
    return tab.left >= strip.left - 1 && tab.right <= strip.right + 1
  })

test("the member tab strip shows the tab you are on, after a load and after a tab click", async ({ page }) => {
  await page.goto(`/pools/${fleet.poolId}/members/${fleet.memberId}/settings`)
  const current = '.member-tab-bar .tab.current'
  await expect(page.locator(current)).toHaveText('Settings')
  await expect.poll(() => inView(page, current)).toBe(true)

  // An htmx swap draws a new strip, scrolled to its start: it must follow too.
  await page.locator('.member-tab-bar .tab', { hasText: 'Monitoring' }).click()
  await expect(page).toHaveURL(/\/monitoring$/)
  await expect(page.locator(current)).toHaveText('Monitoring')
  await expect.poll(() => inView(page, current)).toBe(true)
})

test('the header keeps the product name and every section', async ({ page }) => {
  await page.goto('/pools')
  const header = page.locator('#site-header')
  await expect(header.locator('.brand-name')).toBeVisible()
  await expect(header.locator('.brand')).toHaveText('serversctl', { useInnerText: true })
  await expect(header.locator('.brand')).toBeInViewport({ ratio: 1 })
  for (const name of ['Pools', 'Audit log', 'API']) await expect(header.getByRole('link', { name, exact: true })).toBeInViewport({ ratio: 1 })
  await expect(header.getByRole('button', { name: ADMIN.email })).toBeInViewport({ ratio: 1 })
})

test("the map's labels are as big as the page's small print", async ({ page }) => {
  await page.goto(`/pools/${fleet.poolId}`)
  const label = page.locator(`#fleet-map a.wm-point[data-member-id="${fleet.locatedId}"] text`).locator('visible=true')
  await expect(label).toHaveCount(1)
  await expect(label).toHaveText('ams-2')
  // The size on screen: the label's font size in map units times the map's scale. An 11-unit label came out 4 px.
  const px = await label.evaluate((el) => (el as SVGTextElement).getScreenCTM()!.a * parseFloat(getComputedStyle(el).fontSize))
  expect(px).toBeGreaterThanOrEqual(10)
})
