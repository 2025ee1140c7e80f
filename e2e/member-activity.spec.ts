// A member's activity in a real browser: its jobs are in it, newest first;
// "Older" swaps in the next page without reloading and puts it in the URL, a
// reload stays on that page, and "Newer" goes back.
import { test, expect, useServer, ADMIN, signIn, createPool } from './fixtures'

const API_TOKEN = 'sctl_e2e_activity_token_0123456789abcdef'
useServer({ admin: { ...ADMIN, apiToken: API_TOKEN } })
const auth = { authorization: `Bearer ${API_TOKEN}` }

test('the activity pages with Older and Newer, in place, with the page in the URL', async ({ page, request }) => {
  await signIn(page)
  const poolId = await createPool(page, 'History')
  const added = await request.post(`/api/v1/pools/${poolId}/members`, { headers: auth, data: { name: 'db-1', hostname: 'db-1.example.com', egressIps: ['203.0.113.61'], osFamily: 'debian' } })
  expect(added.status()).toBe(201)
  const memberId = (await added.json()).id as string
  // 22 jobs: a page of 20 and two more.
  for (let i = 0; i < 22; i++) {
    const queued = await request.post(`/api/v1/members/${memberId}/jobs`, { headers: auth, data: { name: i === 0 ? 'ssh.key.list' : 'system.updates.check', params: i === 0 ? { user: 'root' } : {} } })
    expect(queued.status()).toBe(201)
  }

  const status = `/pools/${poolId}/members/${memberId}/status`
  await page.goto(status)
  const lines = page.locator('#member-activity > li')
  await expect(lines).toHaveCount(20)
  await expect(lines.first()).toContainText('Check for updates')
  await page.evaluate(() => ((window as unknown as { __marker?: number }).__marker = 1))

  await page.getByRole('link', { name: 'Older' }).click()
  await expect(page).toHaveURL(`${status}?page=2`)
  await expect(lines).toHaveCount(2)
  // The oldest job of all is last.
  await expect(lines.last()).toContainText('List SSH authorized keys')
  expect(await page.evaluate(() => (window as unknown as { __marker?: number }).__marker ?? null), 'the card swaps without a page load').toBe(1)
  await expect(page.locator('#member-tab-bar')).toHaveCount(1)

  await page.reload()
  await expect(lines).toHaveCount(2)
  await expect(page.getByRole('link', { name: 'Older' })).toHaveCount(0)
  await page.getByRole('link', { name: 'Newer' }).click()
  await expect(page).toHaveURL(status)
  await expect(lines).toHaveCount(20)
})
