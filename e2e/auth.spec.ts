// Signing in and out, with an admin created from ADMIN_EMAIL / ADMIN_PASSWORD.
import { test, expect, useServer, ADMIN, signIn } from './fixtures'

useServer({ admin: ADMIN })

test('signed-out visitors are sent to sign in, and come back after', async ({ page }) => {
  await page.goto('/audit')
  await expect(page).toHaveURL(/\/login\?next=%2Faudit$/)
  await page.getByLabel('Email').fill(ADMIN.email)
  await page.getByLabel('Password').fill(ADMIN.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page).toHaveURL(/\/audit$/)
  await expect(page.getByRole('heading', { level: 1, name: 'Audit log' })).toBeVisible()
})

test('a wrong password is refused, the right one signs in', async ({ page }) => {
  await page.goto('/login')
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible()

  await page.getByLabel('Email').fill(ADMIN.email)
  await page.getByLabel('Password').fill('not the password')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByRole('alert')).toHaveText('Wrong email or password')
  await expect(page).toHaveURL(/\/login$/)
  // The email is kept, the password is not.
  await expect(page.getByLabel('Email')).toHaveValue(ADMIN.email)
  await expect(page.getByLabel('Password')).toHaveValue('')

  await page.getByLabel('Password').fill(ADMIN.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page).toHaveURL(/\/pools$/)
  await expect(page.getByRole('heading', { level: 1, name: 'Pools' })).toBeVisible()

  const header = page.locator('#site-header')
  await expect(header.getByRole('link', { name: 'Pools', exact: true })).toBeVisible()
  await expect(header.getByRole('link', { name: 'Audit log' })).toBeVisible()
  await expect(header.getByRole('link', { name: 'API', exact: true })).toBeVisible()
  await expect(header.getByRole('button', { name: ADMIN.email })).toBeVisible()
})

test('the account menu opens and closes', async ({ page }) => {
  await signIn(page)
  const account = page.getByRole('button', { name: ADMIN.email })
  const menu = page.getByRole('menu')
  await expect(menu).toBeHidden()
  await expect(account).toHaveAttribute('aria-expanded', 'false')
  await account.click()
  await expect(menu).toBeVisible()
  await expect(account).toHaveAttribute('aria-expanded', 'true')
  await expect(menu.getByRole('link', { name: 'API tokens' })).toBeVisible()
  await expect(menu.getByRole('link', { name: 'Change password' })).toBeVisible()
  await expect(menu.getByRole('button', { name: 'Sign out everywhere' })).toBeVisible()
  await expect(menu.getByRole('button', { name: 'Sign out', exact: true })).toBeVisible()
  await page.keyboard.press('Escape')
  await expect(menu).toBeHidden()
  await account.click()
  await expect(menu).toBeVisible()
  await page.getByRole('heading', { level: 1 }).click() // a click outside closes it
  await expect(menu).toBeHidden()
})

test('sign out ends the session', async ({ page }) => {
  await signIn(page)
  await page.getByRole('button', { name: ADMIN.email }).click()
  await page.getByRole('menu').getByRole('button', { name: 'Sign out', exact: true }).click()
  await expect(page).toHaveURL(/\/login$/)
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible()
  await expect(page.getByRole('button', { name: ADMIN.email })).toHaveCount(0)

  // The old session is gone: signed-in pages send you back to sign in.
  await page.goto('/pools')
  await expect(page).toHaveURL(/\/login\?next=%2Fpools$/)
})
