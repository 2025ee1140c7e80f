// Cron & Jobs with a real compiled agent: the daily update-check preset is
// added from the tab, "Run now" opens the job's page, and the page follows
// the job live: a fake apt-get (first on the agent's PATH) prints its lines
// slowly, the terminal grows line by line, and the page ends "succeeded"
// with the result, all without a reload.
import { chmodSync, mkdirSync, rmSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { APIRequestContext, Page } from '@playwright/test'
import { test, expect, useServer, ADMIN, signIn, createPool } from './fixtures'
import { agentTempDir, cleanUpAgents, enrollAgent, ensureAgentBuilt, startAgent } from './agent-binary'
import { APP_ROOT } from './server'

const API_TOKEN = 'sctl_e2e_jobs_token_0123456789abcdef'
const server = useServer({ admin: { ...ADMIN, apiToken: API_TOKEN } })
const auth = { authorization: `Bearer ${API_TOKEN}` }

/** Lines the fake `apt-get update` prints, one every 0.7 s. */
const UPDATE_LINES = 8
/** The fake `apt-get update` waits after this line while a file of this name lies beside it. */
const HELD_AFTER = 3
const HOLD = 'hold'

// A stand-in for apt-get: `update` prints slowly (and waits mid-way while the
// test holds it), `-s upgrade` (the job's count, and the heartbeat's) reports
// two upgradable packages, one of them a security update.
const FAKE_APT_GET = `#!/bin/sh
case "$*" in
  *upgrade*)
    echo "Inst libfoo1 [1.0-1] (1.0-2 Debian:12.9/stable [amd64])"
    echo "Inst openssl [3.0.15-1] (3.0.16-1 Debian-Security:12/stable-security [amd64])"
    ;;
  *update*)
    i=1
    while [ $i -le ${UPDATE_LINES} ]; do
      echo "Hit:$i http://deb.example.test/debian bookworm/part$i InRelease"
      while [ $i -eq ${HELD_AFTER} ] && [ -e "$(dirname "$0")/${HOLD}" ]; do sleep 0.1; done
      i=$((i + 1))
      sleep 0.7
    done
    echo "Reading package lists... Done"
    ;;
esac
exit 0
`

test.beforeAll(() => ensureAgentBuilt())

test.afterEach(cleanUpAgents)

/** A member that may enrol from 127.0.0.1, enrolled by the compiled agent, which then runs with the fake apt-get. */
async function runningAgent(request: APIRequestContext, poolId: string, name: string) {
  const hostname = `${name}.example.com`
  const res = await request.post(`/api/v1/pools/${poolId}/members`, { headers: auth, data: { name, hostname, egressIps: ['127.0.0.1'] } })
  expect(res.status(), await res.text()).toBe(201)
  const member = (await res.json()) as { id: string; enrollment: { secret: string } }

  const dir = agentTempDir('serversctl-jobs-e2e-')
  const binDir = join(dir, 'bin')
  mkdirSync(binDir)
  writeFileSync(join(binDir, 'apt-get'), FAKE_APT_GET)
  chmodSync(join(binDir, 'apt-get'), 0o755)

  const config = join(dir, 'agent.json')
  const opts = { hostname, heartbeatSeconds: 2, pathPrefix: binDir }
  const enrolled = await enrollAgent({ server: server.current.baseURL, secret: member.enrollment.secret, config }, opts)
  expect(enrolled.code, `enroll exits 0:\n${enrolled.output}`).toBe(0)
  const agent = startAgent(['run', '--config', config], opts)
  // The job needs the OS family, which comes with the first heartbeat.
  await expect
    .poll(async () => ((await (await request.get(`/api/v1/members/${member.id}`, { headers: auth })).json()) as { os: { family: string | null } }).os?.family ?? null, {
      timeout: 25_000,
      message: `the agent reports its OS:\n${agent.output()}`,
    })
    .toBe('debian')
  return { id: member.id, agent, binDir }
}

async function markWindow(page: Page) {
  await page.evaluate(() => ((window as unknown as { __marker?: number }).__marker = 1))
}
const marker = (page: Page) => page.evaluate(() => (window as unknown as { __marker?: number }).__marker ?? null)

test.beforeEach(async ({ page }) => {
  await signIn(page)
})

test('a scheduled update check, run now, streams its output live and ends succeeded without a reload', async ({ page, request }) => {
  test.setTimeout(120_000)
  const poolId = await createPool(page, 'Cron fleet')
  const member = await runningAgent(request, poolId, 'cron-1')

  // The Cron & Jobs tab, reached by its tab link.
  await page.goto(`/pools/${poolId}/members/${member.id}`)
  await page.locator('#member-tab-bar a[data-tab="jobs"]').click()
  await expect(page).toHaveURL(new RegExp(`/pools/${poolId}/members/${member.id}/jobs$`))
  await expect(page.getByText('No schedules yet')).toBeVisible()
  await expect(page.locator('#cron-kpis [data-kpi="cron"] .kpi-value')).toHaveText('0')
  await expect(page.locator('#cron-kpis [data-kpi="backups"] .kpi-value')).toHaveText('0')

  // The preset.
  await page.locator('#schedule-presets [data-preset="updates-daily"]').getByRole('button', { name: 'Add' }).click()
  await expect(page.getByText('Schedule "Daily update check" added.')).toBeVisible()
  const row = page.locator('#schedules-table tbody tr')
  await expect(row).toHaveCount(1)
  await expect(row.locator('code.cron')).toHaveText('17 4 * * *')
  await expect(row.locator('.next-runs time')).toHaveCount(3)
  for (const time of await row.locator('.next-runs time').allTextContents()) expect(time).toMatch(/^\d{4}-\d\d-\d\d 04:17 UTC$/)
  await expect(page.locator('#cron-kpis [data-kpi="cron"] .kpi-value')).toHaveText('1')

  // The job picker shows only the chosen job's parameters.
  const form = page.locator('#schedule-form')
  await form.getByLabel('Job', { exact: true }).selectOption('ssh.key.list')
  await expect(form.locator('fieldset[data-job="ssh.key.list"]')).toBeVisible()
  await expect(form.locator('fieldset[data-job="service.restart"]')).toBeHidden()
  // A bad expression is refused next to its field.
  await form.getByRole('textbox', { name: 'User' }).fill('root')
  await form.getByLabel('When: cron expression, UTC').fill('*/30 * * * * *')
  await form.getByRole('button', { name: 'Add schedule' }).click()
  await expect(page.locator('#schedule-cron-error')).toContainText('fires more often than once a minute')
  await expect(page.locator('#schedules-table tbody tr')).toHaveCount(1)

  // Run now: the job's page, then its output growing while it runs. The update
  // waits after its third line until the page has been read there: paced by
  // the clock alone (3.5 s from the third line to the last), a page poll or an
  // output report that fell that far behind brought the third and last together.
  const hold = join(member.binDir, HOLD)
  writeFileSync(hold, '')
  await page.locator('#schedules-table tbody tr').getByRole('button', { name: 'Run now' }).click()
  await expect(page).toHaveURL(new RegExp(`/pools/${poolId}/members/${member.id}/jobs/job_\\w+$`))
  await markWindow(page)
  const state = page.locator('#job-state')
  await expect(state.locator('h2')).toContainText('Check for updates')
  const output = page.locator('pre#job-output')
  const lines = output.locator('.ln')

  await expect(state.locator('.job-status')).toHaveText('running', { timeout: 15_000 })
  await expect(output).toContainText('Hit:1 http://deb.example.test/debian', { timeout: 10_000 })
  const early = await lines.count()
  // Still running with part of the output: it arrives while the job runs, not at its end.
  await expect(output).toContainText('Hit:3 ')
  expect(await state.locator('.job-status').textContent()).toBe('running')
  await expect(output).not.toContainText(`Hit:${UPDATE_LINES} `)
  await expect(state.locator('li.step[data-state="running"]')).toContainText('Refresh package lists and count updates')
  rmSync(hold)

  await expect(state.locator('.job-status')).toHaveText('succeeded', { timeout: 30_000 })
  await expect(output).toContainText(`Hit:${UPDATE_LINES} `)
  await expect(output).toContainText('Reading package lists... Done')
  await expect(output).toContainText('2 packages can be upgraded, 1 from security updates.')
  expect(await lines.count()).toBeGreaterThan(early)
  // Each line once, in order.
  const text = (await output.textContent()) ?? ''
  for (let i = 1; i <= UPDATE_LINES; i++) expect(text.split(`Hit:${i} `).length - 1, `Hit:${i} shown once`).toBe(1)
  expect(text.indexOf('Hit:2 ')).toBeGreaterThan(text.indexOf('Hit:1 '))
  await expect(state.locator('li.step[data-state="done"]')).toHaveCount(1)
  await expect(state.locator('.job-progress')).toHaveAttribute('aria-valuenow', '100')
  await expect(page.locator('#job-result')).toContainText('"upgradable": 2')
  await expect(state.getByRole('button', { name: 'Cancel job' })).toHaveCount(0)
  // The page stops asking once the job has ended.
  await expect(page.locator('#job-follow')).toHaveAttribute('data-following', 'false', { timeout: 10_000 })
  expect(await marker(page), 'the job page followed the job without a reload').toBe(1)
  mkdirSync(join(APP_ROOT, 'e2e/screenshots'), { recursive: true })
  await page.evaluate(() => window.scrollTo(0, 0))
  await page.screenshot({ path: join(APP_ROOT, 'e2e/screenshots/job-page.png'), fullPage: true })

  // Back on the tab: the last run and the timeline.
  await page.getByRole('link', { name: 'Cron & Jobs' }).first().click()
  await expect(page.locator('#cron-kpis [data-kpi="last-run"] .kpi-hint')).toContainText('succeeded')
  await expect(page.locator('#jobs-table tbody tr').first()).toContainText('Check for updates')
  await expect(page.locator('#schedules-table tbody tr .job-link')).toHaveText('Check for updates')
  await expect(page.locator('#schedules-table tbody tr .job-status')).toHaveText('succeeded')
  await expect(page.locator('#jobs-table tbody tr').first().locator('.job-status')).toHaveText('succeeded')
  await page.screenshot({ path: join(APP_ROOT, 'e2e/screenshots/cron-jobs-tab.png'), fullPage: true })
  expect(member.agent.child.exitCode, `the agent keeps running:\n${member.agent.output()}`).toBeNull()
})

test('a fleet-wide run is confirmed with its server count, and its rows follow the jobs to the end', async ({ page, request }) => {
  test.setTimeout(120_000)
  const poolId = await createPool(page, 'Run fleet')
  const member = await runningAgent(request, poolId, 'run-1')
  // A second server that never enrolled: it cannot take an update check.
  const added = await request.post(`/api/v1/pools/${poolId}/members`, { headers: auth, data: { name: 'run-2', hostname: 'run-2.example.com', egressIps: ['203.0.113.40'] } })
  expect(added.status()).toBe(201)

  await page.goto(`/pools/${poolId}`)
  await page.getByRole('link', { name: 'Run a job' }).click()
  await expect(page).toHaveURL(new RegExp(`/pools/${poolId}/runs$`))
  await expect(page.getByText('No fleet-wide runs yet')).toBeVisible()
  const form = page.locator('#run-form')
  await form.getByLabel('Job', { exact: true }).selectOption('system.updates.check')
  await form.getByLabel('All 2 servers of Run fleet').check()
  await expect(form.getByLabel('run-1')).toBeChecked()
  await expect(form.getByLabel('run-2')).toBeChecked()
  await form.getByRole('button', { name: 'Review the run' }).click()

  const review = page.locator('#run-review')
  await expect(review).toContainText('Run "Check for updates" on 1 server?')
  await expect(review).toContainText('run-2: The agent has not reported')
  await markWindow(page)
  await review.getByRole('button', { name: 'Run on 1 server' }).click()
  await expect(page).toHaveURL(new RegExp(`/pools/${poolId}/runs/run_\\w+$`))
  await expect(page.getByText('Check for updates: queued on 1 server, 1 refused.')).toBeVisible()

  const row = (name: string) => page.locator('#run-table tbody tr', { hasText: name })
  await expect(row('run-2').locator('.job-status')).toHaveText('refused')
  await expect(row('run-1').locator('.job-status')).toHaveText(/queued|running/)
  await expect(row('run-1').locator('.job-status')).toHaveText('succeeded', { timeout: 30_000 })
  await expect(row('run-1').locator('td.num')).toHaveText('0')
  await expect(page.locator('#run-rows')).toHaveAttribute('data-live', 'false')
  await expect(page.locator('.run-summary')).toHaveText('2 servers: 1 succeeded, 1 refused')
  expect(await marker(page), 'the rows followed the run without a reload').toBe(1)
  mkdirSync(join(APP_ROOT, 'e2e/screenshots'), { recursive: true })
  await page.screenshot({ path: join(APP_ROOT, 'e2e/screenshots/fleet-run.png'), fullPage: true })

  // Its job page, from the row.
  await row('run-1').getByRole('link', { name: 'Job page' }).click()
  await expect(page).toHaveURL(new RegExp(`/pools/${poolId}/members/${member.id}/jobs/job_\\w+$`))
  await expect(page.locator('#job-state .job-status')).toHaveText('succeeded')
  await expect(page.locator('pre#job-output')).toContainText('2 packages can be upgraded')
})
