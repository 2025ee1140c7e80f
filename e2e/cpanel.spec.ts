// The cPanel tab in a real browser, with its agents played over the agent
// API: a WHM server reporting two accounts, plans, WHM's backup settings and
// its listening ports, and a second cPanel server in the pool. The four inner
// tabs are walked by clicks and by reload, the accounts searched, an account
// created (the agent takes the job and hands over the password, shown once),
// a login link opened, and an account terminated once its name is typed.
import type { Page } from '@playwright/test'
import type { CpanelStack } from '../agent/protocol'
import { sampleHeartbeat } from '../src/testing/heartbeat-fixture'
import { test, expect, useServer, ADMIN, signIn, createPool, enrolledMember, type PlayedAgent } from './fixtures'

useServer({ admin: ADMIN })

const stack = (accounts: CpanelStack['accounts']): CpanelStack => ({
  version: '11.120.0.9',
  accounts,
  packages: ['gold', 'silver'],
  backup: { enabled: true, type: 'compressed', daily: true, weekly: true, monthly: false, retention: 7, dir: '/backup' },
  accountCount: accounts.length,
})

const LONG = 'customer-wordpress-production-frankfurt-primary-shop'
const whmHeartbeat = {
  services: [
    { unit: 'cpanel', stack: 'cpanel' as const, state: 'active' as const },
    { unit: 'httpd', stack: 'cpanel' as const, state: 'active' as const },
  ],
  listeners: [
    { port: 2083, address: '0.0.0.0', process: 'cpsrvd' },
    { port: 2087, address: '0.0.0.0', process: 'cpsrvd' },
    { port: 25, address: '0.0.0.0', process: 'exim' },
  ],
}

async function whmMember(page: Page, poolId: string, name: string, accounts: CpanelStack['accounts']): Promise<PlayedAgent> {
  const base = sampleHeartbeat()
  return enrolledMember(page, poolId, name, { ...whmHeartbeat, stacks: { ...base.stacks, openlitespeed: null, cpanel: stack(accounts) } })
}

/** The agent takes its oldest queued job. */
async function claim(agent: PlayedAgent, name: string) {
  const { json } = await agent.call('/api/v1/agent/jobs/claim', {})
  expect(json.job?.name).toBe(name)
  return json.job as { id: string; params: Record<string, unknown> }
}

/** Nothing wider than the phone. */
const sideways = (page: Page) => page.evaluate(() => document.documentElement.scrollWidth - innerWidth)

