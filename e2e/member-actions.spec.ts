// Member actions in a real browser: the confirmation dialog opens from its
// button and by keyboard, its submit stays disabled until the server's name
// is typed, Escape closes it, and a confirmed action lands on the job. The
// member's state comes from a heartbeat posted the way an agent does.
import type { Page } from '@playwright/test'
import { test, expect, useServer, ADMIN, signIn, createPool, enrolledMember } from './fixtures'

const server = useServer({ admin: ADMIN })

/** Adds a member through the API the page uses, enrols it and sends one heartbeat with firewall rules. */
async function memberWithHeartbeat(page: Page, poolId: string, name: string): Promise<string> {
  return (await enrolledMember(page, poolId, name, { firewall: FIREWALL })).id
}

const FIREWALL = { kind: 'ufw' as const, active: true, ruleCount: 1, rules: [{ port: '22', protocol: 'tcp', source: null, action: 'allow', raw: '22/tcp ALLOW IN Anywhere' }] }

test('a quick action is confirmed by typing the server name, in a dialog that works by keyboard', async ({ page }) => {
  await signIn(page)
  const poolId = await createPool(page, 'Actions')
  const memberId = await memberWithHeartbeat(page, poolId, 'web-act')
  await page.goto(`/pools/${poolId}/members/${memberId}`)

  const dialog = page.getByRole('dialog', { name: 'Reboot web-act?' })
  await expect(dialog).toBeHidden()
  const opener = page.getByRole('button', { name: 'Reboot…' })
  await opener.focus()
  await page.keyboard.press('Enter')
  await expect(dialog).toBeVisible()
  // Focus lands in the name field; Escape closes without queueing anything.
  const field = dialog.getByLabel('Type web-act to confirm')
  await expect(field).toBeFocused()
  await page.keyboard.press('Escape')
  await expect(dialog).toBeHidden()

  await opener.click()
  const submit = dialog.getByRole('button', { name: 'Reboot web-act' })
  await expect(submit).toBeDisabled()
  await field.fill('web-ac')
  await expect(submit).toBeDisabled()
  await field.fill('web-act')
  await expect(submit).toBeEnabled()
  await submit.click()
  await expect(page).toHaveURL(new RegExp(`/pools/${poolId}/members/${memberId}/jobs/job_[a-z0-9]+$`))
  const jobs = await (await page.request.get(`/api/v1/members/${memberId}/jobs`)).json()
  expect(jobs.map((j: { name: string }) => j.name)).toEqual(['system.reboot'])
})

test('a refused firewall rule keeps the page and shows why at the field', async ({ page }) => {
  await signIn(page)
  const poolId = await createPool(page, 'Rules')
  const memberId = await memberWithHeartbeat(page, poolId, 'web-fw')
  await page.goto(`/pools/${poolId}/members/${memberId}/security`)
  await expect(page.locator('#firewall-rules')).toContainText('22')

  const securityUrl = page.url()
  await page.getByLabel('Port or range').fill('70000')
  await page.getByRole('button', { name: 'Add rule' }).click()
  await expect(page.locator('#rule-port-error')).toHaveText('Expected a port 1-65535 or a range like 8000:8100.')
  await expect(page.getByLabel('Port or range')).toHaveValue('70000')
  expect(page.url()).toBe(securityUrl)

  await page.getByLabel('Port or range').fill('8443')
  await page.getByLabel('Source (optional)').fill('203.0.113.0/24')
  await page.getByRole('button', { name: 'Add rule' }).click()
  await expect(page).toHaveURL(/\/jobs\/job_[a-z0-9]+$/)
  const jobs = await (await page.request.get(`/api/v1/members/${memberId}/jobs`)).json()
  expect(jobs.map((j: { name: string; params: unknown }) => [j.name, j.params])).toEqual([['firewall.rule.add', { port: '8443', protocol: 'tcp', source: '203.0.113.0/24', action: 'allow' }]])
})

test("a refused Let's Encrypt request opens its dialog again with the reason at the field", async ({ page }) => {
  await signIn(page)
  const poolId = await createPool(page, 'Certificates')
  const memberId = await memberWithHeartbeat(page, poolId, 'web-le')
  await page.goto(`/pools/${poolId}/members/${memberId}`)

  await page.getByRole('button', { name: 'Issue certificate…' }).click()
  const dialog = page.getByRole('dialog', { name: 'Issue a certificate on web-le?' })
  await expect(dialog.getByRole('textbox', { name: 'Domains' })).toHaveValue('shop.example.com')
  await dialog.getByLabel('Email for expiry notices').fill('')
  await dialog.getByLabel('Type web-le to confirm').fill('web-le')
  await dialog.getByRole('button', { name: 'Issue on web-le' }).click()

  const again = page.getByRole('dialog', { name: 'Issue a certificate on web-le?' })
  await expect(again).toBeVisible()
  await expect(again.locator('#qa-le-email-error')).toHaveText("Required: an email address for Let's Encrypt's expiry notices.")
  await expect(again.getByRole('textbox', { name: 'Domains' })).toHaveValue('shop.example.com')
  const jobs = await (await page.request.get(`/api/v1/members/${memberId}/jobs`)).json()
  expect(jobs).toEqual([])
})

test('Load keys comes back to the Security tab, and the keys appear there once the agent has read them', async ({ page }) => {
  await signIn(page)
  const poolId = await createPool(page, 'Keys')
  const { id: memberId, token } = await enrolledMember(page, poolId, 'web-keys', { firewall: FIREWALL })
  await page.goto(`/pools/${poolId}/members/${memberId}/security`)
  await page.getByLabel('User', { exact: true }).fill('deploy')
  await page.getByRole('button', { name: 'Load keys' }).click()
  await expect(page.locator('#ssh-keys-list')).toContainText("Reading deploy's keys")
  expect(new URL(page.url()).pathname).toBe(`/pools/${poolId}/members/${memberId}/security`)

  // The agent's side: claim the read and answer with two keys.
  const agent = (path: string, body: unknown) =>
    fetch(`${server.current.baseURL}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) })
  const { job: claimed } = await (await agent('/api/v1/agent/jobs/claim', { waitSeconds: 0 })).json()
  expect(claimed).toMatchObject({ name: 'ssh.key.list', params: { user: 'deploy' } })
  const keys = [{ type: 'ssh-ed25519', fingerprint: 'SHA256:abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ', comment: 'ops@laptop' }]
  expect((await agent(`/api/v1/agent/jobs/${claimed.id}/finish`, { status: 'succeeded', result: keys })).status).toBe(200)

  // No reload: the list polls itself into place, and stops.
  await expect(page.locator('#ssh-keys-table')).toContainText('SHA256:abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQ', { timeout: 10_000 })
  await expect(page.locator('#ssh-keys-list')).not.toHaveAttribute('hx-trigger')
  await expect(page.locator('#ssh-keys-list')).toContainText('1 key for deploy')
})
