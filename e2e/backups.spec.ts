// The Restore Backups tab in a real browser. The member's agent is played by
// the test over the agent API, as a real one speaks it: it claims the backup
// "Back up now" queued, reports bytes done and speed, uploads its chunks
// through the URLs the server hands out and commits the snapshot. Then the
// tab is walked: the snapshot card, the restore form refusing a bad name,
// replacing the original only once its name is typed, verify queueing a job,
// delete refused while a job reads the snapshot and confirmed after.
import { createHash, randomBytes } from 'node:crypto'
import type { Page } from '@playwright/test'
import { test, expect, useServer, ADMIN, signIn, createPool, enrolledMember, type PlayedAgent } from './fixtures'

useServer({ admin: ADMIN })
const yyyymmdd = () => new Date().toISOString().slice(0, 10).replaceAll('-', '')

type Agent = PlayedAgent

/** The agent takes its oldest queued job. */
async function claim(agent: Agent, name: string) {
  const { json } = await agent.call('/api/v1/agent/jobs/claim', {})
  expect(json.job?.name).toBe(name)
  return json.job as { id: string; params: Record<string, unknown> }
}

/** A backup as the agent runs it: chunks checked, uploaded where the server says, the manifest committed. */
async function backUp(agent: Agent, jobId: string, source: string) {
  const chunks = [randomBytes(64 * 1024), randomBytes(32 * 1024)].map((bytes) => ({ id: createHash('sha256').update(bytes).digest('hex'), size: bytes.length, bytes }))
  expect((await agent.call(`/api/v1/agent/backups/${jobId}/start`, {})).status).toBe(200)
  const check = await agent.call(`/api/v1/agent/backups/${jobId}/chunks`, { chunks: chunks.map(({ id, size }) => ({ id, size })) })
  expect(check.status).toBe(200)
  for (const u of check.json.upload as { id: string; url: string }[]) {
    const put = await fetch(u.url, { method: 'PUT', body: chunks.find((c) => c.id === u.id)!.bytes })
    expect(put.ok).toBe(true)
  }
  const whole = Buffer.concat(chunks.map((c) => c.bytes))
  const commit = await agent.call(`/api/v1/agent/backups/${jobId}/snapshot`, {
    kind: 'database',
    source,
    sizeBytes: whole.length,
    sha256: createHash('sha256').update(whole).digest('hex'),
    chunks: chunks.map((c) => c.id),
    tables: { 'shop_wp.wp_posts': '123456' },
    uploadedBytes: whole.length,
  })
  expect(commit.status).toBe(201)
  return commit.json.snapshotId as string
}