test('the cPanel tab: inner tabs by click and reload, search, create with the password shown once, log in, terminate by the name typed', async ({ page }) => {
  await signIn(page)
  const poolId = await createPool(page, 'WHM servers')
  const agent = await whmMember(page, poolId, 'whm-1', [
    { user: 'bob', domain: 'bob.example.com', domains: ['bob.net'], plan: 'gold', owner: 'root', suspended: false, diskBytes: 52_428_800 },
    { user: 'carol', domain: `${LONG}.example.org`, domains: [], plan: 'silver', owner: 'reseller1', suspended: true, suspendReason: 'unpaid invoice', diskBytes: 1_073_741_824 },
  ])
  await whmMember(page, poolId, 'whm-2', [{ user: 'zoe', domain: 'zoe.example.com', domains: [], plan: 'gold', owner: 'root', suspended: false, diskBytes: 1024 }])
  const base = `/pools/${poolId}/members/${agent.id}/cpanel`
  const memberTab = page.locator('#member-tab-bar [aria-current="page"]')
  const innerTab = page.locator('#cpanel-tab-bar [aria-current="page"]')

  // Overview, with the DNS banner filling in after the tab.
  await page.goto(base)
  await expect(memberTab).toHaveText('cPanel')
  await expect(innerTab).toHaveText('Overview')
  await expect(page.locator('#cpanel-kpis')).toContainText('11.120.0.9')
  await expect(page.locator('#cpanel-kpis')).toContainText('1Active accounts')
  await expect(page.locator('#cpanel-dns')).toContainText('Checked', { timeout: 20_000 })
  await expect(page.locator('#cpanel-protection')).toContainText('No account here is protected')

  // Operations by click: the address follows, the member tab stays cPanel; a reload lands there again.
  await page.locator('#cpanel-tab-bar').getByRole('link', { name: 'Operations' }).click()
  await expect(page).toHaveURL(new RegExp(`${base}/operations$`))
  await expect(innerTab).toHaveText('Operations')
  await expect(memberTab).toHaveText('cPanel')
  await expect(page.locator('#cpanel-listeners-table tr[data-port="2087"]')).toContainText('WHM')
  await expect(page.locator('#cpanel-whm-backup')).toContainText('daily, weekly')
  await page.reload()
  await expect(innerTab).toHaveText('Operations')
  await page.getByRole('button', { name: 'Restart Mail (Exim)' }).click()
  await expect(page).toHaveURL(new RegExp(`${base}/operations\\?job=job_`))
  await expect(page.locator('.notice-ok')).toContainText('Queued: Restart a cPanel service')
  const restart = await claim(agent, 'cpanel.service.restart')
  expect(restart.params).toEqual({ service: 'exim' })
  await agent.call(`/api/v1/agent/jobs/${restart.id}/finish`, { status: 'succeeded' })

  // Accounts: a search narrows the table as you type and keeps the address; a reload keeps it.
  await page.locator('#cpanel-tab-bar').getByRole('link', { name: 'Accounts' }).click()
  await expect(page).toHaveURL(new RegExp(`${base}/accounts$`))
  const rows = page.locator('#cpanel-accounts-table tbody tr')
  await expect(rows).toHaveCount(2)
  await page.getByRole('searchbox', { name: 'Search accounts' }).fill('silver')
  await expect(page).toHaveURL(new RegExp(`${base}/accounts\\?q=silver$`))
  await expect(rows).toHaveCount(1)
  await expect(rows.first()).toHaveAttribute('data-user', 'carol')
  await page.reload()
  await expect(page.getByRole('searchbox', { name: 'Search accounts' })).toHaveValue('silver')
  await expect(rows).toHaveCount(1)
  await expect(innerTab).toHaveText('Accounts')
  await page.getByRole('searchbox', { name: 'Search accounts' }).fill('')
  await expect(rows).toHaveCount(2)

  // Create: the job is queued and the card waits for the agent to hand over the password.
  const create = page.locator('#cpanel-create')
  await create.getByLabel('User name').fill('dave')
  await create.getByLabel('Main domain').fill('dave.example.com')
  await create.getByLabel('Plan').selectOption('silver')
  await create.getByLabel('Contact email').fill('dave@example.com')
  await create.getByRole('button', { name: 'Create account' }).click()
  await expect(page).toHaveURL(new RegExp(`${base}/accounts\\?job=job_`))
  const reveal = page.locator('#cpanel-reveal')
  await expect(reveal).toContainText('Creating dave…')
  await expect(page.locator('#cpanel-accounts-waiting')).toContainText('dave')
  const created = await claim(agent, 'cpanel.account.create')
  expect(created.params).toEqual({ user: 'dave', domain: 'dave.example.com', plan: 'silver', contactEmail: 'dave@example.com' })
  expect((await agent.call(`/api/v1/agent/cpanel/${created.id}/reveal`, { kind: 'password', value: 'pW-dave-0nce!' })).status).toBe(200)
  await expect(reveal).toHaveAttribute('data-state', 'password')
  await expect(reveal.locator('#cpanel-reveal-value')).toHaveText('pW-dave-0nce!')
  await expect(reveal).toContainText('Shown this once')
  await expect(reveal.getByRole('button', { name: 'Copy' })).toBeVisible()
  await agent.call(`/api/v1/agent/jobs/${created.id}/finish`, { status: 'succeeded' })
  // A reload never shows it again.
  await page.reload()
  await expect(page.locator('#cpanel-reveal')).toContainText('This was shown already or has expired.')
  await expect(page.locator('#cpanel-reveal')).not.toContainText('pW-dave-0nce!')

  // Log in: a one-time link, opening in a new tab.
  await page.locator('tr[data-user="bob"]').getByRole('button', { name: 'Log in to cPanel as bob' }).click()
  await expect(page.locator('#cpanel-reveal')).toContainText('Opening a cPanel session for bob…')
  const login = await claim(agent, 'cpanel.account.login')
  const url = 'https://whm-1.example.com:2083/cpsess0123456789/login/?session=bob%3aone'
  expect((await agent.call(`/api/v1/agent/cpanel/${login.id}/reveal`, { kind: 'login', value: url })).status).toBe(200)
  const open = page.getByRole('link', { name: 'Open cPanel as bob' })
  await expect(open).toHaveAttribute('href', url)
  await expect(open).toHaveAttribute('target', '_blank')
  await expect(open).toHaveAttribute('rel', 'noopener noreferrer')
  await agent.call(`/api/v1/agent/jobs/${login.id}/finish`, { status: 'succeeded' })

  // Terminate: only once the account's name is typed.
  await page.locator('tr[data-user="carol"]').getByRole('button', { name: 'More actions for carol' }).click()
  const dialog = page.getByRole('dialog', { name: `carol · ${LONG}.example.org` })
  await expect(dialog).toBeVisible()
  const terminate = dialog.getByRole('button', { name: 'Terminate carol' })
  await expect(terminate).toBeDisabled()
  await dialog.getByLabel('Type carol to terminate it').fill('caro')
  await expect(terminate).toBeDisabled()
  await dialog.getByLabel('Type carol to terminate it').fill('carol')
  await expect(terminate).toBeEnabled()
  await terminate.click()
  await expect(page).toHaveURL(new RegExp(`${base}/accounts\\?job=job_`))
  await expect(page.locator('.notice-ok')).toContainText('Queued: Terminate a cPanel account')
  await expect(page.locator('tr[data-user="carol"] .cpanel-pending')).toContainText('Terminate a cPanel account')
  const terminated = await claim(agent, 'cpanel.account.terminate')
  expect(terminated.params).toEqual({ user: 'carol' })

  // Suspend needs a reason: refused in its dialog, by the field.
  // The table asks again every 3 s while carol's termination is pending; a
  // turn of it must not close the dialog being typed in.
  await page.evaluate(() => {
    const w = window as unknown as { pollTurns: number }
    w.pollTurns = 0
    document.addEventListener('htmx:config:request', (e) => {
      if ((e as CustomEvent).detail?.ctx?.sourceEvent?.type === 'every') w.pollTurns++
    })
  })
  await page.locator('tr[data-user="bob"]').getByRole('button', { name: 'More actions for bob' }).click()
  const bob = page.getByRole('dialog', { name: 'bob · bob.example.com' })
  await bob.getByLabel('Reason for suspending').fill('late pay')
  await page.waitForFunction(() => (window as unknown as { pollTurns: number }).pollTurns >= 1, undefined, { timeout: 10_000 })
  await expect(bob).toBeVisible()
  await expect(bob.getByLabel('Reason for suspending')).toHaveValue('late pay')
  await bob.getByLabel('Reason for suspending').fill('   ')
  await bob.getByRole('button', { name: 'Suspend' }).click()
  await expect(bob).toBeVisible()
  await expect(bob.locator('.field-error')).toContainText('Say why it is suspended')
  await bob.getByRole('button', { name: 'Close' }).click()

  // Migrate & Recovery: the other cPanel member is offered for copies and transfers.
  await page.locator('#cpanel-tab-bar').getByRole('link', { name: 'Migrate & Recovery' }).click()
  await expect(page).toHaveURL(new RegExp(`${base}/migrate$`))
  await expect(page.getByLabel('Copy to')).toContainText('whm-2')
  await expect(page.locator('#cpanel-transfer-source')).toContainText('zoe')
  await expect(page.getByLabel("Source server's root password")).toHaveAttribute('type', 'password')
  await page.goBack()
  await expect(page).toHaveURL(new RegExp(`${base}/accounts`))

  // A phone: nothing scrolls sideways; the wide table scrolls inside its card.
  await page.setViewportSize({ width: 390, height: 844 })
  for (const inner of ['', '/operations', '/accounts', '/migrate']) {
    await page.goto(`${base}${inner}`)
    expect(await sideways(page), inner || 'overview').toBeLessThanOrEqual(0)
  }
})
