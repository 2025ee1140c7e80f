// Pools: the list, "Create pool", the pool page's htmx tabs (click, reload,
// back/forward), rename, delete, and the audit log that records it all.
import { test, expect, useServer, ADMIN, signIn, createPool } from './fixtures'
import type { Page } from '@playwright/test'

useServer({ admin: ADMIN })

const POOL_ID = /pool_[A-Za-z0-9_-]+/

test.beforeEach(async ({ page }) => {
  await signIn(page)
})

/** Puts a marker on window; it survives htmx swaps and dies with a full page load. */
async function markWindow(page: Page) {
  await page.evaluate(() => ((window as unknown as { __marker?: number }).__marker = 1))
}
const marker = (page: Page) => page.evaluate(() => (window as unknown as { __marker?: number }).__marker ?? null)

async function expectCurrentTab(page: Page, label: string) {
  const tabs = page.locator('nav#pool-tabs')
  const current = tabs.getByRole('link', { name: label, exact: true })
  await expect(current).toHaveClass(/\bcurrent\b/)
  await expect(current).toHaveAttribute('aria-current', 'page')
  // Exactly one tab is current.
  await expect(tabs.locator('a.current')).toHaveCount(1)
  await expect(tabs.locator('a[aria-current="page"]')).toHaveCount(1)
}

const panel = (page: Page) => page.locator('#pool-panel')

// Keep this test first in the file: it sees the server with no pools yet.
test('create a pool, with the name checked first', async ({ page }) => {
  await expect(page.getByText('No pools yet')).toBeVisible()
  await page.getByRole('link', { name: 'Create pool', exact: true }).click()
  await expect(page).toHaveURL(/\/pools\/new$/)
  await expect(page.getByRole('heading', { level: 1, name: 'Create pool' })).toBeVisible()

  const generic = page.getByRole('radio', { name: /Generic Linux servers/ })
  await expect(generic).toBeChecked()
  await expect(generic).toHaveValue('generic')

  // An empty name is stopped by the browser before it is sent...
  const name = page.getByLabel('Pool name')
  await expect(name).toHaveValue('')
  await page.getByRole('button', { name: 'Create pool' }).click()
  await expect(page).toHaveURL(/\/pools\/new$/)
  expect(await name.evaluate((el: HTMLInputElement) => el.validity.valueMissing)).toBe(true)

  // ...and a blank one by the server, with the message under the field.
  await name.fill('   ')
  const [refused] = await Promise.all([
    page.waitForResponse((r) => new URL(r.url()).pathname === '/pools' && r.request().method() === 'POST'),
    page.getByRole('button', { name: 'Create pool' }).click(),
  ])
  expect(refused.status()).toBe(422)
  await expect(page.locator('#field-name-error')).toHaveText('Give the pool a name')
  await expect(page.getByLabel('Pool name')).toHaveAttribute('aria-invalid', 'true')
  await expect(page).toHaveURL(/\/pools\/new$/) // a refusal does not push a URL

  await page.getByLabel('Pool name').fill('Production web')
  await page.getByRole('button', { name: 'Create pool' }).click()
  await expect(page).toHaveURL(new RegExp(`/pools/${POOL_ID.source}$`))
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Production web')
  await expect(page.getByRole('status')).toHaveText('Pool "Production web" created.')
  await expectCurrentTab(page, 'Overview')
  const id = new URL(page.url()).pathname.split('/')[2]!

  // The flash is shown once.
  await page.reload()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Production web')
  await expect(page.getByText('Pool "Production web" created.')).toHaveCount(0)

  // The list links to it.
  await page.goto('/pools')
  const table = page.locator('#pools-table')
  const link = table.getByRole('link', { name: 'Production web' })
  await expect(link).toHaveAttribute('href', `/pools/${id}`)
  await expect(table.getByRole('row', { name: /Production web/ })).toContainText('Generic Linux servers')
  await expect(page.getByText('No pools yet')).toHaveCount(0)
  await page.screenshot({ path: 'e2e/screenshots/pools-list.png', fullPage: true })

  // A second pool of the same name is refused.
  await createPool(page, 'Staging')
  await page.goto('/pools/new')
  await page.getByLabel('Pool name').fill('Production web')
  await page.getByRole('button', { name: 'Create pool' }).click()
  await expect(page.locator('#field-name-error')).toHaveText('A pool named "Production web" already exists')
  await expect(page).toHaveURL(/\/pools\/new$/)
})

