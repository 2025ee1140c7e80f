// The `test` every spec uses: baseURL points at this file's server, and any
// uncaught page error, console error or Content-Security-Policy violation
// fails the test (htmx, Alpine and CSP problems show up there first), as does
// any 5xx answer.
import { test as base, expect, type Page } from '@playwright/test'
import { useServer as registerServer, type Admin, type RunningServer, type ServerOptions } from './server'
import { sampleHeartbeat } from '../src/testing/heartbeat-fixture'

let current: { current: RunningServer; running: boolean } | null = null

/** Call once at the top of a spec file: starts the server for that file. */
export function useServer(options: ServerOptions = {}) {
  current = registerServer(options)
  return current
}

export const test = base.extend<{ pageErrors: string[]; serverLogOnFailure: void }>({
  baseURL: async ({}, use) => {
    if (!current) throw new Error('call useServer() at the top of the spec file')
    // Playwright also resolves baseURL once before the beforeAll hooks run;
    // the server is not up yet then, and nothing navigates.
    await use(current.running ? current.current.baseURL : undefined)
  },
  pageErrors: [
    async ({ page }, use) => {
      const errors: string[] = []
      page.on('pageerror', (err) => errors.push(`pageerror: ${err.message}`))
      // A script the CSP blocks and the page's own code swallows leaves no error
      // behind; the browser's violation event always fires.
      await page.addInitScript(() =>
        document.addEventListener('securitypolicyviolation', (e) =>
          console.error(`CSP violation: ${e.violatedDirective} blocked ${e.blockedURI || 'inline code'}`),
        ),
      )
      page.on('console', (msg) => {
        if (msg.type() !== 'error') return
        // Chromium logs every 4xx answer this way; forms answer 422 on purpose.
        if (/^Failed to load resource: the server responded with a status of 4\d\d/.test(msg.text())) return
        errors.push(`console.error: ${msg.text()}`)
      })
      page.on('response', (res) => {
        if (res.status() >= 500) errors.push(`HTTP ${res.status()} from ${res.request().method()} ${res.url()}`)
      })
      await use(errors)
      expect(errors, 'errors in the browser console').toEqual([])
    },
    { auto: true },
  ],
  serverLogOnFailure: [
    async ({}, use, testInfo) => {
      await use()
      if (testInfo.status !== testInfo.expectedStatus && current?.running) {
        await testInfo.attach('server.log', { body: current.current.log(), contentType: 'text/plain' })
      }
    },
    { auto: true },
  ],
})

export { expect }

export const ADMIN: Admin = { email: 'admin@example.test', password: 'correct horse battery' }

export async function signIn(page: Page, admin: Admin = ADMIN) {
  await page.goto('/login')
  await page.getByLabel('Email').fill(admin.email)
  await page.getByLabel('Password').fill(admin.password)
  await page.getByRole('button', { name: 'Sign in' }).click()
  await expect(page).toHaveURL(/\/pools$/)
  await expect(page.getByRole('button', { name: admin.email })).toBeVisible()
}

/** Creates a pool through the form and returns its id (from the URL it lands on). */
export async function createPool(page: Page, name: string): Promise<string> {
  await page.goto('/pools/new')
  await page.getByLabel('Pool name').fill(name)
  await page.getByRole('button', { name: 'Create pool' }).click()
  await expect(page).toHaveURL(/\/pools\/pool_[A-Za-z0-9_-]+$/)
  await expect(page.getByRole('heading', { level: 1 })).toHaveText(name)
  return new URL(page.url()).pathname.split('/')[2]!
}

/** A member's agent as a test plays it: its id, token, and a POST to the server with that token. */
export type PlayedAgent = { id: string; token: string; call: (path: string, body: unknown) => Promise<{ status: number; json: any }> }

/**
 * Adds a member through the API the page uses, enrols it as an agent would
 * and sends one heartbeat (the sample one, with `heartbeat` over it).
 */
export async function enrolledMember(page: Page, poolId: string, name: string, heartbeat: Parameters<typeof sampleHeartbeat>[0] = {}): Promise<PlayedAgent> {
  const base = new URL(page.url()).origin
  const csrf = await page.locator('meta[name="csrf-token"]').getAttribute('content')
  const added = await page.request.post(`${base}/api/v1/pools/${poolId}/members`, {
    headers: { 'x-csrf-token': csrf ?? '' },
    data: { name, hostname: `${name}.example.com`, egressIps: ['127.0.0.1'] },
  })
  expect(added.status()).toBe(201)
  const member = await added.json()
  const hb = sampleHeartbeat({ hostname: `${name}.example.com`, ...heartbeat })
  const enrolled = await fetch(`${base}/api/v1/agent/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ secret: member.enrollment.secret, hostname: hb.hostname, agentVersion: hb.agentVersion, os: hb.os }),
  })
  const { token } = (await enrolled.json()) as { token: string }
  const call = async (path: string, body: unknown) => {
    const res = await fetch(`${base}${path}`, { method: 'POST', headers: { 'content-type': 'application/json', authorization: `Bearer ${token}` }, body: JSON.stringify(body) })
    return { status: res.status, json: await res.json().catch(() => null) }
  }
  expect((await call('/api/v1/agent/heartbeat', hb)).status).toBe(200)
  return { id: member.id as string, token, call }
}

/** A member whose agent reports cPanel with these accounts (`<user>.example.com` each). */
export function whmMember(page: Page, poolId: string, name: string, users: string[]): Promise<PlayedAgent> {
  const base = sampleHeartbeat()
  const accounts = users.map((user) => ({ user, domain: `${user}.example.com`, domains: [], plan: 'default', owner: 'root', suspended: false, diskBytes: 1024 }))
  return enrolledMember(page, poolId, name, { stacks: { ...base.stacks, openlitespeed: null, cpanel: { version: '11.120.0.9', accounts, packages: ['default'], accountCount: users.length } } })
}
