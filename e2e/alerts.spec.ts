// Failover email and alert history in a real browser, against a real
// PowerDNS: "Make active" by hand, first and again. Each cut's email is filed
// in the pool's alert history (not under the member it made active), the
// Outbox holds words (moved, where, verified), `dig` agrees, and both
// members' activity tells the cut. A provider that refuses the key gets no
// "DNS moved" anywhere: the page says who is still active and why.
import { test, expect, useServer, ADMIN, signIn, createPool } from './fixtures'
import type { Page } from '@playwright/test'
import { cleanUpAgents, ensureAgentBuilt } from './agent-binary'
import { addRunningMember, makeActive, reloadUntil } from './failover-helpers'
import { dig, startPowerDns, type PowerDns } from './powerdns'

// The PowerDNS below listens on loopback.
useServer({ admin: ADMIN, env: { ALLOW_PRIVATE_PROVIDER_HOSTS: 'true' } })

let pdns: PowerDns
test.beforeAll(async () => {
  ensureAgentBuilt()
  pdns = await startPowerDns(['shop.test'])
})
test.afterAll(async () => pdns?.stop())
test.afterEach(cleanUpAgents)

test.beforeEach(async ({ page }) => {
  await signIn(page)
})

/** Adds a PowerDNS provider by the Settings form and points failover at it (automatic failover left off). */
async function useProvider(page: Page, poolId: string, apiKey: string) {
  await page.goto(`/pools/${poolId}/settings`)
  const add = page.locator('#api-providers')
  await add.getByText('Add API provider').click()
  await add.getByLabel('Provider').selectOption('powerdns')
  await add.getByLabel('Name').fill('Shop PowerDNS')
  await add.getByLabel('API URL').fill(pdns.apiUrl)
  await add.getByLabel('API key').fill(apiKey)
  await add.getByRole('button', { name: 'Save provider' }).click()
  await expect(page.locator('#providers-table')).toContainText('Shop PowerDNS')

  const card = page.locator('#failover')
  await card.getByLabel('Failover hostnames').fill('www.shop.test')
  await card.getByLabel('Zone').fill('shop.test')
  await card.getByLabel('DNS provider').selectOption({ label: 'Shop PowerDNS (PowerDNS)' })
  await card.getByRole('button', { name: 'Save failover settings' }).click()
  await expect(card.getByLabel('DNS provider')).toHaveValue(/^dns_/)
}

const failoverRows = (page: Page) => page.locator('#alert-history tbody tr', { hasText: 'FAILOVER' })

test('Make active, first and again: the emails are in the pool history, say DNS moved and verified, and dig agrees', async ({ page }) => {
  test.setTimeout(120_000)
  const poolId = await createPool(page, 'Shop')
  // Their public addresses: where DNS should point while each is active.
  const web1 = await addRunningMember(page, poolId, 'web-1', '192.0.2.10')
  const web2 = await addRunningMember(page, poolId, 'web-2', '192.0.2.20')
  await useProvider(page, poolId, pdns.apiKey)
  await reloadUntil(page, `/pools/${poolId}/settings`, async () => expect(page.locator('#failover .order-list')).toContainText(/web-1 healthy[\s\S]*web-2 healthy/), 20_000)

  const first = 'web-1 became the active member; DNS moved and verified.'
  await makeActive(page, poolId, 'web-1')
  await expect(page.locator('.notice', { hasText: first })).toBeVisible()
  expect(await dig(pdns.dnsPort, 'www.shop.test')).toEqual(['192.0.2.10'])

  const second = 'Active member changed from web-1 to web-2; DNS moved and verified.'
  await makeActive(page, poolId, 'web-2')
  await expect(page.locator('.notice', { hasText: second })).toBeVisible()
  expect(await dig(pdns.dnsPort, 'www.shop.test')).toEqual(['192.0.2.20'])
  await expect(page.locator('#failover-events tbody tr').first().locator('td').last()).toHaveText('Moved and verified at Shop PowerDNS: www.shop.test A 192.0.2.20.')

  // The pool's alert history has both (the alert tick runs every 5 s), newest first.
  await reloadUntil(page, `/pools/${poolId}/monitoring`, async () => expect(failoverRows(page)).toHaveCount(2), 15_000)
  await expect(failoverRows(page).nth(0)).toContainText(`[serversctl] FAILOVER: Shop: ${second}`)
  await expect(failoverRows(page).nth(1)).toContainText(`[serversctl] FAILOVER: Shop: ${first}`)
  await expect(page.locator('#alert-history')).not.toContainText('from none')
  // ...and neither member's Monitoring tab does: a cut is the pool's.
  for (const m of [web1, web2]) {
    await page.goto(`/pools/${poolId}/members/${m.id}/monitoring`)
    await expect(page.locator('body')).not.toContainText('FAILOVER')
  }

  // The Outbox: the second email, in words.
  await page.goto('/outbox')
  const mail = page.locator('details.mail', { hasText: second })
  await expect(mail).toHaveCount(1)
  await mail.locator('summary').click()
  const body = mail.locator('pre')
  await expect(body).toContainText(`Why: made active by hand by ${ADMIN.email}.`)
  await expect(body).toContainText('DNS: Moved and verified at Shop PowerDNS: www.shop.test A 192.0.2.20.')
  for (const raw of ['Reason:', 'manual', '{']) await expect(body).not.toContainText(raw)

  // Both members' activity.
  await page.goto(`/pools/${poolId}/members/${web1.id}/status`)
  await expect(page.locator('#member-activity')).toContainText(first)
  await expect(page.locator('#member-activity')).toContainText(second)
  await page.goto(`/pools/${poolId}/members/${web2.id}/status`)
  await expect(page.locator('#member-activity')).toContainText(second)
  await expect(page.locator('#member-activity')).not.toContainText(first)
})

test('a provider that refuses the key: no "DNS moved" anywhere, the page names who is still active and the provider error', async ({ page }) => {
  test.setTimeout(90_000)
  const poolId = await createPool(page, 'Refused')
  await addRunningMember(page, poolId, 'web-1')
  await useProvider(page, poolId, 'not-the-key-1234')
  await reloadUntil(page, `/pools/${poolId}/settings`, async () => expect(page.locator('#failover .order-list')).toContainText('web-1 healthy'), 20_000)

  await page.locator('#failover').getByLabel('Make active').selectOption({ label: 'web-1' })
  page.once('dialog', (d) => void d.accept())
  await page.locator('#failover').getByRole('button', { name: 'Make active' }).click()
  const said = /^No member is active yet: moving DNS to web-1 failed \(try 1\): PowerDNS refused the API key.*\. Retrying\.$/
  await expect(page.locator('.notice').filter({ hasText: 'moving DNS to web-1 failed' }).first()).toHaveText(said)
  await expect(page.locator('.notice', { hasText: 'Cut in progress.' })).toContainText('No member is active yet: moving DNS to web-1 failed (try 1)')
  await expect(page.locator('#failover')).toContainText('Active member none yet')
  await expect(page.locator('#failover-events tbody tr').first().locator('td').last()).toContainText('Failed (try 1): PowerDNS refused the API key')
  await expect(page.locator('body')).not.toContainText('DNS moved')

  // Two alert ticks later: no email and no alert history for a cut that did not happen.
  await page.waitForTimeout(11_000)
  await page.goto(`/pools/${poolId}/monitoring`)
  await expect(failoverRows(page)).toHaveCount(0)
  await page.goto('/outbox')
  await expect(page.locator('details.mail', { hasText: 'Refused' })).toHaveCount(0)
})
