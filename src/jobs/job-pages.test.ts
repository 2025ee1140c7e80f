import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { members } from '../db/schema'
import { visibleText, type Browser, type TestServer } from '../testing/harness'
import { claimWithin, finishJob, reportJob } from './service'
import { signedInWithPool } from './tab-fixture'

let s: TestServer
let b: Browser
let poolId: string
beforeAll(async () => ({ s, b, poolId } = await signedInWithPool('Cron pages')))
afterAll(() => s.close())

const debian = { id: 'debian', versionId: '12', family: 'debian', prettyName: 'Debian GNU/Linux 12' }

let n = 0
async function member() {
  n++
  const id = (await s.api('POST', `/api/v1/pools/${poolId}/members`, { name: `cron-${n}`, hostname: `cron-${n}.example.com`, egressIps: [`203.0.113.${n}`] })).json.id as string
  await s.db.update(members).set({ os: debian }).where(eq(members.id, id))
  return id
}

const tab = (m: string) => `/pools/${poolId}/members/${m}/jobs`
const schedulesOf = async (m: string) => (await s.api('GET', `/api/v1/members/${m}/schedules`)).json as any[]
const htmx = (target: string) => ({ 'hx-request': 'true', 'hx-target': target })

/** Every way the page is asked for: whole, its #main, the pool panel and the member panel. */
async function everyRendering(path: string, check: (text: string) => void) {
  const full = await b.get(path)
  expect(full.status).toBe(200)
  expect(full.text).toContain('<html')
  check(full.text)
  for (const target of ['main#main', 'div#pool-panel', 'div#member-panel']) {
    const part = await b.get(path, htmx(target))
    expect({ target, status: part.status }).toEqual({ target, status: 200 })
    expect(part.text).not.toContain('<html')
    check(part.text)
  }
  const panel = await b.get(path, htmx('div#member-panel'))
  expect(panel.text).toContain('<hx-partial hx-target="#member-tab-bar"')
  expect(panel.text).toMatch(/class="tab current" aria-current="page" data-tab="jobs"/)
}

