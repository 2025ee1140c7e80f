// Members end to end: "Add server" in the browser, the compiled agent enrolling
// with the install command read off the page, the tile turning healthy by
// polling, and the refusals (wrong egress IP, secret reused) explained on the
// tile and in the member's activity.
import { existsSync } from 'node:fs'
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { test, expect, useServer, ADMIN, signIn, createPool } from './fixtures'
import { APP_ROOT } from './server'
import { agentTempDir, cleanUpAgents, enrollAgent, ensureAgentBuilt, startAgent, stopAgent } from './agent-binary'

const server = useServer({ admin: ADMIN })

const AGENT_VERSION = '0.1.0'
/** The agent's default heartbeat interval; "healthy within two intervals". */
const INTERVAL_MS = 10_000
const MEMBER_ID = /mem_[0-9a-z]+/
const NOT_ALLOWED = "not one of this member's allowed egress IPs"

// ---------------------------------------------------------------- the agent

test.beforeAll(() => ensureAgentBuilt())

// Every agent a test starts, and its temp dirs: afterEach stops and removes them.
test.afterEach(cleanUpAgents)

const tempDir = () => agentTempDir('serversctl-agent-e2e-')

// ---------------------------------------------------------------- the pages

type InstallCommand = { text: string; server: string; secret: string }
type AddedMember = { id: string; name: string; hostname: string; command: InstallCommand }

const INSTALL_LINE = /^curl -fsSL (\S+)\/install\.sh \| sudo bash -s -- --server (\S+) --secret (\S+)$/

/** Adds a member through the pool's "Add server" form and reads the install command off the answer. */
async function addMember(page: Page, poolId: string, m: { name: string; hostname: string; egressIps: string }): Promise<AddedMember> {
  await page.goto(`/pools/${poolId}`)
  // The page's one "Add server": the empty pool's, then the member row's "+ Add server".
  await page.locator('#pool-view').getByRole('link', { name: /^(\+ )?Add server$/ }).click()
  await expect(page).toHaveURL(new RegExp(`/pools/${poolId}/members/new$`))
  await page.getByRole('radio', { name: /Debian-like/ }).check()
  await page.getByLabel('Display name').fill(m.name)
  await page.getByLabel('Hostname').fill(m.hostname)
  await page.getByLabel('Allowed egress IPs').fill(m.egressIps)
  await page.getByRole('button', { name: 'Add server' }).click()

  await expect(page).toHaveTitle(new RegExp(`^${m.name} added`))
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`${m.name} added`)
  const code = page.locator('code#install-command')
  await expect(code).toBeVisible()
  await expect(page.getByRole('button', { name: 'Copy' })).toBeVisible()
  await expect(page.getByRole('link', { name: 'Back to the pool' })).toHaveAttribute('href', `/pools/${poolId}`)
  const open = page.getByRole('link', { name: 'Open the member' })
  const href = (await open.getAttribute('href')) ?? ''
  const id = new RegExp(`^/pools/${poolId}/members/(${MEMBER_ID.source})/status$`).exec(href)?.[1]
  expect(id, `"Open the member" links to the member's Status tab (${href})`).toBeTruthy()

  const text = (await code.textContent())!.trim()
  const parts = INSTALL_LINE.exec(text)
  expect(parts, `install command of the documented form: ${text}`).not.toBeNull()
  const [, scriptBase, serverUrl, secret] = parts!
  expect(scriptBase).toBe(serverUrl)
  // PUBLIC_URL is unset, so the address is localhost on the server's real port.
  expect(serverUrl).toBe(`http://localhost:${server.current.port}`)
  expect(secret).toMatch(new RegExp(`^${id}\\.`))
  return { id: id!, name: m.name, hostname: m.hostname, command: { text, server: serverUrl!, secret: secret! } }
}

const tile = (page: Page, memberId: string) => page.locator(`ul#member-tiles > li.tile[data-member-id="${memberId}"]`)
const tileStatus = (page: Page, memberId: string) => tile(page, memberId).locator('.status')

/** Puts a marker on window; it survives htmx swaps and dies with a full page load. */
async function markWindow(page: Page) {
  await page.evaluate(() => ((window as unknown as { __marker?: number }).__marker = 1))
}
const marker = (page: Page) => page.evaluate(() => (window as unknown as { __marker?: number }).__marker ?? null)

/** Enrols the member with the compiled agent and starts `run`; the tile must turn healthy within two intervals. */
async function enrollAndRun(poolId: string, member: AddedMember) {
  const dir = tempDir()
  const config = join(dir, 'agent.json')
  const enrolled = await enrollAgent({ ...member.command, config }, { hostname: member.hostname })
  expect(enrolled.code, `enroll exits 0:\n${enrolled.output}`).toBe(0)
  expect(enrolled.output).toContain(`enrolled as member ${member.id} of pool ${poolId} (hostname ${member.hostname})`)
  expect(existsSync(config)).toBe(true)
  // No heartbeatSeconds: the default interval (INTERVAL_MS) is what the tests measure.
  const agent = startAgent(['run', '--config', config], { hostname: member.hostname })
  return { agent, config }
}

