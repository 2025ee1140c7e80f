// The pool's Protection tab in a real browser, with two WHM servers played
// over the agent API: the tab by click and by reload, accounts protected
// from the form (the source's accounts follow its select), their first
// copies queued by the schedule without anyone pressing anything, Replicate
// now queueing the source's backup again after one failed, Cut DNS held
// until the name is typed, and the replication log filtered by kind at its
// own address.
import type { Page } from '@playwright/test'
import { test, expect, useServer, ADMIN, signIn, createPool, whmMember } from './fixtures'

useServer({ admin: ADMIN })

test('the Protection tab: protect from the form, first copies queued unasked, replicate now, cut DNS by the name typed, the log by kind', async ({ page }) => {
  await signIn(page)
  const poolId = await createPool(page, 'Protected WHM')
  const east = await whmMember(page, poolId, 'east-1', ['alice', 'bob', 'carol'])
  await whmMember(page, poolId, 'west-1', ['erin'])
  const tab = `/pools/${poolId}/protection`

  // By click from the Overview, then by reload at the same address.
  await page.goto(`/pools/${poolId}`)
  await page.locator('nav#pool-tabs').getByRole('link', { name: 'Protection' }).click()
  await expect(page).toHaveURL(new RegExp(`${tab}$`))
  await expect(page.locator('#protection-accounts')).toContainText('No protected accounts yet')
  await page.reload()
  await expect(page.locator('#protection-servers')).toContainText('east-1')
  await expect(page.locator('#protection-servers')).toContainText('west-1')

  // The accounts follow the source.
  const form = page.locator('#protect-form')
  await form.getByLabel('Source server').selectOption({ label: 'west-1' })
  await expect(form.locator('#protect-users option')).toHaveText(['erin'])
  await form.getByLabel('Source server').selectOption({ label: 'east-1' })
  await expect(form.locator('#protect-users option')).toHaveText(['alice', 'bob', 'carol'])
  await form.locator('#protect-users').selectOption(['alice', 'carol'])
  await form.getByLabel('Standby server').selectOption({ label: 'west-1' })
  await form.getByLabel('Schedule').selectOption({ label: 'every 6 hours' })
  await form.getByRole('button', { name: 'Protect' }).click()
  await expect(page.locator('.notice-ok')).toContainText('Protected alice, carol')
  await expect(page).toHaveURL(new RegExp(`${tab}$`))
  const alice = page.locator('#protection-accounts-table tr[data-user="alice"]')
  await expect(alice).toContainText('east-1 → west-1')
  await expect(alice).toContainText('every 6 hours')

  await expect(page.locator('.notice-ok')).toContainText('first copy to west-1 within 15 seconds')

  // Nobody presses anything: the schedule queues both first copies within 15 s, and the table polls while they run.
  // Both rows: the tick queues one account at a time, so a reload between the two shows alice's alone and the claims below would find one job.
  const carol = page.locator('#protection-accounts-table tr[data-user="carol"]')
  await expect(async () => {
    await page.reload()
    await expect(alice.locator('[data-run-status]')).toHaveAttribute('data-run-status', 'queued', { timeout: 1000 })
    await expect(carol.locator('[data-run-status]')).toHaveAttribute('data-run-status', 'queued', { timeout: 1000 })
  }).toPass({ timeout: 25_000 })
  await expect(page.locator('#protection-accounts')).toHaveAttribute('data-live', 'true')
  await expect(alice.getByRole('button', { name: 'Replicate alice now' })).toBeDisabled()
  const firsts = [(await east.call('/api/v1/agent/jobs/claim', {})).json.job, (await east.call('/api/v1/agent/jobs/claim', {})).json.job]
  expect(firsts.map((j) => `${j?.name} ${j?.params.user}`).sort()).toEqual(['backup.cpanel_account alice', 'backup.cpanel_account carol'])

  // alice's first copy fails on the source; the polled table shows it, and Replicate now queues the source's backup again.
  const aliceFirst = firsts.find((j) => j.params.user === 'alice')
  await east.call(`/api/v1/agent/jobs/${aliceFirst.id}/finish`, { status: 'failed', error: 'pkgacct: no space left on device' })
  await expect(alice.locator('[data-run-status]')).toHaveAttribute('data-run-status', 'failed')
  await expect(alice).toContainText('pkgacct: no space left on device')
  await alice.getByRole('button', { name: 'Replicate alice now' }).click()
  await expect(page.locator('.notice-ok')).toContainText('Replication queued')
  const { json } = await east.call('/api/v1/agent/jobs/claim', {})
  expect(json.job?.name).toBe('backup.cpanel_account')
  expect(json.job?.params.user).toBe('alice')

  // Cut DNS waits for the name.
  await alice.getByRole('button', { name: 'Cut DNS of alice' }).click()
  const dialog = page.locator('dialog[open]')
  await expect(dialog).toContainText('Cut DNS of alice to west-1')
  const cut = dialog.getByRole('button', { name: 'Cut DNS' })
  await expect(cut).toBeDisabled()
  await dialog.getByLabel('Type alice to cut its DNS').fill('alic')
  await expect(cut).toBeDisabled()
  await dialog.getByLabel('Type alice to cut its DNS').fill('alice')
  await expect(cut).toBeEnabled()
  // No provider: refused in the dialog, which stays open.
  await cut.click()
  // The refusal's own words: the dialog as it opened also mentions a provider.
  await expect(page.locator('dialog[open]')).toContainText('set a DNS provider for it before cutting')
  await page.locator('dialog[open]').getByRole('button', { name: 'Cancel' }).click()
  await expect(page.locator('dialog[open]')).toHaveCount(0)

  // The log by kind, at its own address.
  await page.locator('#protection-log').getByRole('link', { name: 'Failure' }).click()
  await expect(page).toHaveURL(new RegExp(`${tab}\\?kind=failure$`))
  await expect(page.locator('#protection-log')).toHaveAttribute('data-kind', 'failure')
  await page.reload()
  await expect(page.locator('#protection-log [aria-current="true"]')).toHaveText('Failure')
  await expect(page.locator('#protection-log')).toContainText('replication of alice failed: pkgacct: no space left on device')
})