test('tabs swap only the panel, push the URL and survive a reload', async ({ page }) => {
  const id = await createPool(page, 'Tabs pool')
  const tabs = page.locator('nav#pool-tabs')

  // Without cPanel members only three tabs show.
  await expect(tabs.getByRole('link')).toHaveText(['Overview', 'Monitoring', 'Settings'])
  await expect(tabs.getByRole('link', { name: 'Protection' })).toHaveCount(0)
  await expect(tabs.getByRole('link', { name: 'Managed DNS' })).toHaveCount(0)
  await expectCurrentTab(page, 'Overview')
  await expect(panel(page)).toContainText('Fleet status')

  await markWindow(page)
  await tabs.getByRole('link', { name: 'Monitoring' }).click()
  await expect(page).toHaveURL(new RegExp(`/pools/${id}/monitoring$`))
  await expect(panel(page)).toContainText('Infrastructure alerts')
  await expect(panel(page)).not.toContainText('Fleet status')
  await expectCurrentTab(page, 'Monitoring')
  await expect(page).toHaveTitle(/^Monitoring · Tabs pool/)
  expect(await marker(page), 'clicking a tab must not reload the page').toBe(1)
  // Only the panel was swapped: the page around it is still there, once.
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Tabs pool')
  await expect(page.locator('nav#pool-tabs')).toHaveCount(1)
  await expect(page.locator('#pool-panel')).toHaveCount(1)
  await expect(page.locator('#site-header')).toHaveCount(1)

  await tabs.getByRole('link', { name: 'Settings' }).click()
  await expect(page).toHaveURL(new RegExp(`/pools/${id}/settings$`))
  await expect(panel(page).getByRole('heading', { name: 'Danger zone' })).toBeVisible()
  await expect(panel(page)).not.toContainText('Infrastructure alerts')
  await expectCurrentTab(page, 'Settings')
  expect(await marker(page), 'clicking a tab must not reload the page').toBe(1)

  // A reload renders the same tab as a whole page.
  await page.reload()
  expect(await marker(page), 'the reload really was a full page load').toBeNull()
  await expect(page).toHaveURL(new RegExp(`/pools/${id}/settings$`))
  await expectCurrentTab(page, 'Settings')
  await expect(panel(page).getByRole('heading', { name: 'Pool name' })).toBeVisible()
  await expect(panel(page).getByRole('heading', { name: 'Danger zone' })).toBeVisible()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('Tabs pool')

  // And the tabs still work after a full load.
  await markWindow(page)
  await tabs.getByRole('link', { name: 'Overview' }).click()
  await expect(page).toHaveURL(new RegExp(`/pools/${id}$`))
  await expect(panel(page)).toContainText('Fleet status')
  await expectCurrentTab(page, 'Overview')
  expect(await marker(page)).toBe(1)
})

test('back and forward move between tabs', async ({ page }) => {
  const id = await createPool(page, 'History pool')
  const tabs = page.locator('nav#pool-tabs')

  await tabs.getByRole('link', { name: 'Monitoring' }).click()
  await expect(page).toHaveURL(new RegExp(`/pools/${id}/monitoring$`))
  await expectCurrentTab(page, 'Monitoring')
  await tabs.getByRole('link', { name: 'Settings' }).click()
  await expect(page).toHaveURL(new RegExp(`/pools/${id}/settings$`))
  await expectCurrentTab(page, 'Settings')

  await page.goBack()
  await expect(page).toHaveURL(new RegExp(`/pools/${id}/monitoring$`))
  await expectCurrentTab(page, 'Monitoring')
  await expect(panel(page)).toContainText('Infrastructure alerts')
  await expect(panel(page)).not.toContainText('Danger zone')
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('History pool')

  await page.goBack()
  await expect(page).toHaveURL(new RegExp(`/pools/${id}$`))
  await expectCurrentTab(page, 'Overview')
  await expect(panel(page)).toContainText('Fleet status')

  await page.goForward()
  await expect(page).toHaveURL(new RegExp(`/pools/${id}/monitoring$`))
  await expectCurrentTab(page, 'Monitoring')
  await expect(panel(page)).toContainText('Infrastructure alerts')

  // Tabs keep working on a page reached through history.
  await tabs.getByRole('link', { name: 'Settings' }).click()
  await expect(page).toHaveURL(new RegExp(`/pools/${id}/settings$`))
  await expectCurrentTab(page, 'Settings')
})

test('a hidden tab reached by its URL says why it is not there', async ({ page }) => {
  const id = await createPool(page, 'Hidden tabs pool')
  for (const path of ['protection', 'dns']) {
    await page.goto(`/pools/${id}/${path}`)
    await expect(panel(page)).toContainText('This tab is not available for this pool')
    await expect(page.getByRole('heading', { level: 1 })).toHaveText('Hidden tabs pool')
    await expect(page.locator('nav#pool-tabs').getByRole('link')).toHaveText(['Overview', 'Monitoring', 'Settings'])
    await panel(page).getByRole('link', { name: 'Back to overview' }).click()
    await expect(page).toHaveURL(new RegExp(`/pools/${id}$`))
    await expectCurrentTab(page, 'Overview')
  }
})