test.beforeEach(async ({ page }) => {
  await signIn(page)
})

// Shared with the refusal test so it can reuse an already-used secret; that
// test makes its own when run alone.
let firstMember: (AddedMember & { poolId: string }) | null = null

test('an added server enrols with the install command and turns healthy without a reload', async ({ page, context }, testInfo) => {
  test.setTimeout(120_000)
  const poolId = await createPool(page, 'Web fleet')
  const member = await addMember(page, poolId, { name: 'web-1', hostname: 'web-1.example.com', egressIps: '127.0.0.1' })

  // The Copy button puts exactly that command on the clipboard.
  await context.grantPermissions(['clipboard-read', 'clipboard-write'])
  await page.getByRole('button', { name: 'Copy' }).click()
  await expect(page.getByRole('button', { name: 'Copied' })).toBeVisible()
  expect(await page.evaluate(() => navigator.clipboard.readText())).toBe(member.command.text)

  // Back on the overview the new member waits, pending.
  await page.getByRole('link', { name: 'Back to the pool' }).click()
  await expect(page).toHaveURL(new RegExp(`/pools/${poolId}$`))
  await expect(tile(page, member.id)).toContainText('web-1')
  await expect(tile(page, member.id)).toContainText('web-1.example.com')
  await expect(tileStatus(page, member.id)).toHaveAttribute('data-status', 'pending')
  await expect(tileStatus(page, member.id)).toHaveText('pending')
  await expect(tile(page, member.id).locator('.tile-note')).toHaveText(/Waiting for the agent to enrol/)
  await markWindow(page)

  const { agent } = await enrollAndRun(poolId, member)
  firstMember = { ...member, poolId }

  // Healthy within two heartbeat intervals of `run` starting, by polling alone.
  const deadline = agent.startedAt + 2 * INTERVAL_MS
  await expect(tileStatus(page, member.id)).toHaveAttribute('data-status', 'healthy', { timeout: Math.max(1, deadline - Date.now()) })
  const tookMs = Date.now() - agent.startedAt
  testInfo.annotations.push({ type: 'healthy after', description: `${tookMs} ms` })
  console.log(`[members.spec] tile turned healthy ${tookMs} ms after "serversctl-agent run" started`)
  expect(await marker(page), 'the tile must change without a page reload').toBe(1)
  expect(agent.child.exitCode, `the agent keeps running:\n${agent.output()}`).toBeNull()

  const healthy = tile(page, member.id)
  await expect(healthy.locator('.status')).toHaveText('healthy')
  await expect(healthy).toHaveClass(/\btile-healthy\b/)
  await expect(healthy).toContainText('Debian')
  await expect(healthy.locator('.tile-note')).toHaveCount(0)
  await expect(healthy.locator('.meter-label')).toHaveText(['CPU', 'Mem', 'Disk'])
  // Memory and disk come with the first heartbeat; CPU too (sampled over a short gap).
  for (const value of await healthy.locator('.meter-value').all()) await expect(value).toHaveText(/^\d+%$/)
  expect(await marker(page)).toBe(1)

  await markWindow(page)

  // The whole tile opens the member's workspace (htmx, no reload); its Status tab shows OS and agent version.
  await healthy.click()
  await expect(page).toHaveURL(new RegExp(`/pools/${poolId}/members/${member.id}/?$`))
  const memberTabs = page.locator('#member-tab-bar')
  await expect(memberTabs).toBeVisible()
  await memberTabs.getByRole('link', { name: 'Status', exact: true }).click()
  await expect(page).toHaveURL(new RegExp(`/pools/${poolId}/members/${member.id}/status$`))
  expect(await marker(page), 'the workspace tabs swap without a reload').toBe(1)
  const os = page.locator('#status-os')
  await expect(os.getByRole('row', { name: /Agent version/ })).toContainText(AGENT_VERSION)
  await expect(os.getByRole('row', { name: /Operating system/ })).toContainText('Debian')
  await expect(page.locator('#member-activity')).toContainText(`Agent ${AGENT_VERSION} enrolled from 127.0.0.1.`)
  await expect(page.locator('#member-activity')).toContainText('First heartbeat received.')
  await expect(page.locator('#status-stats')).toBeVisible()

  // SIGTERM stops the agent cleanly.
  expect(await stopAgent(agent), `the agent exits 0 on SIGTERM:\n${agent.output()}`).toBe(0)
  expect(agent.output()).toContain('SIGTERM: stopping')
})

