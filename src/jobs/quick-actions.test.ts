import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { visibleText, type Browser, type TestServer } from '../testing/harness'
import { sampleHeartbeat } from '../testing/heartbeat-fixture'
import { jobsOf, memberWith, signedInWithPool } from './tab-fixture'

let s: TestServer
let b: Browser
let poolId: string
beforeAll(async () => ({ s, b, poolId } = await signedInWithPool('Quick')))
afterAll(() => s.close())

const section = (html: string) => {
  const start = html.indexOf('<section class="card" id="quick-actions"')
  return start < 0 ? '' : html.slice(start, html.indexOf('</section>', start))
}

describe('Control panel quick actions', () => {
  test('they render in the full page and the htmx fragment, each behind a dialog naming the server', async () => {
    const m = await memberWith(s, poolId, 'qa-render', sampleHeartbeat())
    const full = await b.get(m.tab('control'))
    expect(full.status).toBe(200)
    expect(full.text).toContain('<html')
    const part = await b.get(m.tab('control'), { 'hx-request': 'true', 'hx-target': 'div#member-panel' })
    expect(part.text).not.toContain('<html')
    const html = section(part.text)
    const text = visibleText(html)
    for (const [opener, question] of [
      ['Reboot…', 'Reboot qa-render?'],
      ['Shut down…', 'Shut down qa-render?'],
      ['Install 7 updates…', 'Install updates on qa-render?'],
      ['Issue certificate…', 'Issue a certificate on qa-render?'],
    ]) {
      expect(text).toContain(opener)
      expect(text).toContain(question)
    }
    expect(text).toContain('7 pending, 2 security')
    expect(html.match(/Type qa-render to confirm/g)?.length).toBe(5)
    // Dialogs open and close without script, and by keyboard: native <dialog> and invoker buttons.
    expect(html).toContain('<button type="button" class="button danger" commandfor="confirm-reboot" command="show-modal">Reboot…</button>')
    expect(html).toContain('<dialog id="confirm-reboot" class="confirm-dialog" aria-labelledby="confirm-reboot-title">')
    expect(html).toMatch(/<input id="confirm-reboot-confirm" name="confirm"[^>]*autofocus/)
    // Back up now follows the detected stacks: the sample heartbeat's one database.
    expect(text).toContain('Back up now The database: shop_wp.')
    expect(text).toContain('Back up qa-render now?')
  })

  test("Let's Encrypt is filled in from the detected sites and the signed-in email", async () => {
    const m = await memberWith(s, poolId, 'qa-le', sampleHeartbeat())
    const html = section((await b.get(m.tab('control'))).text)
    expect(html).toMatch(/<textarea id="qa-le-domains" name="p.domains"[^>]*>shop.example.com<\/textarea>/)
    expect(html).toContain('id="qa-le-email" name="p.email" type="email" value="admin@example.com"')
    expect(html).toContain('id="qa-le-webroot" name="p.webroot" type="text" value="/var/www/shop"')

    const res = await b.post(m.jobs, { name: 'tls.letsencrypt.issue', tab: 'control', confirm: 'qa-le', 'p.domains': 'shop.example.com', 'p.email': 'admin@example.com', 'p.method': 'webroot', 'p.webroot': '/var/www/shop' })
    expect(res.status).toBe(303)
    const jobs = await jobsOf(s, m.id)
    expect(jobs.map((j) => [j.name, j.params])).toEqual([['tls.letsencrypt.issue', { domains: ['shop.example.com'], email: 'admin@example.com', method: 'webroot', webroot: '/var/www/shop' }]])
  })

  test('reboot without the server named is refused with the reason, and nothing is queued', async () => {
    const m = await memberWith(s, poolId, 'qa-reboot', sampleHeartbeat())
    await b.get(m.tab('control'))
    for (const confirm of [undefined, '', 'qa-rebootx', 'QA-REBOOT']) {
      const res = await b.post(m.jobs, { name: 'system.reboot', tab: 'control', ...(confirm === undefined ? {} : { confirm }) })
      expect(res.status).toBe(422)
      const text = visibleText(res.text)
      expect(text).toContain("To reboot on qa-reboot, confirm with the server's name.")
      // Back on the Control panel, with the reboot dialog open again at its field.
      expect(res.text).toMatch(/<dialog id="confirm-reboot"[^>]*data-reopen=""/)
      expect(res.text).toMatch(/id="confirm-reboot-confirm-error"[^>]*>To reboot on qa-reboot/)
    }
    expect(await jobsOf(s, m.id)).toHaveLength(0)
  })

  test('with the name, one reboot is queued and the page goes to the job', async () => {
    const m = await memberWith(s, poolId, 'qa-go', sampleHeartbeat())
    await b.get(m.tab('control'))
    const res = await b.post(m.jobs, { name: 'system.reboot', tab: 'control', confirm: ' qa-go ' })
    expect(res.status).toBe(303)
    const jobs = await jobsOf(s, m.id)
    expect(jobs).toHaveLength(1)
    expect(jobs[0]).toMatchObject({ name: 'system.reboot', status: 'queued', params: {} })
    expect(res.headers.get('location')).toBe(`${m.jobs}/${jobs[0]!.id}`)
    // The Control panel lists it under the latest quick actions.
    const text = visibleText((await b.get(m.tab('control'))).text)
    expect(text).toContain('Latest Job Status Queued Reboot queued')
  })

  test('actions this member cannot take say why instead of offering a button', async () => {
    // Added but never heard from: no OS family, so no package tools to choose.
    const m = await memberWith(s, poolId, 'qa-silent')
    const html = section((await b.get(m.tab('control'))).text)
    const text = visibleText(html)
    expect(text).toContain('The agent has not checked in yet')
    expect(text).toContain("Install updates The agent has not reported a Debian- or RHEL-family OS here, so it cannot tell which package tools to use.")
    expect(html).not.toContain('id="confirm-updates"')
    // Never heard from: a reboot queued now would run whenever the agent first enrols.
    expect(html).not.toContain('id="confirm-reboot"')
    expect(text).toContain('Reboot This server has not checked in yet')
    const res = await b.post(m.jobs, { name: 'system.updates.install', tab: 'control', confirm: 'qa-silent' })
    expect(res.status).toBe(422)
    expect(await jobsOf(s, m.id)).toHaveLength(0)
  })
})