// The Settings tab has other forms with a Name field (the DNS provider's).
const poolNameCard = (page: Page) => panel(page).locator('section.card', { has: page.getByRole('heading', { name: 'Pool name' }) })

test('rename a pool from its settings', async ({ page }) => {
  const id = await createPool(page, 'Old name')
  await page.goto(`/pools/${id}/settings`)
  const nameCard = poolNameCard(page)
  const field = nameCard.getByLabel('Name')
  await expect(field).toHaveValue('Old name')

  await field.fill('New name')
  await nameCard.getByRole('button', { name: 'Rename' }).click()
  await expect(page.getByRole('status')).toHaveText('Pool renamed.')
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('New name')
  await expect(page.locator('nav.crumbs')).toContainText('New name')
  await expect(page).toHaveURL(new RegExp(`/pools/${id}/settings$`))
  await expectCurrentTab(page, 'Settings')
  await expect(page).toHaveTitle(/New name/)
  await expect(poolNameCard(page).getByLabel('Name', { exact: true })).toHaveValue('New name')

  // It sticks, and the list shows it.
  await page.goto('/pools')
  await expect(page.locator('#pools-table').getByRole('link', { name: 'New name' })).toBeVisible()
  await expect(page.locator('#pools-table').getByRole('link', { name: 'Old name' })).toHaveCount(0)

  // A blank name is refused next to the field, and nothing changes.
  await page.goto(`/pools/${id}/settings`)
  await poolNameCard(page).getByLabel('Name', { exact: true }).fill('  ')
  await panel(page).getByRole('button', { name: 'Rename' }).click()
  await expect(panel(page).locator('#field-name-error')).toHaveText('Give the pool a name')
  await expect(page).toHaveURL(new RegExp(`/pools/${id}/settings$`))
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('New name')
})

test('delete a pool only after typing its name', async ({ page }) => {
  const id = await createPool(page, 'Doomed pool')
  const danger = page.locator('#danger-zone')
  const confirm = danger.getByLabel("Type the pool's name to confirm")
  const remove = danger.getByRole('button', { name: 'Delete this pool' })

  // On a whole page load of the Settings tab...
  await page.goto(`/pools/${id}/settings`)
  await expect(remove).toBeDisabled()
  await confirm.fill('Doomed pool')
  await expect(remove).toBeEnabled()

  // ...and on the panel that an htmx tab click swaps in (Alpine must start there too).
  await page.locator('nav#pool-tabs').getByRole('link', { name: 'Overview' }).click()
  await expect(panel(page)).toContainText('Fleet status')
  await markWindow(page)
  await page.locator('nav#pool-tabs').getByRole('link', { name: 'Settings' }).click()
  await expect(page).toHaveURL(new RegExp(`/pools/${id}/settings$`))
  expect(await marker(page)).toBe(1)
  await expect(confirm).toHaveValue('')
  await expect(remove).toBeDisabled()
  await confirm.fill('Doomed')
  await expect(remove).toBeDisabled()
  await confirm.fill('Doomed pool!')
  await expect(remove).toBeDisabled()
  await confirm.fill('doomed pool')
  await expect(remove).toBeDisabled()
  await confirm.fill('Doomed pool')
  await expect(remove).toBeEnabled()
  await confirm.fill('Doomed poo')
  await expect(remove).toBeDisabled()
  await confirm.pressSequentially('l')
  await expect(remove).toBeEnabled()

  await remove.click()
  await expect(page).toHaveURL(/\/pools$/)
  await expect(page.getByRole('status')).toHaveText('Pool "Doomed pool" deleted.')
  await expect(page.getByRole('link', { name: 'Doomed pool' })).toHaveCount(0)

  const gone = await page.request.get(`/pools/${id}`)
  expect(gone.status()).toBe(404)
})