test('refused enrolments say why, on the tile and in the activity', async ({ page }) => {
  test.setTimeout(90_000)
  // The first member's secret, used once already (by the test above, or here when run alone).
  let used = firstMember
  if (!used) {
    const poolId = await createPool(page, 'Reuse pool')
    const member = await addMember(page, poolId, { name: 'web-1', hostname: 'web-1.example.com', egressIps: '127.0.0.1' })
    const enrolled = await enrollAgent({ ...member.command, config: join(tempDir(), 'agent.json') }, { hostname: member.hostname })
    expect(enrolled.code, enrolled.output).toBe(0)
    used = { ...member, poolId }
  }
  const poolId = used.poolId

  // A member that may only enrol from 203.0.113.9.
  const far = await addMember(page, poolId, { name: 'web-2', hostname: 'web-2.example.com', egressIps: '203.0.113.9' })
  await page.goto(`/pools/${poolId}`)
  await expect(tileStatus(page, far.id)).toHaveAttribute('data-status', 'pending')
  await expect(tile(page, far.id).locator('.tile-note')).toHaveText(/Waiting for the agent to enrol/)
  await markWindow(page)

  const farConfig = join(tempDir(), 'agent.json')
  const refused = await enrollAgent({ ...far.command, config: farConfig }, { hostname: far.hostname })
  expect(refused.code, `enroll from 127.0.0.1 is refused:\n${refused.output}`).not.toBe(0)
  expect(refused.output).toContain(NOT_ALLOWED)
  expect(refused.output).toContain('127.0.0.1')
  expect(existsSync(farConfig), 'a refused enrolment writes no config').toBe(false)

  const expected = `Enrolment refused: the request came from 127.0.0.1, which is not one of this member's allowed egress IPs (203.0.113.9).`
  // The tile says why, by polling (no reload), and the member is still pending.
  await expect(tile(page, far.id).locator('.tile-note')).toHaveText(expected)
  await expect(tileStatus(page, far.id)).toHaveAttribute('data-status', 'pending')
  expect(await marker(page), 'the note must arrive without a page reload').toBe(1)

  // So does the member's Status activity...
  await page.goto(`/pools/${poolId}/members/${far.id}/status`)
  await expect(page.locator('#member-activity')).toContainText(expected)
  await expect(page.locator('#status-os').getByRole('row', { name: /Agent version/ })).toContainText('not enrolled')
  // ...and its Settings tab.
  await page.goto(`/pools/${poolId}/members/${far.id}/settings`)
  const refusals = page.getByRole('heading', { name: 'Recent refusals' }).locator('xpath=..')
  await expect(refusals.locator('#member-activity')).toContainText(expected)

  // The first member's secret, again, with a fresh config path: already used.
  const reuseConfig = join(tempDir(), 'agent.json')
  const reused = await enrollAgent({ ...used.command, config: reuseConfig }, { hostname: used.hostname })
  expect(reused.code, `a used secret is refused:\n${reused.output}`).not.toBe(0)
  expect(reused.output).toContain('Enrolment refused: this secret was already used.')
  expect(existsSync(reuseConfig), 'a refused enrolment writes no config').toBe(false)

  await page.goto(`/pools/${poolId}/members/${used.id}/status`)
  await expect(page.locator('#member-activity')).toContainText('Enrolment refused: this secret was already used.')
  await expect(page.locator('#member-activity')).toContainText('New install command')
  // It is still the enrolled member it was: the refusal changed nothing else.
  await expect(page.locator('#status-os').getByRole('row', { name: /Agent version/ })).toContainText(AGENT_VERSION)
})

test('screenshots of a healthy tile and of the member Status tab', async ({ page }) => {
  test.setTimeout(90_000)
  const poolId = await createPool(page, 'Screenshot fleet')
  const member = await addMember(page, poolId, { name: 'app-1', hostname: 'app-1.example.com', egressIps: '127.0.0.1' })
  // A second one left waiting with a refusal, so the screenshot shows both kinds of tile.
  const waiting = await addMember(page, poolId, { name: 'app-2', hostname: 'app-2.example.com', egressIps: '203.0.113.9' })
  const refused = await enrollAgent({ ...waiting.command, config: join(tempDir(), 'agent.json') }, { hostname: waiting.hostname })
  expect(refused.code).not.toBe(0)

  await page.goto(`/pools/${poolId}`)
  const { agent } = await enrollAndRun(poolId, member)
  await expect(tileStatus(page, member.id)).toHaveAttribute('data-status', 'healthy', { timeout: Math.max(1, agent.startedAt + 2 * INTERVAL_MS - Date.now()) })
  console.log(`[members.spec] screenshot pool: tile turned healthy ${Date.now() - agent.startedAt} ms after "serversctl-agent run" started`)
  await expect(tile(page, waiting.id).locator('.tile-note')).toContainText(NOT_ALLOWED)
  await expect(tile(page, member.id).locator('.meter-value').first()).toHaveText(/^\d+%$/)
  await page.screenshot({ path: 'e2e/screenshots/member-tiles.png', fullPage: true })

  await page.goto(`/pools/${poolId}/members/${member.id}/status`)
  await expect(page.locator('#status-os')).toContainText(AGENT_VERSION)
  await expect(page.locator('#member-activity')).toContainText('First heartbeat received.')
  await page.screenshot({ path: 'e2e/screenshots/member-status.png', fullPage: true })

  expect(await stopAgent(agent), agent.output()).toBe(0)
})
