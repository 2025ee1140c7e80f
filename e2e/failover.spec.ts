// A real failover in a real browser: two members enrolled by the compiled
// agent, automatic failover switched on by the Settings form with no DNS
// provider, the active agent stopped. What the operator then reads (the pool
// banner, the failover log, the pool's alert history, the Outbox email and
// both members' activity) must say the same true thing: the active member
// changed in serversctl, and DNS was not touched.
import { test, expect, useServer, ADMIN, signIn, createPool } from './fixtures'
import { cleanUpAgents, ensureAgentBuilt, stopAgent } from './agent-binary'
import { addRunningMember, reloadUntil } from './failover-helpers'

useServer({ admin: ADMIN })

test.beforeAll(() => ensureAgentBuilt())
test.afterEach(cleanUpAgents)

const DELAY_SECONDS = 10
const SAID = 'Active member changed from web-1 to web-2; DNS not touched: this pool has no DNS provider.'

test('the active agent stops: the banner, the failover log, the alert history, the Outbox and both members say DNS was not touched', async ({ page }) => {
  test.setTimeout(150_000)
  await signIn(page)
  const poolId = await createPool(page, 'Web')
  const web1 = await addRunningMember(page, poolId, 'web-1')
  const web2 = await addRunningMember(page, poolId, 'web-2')

  // Failover on, by the form: no provider, the shortest delay, web-1 first.
  await reloadUntil(page, `/pools/${poolId}/settings`, async () => expect(page.locator('#failover .order-list')).toContainText(/web-1 healthy[\s\S]*web-2 healthy/), 20_000)
  const card = page.locator('#failover')
  await card.getByLabel('Automatic failover').check()
  await card.getByLabel('Failover delay (seconds)').fill(String(DELAY_SECONDS))
  await card.getByRole('button', { name: 'Save failover settings' }).click()
  await expect(page.locator('#failover')).toContainText('No DNS provider: failover tracks the active member but changes no DNS record.')

  // The first member in order becomes active once both have been healthy for the delay.
  await reloadUntil(page, `/pools/${poolId}/settings`, async () => expect(page.locator('#failover')).toContainText('Active member web-1'), 40_000)
  const initial = page.locator('#failover-events tbody tr')
  await expect(initial).toHaveCount(1)
  await expect(initial.first()).toContainText('first active member')
  await expect(initial.first()).toContainText('Not touched: this pool has no DNS provider.')

  expect(await stopAgent(web1.agent), web1.agent.output()).toBe(0)
  const stoppedAt = Date.now()

  // The banner, on every pool page, by the time the delay has run out.
  const banner = page.locator('.notice', { hasText: 'Failover active' })
  await reloadUntil(page, `/pools/${poolId}`, async () => expect(banner).toBeVisible(), DELAY_SECONDS * 1000 + 15_000)
  console.log(`[failover.spec] banner shown ${((Date.now() - stoppedAt) / 1000).toFixed(1)} s after web-1's agent stopped`)
  await expect(banner).toContainText(SAID)
  await expect(page.locator('body')).not.toContainText('DNS moved')

  // The failover log, on Settings: the same words in its DNS column.
  await page.goto(`/pools/${poolId}/settings`)
  await expect(page.locator('#failover')).toContainText('Active member web-2')
  const rows = page.locator('#failover-events tbody tr')
  await expect(rows).toHaveCount(2)
  await expect(rows.first()).toContainText('web-1')
  await expect(rows.first()).toContainText('web-2')
  await expect(rows.first()).toContainText('active member down')
  await expect(rows.first().locator('td').last()).toHaveText('Not touched: this pool has no DNS provider.')
  await expect(page.locator('body')).not.toContainText('DNS moved')

  // The pool's alert history (the alert tick runs every 5 s).
  const history = page.locator('#alert-history tbody tr', { hasText: 'FAILOVER' })
  await reloadUntil(page, `/pools/${poolId}/monitoring`, async () => expect(history).toHaveCount(1), 15_000)
  await expect(history).toContainText(`[serversctl] FAILOVER: Web: ${SAID}`)
  await expect(history).toContainText(ADMIN.email)
  // Not any one member's: neither member's Monitoring tab holds it.
  for (const m of [web1, web2]) {
    await page.goto(`/pools/${poolId}/members/${m.id}/monitoring`)
    await expect(page.locator('body')).not.toContainText('FAILOVER')
  }

  // The email, in the Outbox: words, not a reason code or a JSON blob.
  await page.goto('/outbox')
  const mail = page.locator('details.mail', { hasText: 'FAILOVER' })
  await expect(mail).toHaveCount(1)
  await expect(mail.locator('summary')).toContainText(`[serversctl] FAILOVER: Web: ${SAID}`)
  await mail.locator('summary').click()
  const body = mail.locator('pre')
  await expect(body).toBeVisible()
  await expect(body).toContainText('Why: web-1 stopped reporting for longer than the failover delay.')
  await expect(body).toContainText('DNS: Not touched: this pool has no DNS provider.')
  for (const raw of ['Reason:', 'active_down', '{', 'DNS moved']) await expect(body).not.toContainText(raw)

  // Both members' activity tells the cut.
  for (const m of [web1, web2]) {
    await page.goto(`/pools/${poolId}/members/${m.id}/status`)
    await expect(page.locator('#member-activity')).toContainText(`${SAID} Why: web-1 stopped reporting for longer than the failover delay.`)
  }
  expect(web2.agent.child.exitCode, web2.agent.output()).toBeNull()
})