describe('the Cron & Jobs tab', () => {
  test('it shows honest empty states and zero figures, as a page and as each fragment', async () => {
    const m = await member()
    await everyRendering(tab(m), (html) => {
      const text = visibleText(html)
      expect(text).toContain('0 Cron schedules 0 enabled')
      expect(text).toContain('0 Backup schedules')
      expect(text).toContain('never Last run no job has finished here yet')
      expect(text).toContain('No schedules yet')
      expect(text).toContain('No jobs yet')
      expect(text).toContain('Daily update check 17 4 * * *')
    })
  })

  test('a schedule added from the form shows its next three runs in UTC, the job and its state', async () => {
    const m = await member()
    await b.get(tab(m))
    const res = await b.post(`${tab(m)}/schedules`, { name: 'ssh.key.list', 'p.user': 'deploy', cron: '30 2 * * *', label: 'keys at night' })
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(tab(m))
    const page = await b.get(tab(m))
    const text = visibleText(page.text)
    expect(text).toContain('Schedule "keys at night" added.')
    expect(text).toContain('1 Cron schedules 1 enabled')
    const row = /<tr data-schedule-id="[^"]+" data-enabled="true">[\s\S]*?<\/tr>/.exec(page.text)![0]
    expect(visibleText(row)).toMatch(/30 2 \* \* \* keys at night List SSH authorized keys user=deploy (\d{4}-\d\d-\d\d 02:30 UTC ){3}enabled never/)
    expect(await schedulesOf(m)).toMatchObject([{ name: 'ssh.key.list', params: { user: 'deploy' }, cron: '30 2 * * *', label: 'keys at night', createdBy: 'admin@example.com' }])
  })

  test('no job chosen is refused in words next to the job picker, not with the catalogue ids', async () => {
    const m = await member()
    await b.get(tab(m))
    const res = await b.post(`${tab(m)}/schedules`, { name: '', cron: '0 3 * * *' })
    expect(res.status).toBe(422)
    const picker = /<div class="field has-error">\s*<label for="schedule-job"[\s\S]*?<\/div>/.exec(res.text)?.[0] ?? ''
    expect(visibleText(picker)).toContain('Choose a job.')
    expect(visibleText(res.text)).not.toMatch(/There is no job|system\.updates\.check, /)
  })

  test('a bad cron expression is refused next to its field, the form keeps what was typed, and nothing is saved', async () => {
    const m = await member()
    await b.get(tab(m))
    const cases: [string, RegExp][] = [
      ['61 * * * *', /"61 \* \* \* \*" is not a cron expression: the minute field "61" is not 0-59/],
      ['0 3 * *', /"0 3 \* \*" has 4 fields; a schedule has five/],
      ['* * * * * *', /fires more often than once a minute/],
      ['', /A cron expression is needed/],
    ]
    for (const [cron, message] of cases) {
      const res = await b.post(`${tab(m)}/schedules`, { name: 'ssh.key.list', 'p.user': 'deploy', cron, label: 'try' }, htmx('main#main'))
      expect(res.status).toBe(422)
      const field = /<div class="field has-error">\s*<label for="schedule-cron"[\s\S]*?<\/div>/.exec(res.text)?.[0] ?? ''
      expect(visibleText(field)).toMatch(message)
      expect(res.text).toContain(`value="deploy"`)
      expect(res.text).toContain('value="try"')
    }
    const bad = await b.post(`${tab(m)}/schedules`, { name: 'ssh.key.list', 'p.user': '-x', cron: '0 3 * * *' })
    expect(bad.status).toBe(422)
    expect(visibleText(/<div class="field has-error">\s*<label for="schedule-ssh-key-list-user"[\s\S]*?<\/div>/.exec(bad.text)?.[0] ?? '')).toContain('a user name')
    const unconfirmed = await b.post(`${tab(m)}/schedules`, { name: 'system.reboot', cron: '0 3 * * 0' })
    expect(unconfirmed.status).toBe(422)
    expect(visibleText(unconfirmed.text)).toContain(`To schedule reboot on cron-${n}, confirm with the server's name.`)
    expect(await schedulesOf(m)).toEqual([])
    const confirmed = await b.post(`${tab(m)}/schedules`, { name: 'system.reboot', cron: '0 3 * * 0', confirm: `cron-${n}` })
    expect(confirmed.status).toBe(303)
    expect((await schedulesOf(m)).map((x) => x.name)).toEqual(['system.reboot'])
  })

  test('edit, disable, enable and delete from the tab, each audited', async () => {
    const m = await member()
    const id = (await s.api('POST', `/api/v1/members/${m}/schedules`, { name: 'ssh.key.list', params: { user: 'root' }, cron: '0 1 * * *', label: 'keys' })).json.id
    const edit = await b.get(`${tab(m)}/schedules/${id}/edit`, htmx('div#member-panel'))
    expect(edit.status).toBe(200)
    expect(visibleText(edit.text)).toContain('Edit schedule')
    expect(edit.text).toContain('value="0 1 * * *"')
    expect(edit.text).toContain('value="root"')

    const refused = await b.post(`${tab(m)}/schedules/${id}`, { name: 'ssh.key.list', 'p.user': 'root', cron: '0 24 * * *', label: 'keys' })
    expect(refused.status).toBe(422)
    expect(visibleText(refused.text)).toContain('the hour field "24" is not 0-23')
    expect(visibleText(refused.text)).toContain('Edit schedule')
    expect((await schedulesOf(m))[0].cron).toBe('0 1 * * *')

    const saved = await b.post(`${tab(m)}/schedules/${id}`, { name: 'ssh.key.list', 'p.user': 'admin', cron: '45 23 * * 5', label: 'friday keys' })
    expect(saved.status).toBe(303)
    expect((await schedulesOf(m))[0]).toMatchObject({ cron: '45 23 * * 5', label: 'friday keys', params: { user: 'admin' } })

    expect((await b.post(`${tab(m)}/schedules/${id}/disable`, {})).status).toBe(303)
    let page = visibleText((await b.get(tab(m))).text)
    expect(page).toContain('Schedule "friday keys" disabled.')
    expect(page).toContain('1 Cron schedules 0 enabled')
    expect((await schedulesOf(m))[0]).toMatchObject({ enabled: false, nextRuns: [] })
    expect((await b.post(`${tab(m)}/schedules/${id}/enable`, {})).status).toBe(303)
    expect((await schedulesOf(m))[0].enabled).toBe(true)

    expect((await b.post(`${tab(m)}/schedules/${id}/delete`, {})).status).toBe(303)
    page = visibleText((await b.get(tab(m))).text)
    expect(page).toContain('Schedule "friday keys" deleted.')
    expect(page).toContain('No schedules yet')
    const actions = (await s.api('GET', `/api/v1/audit?pool=${poolId}`)).json.events.filter((e: any) => e.detail?.scheduleId === id).map((e: any) => e.action)
    expect(actions).toEqual(['schedule.delete', 'schedule.enable', 'schedule.disable', 'schedule.update', 'schedule.create'])
  })

  test("another member's schedule is not found through this member's pages", async () => {
    const a = await member()
    const other = await member()
    const id = (await s.api('POST', `/api/v1/members/${other}/schedules`, { name: 'system.reboot', cron: '0 3 * * *' })).json.id
    await b.get(tab(a))
    expect((await b.post(`${tab(a)}/schedules/${id}/delete`, {})).status).toBe(404)
    expect(await schedulesOf(other)).toHaveLength(1)
  })

  test('the preset adds a daily update check; "Run now" queues it and opens its page', async () => {
    const m = await member()
    await b.get(tab(m))
    const added = await b.post(`${tab(m)}/schedules`, { name: 'system.updates.check', cron: '17 4 * * *', label: 'Daily update check' })
    expect(added.status).toBe(303)
    const page = await b.get(tab(m))
    expect(visibleText(page.text)).not.toContain('Suggested')
    const [sch] = await schedulesOf(m)
    const run = await b.post(`${tab(m)}/schedules/${sch.id}/run`, {})
    expect(run.status).toBe(303)
    const jobId = run.headers.get('location')!.split('/').at(-1)!
    expect(run.headers.get('location')).toBe(`${tab(m)}/${jobId}`)
    const job = (await s.api('GET', `/api/v1/jobs/${jobId}`)).json
    expect(job).toMatchObject({ name: 'system.updates.check', status: 'queued', scheduleId: sch.id, requestedBy: 'admin@example.com' })
    // The schedule's last job is this one; its own times are untouched.
    expect((await schedulesOf(m))[0]).toMatchObject({ lastJobId: jobId, lastFiredAt: null })
    const text = visibleText((await b.get(tab(m))).text)
    expect(text).toMatch(/Check for updates queued expires \d{4}-\d\d-\d\d \d\d:\d\d UTC admin@example\.com \d{4}-\d\d-\d\d \d\d:\d\d UTC –/)
  })
})

