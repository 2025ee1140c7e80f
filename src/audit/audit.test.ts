import { afterEach, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { members } from '../db/schema'
import { AUDIT_PAGE_SIZE } from './service'
import { ADMIN, testServer, visibleText, type TestServer } from '../testing/harness'

let s: TestServer
afterEach(() => s?.close())

describe('audit log', () => {
  test('it records who changed what, on which target, when and from where', async () => {
    s = await testServer()
    const id = (await s.api('POST', '/api/v1/pools', { name: 'Audited', preset: 'generic' })).json.id
    await s.api('PATCH', `/api/v1/pools/${id}`, { name: 'Audited 2' })
    await s.api('DELETE', `/api/v1/pools/${id}`)
    const { json } = await s.api('GET', `/api/v1/audit?pool=${id}`)
    expect(json.events.map((e: { action: string }) => e.action)).toEqual(['pool.delete', 'pool.rename', 'pool.create'])
    expect(json.events[1]).toMatchObject({
      actor: `${ADMIN.email} (token "ADMIN_API_TOKEN")`,
      targetType: 'pool',
      targetId: id,
      targetLabel: 'Audited 2',
      poolId: id,
      detail: { from: 'Audited', to: 'Audited 2' },
    })
    expect(Date.parse(json.events[0].at)).toBeGreaterThan(Date.now() - 60_000)
  })

  test('it records sign-ins, failures and sign-outs from the browser with their address', async () => {
    s = await testServer({ env: { TRUST_PROXY: '' } })
    const b = s.browser()
    await b.get('/login')
    await b.post('/login', { email: ADMIN.email, password: 'wrong password' })
    await b.signIn()
    await b.post('/logout', {})
    const actions = (await s.api('GET', '/api/v1/audit')).json.events.map((e: { action: string }) => e.action)
    expect(actions.slice(0, 3)).toEqual(['auth.sign_out', 'auth.sign_in', 'auth.sign_in_failed'])
  })

  test('its page lists events newest first, filters by pool, and pages back', async () => {
    s = await testServer()
    const a = (await s.api('POST', '/api/v1/pools', { name: 'A', preset: 'generic' })).json.id
    const bId = (await s.api('POST', '/api/v1/pools', { name: 'B', preset: 'generic' })).json.id
    for (let i = 0; i < AUDIT_PAGE_SIZE; i++) await s.api('PATCH', `/api/v1/pools/${a}`, { name: `A${i}` })
    const browser = await s.browser().signIn()

    const all = visibleText((await browser.get('/audit')).text)
    expect(all.indexOf(`pool.rename A${AUDIT_PAGE_SIZE - 1}`)).toBeLessThan(all.indexOf(`pool.rename A${AUDIT_PAGE_SIZE - 2}`))

    const onlyB = await browser.get(`/audit?pool=${bId}`)
    expect(visibleText(onlyB.text)).toContain('pool.create B pool')
    expect(onlyB.text).not.toContain('pool.rename')
    expect(onlyB.text).not.toContain('Older entries')

    const firstPage = await browser.get(`/audit?pool=${a}`)
    const older = visibleText(/href="(\/audit\?pool=[^"]+before=\d+)"/.exec(firstPage.text)![1]!).trim()
    const second = visibleText((await browser.get(older)).text)
    expect(second).toContain('pool.create A pool')
  })

  test('its page keeps the filter for a deleted pool', async () => {
    s = await testServer()
    const id = (await s.api('POST', '/api/v1/pools', { name: 'Gone', preset: 'generic' })).json.id
    await s.api('DELETE', `/api/v1/pools/${id}`)
    const b = await s.browser().signIn()
    const page = visibleText((await b.get(`/audit?pool=${id}`)).text)
    expect(page).toContain('Gone (deleted)')
    expect(page).not.toContain(id)
    expect(page).toContain('pool.delete Gone pool')
  })

  test('its page names each target, linked to its page while it exists, never by its id', async () => {
    s = await testServer()
    const poolId = (await s.api('POST', '/api/v1/pools', { name: 'Web', preset: 'generic' })).json.id
    // Written without a label: the page names the pool as it is now.
    await s.api('PUT', `/api/v1/pools/${poolId}/failover`, { enabled: false })
    const keep = (await s.api('POST', `/api/v1/pools/${poolId}/members`, { name: 'web-1', hostname: 'web-1.example.com', egressIps: ['203.0.113.7'] })).json.id
    const gone = (await s.api('POST', `/api/v1/pools/${poolId}/members`, { name: 'web-2', hostname: 'web-2.example.com', egressIps: ['203.0.113.8'] })).json.id
    await s.db.update(members).set({ os: { id: 'debian', versionId: '12', family: 'debian', prettyName: 'Debian 12' } }).where(eq(members.id, keep))
    const job = (await s.api('POST', `/api/v1/members/${keep}/jobs`, { name: 'ssh.key.list', params: { user: 'root' } })).json.id
    expect((await s.api('POST', `/api/v1/jobs/${job}/cancel`)).status).toBe(200)
    await s.api('DELETE', `/api/v1/members/${gone}`)
    const html = (await (await s.browser().signIn()).get('/audit')).text
    const cell = (action: string) => visibleText(new RegExp(`<code>${action.replace('.', '\\.')}</code></td>\\s*<td>([\\s\\S]*?)</td>`).exec(html)![1]!).trim()
    expect(cell('failover.configure')).toBe('Web pool')
    expect(html).toContain(`<a href="/pools/${poolId}" hx-get="/pools/${poolId}"`)
    expect(cell('member.add')).toBe('web-2 member')
    expect(html).toContain(`href="/pools/${poolId}/members/${keep}/status"`)
    expect(cell('job.cancel')).toBe('List SSH authorized keys job')
    expect(html).toContain(`href="/pools/${poolId}/members/${keep}/jobs/${job}"`)
    expect(cell('member.remove')).toBe('web-2 member')
    expect(html).not.toContain(`href="/pools/${poolId}/members/${gone}`)
    expect(visibleText(html)).not.toMatch(/\b(pool|mem|job)_[a-z0-9]{6,}/)
  })

  test('it refuses a bad page cursor with 422', async () => {
    s = await testServer()
    expect((await s.api('GET', '/api/v1/audit?before=abc')).status).toBe(422)
  })
})