test('the audit log records pool changes and sign-ins, newest first', async ({ page }) => {
  const id = await createPool(page, 'Audited pool')
  await page.goto(`/pools/${id}/settings`)
  await poolNameCard(page).getByLabel('Name', { exact: true }).fill('Audited pool 2')
  await panel(page).getByRole('button', { name: 'Rename' }).click()
  await expect(page.getByRole('status')).toHaveText('Pool renamed.')
  await page.locator('#danger-zone').getByLabel("Type the pool's name to confirm").fill('Audited pool 2')
  await page.locator('#danger-zone').getByRole('button', { name: 'Delete this pool' }).click()
  await expect(page).toHaveURL(/\/pools$/)
  const otherId = await createPool(page, 'Bystander pool')

  await page.locator('#site-header').getByRole('link', { name: 'Audit log' }).click()
  await expect(page).toHaveURL(/\/audit$/)
  await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible()
  // The header follows the section, even though only #main was fetched.
  await expect(page.locator('#site-header').getByRole('link', { name: 'Audit log' })).toHaveClass(/\bcurrent\b/)
  await expect(page.locator('#site-header').getByRole('link', { name: 'Pools', exact: true })).not.toHaveClass(/\bcurrent\b/)
  await expect(page).toHaveTitle(/^Audit log/)
  const actions = page.locator('#audit-table tbody tr td:nth-child(3)')
  const all = await actions.allInnerTexts()
  // Newest first: this test's own story, then its sign-in (beforeEach) below it.
  expect(all.slice(0, 4)).toEqual(['pool.create', 'pool.delete', 'pool.rename', 'pool.create'])
  expect(all.slice(4)).toContain('auth.sign_in')
  const rows = page.locator('#audit-table tbody tr')
  await expect(rows.nth(0)).toContainText('Bystander pool')
  await expect(rows.nth(1)).toContainText('Audited pool 2')
  await expect(rows.nth(3)).toContainText('Audited pool')
  await expect(rows.nth(0)).toContainText(ADMIN.email)
  await expect(rows.filter({ hasText: 'auth.sign_in' }).first()).toContainText(ADMIN.email)

  // Filtering by pool keeps only that pool's entries.
  const select = page.locator('select#audit-pool')
  await select.selectOption({ label: 'Bystander pool' })
  await expect(page).toHaveURL(new RegExp(`/audit\\?pool=${otherId}$`))
  await expect(actions).toHaveText(['pool.create'])
  await expect(select).toHaveValue(otherId)

  // A deleted pool's history can still be found by its id, named as it last was.
  await page.goto(`/audit?pool=${id}`)
  await expect(actions).toHaveText(['pool.delete', 'pool.rename', 'pool.create'])
  await expect(select.locator('option:checked')).toHaveText('Audited pool 2 (deleted)')
})

test('screenshots of the pool page on desktop and phone', async ({ page }) => {
  const id = await createPool(page, 'Screenshot pool')
  await page.goto(`/pools/${id}`)
  await expect(panel(page)).toContainText('Fleet status')
  await page.screenshot({ path: 'e2e/screenshots/pool-page.png', fullPage: true })

  await page.setViewportSize({ width: 390, height: 844 })
  await page.reload()
  await expect(panel(page)).toContainText('Fleet status')
  await expect(page.locator('nav#pool-tabs').getByRole('link', { name: 'Settings' })).toBeInViewport()
  await page.screenshot({ path: 'e2e/screenshots/pool-page-mobile.png', fullPage: true })
})

/** How many CSS pixels the page sticks out sideways, and the elements that do. */
async function horizontalOverflow(page: Page) {
  return page.evaluate(() => {
    const width = document.documentElement.clientWidth
    const culprits = Array.from(document.querySelectorAll('body *'))
      .filter((el) => el.getBoundingClientRect().right > width + 0.5)
      .slice(0, 5)
      .map((el) => `${el.tagName.toLowerCase()}${el.id ? `#${el.id}` : ''}${el.className ? `.${String(el.className).split(' ').join('.')}` : ''}`)
    return { by: document.documentElement.scrollWidth - width, culprits }
  })
}

test.describe('on a 390 px wide phone', () => {
  test.use({ viewport: { width: 390, height: 844 } })

  test('the header fits without sideways scrolling', async ({ page }) => {
    await page.goto('/pools')
    expect((await horizontalOverflow(page)).by).toBe(0)
    // Tables may scroll inside their cards; nothing in the header may stick out.
    const { culprits } = await horizontalOverflow(page)
    expect(culprits.filter((c) => !/^(table|thead|tbody|tr|th|td|a|span|time)\b/.test(c))).toEqual([])
  })

  test('the audit log fits without sideways scrolling', async ({ page }) => {
    await page.goto('/audit')
    await expect(page.locator('#audit-table')).toBeVisible()
    await page.screenshot({ path: test.info().outputPath('audit-mobile.png'), fullPage: true })
    // The table may scroll inside its card; the page itself must not.
    expect((await horizontalOverflow(page)).by).toBe(0)
  })

  test('the pool page fits', async ({ page }) => {
    const id = await createPool(page, 'Phone pool')
    await page.goto(`/pools/${id}/settings`)
    await expect(panel(page).getByRole('heading', { name: 'Danger zone' })).toBeVisible()
    expect(await horizontalOverflow(page)).toEqual({ by: 0, culprits: [] })
  })
})
