// The pool's Managed DNS tab in a real browser, with two WHM servers played
// over the agent API and the Cloudflare and WHM stand-ins behind the DNS
// providers: the protected account's records load after the page, the
// three-dot menu changes which record types cut over and marks the account
// Managed, Sync WHM→CF copies what WHM has and Cloudflare lacks, and the
// menu's Cut DNS lands on the Protection tab with the cut's result.
import type { Page } from '@playwright/test'
import { startBunChild } from './bun-child'
import { test, expect, useServer, ADMIN, signIn, createPool, whmMember } from './fixtures'

const SRC_IP = '203.0.113.10'
const SB_IP = '203.0.113.20'

type Standins = { cloudflareUrl: string; cloudflareToken: string; whmUrl: string; whmUser: string; whmToken: string }
let standins: Standins
let stopStandins: () => Promise<void> = async () => {}

// The server reads the stand-in's address at start: fill its env before useServer's hook runs.
const env: Record<string, string> = { ALLOW_PRIVATE_PROVIDER_HOSTS: 'true' }
test.beforeAll(async () => {
  const child = await startBunChild<Standins>('The DNS stand-ins', 'src/testing/standins/managed-dns-e2e.ts', [SRC_IP])
  standins = child
  env.CLOUDFLARE_API_URL = standins.cloudflareUrl
  stopStandins = child.stop
})
useServer({ admin: ADMIN, env })
test.afterAll(() => stopStandins())

/** A call to the JSON API as the signed-in page makes it. */
async function api(page: Page, method: 'POST' | 'PATCH', path: string, data: unknown) {
  const csrf = (await page.locator('meta[name="csrf-token"]').getAttribute('content')) ?? ''
  const res = await page.request.fetch(`${new URL(page.url()).origin}${path}`, { method, headers: { 'x-csrf-token': csrf }, data })
  expect(res.status(), `${method} ${path}: ${await res.text()}`).toBeLessThan(300)
  return res.json()
}

/** The record sets Cloudflare holds at a name, as its API lists them. */
async function cloudflareRecords(name: string): Promise<{ type: string; content: string; proxied: boolean }[]> {
  const auth = { authorization: `Bearer ${standins.cloudflareToken}` }
  const zones = (await (await fetch(`${standins.cloudflareUrl}/zones?name=shop.example.com`, { headers: auth })).json()) as { result: { id: string }[] }
  const list = (await (await fetch(`${standins.cloudflareUrl}/zones/${zones.result[0]!.id}/dns_records?name=${name}`, { headers: auth })).json()) as { result: { type: string; content: string; proxied: boolean }[] }
  return list.result
}

