// The account menu's safety actions: change password, sign out everywhere.
// A server of its own: the password changes here.
import { test, expect, useServer, ADMIN, signIn } from './fixtures'

useServer({ admin: ADMIN })

const NEW_PASSWORD = 'a brand new passphrase'

test('sign out everywhere ends the session in another browser too', async ({ page, browser, baseURL }) => {
  const other = await browser.newContext({ baseURL })
  const otherPage = await other.newPage()
  await signIn(otherPage)
  await signIn(page)

  await page.getByRole('button', { name: ADMIN.email }).click()
  await page.getByRole('menu').getByRole('button', { name: 'Sign out everywhere' }).click()
  await expect(page).toHaveURL(/\/login$/)
  await expect(page.getByText('You were signed out everywhere.')).toBeVisible()

  await otherPage.goto('/pools')
  await expect(otherPage).toHaveURL(/\/login\?next=%2Fpools$/)
  await other.close()
})

test('change password: each refusal next to its field, then the new password signs in', async ({ page, browser, baseURL }) => {
  const other = await browser.newContext({ baseURL })
  const otherPage = await other.newPage()
  await signIn(otherPage)
  await signIn(page)

  await page.getByRole('button', { name: ADMIN.email }).click()
  await page.getByRole('menu').getByRole('link', { name: 'Change password' }).click()
  await expect(page).toHaveURL(/\/account\/password$/)
  await expect(page.getByRole('heading', { level: 1, name: 'Change password' })).toBeVisible()

  await page.getByLabel('Current password').fill('not the password')
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD)
  await page.getByLabel('Repeat new password').fill('something else entirely')
  await page.getByRole('button', { name: 'Change password' }).click()
  await expect(page.locator('#field-current-error')).toHaveText('That is not your current password')
  await expect(page.locator('#field-confirm-error')).toHaveText('The two passwords differ')

  await page.getByLabel('Current password').fill(ADMIN.password)
  await page.getByLabel('New password', { exact: true }).fill(NEW_PASSWORD)
  await page.getByLabel('Repeat new password').fill(NEW_PASSWORD)
  await page.getByRole('button', { name: 'Change password' }).click()
  await expect(page.getByText('Password changed.')).toBeVisible()
  await expect(page).toHaveURL(/\/account\/password$/)

  // This browser stays signed in, the other one is signed out.
  await page.goto('/pools')
  await expect(page).toHaveURL(/\/pools$/)
  await otherPage.goto('/pools')
  await expect(otherPage).toHaveURL(/\/login\?next=%2Fpools$/)

  await signIn(otherPage, { email: ADMIN.email, password: NEW_PASSWORD })
  await other.close()
})