describe('the job page', () => {
  async function runningJob(m: string) {
    const queued = await s.api('POST', `/api/v1/members/${m}/jobs`, { name: 'system.updates.install' })
    const claimed = await claimWithin(s.db, m, 0, false)
    expect(claimed?.id).toBe(queued.json.id)
    return queued.json.id as string
  }
  const lastSeq = (html: string) => Number(/live\?after=(\d+)&amp;tag=/.exec(html)?.[1] ?? /live\?after=(\d+)&tag=/.exec(html)?.[1])
  const tagOf = (html: string) => decodeURIComponent(/live\?after=\d+&(?:amp;)?tag=([^"&]+)/.exec(html)![1]!)

  test('it shows the job, its steps, progress and output, as a page and as each fragment', async () => {
    const m = await member()
    const id = await runningJob(m)
    await reportJob(s.db, m, id, { step: 1, progress: 40, lines: [{ stream: 'stdout', line: 'Reading package lists...' }, { stream: 'stderr', line: '<script>alert(1)</script>' }] })
    await everyRendering(`${tab(m)}/${id}`, (html) => {
      const text = visibleText(html)
      expect(text).toContain(`Install updates running`)
      expect(text).toContain('Cancel job')
      expect(text).toMatch(/Job system\.updates\.install Parameters none Asked by admin@example\.com \(token "ADMIN_API_TOKEN"\) Attempts 1 of 3/)
      expect(html).toMatch(/<li class="step step-done" data-state="done">[\s\S]*?Refresh package lists/)
      expect(html).toMatch(/<li class="step step-running" data-state="running">[\s\S]*?Install updates/)
      expect(html).toContain('aria-valuenow="40"')
      expect(html).toContain('Reading package lists...')
      expect(html).toContain('&lt;script&gt;alert(1)&lt;/script&gt;')
      expect(html).not.toContain('<script>alert(1)')
      expect(html).toMatch(/id="job-follow" data-following="true"/)
    })
  })

  test('the live fragment sends only the new lines, the state only when it changed, and nothing when nothing changed', async () => {
    const m = await member()
    const id = await runningJob(m)
    await reportJob(s.db, m, id, { lines: [{ stream: 'stdout', line: 'first line' }] })
    const page = (await b.get(`${tab(m)}/${id}`)).text
    const after = lastSeq(page)
    const tag = tagOf(page)
    const live = (a: number, t: string) => b.get(`${tab(m)}/${id}/live?after=${a}&tag=${encodeURIComponent(t)}`, htmx('pre#job-output'))

    const idle = await live(after, tag)
    expect(idle.status).toBe(204)
    expect(idle.text).toBe('')

    await reportJob(s.db, m, id, { lines: [{ stream: 'stdout', line: 'second line' }, { stream: 'stdout', line: 'third line' }] })
    const more = await live(after, tag)
    expect(more.status).toBe(200)
    expect(more.text).toContain('second line')
    expect(more.text).toContain('third line')
    expect(more.text).not.toContain('first line')
    expect(more.text).not.toContain('id="job-state"') // same state: not sent again
    expect(more.text).toContain('<hx-partial hx-target="#job-follow" hx-swap="outerHTML">')
    expect(lastSeq(more.text)).toBe(after + 2)

    await reportJob(s.db, m, id, { step: 1 })
    const stepped = await live(after + 2, tag)
    expect(stepped.status).toBe(200)
    expect(visibleText(stepped.text)).not.toContain('line')
    expect(stepped.text).toContain('<hx-partial hx-target="#job-state" hx-swap="outerHTML">')
    expect(stepped.text).toMatch(/<li class="step step-running" data-state="running">[\s\S]*?Install updates/)
    const tag2 = tagOf(stepped.text)
    expect(tag2).not.toBe(tag)
    expect((await live(after + 2, tag2)).status).toBe(204)

    // It ended a while ago: the last lines and the state come, and the follower stops asking.
    await finishJob(s.db, m, id, { status: 'succeeded', exitCode: 0, result: { upgraded: 3 }, lines: [{ stream: 'agent', line: 'done' }] }, new Date(Date.now() - 10_000))
    const ended = await live(after + 2, tag2)
    expect(ended.status).toBe(200)
    expect(ended.text).toContain('done')
    expect(visibleText(ended.text)).toContain('Install updates succeeded')
    expect(ended.text).toContain('id="job-follow" data-following="false"')
    expect(ended.text).not.toContain('hx-trigger')
    expect(ended.text).toContain('&quot;upgraded&quot;: 3')
    const final = (await b.get(`${tab(m)}/${id}`)).text
    expect(final).toContain('data-following="false"')
    expect(visibleText(final)).not.toContain('Cancel job')
    expect(visibleText(final)).toMatch(/Exit code 0/)
  })

  test('cancel from the page: a queued job ends at once; a second cancel is refused on the page', async () => {
    const m = await member()
    const id = (await s.api('POST', `/api/v1/members/${m}/jobs`, { name: 'system.updates.check' })).json.id
    await b.get(`${tab(m)}/${id}`)
    const res = await b.post(`${tab(m)}/${id}/cancel`, {})
    expect(res.status).toBe(303)
    expect(res.headers.get('location')).toBe(`${tab(m)}/${id}`)
    const page = visibleText((await b.get(`${tab(m)}/${id}`)).text)
    expect(page).toContain('Job cancelled.')
    expect(page).toContain('Check for updates cancelled')
    expect((await s.api('GET', `/api/v1/jobs/${id}`)).json.status).toBe('cancelled')
    const again = await b.post(`${tab(m)}/${id}/cancel`, {})
    expect(again.status).toBe(409)
    expect(visibleText(again.text)).toContain('there is nothing to cancel')
  })

  test('a running job is asked to stop; the page says so until the agent reports', async () => {
    const m = await member()
    const id = await runningJob(m)
    await b.get(`${tab(m)}/${id}`)
    expect((await b.post(`${tab(m)}/${id}/cancel`, {})).status).toBe(303)
    const text = visibleText((await b.get(`${tab(m)}/${id}`)).text)
    expect(text).toContain('Cancel requested')
    expect(text).toContain('running (cancelling)')
    expect((await reportJob(s.db, m, id, {})).cancel).toBe(true)
  })

  test("a job is found only under its own member's address", async () => {
    const a = await member()
    const other = await member()
    const id = (await s.api('POST', `/api/v1/members/${other}/jobs`, { name: 'system.updates.check' })).json.id
    expect((await b.get(`${tab(a)}/${id}`)).status).toBe(404)
    expect((await b.get(`${tab(a)}/${id}/live?after=0`)).status).toBe(404)
    expect((await b.get(`${tab(a)}/job_nope`)).status).toBe(404)
  })

  test('the recent jobs poll: 204 while nothing changed, the list again when it did', async () => {
    const m = await member()
    const id = (await s.api('POST', `/api/v1/members/${m}/jobs`, { name: 'system.updates.check' })).json.id
    const page = (await b.get(tab(m))).text
    const tag = decodeURIComponent(/timeline\?tag=([^"]+)"/.exec(page)![1]!)
    expect(page).toContain('data-live="true"')
    expect((await b.get(`${tab(m)}/timeline?tag=${encodeURIComponent(tag)}`, htmx('div#job-timeline'))).status).toBe(204)
    await s.api('POST', `/api/v1/jobs/${id}/cancel`)
    const changed = await b.get(`${tab(m)}/timeline?tag=${encodeURIComponent(tag)}`, htmx('div#job-timeline'))
    expect(changed.status).toBe(200)
    expect(changed.text).toContain('data-live="false"')
    expect(changed.text).not.toContain('hx-trigger')
    expect(visibleText(changed.text)).toContain('Check for updates cancelled')
  })
})