test('Managed DNS: the records load after the page, the three-dot menu sets the cut types and Managed, Sync WHM→CF copies what differs', async ({ page }) => {
  await signIn(page)
  const poolId = await createPool(page, 'Managed WHM')
  const east = await whmMember(page, poolId, 'east-1', ['shop'])
  const west = await whmMember(page, poolId, 'west-1', [])
  await api(page, 'PATCH', `/api/v1/members/${east.id}`, { publicIpv4: SRC_IP })
  await api(page, 'PATCH', `/api/v1/members/${west.id}`, { publicIpv4: SB_IP })
  const cf = await api(page, 'POST', `/api/v1/pools/${poolId}/dns-providers`, { kind: 'cloudflare', name: 'CF main', apiToken: standins.cloudflareToken })
  await api(page, 'POST', `/api/v1/pools/${poolId}/dns-providers`, { kind: 'whm', name: 'WHM east', host: standins.whmUrl, username: standins.whmUser, apiToken: standins.whmToken })
  await api(page, 'POST', `/api/v1/pools/${poolId}/protected-accounts`, { sourceMemberId: east.id, user: 'shop', standbyMemberId: west.id, schedule: '1d', ttl: 300, providerId: cf.id })

  // By click from the Overview, then the records arrive after the page.
  await page.goto(`/pools/${poolId}`)
  await page.locator('nav#pool-tabs').getByRole('link', { name: 'Managed DNS' }).click()
  await expect(page).toHaveURL(new RegExp(`/pools/${poolId}/dns$`))
  const apexA = page.locator('#mdns-records-table tr[data-fqdn="shop.example.com"][data-type="A"]')
  await expect(apexA).toContainText(SRC_IP)
  await expect(apexA).toContainText('proxied')
  await expect(apexA).toContainText('source (east-1)')
  const mx = page.locator('#mdns-records-table tr[data-fqdn="shop.example.com"][data-type="MX"]')
  await expect(mx.locator('td').nth(4)).toHaveText('no')
  await expect(page.locator('#mdns-health')).toContainText(/CF main \(Cloudflare\)\s*→\s*Primary: east-1\s*→\s*Standby: west-1/)
  // The API providers card is here too.
  await expect(page.getByRole('heading', { name: 'API providers' })).toBeVisible()

  // The three-dot menu: MX cuts over too, and the account is Managed.
  await page.getByRole('button', { name: 'Actions for shop' }).click()
  const menu = page.locator('dialog[open]')
  await expect(menu).toContainText('Record types that cut over to the standby')
  await menu.getByLabel('MX').check()
  await menu.getByLabel('Managed: WHM is the source of truth').check()
  await menu.getByRole('button', { name: 'Save' }).click()
  await expect(page.locator('.notice-ok')).toContainText('shop: A, MX cut over; Managed')
  await expect(page).toHaveURL(new RegExp(`/pools/${poolId}/dns$`))
  await expect(mx.locator('td').nth(4)).toHaveText('yes')

  // Sync WHM→CF: www and the mail CNAME are in WHM only.
  expect(await cloudflareRecords('www.shop.example.com')).toEqual([])
  await page.locator('#mdns-health').getByRole('button', { name: 'Sync WHM→CF' }).click()
  await expect(page.locator('.notice-ok')).toContainText('shop: 2 sets differed, 2 written and read back')
  const www = page.locator('#mdns-records-table tr[data-fqdn="www.shop.example.com"][data-type="A"]')
  await expect(www).toContainText(SRC_IP)
  await expect(www).toContainText('DNS only')
  await expect(page.locator('#mdns-drift')).toContainText('in sync with WHM')
  expect((await cloudflareRecords('www.shop.example.com')).map((r) => `${r.type} ${r.content}`)).toEqual([`A ${SRC_IP}`])
  // The proxied apex stayed proxied.
  expect((await cloudflareRecords('shop.example.com')).find((r) => r.type === 'A')).toMatchObject({ content: SRC_IP, proxied: true })

  // Reload keeps the place; the last sync says what it wrote.
  await page.reload()
  const shop = page.locator('#mdns-records-table tr[data-user="shop"]')
  await expect(shop).toContainText('wrote 2 sets')

  // Import from Cloudflare, from the same menu: what Cloudflare holds now, beside the account.
  await page.getByRole('button', { name: 'Actions for shop' }).click()
  await page.locator('dialog[open]').getByRole('button', { name: 'Import from Cloudflare' }).click()
  await expect(page.locator('dialog[open]')).toHaveCount(0)
  await expect(shop.locator('.import-card')).toContainText('At CF main for shop: 4 record sets')
  await expect(shop.locator('.import-card')).toContainText('nothing of it is stored')

  // Cut DNS from the same menu: the button waits for the account's name; the result is the Protection tab's, at its address.
  await page.getByRole('button', { name: 'Actions for shop' }).click()
  const cutMenu = page.locator('dialog[open]')
  const cut = cutMenu.getByRole('button', { name: 'Cut DNS' })
  await cutMenu.getByLabel('Type shop to cut its DNS').fill('shopp')
  await expect(cut).toBeDisabled()
  await cutMenu.getByLabel('Type shop to cut its DNS').fill('shop')
  await cut.click()
  await expect(page).toHaveURL(new RegExp(`/pools/${poolId}/protection\\?cut=\\d+$`))
  await expect(page.locator('#protection-cut-result')).toContainText('DNS of shop cut to west-1')
  expect((await cloudflareRecords('shop.example.com')).find((r) => r.type === 'A')).toMatchObject({ content: SB_IP })
  await page.reload()
  await expect(page.locator('#protection-cut-result')).toContainText('DNS of shop cut to west-1')
})
