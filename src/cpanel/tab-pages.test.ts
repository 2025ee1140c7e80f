import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import type { CpanelStack, Heartbeat } from '../../agent/protocol'
import { visibleText, type Browser, type TestServer } from '../testing/harness'
import { sampleHeartbeat } from '../testing/heartbeat-fixture'
import { memberWith, signedInWithPool } from '../jobs/tab-fixture'
import * as jobStore from '../jobs/store'
import { eq } from 'drizzle-orm'
import { members } from '../db/schema'
import { storeReveal } from './secrets'

let s: TestServer
let b: Browser
let poolId: string

const MiB = 2 ** 20

const cpanelStack = (extra: Partial<CpanelStack> = {}): CpanelStack => ({
  version: '11.120.0.9',
  accounts: [
    { user: 'bob', domain: 'bob.example.com', domains: ['bob.net', 'shop.bob.net'], plan: 'gold', owner: 'root', suspended: false, diskBytes: 50 * MiB },
    { user: 'carol', domain: 'carol.example.org', domains: [], plan: 'silver', owner: 'reseller1', suspended: true, suspendReason: 'unpaid invoice', diskBytes: 1024 * MiB },
  ],
  packages: ['gold', 'silver'],
  backup: { enabled: true, type: 'compressed', daily: true, weekly: false, monthly: true, retention: 5, dir: '/backup' },
  accountCount: 2,
  ...extra,
})

function cpanelHeartbeat(stack: CpanelStack = cpanelStack()): Heartbeat {
  const hb = sampleHeartbeat({
    services: [
      { unit: 'cpanel', stack: 'cpanel', state: 'active' },
      { unit: 'httpd', stack: 'cpanel', state: 'failed' },
      { unit: 'mariadb', stack: 'mariadb', state: 'active' },
    ],
    listeners: [
      { port: 2083, address: '0.0.0.0', process: 'cpsrvd' },
      { port: 25, address: '0.0.0.0', process: 'exim' },
      { port: 8443, address: '127.0.0.1', process: null },
    ],
  })
  hb.stacks = { ...hb.stacks, openlitespeed: null, cpanel: stack }
  return hb
}

type M = Awaited<ReturnType<typeof memberWith>>
let whm: M
let bare: M

beforeAll(async () => {
  ;({ s, b, poolId } = await signedInWithPool('WHM'))
  whm = await memberWith(s, poolId, 'whm-1', cpanelHeartbeat())
  bare = await memberWith(s, poolId, 'plain-1', sampleHeartbeat())
})
afterAll(() => s.close())

const href = (m: M, inner = '') => `/pools/${poolId}/members/${m.id}/cpanel${inner}`
const jobsOf = (memberId: string) => jobStore.listMemberJobs(s.db, memberId, 100)
const newest = async (memberId: string, name: string) => (await jobsOf(memberId)).find((j) => j.name === name)
const PANEL = { 'hx-request': 'true', 'hx-target': 'div#member-panel' }

