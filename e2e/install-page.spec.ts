// The install command in a real browser: "Add server" lands on the member's
// install page, a reload (or coming back to it) shows the same command, and
// "New install command" replaces it there.
import { test, expect, useServer, ADMIN, signIn, createPool } from './fixtures'

useServer({ admin: ADMIN })

test('the install command survives a reload, and a new one replaces it on the same page', async ({ page }) => {
  await signIn(page)
  const poolId = await createPool(page, 'Install fleet')
  await page.goto(`/pools/${poolId}/members/new`)
  await page.getByRole('radio', { name: /Debian-like/ }).check()
  await page.getByLabel('Display name').fill('web-9')
  await page.getByLabel('Hostname').fill('web-9.example.com')
  await page.getByLabel('Allowed egress IPs').fill('203.0.113.9')
  await page.getByRole('button', { name: 'Add server' }).click()

  await expect(page).toHaveURL(new RegExp(`/pools/${poolId}/members/mem_[0-9a-z]+/install$`))
  const installUrl = page.url()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText('web-9 added')
  const code = page.locator('code#install-command')
  const command = (await code.textContent())!.trim()
  expect(command).toMatch(/--secret mem_[0-9a-z]+\.\S+$/)

  // A reload used to answer 404 and lose the command.
  await page.reload()
  await expect(code).toHaveText(command)
  await expect(page.locator('#install-kept')).toContainText("kept sealed with this server's key")

  // Off to the member and back: still there.
  await page.getByRole('link', { name: 'Open the member' }).click()
  await expect(page).toHaveURL(/\/status$/)
  await page.goto(installUrl)
  await expect(code).toHaveText(command)

  page.once('dialog', (d) => void d.accept())
  await page.getByRole('button', { name: 'New install command' }).click()
  await expect(page.getByText('New install command issued; any older one no longer works.')).toBeVisible()
  await expect(page).toHaveURL(installUrl)
  const fresh = (await code.textContent())!.trim()
  expect(fresh).not.toBe(command)
  await page.reload()
  await expect(code).toHaveText(fresh)
})
