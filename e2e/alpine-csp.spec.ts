// Alpine runs as its CSP build, under a CSP without 'unsafe-eval': markup
// that slips past escaping cannot run a script through x-init, and the
// widgets built on Alpine still work.
import { test, expect, useServer, ADMIN, signIn, createPool } from './fixtures'

const API_TOKEN = 'sctl_e2e_alpine_token_0123456789'
useServer({ admin: { ...ADMIN, apiToken: API_TOKEN } })
const auth = { authorization: `Bearer ${API_TOKEN}` }

test('the page is served without unsafe-eval', async ({ page }) => {
  const res = await page.goto('/login')
  const csp = res!.headers()['content-security-policy']!
  expect(csp).toContain("script-src 'self';")
  expect(csp).not.toContain('unsafe-eval')
})

test('an injected x-init does not run, while Alpine still reads plain expressions', async ({ page, pageErrors }) => {
  await signIn(page)
  const title = await page.title()
  await page.evaluate(() => {
    const box = document.createElement('div')
    box.innerHTML =
      `<div x-data x-init="document.title='pwned'"></div>` +
      `<div x-data x-init="$el.ownerDocument.title='pwned'"></div>` +
      `<div x-data="{ n: 1 }" x-init="n = n + 1" id="plain"><span x-text="n"></span></div>`
    document.querySelector('main')!.append(box)
    ;(window as unknown as { Alpine: { initTree: (el: Element) => void } }).Alpine.initTree(box)
  })
  // The harmless one ran: Alpine did look at the injected markup.
  await expect(page.locator('#plain span')).toHaveText('2')
  expect(await page.title()).toBe(title)
  // Alpine reports a refused expression by throwing it on a timer.
  await expect.poll(() => pageErrors.length).toBe(2)
  expect(pageErrors.sort()).toEqual([
    'pageerror: Accessing document objects is prohibited in the CSP build',
    'pageerror: Undefined variable: document',
  ])
  pageErrors.length = 0
})

test("the DNS provider form shows the chosen provider's fields only", async ({ page }) => {
  await signIn(page)
  const poolId = await createPool(page, 'Alpine DNS')
  await page.goto(`/pools/${poolId}/settings`)
  await page.getByText('Add API provider').click()
  const form = page.locator('form[action$="/dns-providers"]')
  const whmHost = form.getByLabel('WHM host')
  const pdnsUrl = form.getByLabel('API URL')
  await expect(whmHost).toBeHidden()
  await expect(whmHost).toBeDisabled()
  await expect(form.getByLabel('Global key for this pool')).toBeVisible()

  await form.getByLabel('Provider').selectOption('whm')
  await expect(whmHost).toBeVisible()
  await expect(whmHost).toBeEnabled()
  await expect(form.getByLabel('Global key for this pool')).toBeHidden()
  await expect(pdnsUrl).toBeHidden()

  await form.getByLabel('Provider').selectOption('powerdns')
  await expect(pdnsUrl).toBeVisible()
  await expect(whmHost).toBeHidden()
  await expect(whmHost).toBeDisabled()
})

test('"All servers" on the run form checks and unchecks with the servers', async ({ page, request }) => {
  await signIn(page)
  const poolId = await createPool(page, 'Alpine runs')
  for (const [name, ip] of [['a-1', '203.0.113.61'], ['a-2', '203.0.113.62']]) {
    const res = await request.post(`/api/v1/pools/${poolId}/members`, { headers: auth, data: { name, hostname: `${name}.example.com`, egressIps: [ip] } })
    expect(res.status()).toBe(201)
  }
  await page.goto(`/pools/${poolId}/runs`)
  const form = page.locator('#run-form')
  const all = form.getByLabel('All 2 servers of Alpine runs')
  await all.check()
  await expect(form.getByLabel('a-1')).toBeChecked()
  await expect(form.getByLabel('a-2')).toBeChecked()
  await form.getByLabel('a-2').uncheck()
  await expect(all).not.toBeChecked()
  await expect(form.getByLabel('a-1')).toBeChecked()
  await all.check()
  await all.uncheck()
  await expect(form.getByLabel('a-1')).not.toBeChecked()
  await expect(form.getByLabel('a-2')).not.toBeChecked()
})

test('the tiles poll only while the tab is visible, with no script in the trigger', async ({ page, request }) => {
  await signIn(page)
  const poolId = await createPool(page, 'Alpine polls')
  const res = await request.post(`/api/v1/pools/${poolId}/members`, { headers: auth, data: { name: 'p-1', hostname: 'p-1.example.com', egressIps: ['203.0.113.63'] } })
  expect(res.status()).toBe(201)
  await page.goto(`/pools/${poolId}`)
  await expect(page.locator('#member-tiles')).toHaveAttribute('hx-trigger', 'every 3s')
  let polls = 0
  page.on('request', (r) => {
    if (new URL(r.url()).pathname === `/pools/${poolId}/tiles`) polls++
  })
  await expect.poll(() => polls, { timeout: 8_000 }).toBeGreaterThan(0)

  const setVisibility = (state: string) =>
    page.evaluate((s) => Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => s }), state)
  await setVisibility('hidden')
  polls = 0
  await page.waitForTimeout(7_000)
  expect(polls, 'no poll while hidden').toBe(0)
  await setVisibility('visible')
  await expect.poll(() => polls, { timeout: 8_000 }).toBeGreaterThan(0)
})
