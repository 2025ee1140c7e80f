// First run: no admin exists, the server prints a one-time setup code, and
// only someone holding that code can create the first admin.
import { test, expect, useServer } from './fixtures'

const server = useServer() // no ADMIN_* env: a first-run server

// The second test needs the admin the first one creates.
test.describe.configure({ mode: 'serial' })

test('first-run setup needs the code from the server log', async ({ page, request }) => {
  const code = server.current.setupCode
  expect(code, `no setup code in the server log:\n${server.current.log()}`).toMatch(/^[A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4}$/)

  // With no users, the sign-in page sends you to setup.
  await page.goto('/login')
  await expect(page).toHaveURL(/\/setup$/)
  await expect(page.getByRole('heading', { name: 'Set up serversctl' })).toBeVisible()

  const email = 'first-admin@example.test'
  const password = 'a long first password'
  const fillForm = async (setupCode: string) => {
    await page.getByLabel('Setup code').fill(setupCode)
    await page.getByLabel('Admin email').fill(email)
    await page.getByLabel('Password', { exact: true }).fill(password)
    await page.getByLabel('Repeat password').fill(password)
  }

  // A wrong code is refused with a 422 and a message under the field.
  const wrong = code === 'AAAA-AAAA-AAAA' ? 'BBBB-BBBB-BBBB' : 'AAAA-AAAA-AAAA'
  await fillForm(wrong)
  const [refused] = await Promise.all([
    page.waitForResponse((r) => r.url().endsWith('/setup') && r.request().method() === 'POST'),
    page.getByRole('button', { name: 'Create admin and sign in' }).click(),
  ])
  expect(refused.status()).toBe(422)
  await expect(page).toHaveURL(/\/setup$/)
  const codeField = page.getByLabel('Setup code')
  await expect(codeField).toHaveAttribute('aria-invalid', 'true')
  await expect(page.locator('#field-code-error')).toHaveText('That setup code is not right. Copy it from the server log.')
  // The email survives the refusal; passwords are never echoed back.
  await expect(page.getByLabel('Admin email')).toHaveValue(email)
  await expect(page.getByLabel('Password', { exact: true })).toHaveValue('')

  // The right code creates the admin and signs in.
  await fillForm(code!)
  await page.getByRole('button', { name: 'Create admin and sign in' }).click()
  await expect(page).toHaveURL(/\/pools$/)
  await expect(page.getByRole('heading', { level: 1, name: 'Pools' })).toBeVisible()
  await expect(page.getByRole('button', { name: email })).toBeVisible()
  await expect(page.getByText('No pools yet')).toBeVisible()

  // Setup is a one-time thing: afterwards /setup sends you to sign in (which,
  // already signed in, sends you on to the pools).
  await page.goto('/setup')
  await expect(page).toHaveURL(/\/pools$/)
  const anonymous = await request.get('/setup', { maxRedirects: 0 }) // no session cookie
  expect(anonymous.status()).toBe(303)
  expect(anonymous.headers()['location']).toBe('/login')
})

test('after setup, /setup is closed and the code no longer works', async ({ page, request }) => {
  await page.goto('/setup')
  await expect(page).toHaveURL(/\/login$/)
  await expect(page.getByRole('heading', { name: 'Sign in' })).toBeVisible()

  // Replaying the (correct) code straight at the endpoint claims nothing.
  const login = await request.get('/login') // sets the pre-sign-in CSRF cookie
  const csrf = /name="_csrf" value="([^"]+)"/.exec(await login.text())?.[1]
  expect(csrf).toBeTruthy()
  const replay = await request.post('/setup', {
    form: {
      _csrf: csrf!,
      code: server.current.setupCode!,
      email: 'intruder@example.test',
      password: 'another long password',
      confirm: 'another long password',
    },
    maxRedirects: 0,
  })
  expect(replay.status()).toBe(303)
  expect(replay.headers()['location']).toBe('/login')

  await page.getByLabel('Email').fill('intruder@example.test')
  await page.getByLabel('Password').fill('another long password')
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page.getByText('Wrong email or password')).toBeVisible()
})
