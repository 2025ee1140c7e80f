// A member that has never checked in takes no reboot or shutdown, and a queued
// job waits for its agent an hour (or what the API asked), then is cancelled
// with the reason instead of running late.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { jobs, members } from '../db/schema'
import { visibleText, type Browser, type TestServer } from '../testing/harness'
import { sampleHeartbeat } from '../testing/heartbeat-fixture'
import { claimWithin, LEASE_SECONDS, sweepJobs } from './service'
import { jobsOf, memberWith, reportHeartbeat, signedInWithPool } from './tab-fixture'

let s: TestServer
let b: Browser
let poolId: string
beforeAll(async () => ({ s, b, poolId } = await signedInWithPool('Expiry')))
afterAll(() => s.close())

const HOUR = 3600_000
let n = 0
const name = () => `exp-${++n}`
const quickActions = (html: string) => {
  const start = html.indexOf('<section class="card" id="quick-actions"')
  return html.slice(start, html.indexOf('</section>', start))
}
const utc = (d: Date) => d.toISOString().slice(0, 16).replace('T', ' ') + ' UTC'
/** A member added with its OS family, whose agent has not checked in. */
async function pendingMember() {
  const m = await memberWith(s, poolId, name())
  await s.db.update(members).set({ osFamily: 'debian' }).where(eq(members.id, m.id))
  return m
}
const queue = (memberId: string, body: Record<string, unknown>) => s.api('POST', `/api/v1/members/${memberId}/jobs`, body)

describe('a member that has never checked in', () => {
  test('Reboot and Shut down are refused with the reason, on the Control panel, from its form and by the API, and nothing is queued', async () => {
    const m = await memberWith(s, poolId, name())
    const panel = quickActions((await b.get(m.tab('control'))).text)
    expect(panel).not.toContain('commandfor="confirm-reboot"')
    expect(panel).not.toContain('commandfor="confirm-shutdown"')
    const text = visibleText(panel)
    expect(text).toContain('Reboot This server has not checked in yet (its agent has never sent a heartbeat): queued now, a reboot would run whenever the agent first enrols.')
    expect(text).toContain('Shut down This server has not checked in yet (its agent has never sent a heartbeat): queued now, a shutdown would run whenever the agent first enrols.')
    expect(text).toContain('Reboot and Shut down wait for its first heartbeat')

    for (const job of ['system.reboot', 'system.shutdown']) {
      const api = await queue(m.id, { name: job })
      expect({ job, status: api.status, code: api.json.error?.code ?? api.json.code }).toEqual({ job, status: 422, code: 'not_possible_here' })
      expect(api.text).toContain('has not checked in yet')
      const form = await b.post(m.jobs, { name: job, tab: 'control', confirm: m.name })
      expect(form.status).toBe(422)
      expect(visibleText(form.text)).toContain('This server has not checked in yet')
    }
    expect(await jobsOf(s, m.id)).toEqual([])
  })

  test('once it has checked in, Reboot is offered and queued', async () => {
    const m = await memberWith(s, poolId, name())
    await reportHeartbeat(s, m.id, sampleHeartbeat())
    expect(quickActions((await b.get(m.tab('control'))).text)).toContain('commandfor="confirm-reboot"')
    expect((await queue(m.id, { name: 'system.reboot' })).status).toBe(201)
  })
})

describe('queued jobs expire', () => {
  test('a queued job shows when it expires, an hour after it was queued: on its page, in the job lists and in the API', async () => {
    const m = await pendingMember()
    const id = (await queue(m.id, { name: 'system.updates.check' })).json.id as string
    const job = (await s.api('GET', `/api/v1/jobs/${id}`)).json
    expect(Date.parse(job.expiresAt) - Date.parse(job.createdAt)).toBe(HOUR)
    const expires = utc(new Date(job.expiresAt))

    const page = visibleText((await b.get(`${m.jobs}/${id}`)).text)
    expect(page).toContain(`Expires ${expires} if no agent has taken it by then, it is cancelled, not run late`)
    const cron = (await b.get(m.tab('jobs'))).text
    const row = /<tr data-job-id="[^"]+" data-status="queued">[\s\S]*?<\/tr>/.exec(cron)![0]
    expect(visibleText(row)).toContain(`queued expires ${expires}`)
    const control = quickActions((await b.get(m.tab('control'))).text)
    expect(visibleText(control)).toContain(`Check for updates`)
    expect(visibleText(control)).toContain(`queued expires ${expires}`)
  })

  test('the claim never hands out a job past its expiry; the sweep cancels it with the reason', async () => {
    const m = await memberWith(s, poolId, name())
    await reportHeartbeat(s, m.id, sampleHeartbeat())
    const id = (await queue(m.id, { name: 'system.reboot' })).json.id as string
    await s.db.update(jobs).set({ createdAt: new Date(Date.now() - HOUR - 1000), expiresAt: new Date(Date.now() - 1000) }).where(eq(jobs.id, id))
    expect(await claimWithin(s.db, m.id, 0, false)).toBeNull()

    expect((await sweepJobs(s.db)).expired).toBe(1)
    const job = (await s.api('GET', `/api/v1/jobs/${id}`)).json
    const reason = 'Expired: no agent took it within 1 h of being queued, so it was cancelled rather than run late. Queue it again when the server is reporting.'
    expect(job).toMatchObject({ status: 'cancelled', error: reason, startedAt: null, steps: [{ title: 'Reboot', state: 'skipped' }] })
    expect(job.output).toBe(reason)
    const page = visibleText((await b.get(`${m.jobs}/${id}`)).text)
    expect(page).toContain(`Reboot cancelled`)
    expect(page).toContain(reason)
    expect(page).not.toContain('Expires')
    // A second sweep finds nothing; the agent, checking in now, gets nothing.
    expect((await sweepJobs(s.db)).expired).toBe(0)
    expect(await claimWithin(s.db, m.id, 0, false)).toBeNull()
  })

  test('a job not yet at its expiry is still handed out', async () => {
    const m = await pendingMember()
    const id = (await queue(m.id, { name: 'system.updates.check' })).json.id as string
    expect((await sweepJobs(s.db, new Date(Date.now() + HOUR - 60_000))).expired).toBe(0)
    expect((await claimWithin(s.db, m.id, 0, false))?.id).toBe(id)
  })

  test('the API may ask for another wait, from a minute to a week', async () => {
    const m = await pendingMember()
    const id = (await queue(m.id, { name: 'system.updates.check', expiresInSeconds: 600 })).json.id
    const job = (await s.api('GET', `/api/v1/jobs/${id}`)).json
    expect(Date.parse(job.expiresAt) - Date.parse(job.createdAt)).toBe(600_000)
    for (const bad of [30, 8 * 86_400, 'soon']) expect((await queue(m.id, { name: 'system.updates.check', expiresInSeconds: bad })).status).toBe(422)
    expect((await jobsOf(s, m.id)).length).toBe(1)
  })

  test('a job queued again after its agent was lost waits its hour again, from then', async () => {
    const m = await pendingMember()
    const id = (await queue(m.id, { name: 'system.updates.check' })).json.id as string
    expect((await claimWithin(s.db, m.id, 0, false))?.id).toBe(id)
    const later = new Date(Date.now() + (LEASE_SECONDS + 1) * 1000)
    await sweepJobs(s.db, later)
    const job = (await s.api('GET', `/api/v1/jobs/${id}`)).json
    expect(job.status).toBe('queued')
    expect(Date.parse(job.expiresAt)).toBe(later.getTime() + HOUR)
  })
})
