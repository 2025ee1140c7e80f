// The install command outlives the POST that made it: "Add server" redirects
// to the member's install page, which shows the command (sealed at rest) while
// it is unused, unreplaced and unexpired, and says why not afterwards.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { enrollmentSecrets } from '../db/schema'
import { visibleText, type Browser, type TestServer } from '../testing/harness'
import { signedInWithPool } from '../jobs/tab-fixture'
import { forgetSpentInstallCommands, installState, issueEnrollment } from './service'

let s: TestServer
let b: Browser
let poolId: string
let base: string
beforeAll(async () => {
  ;({ s, b, poolId } = await signedInWithPool('Install'))
  base = s.serve()
})
afterAll(() => s.close())

const COMMAND = /curl -fsSL (\S+)\/install\.sh \| sudo bash -s -- --server \1 --secret (mem_\w+\.\S+)/
let n = 0

/** Adds a server from the form as a person would; answers the redirect. */
async function addFromForm(egress = '127.0.0.1') {
  const name = `inst-${++n}`
  await b.get(`/pools/${poolId}/members/new`)
  const res = await b.post(`/pools/${poolId}/members`, { osFamily: 'debian', name, hostname: `${name}.example.com`, egressIps: egress, publicIpv4: '' })
  return { name, res }
}

const secretOn = (html: string) => COMMAND.exec(visibleText(html))?.[2] ?? null

async function enroll(secret: string, hostname: string) {
  return fetch(`${base}/api/v1/agent/enroll`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ secret, hostname, agentVersion: '0.1.0', os: { id: 'debian', versionId: '12', family: 'debian', prettyName: 'Debian GNU/Linux 12' } }),
  })
}

describe("a member's install page", () => {
  test('"Add server" redirects to it; a reload shows the same command, as a page and as the #main fragment', async () => {
    const { name, res } = await addFromForm()
    expect(res.status).toBe(303)
    const page = res.headers.get('location')!
    expect(page).toMatch(new RegExp(`^/pools/${poolId}/members/mem_\\w+/install$`))
    const first = await b.get(page)
    expect(first.status).toBe(200)
    const text = visibleText(first.text)
    expect(first.text).toMatch(new RegExp(`<h1>${name} added</h1>`))
    expect(first.text).toMatch(new RegExp(`<title>${name} added`))
    expect(text).toContain('kept sealed with this server\'s key')
    const secret = secretOn(first.text)
    expect(secret).not.toBeNull()

    const reload = await b.get(page)
    expect(secretOn(reload.text)).toBe(secret)
    const part = await b.get(page, { 'hx-request': 'true', 'hx-target': 'main#main' })
    expect(part.text).not.toContain('<html')
    expect(secretOn(part.text)).toBe(secret)
    // The API shows the same waiting command.
    const id = page.split('/')[4]!
    expect((await s.api('GET', `/api/v1/members/${id}/enrollment`)).json).toMatchObject({ secret, installCommand: expect.stringContaining(secret!) })
  })

  test('the secret is stored sealed, never in clear', async () => {
    const { res } = await addFromForm()
    const secret = secretOn((await b.get(res.headers.get('location')!)).text)!
    const memberId = secret.split('.')[0]!
    const [row] = await s.db.select().from(enrollmentSecrets).where(eq(enrollmentSecrets.memberId, memberId))
    expect(row!.secretSealed).toMatch(/^v1\./)
    expect(JSON.stringify(row)).not.toContain(secret.split('.')[1]!)
  })

  test('once the agent has used it the page no longer shows it, and says why; the sealed copy is gone', async () => {
    const { name, res } = await addFromForm()
    const page = res.headers.get('location')!
    const secret = secretOn((await b.get(page)).text)!
    expect((await enroll(secret, `${name}.example.com`)).status).toBe(201)
    const after = await b.get(page)
    expect(secretOn(after.text)).toBeNull()
    expect(visibleText(after.text)).toContain(`Install the agent on ${name} `)
    expect(visibleText(after.text)).toContain('Its agent enrolled')
    const memberId = secret.split('.')[0]!
    expect((await s.api('GET', `/api/v1/members/${memberId}/enrollment`)).status).toBe(404)
    const [row] = await s.db.select().from(enrollmentSecrets).where(eq(enrollmentSecrets.memberId, memberId))
    expect(row!.secretSealed).toBeNull()
  })

  test('"New install command" voids the old one and redirects to the page, which shows only the new one', async () => {
    const { name, res } = await addFromForm()
    const page = res.headers.get('location')!
    const old = secretOn((await b.get(page)).text)!
    const memberId = old.split('.')[0]!
    const reissued = await b.post(`/pools/${poolId}/members/${memberId}/settings/install-command`, {})
    expect(reissued.status).toBe(303)
    expect(reissued.headers.get('location')).toBe(page)
    const shown = await b.get(page)
    expect(visibleText(shown.text)).toContain('New install command issued; any older one no longer works.')
    const fresh = secretOn(shown.text)!
    expect(fresh).not.toBe(old)
    expect((await enroll(old, `${name}.example.com`)).status).toBe(401)
    // Settings points at it while it waits.
    const settings = (await b.get(`/pools/${poolId}/members/${memberId}/settings`)).text
    expect(settings).toContain(`href="${page}"`)
    expect(visibleText(settings)).toContain('show the install command')
  })

  test('of two commands issued in the same millisecond, the newer is the one shown', async () => {
    const { res } = await addFromForm()
    const memberId = secretOn((await b.get(res.headers.get('location')!)).text)!.split('.')[0]!
    const enroller = { publicUrl: s.deps.config.publicUrl, secrets: s.deps.secrets }
    const now = new Date()
    for (let i = 0; i < 4; i++) {
      const issued = await issueEnrollment(s.db, memberId, enroller, now)
      expect(await installState(s.db, { id: memberId, enrolledAt: null }, enroller, now)).toMatchObject({ kind: 'waiting', enrollment: { secret: issued.secret } })
    }
  })

  test('an expired command is not shown; the page says when it expired, and the minute tick erases its sealed copy', async () => {
    const { res } = await addFromForm()
    const page = res.headers.get('location')!
    const memberId = secretOn((await b.get(page)).text)!.split('.')[0]!
    const past = new Date(Date.now() - 60_000)
    await s.db.update(enrollmentSecrets).set({ expiresAt: past }).where(eq(enrollmentSecrets.memberId, memberId))
    const after = visibleText((await b.get(page)).text)
    expect(COMMAND.test(after)).toBe(false)
    expect(after).toContain(`The install command expired ${past.toISOString().slice(0, 16).replace('T', ' ')} UTC without being used.`)
    expect(await forgetSpentInstallCommands(s.db)).toBeGreaterThanOrEqual(1)
    const [row] = await s.db.select().from(enrollmentSecrets).where(eq(enrollmentSecrets.memberId, memberId))
    expect(row!.secretSealed).toBeNull()
  })

  test("another pool's member is not found here", async () => {
    const other = (await s.api('POST', '/api/v1/pools', { name: 'Elsewhere', preset: 'generic' })).json.id
    const id = (await s.api('POST', `/api/v1/pools/${other}/members`, { name: 'far', hostname: 'far.example.com', egressIps: ['203.0.113.90'] })).json.id
    expect((await b.get(`/pools/${poolId}/members/${id}/install`)).status).toBe(404)
    expect((await b.get(`/pools/${other}/members/${id}/install`)).status).toBe(200)
  })
})