describe('the cPanel tab', () => {
  const INNER = [
    ['', 'overview', 'WHM version'],
    ['/operations', 'operations', 'Listening ports'],
    ['/accounts', 'accounts', 'Create an account'],
    ['/migrate', 'migrate', 'Push a copy'],
  ] as const

  for (const [path, key, shows] of INNER) {
    test(`it serves ${key} as a whole page, as an htmx fragment, and on reload at the same address`, async () => {
      const full = await b.get(href(whm, path))
      expect(full.status).toBe(200)
      expect(full.text).toContain('<html')
      // The member tab bar keeps cPanel marked; the inner bar marks this inner tab.
      expect(full.text).toContain('aria-current="page" data-tab="cpanel"')
      expect(full.text).toMatch(new RegExp(`id="cpanel-tab-bar"[\\s\\S]*aria-current="page" data-tab="${key}"`))
      expect(full.text).toContain(`data-inner="${key}"`)
      expect(visibleText(full.text)).toContain(shows)
      // Inner tab links swap the member panel and push their own address.
      expect(full.text).toContain(`href="${href(whm, '/accounts')}" hx-get="${href(whm, '/accounts')}" hx-target="#member-panel" hx-push-url="true"`)

      const part = await b.get(href(whm, path), PANEL)
      expect(part.status).toBe(200)
      expect(part.text).not.toContain('<html')
      expect(part.text).toContain(`data-inner="${key}"`)
      expect(part.text).toContain('<hx-partial hx-target="#member-tab-bar"')
      expect(part.text).toContain('aria-current="page" data-tab="cpanel"')
    })
  }

  test('Overview: the version, account counts, services, the DNS banner loaded lazily, recent actions and protection said plainly', async () => {
    const page = await b.get(href(whm))
    const text = visibleText(page.text)
    expect(text).toContain('11.120.0.9 WHM version 1 Active accounts 1 Suspended accounts')
    expect(text).toContain('cpanel : active')
    expect(text).toContain('httpd : failed')
    expect(page.text).toContain(`hx-get="${href(whm, '/dns')}" hx-trigger="load" hx-swap="outerHTML"`)
    expect(text).toContain('No cPanel actions yet')
    expect(text).toContain('No account here is protected')
    expect(page.text).toContain(`href="/pools/${poolId}/protection"`)
  })

  test('Overview: the DNS banner fragment says which domains do not resolve', async () => {
    const res = await b.get(href(whm, '/dns'), { 'hx-request': 'true' })
    expect(res.status).toBe(200)
    expect(res.text).not.toContain('<html')
    const text = visibleText(res.text)
    expect(text).toContain('Where the domains point')
    expect(text).toMatch(/\d+ here \d+ elsewhere \d+ not resolving/)
    expect(text).toContain('203.0.113.9')
  }, 20_000)

  test('Operations: services with restart, WHM backups, listeners with their names, disk and the accounts’ total', async () => {
    const text = visibleText((await b.get(href(whm, '/operations'))).text)
    for (const label of ['Web server', 'Mail (Exim)', 'Mailboxes (Dovecot)', 'cPanel & WHM (cpsrvd)', 'DNS server', 'MySQL / MariaDB']) expect(text).toContain(label)
    expect(text).toContain('Web server httpd httpd : failed Restart')
    expect(text).toContain('Type compressed Runs daily, monthly Daily backups kept 5 Folder /backup')
    expect(text).toContain('25 SMTP 0.0.0.0 exim')
    expect(text).toContain('2083 cPanel 0.0.0.0 cpsrvd')
    expect(text).toContain('/ 20.0 GiB 80.0 GiB 25%')
    expect(text).toContain('cPanel accounts use 1.0 GiB in all')
    expect(text).toContain('No check has run yet')
  })

  test('Operations: WHM backups off, and not reported, are said so', async () => {
    const off = await memberWith(s, poolId, 'whm-off', cpanelHeartbeat(cpanelStack({ backup: { enabled: false, type: null, daily: false, weekly: false, monthly: false, retention: null, dir: null } })))
    expect(visibleText((await b.get(href(off, '/operations'))).text)).toContain('WHM backups are off on this server.')
    const none = await memberWith(s, poolId, 'whm-none', cpanelHeartbeat({ version: '11.118', accounts: [{ user: 'old', domain: 'old.example.com' } as never] }))
    const text = visibleText((await b.get(href(none, '/operations'))).text)
    expect(text).toContain('Not reported: the agent has not read WHM')
  })

  test('Operations: restart and check queue their jobs; a bad service is refused and queues nothing', async () => {
    const restart = await b.post(href(whm, '/operations/restart'), { service: 'exim' })
    expect(restart.status).toBe(303)
    const job = (await newest(whm.id, 'cpanel.service.restart'))!
    expect(job.params).toEqual({ service: 'exim' })
    expect(restart.headers.get('location')).toBe(`${href(whm, '/operations')}?job=${job.id}`)
    const landed = await b.get(restart.headers.get('location')!)
    expect(visibleText(landed.text)).toContain('Queued: Restart a cPanel service service=exim')

    const before = (await jobsOf(whm.id)).length
    const bad = await b.post(href(whm, '/operations/restart'), { service: 'apache' })
    expect(bad.status).toBe(422)
    expect(visibleText(bad.text)).toContain('Bad parameters for cpanel.service.restart')
    expect((await jobsOf(whm.id)).length).toBe(before)

    const check = await b.post(href(whm, '/operations/check'), {})
    expect(check.status).toBe(303)
    const checkJob = (await newest(whm.id, 'cpanel.config.check'))!
    expect(checkJob.params).toEqual({})
    await jobStore.updateWhere(s.db, checkJob.id, ['queued'], {
      status: 'succeeded',
      finishedAt: new Date(),
      steps: checkJob.steps.map((st) => ({ ...st, state: 'done' as const })),
      result: {
        version: '11.120.0.9',
        services: [
          { name: 'httpd', enabled: true, running: false },
          { name: 'exim', enabled: true, running: true },
          { name: 'named', enabled: false, running: false },
        ],
        web: { ok: true, message: 'Syntax OK' },
        problems: ['httpd is enabled but not running.'],
      },
    })
    const text = visibleText((await b.get(href(whm, '/operations'))).text)
    expect(text).toContain('Last check: Check the cPanel configuration succeeded')
    expect(text).toContain('done Ask WHM for its version')
    expect(text).toContain('WHM version 11.120.0.9 httpd not running exim running named disabled Web server configuration Syntax OK')
    expect(text).toContain('httpd is enabled but not running.')
  })

  test('Accounts: the table, and a search filters it on the server (whole page and as you type)', async () => {
    const page = await b.get(href(whm, '/accounts'))
    const text = visibleText(page.text)
    expect(text).toContain('2 accounts.')
    expect(text).toContain('bob bob.example.com +2 more gold root 50.0 MiB active')
    expect(text).toContain('carol carol.example.org silver reseller1 1.0 GiB suspended unpaid invoice')

    const reload = await b.get(`${href(whm, '/accounts')}?q=silver`)
    expect(reload.text).toContain('<html')
    expect(reload.text).toMatch(/id="cpanel-q"[^>]*value="silver"/)
    const found = visibleText(reload.text)
    expect(found).toContain('1 of 2 accounts match “silver”.')
    expect(found).toContain('carol carol.example.org')
    expect(found).not.toContain('bob.example.com')

    const typed = await b.get(`${href(whm, '/accounts')}?q=BOB.NET`, { 'hx-request': 'true', 'hx-target': 'div#cpanel-accounts' })
    expect(typed.status).toBe(200)
    expect(typed.text).not.toContain('<html')
    expect(typed.text).not.toContain('cpanel-tab-bar')
    expect(typed.text).toStartWith('<div id="cpanel-accounts"')
    expect(visibleText(typed.text)).toContain('bob bob.example.com')
    expect(visibleText(typed.text)).not.toContain('carol')

    const none = visibleText((await b.get(`${href(whm, '/accounts')}?q=nobody`)).text)
    expect(none).toContain('No account matches “nobody”')
    // The search box asks as you type and keeps the address in step.
    expect(page.text).toContain('hx-trigger="input changed delay:300ms, search"')
  })

  test('Accounts: no accounts is an empty state, not an empty table', async () => {
    const empty = await memberWith(s, poolId, 'whm-empty', cpanelHeartbeat(cpanelStack({ accounts: [], accountCount: 0 })))
    const text = visibleText((await b.get(href(empty, '/accounts'))).text)
    expect(text).toContain('No cPanel accounts on this server')
    expect(text).not.toContain('Disk State')
  })

  test('Accounts: create queues the job with its parameters and lands on the tab with the card that waits for the password', async () => {
    const res = await b.post(href(whm, '/accounts'), { user: 'dave', domain: 'Dave.Example.com ', plan: 'gold', contactEmail: 'dave@example.com' })
    expect(res.status).toBe(303)
    const job = (await newest(whm.id, 'cpanel.account.create'))!
    expect(job.params).toEqual({ user: 'dave', domain: 'dave.example.com', plan: 'gold', contactEmail: 'dave@example.com' })
    expect(res.headers.get('location')).toBe(`${href(whm, '/accounts')}?job=${job.id}`)
    const page = await b.get(res.headers.get('location')!)
    expect(page.text).toContain(`hx-get="${href(whm, '/accounts/reveal')}?job=${job.id}" hx-trigger="load, every 2s" hx-swap="outerHTML"`)
    const text = visibleText(page.text)
    expect(text).toContain('Creating dave…')
    // Pending beside the list until the agent reports the account.
    expect(text).toContain('Create a cPanel account: dave queued')
  })

  test('Accounts: a bad user name, a taken one, a plan the server lacks and missing fields are refused by their fields and queue nothing', async () => {
    const before = (await jobsOf(whm.id)).length
    const ok = { user: 'erin', domain: 'erin.example.com', plan: 'gold', contactEmail: 'erin@example.com' }

    const badUser = await b.post(href(whm, '/accounts'), { ...ok, user: 'Bad User' })
    expect(badUser.status).toBe(422)
    expect(badUser.text).toMatch(/id="cpanel-create-user"[^>]*value="Bad User"[^>]*aria-invalid="true"/)
    expect(badUser.text).toContain('<p class="field-error" id="cpanel-create-user-error">Expected a cPanel user name: lower-case letters and digits')

    const taken = await b.post(href(whm, '/accounts'), { ...ok, user: 'bob' })
    expect(taken.status).toBe(409)
    expect(taken.text).toContain('<p class="field-error" id="cpanel-create-user-error">whm-1 has an account called bob already.</p>')

    const plan = await b.post(href(whm, '/accounts'), { ...ok, plan: 'platinum' })
    expect(plan.status).toBe(422)
    expect(plan.text).toContain('<p class="field-error" id="cpanel-create-plan-error">Choose one of this server&#x27;s plans: gold, silver.</p>')

    const email = await b.post(href(whm, '/accounts'), { ...ok, contactEmail: 'not an email' })
    expect(email.status).toBe(422)
    expect(email.text).toContain('id="cpanel-create-contactEmail-error">Expected an email address for the account.')

    expect((await jobsOf(whm.id)).length).toBe(before)
  })

  test('Accounts: each row action queues its job with the right parameters', async () => {
    const cases: [string, string, Record<string, string>, string, Record<string, unknown>][] = [
      ['bob', 'plan', { plan: 'silver' }, 'cpanel.account.modify', { user: 'bob', plan: 'silver' }],
      ['bob', 'suspend', { reason: 'abuse report #42' }, 'cpanel.account.suspend', { user: 'bob', reason: 'abuse report #42' }],
      ['carol', 'unsuspend', {}, 'cpanel.account.unsuspend', { user: 'carol' }],
      ['bob', 'autossl', {}, 'cpanel.account.autossl', { user: 'bob' }],
      ['bob', 'login', {}, 'cpanel.account.login', { user: 'bob' }],
      ['carol', 'backup', {}, 'backup.cpanel_account', { user: 'carol' }],
      ['bob', 'terminate', { confirm: ' bob ' }, 'cpanel.account.terminate', { user: 'bob' }],
    ]
    for (const [user, action, form, name, params] of cases) {
      const res = await b.post(href(whm, `/accounts/${user}/${action}`), form)
      expect(res.status, action).toBe(303)
      const job = (await newest(whm.id, name))!
      expect(job.params, action).toEqual(params)
      expect(res.headers.get('location')).toBe(`${href(whm, '/accounts')}?job=${job.id}`)
    }
    // Pending jobs show beside their account's row.
    const page = visibleText((await b.get(href(whm, '/accounts'))).text)
    expect(page).toMatch(/bob Terminate a cPanel account queued .*Change a cPanel account's plan queued .* bob\.example\.com/)
  })

  test('Accounts: the table asks again while a job on an account is pending, and until the agent has reported what it did', async () => {
    const m = await memberWith(s, poolId, 'whm-poll', cpanelHeartbeat())
    const fragment = async () => (await b.get(href(m, '/accounts'), { 'hx-request': 'true', 'hx-target': 'div#cpanel-accounts' })).text
    expect(await fragment()).not.toContain('hx-trigger="every 3s"')
    expect((await b.post(href(m, '/accounts/bob/suspend'), { reason: 'abuse report #43' })).status).toBe(303)
    const job = (await newest(m.id, 'cpanel.account.suspend'))!
    expect(await fragment()).toContain('hx-trigger="every 3s"')
    // Ended, but the member's last heartbeat is older than that: still asking, the job shown as done.
    await jobStore.updateWhere(s.db, job.id, ['queued'], { status: 'succeeded', finishedAt: new Date() })
    const settling = await fragment()
    expect(settling).toContain('hx-trigger="every 3s"')
    expect(visibleText(settling)).toContain('succeeded')
    // The next heartbeat carries the change: the table stops asking.
    await s.db.update(members).set({ lastHeartbeatAt: new Date(Date.now() + 1000) }).where(eq(members.id, m.id))
    expect(await fragment()).not.toContain('hx-trigger="every 3s"')
  })

  test('Accounts: a terminate not confirmed by the name, a suspend without a reason, a bad plan or an unknown account are refused and queue nothing', async () => {
    const before = (await jobsOf(whm.id)).length
    const mismatch = await b.post(href(whm, '/accounts/carol/terminate'), { confirm: 'bob' })
    expect(mismatch.status).toBe(422)
    expect(mismatch.text).toContain('<p class="field-error" id="acct-carol-confirm-error">Type carol to terminate it: its files, mail and databases are removed. Nothing was changed.</p>')
    expect(mismatch.text).toContain('<dialog id="acct-carol" class="confirm-dialog" aria-labelledby="acct-carol-title" data-reopen=""')

    const noReason = await b.post(href(whm, '/accounts/bob/suspend'), { reason: '  ' })
    expect(noReason.status).toBe(422)
    expect(noReason.text).toContain('id="acct-bob-reason-error">Say why it is suspended')

    const plan = await b.post(href(whm, '/accounts/bob/plan'), { plan: 'platinum' })
    expect(plan.status).toBe(422)
    expect(plan.text).toContain('id="acct-bob-plan-error">Choose one of this server&#x27;s plans: gold, silver.')

    const unknown = await b.post(href(whm, '/accounts/zed/autossl'), {})
    expect(unknown.status).toBe(422)
    expect(visibleText(unknown.text)).toContain('whm-1 has no cPanel account called zed.')

    const badName = await b.post(href(whm, '/accounts/Robert/backup'), {})
    expect(badName.status).toBe(422)

    const action = await b.post(href(whm, '/accounts/bob/explode'), {})
    expect(action.status).toBe(404)

    expect((await jobsOf(whm.id)).length).toBe(before)
    // A refused form reloaded lands on its inner tab.
    const reloaded = await b.get(href(whm, '/accounts/carol/terminate'))
    expect(reloaded.status).toBe(303)
    expect(reloaded.headers.get('location')).toBe(href(whm, '/accounts'))
  })

  test('Accounts: a new password is shown once, then never again; a login link opens in a new tab; a failed job says why', async () => {
    const created = await b.post(href(whm, '/accounts'), { user: 'frank', domain: 'frank.example.com', plan: 'silver', contactEmail: 'frank@example.com' })
    const jobId = new URL(created.headers.get('location')!, 'http://x').searchParams.get('job')!
    const reveal = `${href(whm, '/accounts/reveal')}?job=${jobId}`
    const waiting = await b.get(reveal, { 'hx-request': 'true' })
    expect(waiting.status).toBe(200)
    expect(waiting.text).toContain('data-state="waiting"')
    expect(waiting.text).toContain('hx-trigger="every 2s"')

    await jobStore.updateWhere(s.db, jobId, ['queued'], { status: 'running', startedAt: new Date(), attempts: 1 })
    await storeReveal(s.deps, whm.id, jobId, { kind: 'password', value: 'Tr0ub4dor&3-frank' })
    const shown = await b.get(reveal, { 'hx-request': 'true' })
    expect(shown.headers.get('cache-control')).toBe('no-store')
    expect(shown.text).toContain('data-state="password"')
    expect(shown.text).not.toContain('hx-trigger')
    expect(visibleText(shown.text)).toContain('Password for frank: Tr0ub4dor&3-frank')
    expect(visibleText(shown.text)).toContain('Shown this once: it is not stored anywhere')
    expect(shown.text).toContain('x-data="copyButton" data-copy="#cpanel-reveal-value"')
    // Asked again (a reload): never the password again; once the job has ended, said so.
    const again = await b.get(reveal, { 'hx-request': 'true' })
    expect(again.text).not.toContain('Tr0ub4dor')
    await jobStore.updateWhere(s.db, jobId, ['running'], { status: 'succeeded', finishedAt: new Date() })
    const ended = await b.get(reveal, { 'hx-request': 'true' })
    expect(ended.text).not.toContain('Tr0ub4dor')
    expect(ended.text).not.toContain('hx-trigger')
    expect(visibleText(ended.text)).toContain('This was shown already or has expired.')

    const login = await b.post(href(whm, '/accounts/bob/login'), {})
    const loginJob = new URL(login.headers.get('location')!, 'http://x').searchParams.get('job')!
    await jobStore.updateWhere(s.db, loginJob, ['queued'], { status: 'running', startedAt: new Date(), attempts: 1 })
    await storeReveal(s.deps, whm.id, loginJob, { kind: 'login', value: 'https://whm-1.example.com:2083/cpsess0123456789/login/?session=bob%3aabc' })
    const link = await b.get(`${href(whm, '/accounts/reveal')}?job=${loginJob}`, { 'hx-request': 'true' })
    expect(link.text).toContain(
      '<a class="button primary" href="https://whm-1.example.com:2083/cpsess0123456789/login/?session=bob%3aabc" target="_blank" rel="noopener noreferrer">Open cPanel as bob</a>',
    )

    const failing = await b.post(href(whm, '/accounts'), { user: 'gina', domain: 'gina.example.com', plan: 'gold', contactEmail: 'gina@example.com' })
    const failedJob = new URL(failing.headers.get('location')!, 'http://x').searchParams.get('job')!
    await jobStore.updateWhere(s.db, failedJob, ['queued'], { status: 'failed', finishedAt: new Date(), error: 'WHM: the domain gina.example.com is already in use.' })
    const failed = visibleText((await b.get(`${href(whm, '/accounts/reveal')}?job=${failedJob}`, { 'hx-request': 'true' })).text)
    expect(failed).toContain('gina was not created: WHM: the domain gina.example.com is already in use.')

    // Another member's job, or one that reveals nothing, is not found here.
    const other = await b.get(`${href(whm, '/accounts/reveal')}?job=${(await newest(whm.id, 'cpanel.account.modify'))!.id}`)
    expect(other.status).toBe(404)
  })

  test('Migrate & Recovery: without another cPanel member it says what it needs', async () => {
    const pool = (await s.api('POST', '/api/v1/pools', { name: 'Solo', preset: 'generic' })).json.id as string
    const solo = await memberWith(s, pool, 'solo-whm', cpanelHeartbeat())
    const text = visibleText((await b.get(`/pools/${pool}/members/${solo.id}/cpanel/migrate`)).text)
    expect(text).toContain('Needs another cPanel member in this pool')
    expect(text).toContain('No copies yet')
    expect(text).toContain('No transfers yet')
  })

  test('Migrate & Recovery: push copy and transfer queue their jobs; a replace without the name typed, or a bad source, is refused and the password is never echoed', async () => {
    const peer = await memberWith(s, poolId, 'whm-2', cpanelHeartbeat(cpanelStack({ accounts: [{ user: 'zoe', domain: 'zoe.example.com', domains: [], plan: 'gold', owner: 'root', suspended: false, diskBytes: 10 * MiB }], accountCount: 1 })))
    const page = await b.get(href(whm, '/migrate'))
    expect(page.text).toContain(`<option value="${peer.id}"`)
    expect(page.text).toContain(`<option value="${peer.id}/zoe"`)
    expect(page.text).toMatch(/name="password" type="password"[^>]*autocomplete="off"/)

    const before = (await jobsOf(whm.id)).length
    const unconfirmed = await b.post(href(whm, '/migrate/copy'), { user: 'bob', targetMemberId: peer.id, replace: 'on', confirm: 'bo' })
    expect(unconfirmed.status).toBe(422)
    expect(unconfirmed.text).toContain('id="cpanel-copy-confirm-error">Type bob to replace the account on the other server')
    const noSource = await b.post(href(whm, '/migrate/transfer'), { source: '', password: 'typed-secret-1' })
    expect(noSource.status).toBe(422)
    expect(noSource.text).toContain('Choose the account to transfer, on its server.')
    expect(noSource.text).not.toContain('typed-secret-1')
    const taken = await b.post(href(whm, '/migrate/transfer'), { source: `${peer.id}/bob`, password: 'typed-secret-2' })
    expect(taken.status).toBeGreaterThanOrEqual(400)
    expect(taken.text).not.toContain('typed-secret-2')
    expect((await jobsOf(whm.id)).length).toBe(before)

    const copy = await b.post(href(whm, '/migrate/copy'), { user: 'bob', targetMemberId: peer.id })
    expect(copy.status).toBe(303)
    const backup = (await newest(whm.id, 'backup.cpanel_account'))!
    expect(backup.params).toEqual({ user: 'bob' })
    expect(copy.headers.get('location')).toBe(`${href(whm, '/migrate')}?job=${backup.id}`)

    const transfer = await b.post(href(whm, '/migrate/transfer'), { source: `${peer.id}/zoe`, password: 'typed-secret-3' })
    expect(transfer.status).toBe(303)
    const job = (await newest(whm.id, 'cpanel.account.transfer'))!
    expect(job.params.user).toBe('zoe')
    expect(job.params.sourceMemberId).toBe(peer.id)
    expect(JSON.stringify(job.params)).not.toContain('typed-secret-3')

    const text = visibleText((await b.get(href(whm, '/migrate'))).text)
    expect(text).toContain('bob whm-1 → whm-2 backing up')
    expect(text).toMatch(/zoe Transfer a cPanel account here whm-2\.example\.com queued/)
  })

  test('a member without cPanel shows "not detected" on every inner tab, and its forms are refused with the reason, queueing nothing', async () => {
    for (const path of ['', '/operations', '/accounts', '/migrate']) {
      const res = await b.get(href(bare, path))
      expect(res.status).toBe(200)
      expect(visibleText(res.text)).toContain('cPanel / WHM not detected')
    }
    const create = await b.post(href(bare, '/accounts'), { user: 'dave', domain: 'dave.example.com', plan: 'gold', contactEmail: 'dave@example.com' })
    expect(create.status).toBe(422)
    expect(visibleText(create.text)).toContain('cPanel is not installed on this server.')
    const restart = await b.post(href(bare, '/operations/restart'), { service: 'httpd' })
    expect(restart.status).toBe(422)
    expect(await jobsOf(bare.id)).toEqual([])
  })

  test('account values from the agent are escaped wherever they show', async () => {
    const evil = cpanelStack({
      accounts: [{ user: 'mallory', domain: '<script>alert(1)</script>', domains: ['"><img src=x onerror=alert(2)>'], plan: '<b>gold</b>', owner: '<i>root</i>', suspended: true, suspendReason: '<script>alert(3)</script>', diskBytes: 1 }],
      packages: ['<b>gold</b>'],
      accountCount: 1,
    })
    const m = await memberWith(s, poolId, 'whm-xss', cpanelHeartbeat(evil))
    for (const path of ['', '/operations', '/accounts', '/migrate']) {
      // Inside a quoted attribute a "<" is text; what must never happen is a quote closing it.
      const html = (await b.get(href(m, path))).text.replace(/="[^"]*"/g, '=""')
      expect(html).not.toContain('<script>alert')
      expect(html).not.toContain('<img')
      expect(html).not.toContain('<b>gold')
      expect(html).not.toContain('<i>root')
    }
    const accounts = (await b.get(href(m, '/accounts'))).text
    expect(accounts).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
    expect(accounts).toContain('&lt;script&gt;alert(3)&lt;/script&gt;')
  })
})