test('the Restore Backups tab: a backup runs, its snapshot is restored, verified and deleted', async ({ page }) => {
  await signIn(page)
  const poolId = await createPool(page, 'Backups')
  const agent = await enrolledMember(page, poolId, 'web-bk')
  await page.goto(`/pools/${poolId}/members/${agent.id}/backups`)

  // Empty: what to do, and the calendar with no backup day.
  await expect(page.getByText('No snapshots yet')).toBeVisible()
  await expect(page.locator('#backup-calendar caption')).toContainText('0 days with a backup')
  await expect(page.locator('#backups-running')).toHaveAttribute('data-live', 'false')

  // Back up now: confirmed by the server's name, one job per database.
  await page.getByRole('button', { name: 'Back up now…' }).click()
  const now = page.getByRole('dialog', { name: 'Back up web-bk now?' })
  await expect(now).toContainText('The database: shop_wp.')
  const go = now.getByRole('button', { name: 'Back up web-bk' })
  await expect(go).toBeDisabled()
  await now.getByLabel('Type web-bk to confirm').fill('web-bk')
  await go.click()
  await expect(page).toHaveURL(/\/backups\?queued=job_/)
  await expect(page.locator('#backups-queued')).toContainText('waiting for the agent')
  await expect(page.locator('.notice-ok')).toContainText('Queued:')

  // The agent runs it; the running section polls its bytes and speed.
  const job = await claim(agent, 'backup.database')
  expect(job.params).toEqual({ database: 'shop_wp' })
  await agent.call(`/api/v1/agent/jobs/${job.id}/report`, { progress: 40, result: { bytesDone: 41_943_040, bytesPerSecond: 21_000_000 } })
  const running = page.locator('#backups-running-table')
  await expect(running).toContainText('40.0 MiB')
  await expect(running).toContainText('21.0 MB/s')
  const snapshotId = await backUp(agent, job.id, 'shop_wp')
  await agent.call(`/api/v1/agent/jobs/${job.id}/finish`, { status: 'succeeded', result: { snapshotId } })

  // Once nothing runs, the poll brings the whole tab back with the snapshot.
  const card = page.locator(`[data-snapshot-id="${snapshotId}"]`)
  await expect(card).toBeVisible()
  await expect(card).toContainText('shop_wp')
  await expect(card).toContainText('96.0 KiB')
  await expect(card).toContainText('not verified')
  await expect(page.locator('#backups-running')).toHaveAttribute('data-live', 'false')
  await expect(page.locator('[data-kpi="snapshots"] .kpi-value')).toHaveText('1')
  const today = new Date().toISOString().slice(0, 10)
  await expect(page.locator(`#backup-calendar td[data-date="${today}"]`)).toHaveClass(/day-backup/)

  // Restore: a bad name comes back in the reopened dialog, by its field.
  await card.getByRole('button', { name: 'Restore…' }).click()
  const restore = page.getByRole('dialog', { name: 'Restore database shop_wp' })
  const name = restore.getByLabel('New database name')
  await expect(name).toHaveValue(`shop_wp_restored_${yyyymmdd()}`)
  await name.fill('no spaces; please')
  await restore.getByRole('button', { name: 'Queue restore' }).click()
  await expect(restore).toBeVisible()
  await expect(restore.getByLabel('New database name')).toHaveAttribute('aria-invalid', 'true')
  await expect(restore.locator('.field-error')).toBeVisible()
  // Replacing the original needs its name typed.
  await restore.getByLabel('Replace shop_wp').check()
  const queue = restore.getByRole('button', { name: 'Queue restore' })
  await expect(queue).toBeDisabled()
  await restore.getByLabel('Type shop_wp to replace it').fill('shop_wp')
  await expect(queue).toBeEnabled()
  // A new name after all.
  await restore.getByLabel('A new database').check()
  await restore.getByLabel('New database name').fill(`shop_wp_restored_${yyyymmdd()}`)
  await queue.click()
  await expect(page.locator('.notice-ok')).toContainText('Queued:')
  const restoreJob = await claim(agent, 'restore.database')
  expect(restoreJob.params).toEqual({ snapshotId, database: `shop_wp_restored_${yyyymmdd()}` })

  // Verify queues its job and links to it.
  await page.locator(`[data-snapshot-id="${snapshotId}"]`).getByRole('button', { name: 'Verify' }).click()
  const queued = page.locator('.notice-ok .job-link')
  await expect(queued).toBeVisible()
  await expect(queued).toHaveAttribute('href', new RegExp(`/pools/${poolId}/members/${agent.id}/jobs/job_`))

  // Delete: refused while those jobs may read the snapshot, in its dialog.
  const del = page.getByRole('dialog', { name: 'Delete this snapshot of shop_wp?' })
  // The Verify answer may still be swapping the tab in: a click on the card it replaces opens nothing, so click again.
  await expect(async () => {
    await page.locator(`[data-snapshot-id="${snapshotId}"]`).getByRole('button', { name: 'Delete…' }).click()
    await expect(del).toBeVisible({ timeout: 2000 })
  }).toPass({ timeout: 15_000 })
  await del.getByRole('button', { name: 'Delete snapshot' }).click()
  await expect(del).toBeVisible()
  await expect(del.getByRole('alert')).toContainText('delete it once that job has ended')
  await del.getByRole('button', { name: 'Cancel' }).click()
  await expect(del).toBeHidden()

  // The agent ends both; then delete goes through.
  await agent.call(`/api/v1/agent/jobs/${restoreJob.id}/finish`, { status: 'failed', error: 'stopped by the test' })
  const verifyJob = await claim(agent, 'snapshot.verify')
  await agent.call(`/api/v1/agent/jobs/${verifyJob.id}/finish`, { status: 'failed', error: 'stopped by the test' })
  await page.locator(`[data-snapshot-id="${snapshotId}"]`).getByRole('button', { name: 'Delete…' }).click()
  await page.getByRole('dialog', { name: 'Delete this snapshot of shop_wp?' }).getByRole('button', { name: 'Delete snapshot' }).click()
  await expect(page.locator('.notice-ok')).toContainText('Snapshot of shop_wp')
  await expect(page.getByText('No snapshots yet')).toBeVisible()
  await expect(page).toHaveURL(new RegExp(`/pools/${poolId}/members/${agent.id}/backups$`))
})
