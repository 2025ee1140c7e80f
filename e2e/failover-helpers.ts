// What the failover and alert specs share: members added through the "Add
// server" form and enrolled by the compiled agent, heartbeating every second,
// and a page read again until it shows what the server did.
import { join } from 'node:path'
import type { Page } from '@playwright/test'
import { expect } from './fixtures'
import { agentTempDir, enrollAgent, startAgent, type Agent } from './agent-binary'

export type Enrolled = { id: string; name: string; hostname: string; agent: Agent; config: string }

const INSTALL_LINE = /--server (\S+) --secret (\S+)$/

/** Adds a member by the form, enrols it with the compiled agent and starts `run` (one heartbeat a second). */
export async function addRunningMember(page: Page, poolId: string, name: string, publicIpv4?: string): Promise<Enrolled> {
  const hostname = `${name}.example.test`
  await page.goto(`/pools/${poolId}/members/new`)
  await page.getByRole('radio', { name: /Debian-like/ }).check()
  await page.getByLabel('Display name').fill(name)
  await page.getByLabel('Hostname').fill(hostname)
  await page.getByLabel('Allowed egress IPs').fill('127.0.0.1')
  if (publicIpv4) await page.getByLabel('Public IPv4 (optional)').fill(publicIpv4)
  await page.getByRole('button', { name: 'Add server' }).click()
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(`${name} added`)
  const command = (await page.locator('code#install-command').textContent())!.trim()
  const [, server, secret] = INSTALL_LINE.exec(command) ?? []
  expect(server, `install command: ${command}`).toBeTruthy()
  const href = (await page.getByRole('link', { name: 'Open the member' }).getAttribute('href')) ?? ''
  const id = /\/members\/(mem_[0-9a-z]+)\//.exec(href)![1]!

  const config = join(agentTempDir('serversctl-failover-e2e-'), 'agent.json')
  const enrolled = await enrollAgent({ server: server!, secret: secret!, config }, { hostname })
  expect(enrolled.code, `enroll exits 0:\n${enrolled.output}`).toBe(0)
  const agent = startAgent(['run', '--config', config], { hostname, heartbeatSeconds: 1 })
  return { id, name, hostname, agent, config }
}

/** Loads `path` until `check` passes: the scheduler acts on its own clock, not on the page's. */
export async function reloadUntil(page: Page, path: string, check: () => Promise<void>, timeoutMs: number) {
  const deadline = Date.now() + timeoutMs
  for (;;) {
    await page.goto(path)
    try {
      await check()
      return
    } catch (err) {
      if (Date.now() > deadline) throw err
      await page.waitForTimeout(500)
    }
  }
}

/** The Make active form on a pool's Settings tab; its confirm() is accepted. */
export async function makeActive(page: Page, poolId: string, memberName: string) {
  await page.goto(`/pools/${poolId}/settings`)
  const card = page.locator('#failover')
  await card.getByLabel('Make active').selectOption({ label: memberName })
  page.once('dialog', (d) => void d.accept())
  await card.getByRole('button', { name: 'Make active' }).click()
  await expect(page.locator('#failover')).toContainText(`Active member ${memberName}`)
}
