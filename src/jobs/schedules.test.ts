import { afterAll, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { jobSchedules, members } from '../db/schema'
import { testServer, type TestServer } from '../testing/harness'
import { systemActor } from '../audit/service'
import { cronProblem, createSchedule, fireDueSchedules, latestDue, updateSchedule } from './schedules'
import * as store from './store'

let s: TestServer
let poolId: string
beforeAll(async () => {
  s = await testServer()
  poolId = (await s.api('POST', '/api/v1/pools', { name: 'Schedules', preset: 'generic' })).json.id
})
afterAll(() => s.close())

const debian = { id: 'debian', versionId: '12', family: 'debian', prettyName: 'Debian GNU/Linux 12' }

let n = 0
/** A member; with an OS unless told otherwise, so update checks are possible on it. */
async function member(opts: { os?: boolean } = {}) {
  n++
  const id = (await s.api('POST', `/api/v1/pools/${poolId}/members`, { name: `s${n}`, hostname: `s${n}.example.com`, egressIps: [`203.0.113.${n}`] })).json.id as string
  if (opts.os !== false) await s.db.update(members).set({ os: debian }).where(eq(members.id, id))
  return id
}

const audit = async () => (await s.api('GET', `/api/v1/audit?pool=${poolId}`)).json.events as { action: string; actor: string; detail: any }[]
const jobsOf = async (memberId: string) => (await s.api('GET', `/api/v1/members/${memberId}/jobs`)).json as any[]
/** Ends the member's queued jobs, as an agent would by running them. */
async function endJobsOf(memberId: string) {
  for (const j of await jobsOf(memberId)) if (j.status === 'queued') await s.api('POST', `/api/v1/jobs/${j.id}/cancel`)
}

describe('cron expressions', () => {
  test('it reads five fields in UTC and refuses what is not a schedule', () => {
    const cases: [string, RegExp | null][] = [
      ['0 3 * * *', null],
      ['*/5 * * * *', null],
      ['@daily', null],
      ['30 0 3 * * *', null], // six fields, one second a minute
      ['61 * * * *', /^"61 \* \* \* \*" is not a cron expression: the minute field "61" is not 0-59, a range like 1-5, a list like 1,15, a step like \*\/10, or \*\. Write five fields/],
      ['0 25 * * *', /the hour field "25" is not 0-23/],
      ['0 3 * FOO *', /the month field "FOO" is not 1-12 or JAN-DEC/],
      ['0 3 * * 9', /the day-of-week field "9" is not 0-7 or SUN-SAT/],
      ['every day', /^"every day" has 2 fields; a schedule has five\. Write five fields/],
      ['* * *', /^"\* \* \*" has 3 fields; a schedule has five/],
      ['@often', /^"@often" is not one of @hourly, @daily, @weekly, @monthly or @yearly/],
      ['', /A cron expression is needed/],
      ['* * * * * *', /fires more often than once a minute/],
      ['*/30 * * * * *', /fires more often than once a minute/],
      ['0 0 30 2 *', /never fires/],
      ['0 0 0 * * * 2030', /has 7 fields; a schedule has five/],
    ]
    for (const [expr, problem] of cases) {
      const got = cronProblem(expr)
      // croner's own words name its parser, not the field to fix.
      expect({ expr, got }).not.toEqual({ expr, got: expect.stringMatching(/space separated parts|CronPattern|Invalid value/) })
      if (problem) expect({ expr, got }).toEqual({ expr, got: expect.stringMatching(problem) })
      else expect({ expr, got }).toEqual({ expr, got: null })
    }
  })

  test('the latest due run includes a run exactly now', () => {
    expect(latestDue('0 10 * * *', new Date('2026-03-01T10:00:00Z'))?.toISOString()).toBe('2026-03-01T10:00:00.000Z')
    expect(latestDue('0 10 * * *', new Date('2026-03-01T09:59:59Z'))?.toISOString()).toBe('2026-02-28T10:00:00.000Z')
  })
})

describe('the schedules API', () => {
  test('it creates, lists, changes and deletes a schedule, and audits each change', async () => {
    const m = await member()
    const created = await s.api('POST', `/api/v1/members/${m}/schedules`, { name: 'system.updates.check', cron: '0 3 * * *', label: 'nightly updates' })
    expect(created.status).toBe(201)
    const id = created.json.id
    expect(created.json).toMatchObject({ memberId: m, name: 'system.updates.check', title: 'Check for updates', params: {}, cron: '0 3 * * *', timezone: 'UTC', enabled: true, label: 'nightly updates', lastFiredAt: null, lastJobId: null })
    expect(created.json.nextRuns).toHaveLength(3)
    for (const at of created.json.nextRuns) expect(at).toMatch(/T03:00:00\.000Z$/)

    expect((await s.api('GET', `/api/v1/members/${m}/schedules`)).json.map((x: any) => x.id)).toEqual([id])
    expect((await s.api('GET', `/api/v1/schedules/${id}`)).json.cron).toBe('0 3 * * *')

    const moved = await s.api('PATCH', `/api/v1/schedules/${id}`, { cron: '15 4 * * 1' })
    expect(moved.status).toBe(200)
    expect(moved.json).toMatchObject({ cron: '15 4 * * 1', label: 'nightly updates', enabled: true })
    expect(new Date(moved.json.nextRuns[0]).getUTCDay()).toBe(1)

    const off = await s.api('PATCH', `/api/v1/schedules/${id}`, { enabled: false })
    expect(off.json).toMatchObject({ enabled: false, nextRuns: [] })
    expect((await s.api('PATCH', `/api/v1/schedules/${id}`, { label: null })).json.label).toBeNull()

    expect((await s.api('DELETE', `/api/v1/schedules/${id}`)).status).toBe(204)
    expect((await s.api('GET', `/api/v1/schedules/${id}`)).status).toBe(404)
    expect((await s.api('DELETE', `/api/v1/schedules/${id}`)).status).toBe(404)

    const mine = (await audit()).filter((e) => e.detail?.scheduleId === id).map((e) => e.action)
    expect(mine).toEqual(['schedule.delete', 'schedule.update', 'schedule.disable', 'schedule.update', 'schedule.create'])
  })

  test('bad input is refused with 422 and the message, and nothing changes', async () => {
    const m = await member()
    const cases: [unknown, RegExp][] = [
      [{ name: 'system.updates.check', cron: '61 * * * *' }, /not a cron expression: the minute field "61" is not 0-59/],
      [{ name: 'system.updates.check', cron: '* * * * * *' }, /more often than once a minute/],
      [{ name: 'rm.rf', cron: '0 3 * * *' }, /There is no job called "rm.rf"/],
      [{ name: 'system.reboot', cron: '0 3 * * *', params: { now: true } }, /Bad parameters for system.reboot/],
      [{ name: 'recipe.install_mariadb', cron: '0 3 * * *' }, /cannot be scheduled/],
      [{ name: 'system.reboot', cron: '0 3 * * *', shell: 'id' }, /shell/],
      [{ name: 'system.reboot', cron: '0 3 * * *', label: 'x'.repeat(81) }, /at most 80/],
    ]
    for (const [body, message] of cases) {
      const res = await s.api('POST', `/api/v1/members/${m}/schedules`, body)
      expect({ body, status: res.status }).toEqual({ body, status: 422 })
      expect(res.json.error.message).toMatch(message)
    }
    expect((await s.api('GET', `/api/v1/members/${m}/schedules`)).json).toEqual([])

    const id = (await s.api('POST', `/api/v1/members/${m}/schedules`, { name: 'system.reboot', cron: '0 3 * * 0' })).json.id
    const bad = await s.api('PATCH', `/api/v1/schedules/${id}`, { cron: '0 25 * * *', enabled: false })
    expect(bad.status).toBe(422)
    expect(bad.json.error.message).toContain('the hour field "25" is not 0-23')
    expect((await s.api('GET', `/api/v1/schedules/${id}`)).json).toMatchObject({ cron: '0 3 * * 0', enabled: true })
    expect((await s.api('POST', `/api/v1/members/mem_nope/schedules`, { name: 'system.reboot', cron: '0 3 * * *' })).status).toBe(404)
    expect((await s.api('GET', `/api/v1/members/${m}/schedules`, undefined, null)).status).toBe(401)
  })

  test('a job this member cannot take yet is kept: it may be enrolled later', async () => {
    const m = await member({ os: false })
    const res = await s.api('POST', `/api/v1/members/${m}/schedules`, { name: 'system.updates.check', cron: '0 3 * * *' })
    expect(res.status).toBe(201)
  })
})

describe('the scheduler', () => {
  const at = (iso: string) => new Date(`2026-05-04T${iso}Z`)
  // Each test counts what one tick queues: earlier tests' schedules stay quiet.
  beforeEach(async () => {
    await s.db.update(jobSchedules).set({ enabled: false })
  })

  test('it queues each due run once, never twice, and makes up only the latest missed run', async () => {
    const m = await member()
    const sch = await createSchedule(s.db, systemActor, m, { name: 'system.updates.check', cron: '*/5 * * * *', label: 'five' }, at('10:02:00'))
    const fire = (iso: string) => fireDueSchedules(s.db, at(iso))

    expect(await fire('10:04:59')).toEqual({ queued: 0, refused: 0, skipped: 0 })
    expect(await fire('10:05:10')).toEqual({ queued: 1, refused: 0, skipped: 0 })
    expect(await fire('10:05:25')).toEqual({ queued: 0, refused: 0, skipped: 0 })
    expect(await fire('10:09:59')).toEqual({ queued: 0, refused: 0, skipped: 0 })
    await endJobsOf(m)
    // Two ticks at once (a restart, a second replica): one job.
    const both = await Promise.all([fire('10:10:05'), fire('10:10:05'), fire('10:10:20')])
    expect(both.reduce((sum, r) => sum + r.queued, 0)).toBe(1)
    await endJobsOf(m)
    // Down from 10:11 to 10:31: 10:15 ... 10:30 were missed; only 10:30 is queued.
    expect(await fire('10:31:00')).toEqual({ queued: 1, refused: 0, skipped: 0 })
    expect(await fire('10:31:15')).toEqual({ queued: 0, refused: 0, skipped: 0 })

    const jobs = await jobsOf(m)
    expect(jobs).toHaveLength(3)
    for (const j of jobs) expect(j).toMatchObject({ name: 'system.updates.check', scheduleId: sch.id, requestedBy: 'schedule five' })
    const after = (await s.api('GET', `/api/v1/schedules/${sch.id}`)).json
    expect(after).toMatchObject({ lastFiredAt: '2026-05-04T10:30:00.000Z', lastJobId: jobs[0].id })
    expect((await audit()).filter((e) => e.action === 'job.queue' && e.actor === 'schedule five')).toHaveLength(3)
  })

  test('a disabled schedule does not fire, and enabling it owes nothing from before', async () => {
    const m = await member()
    const sch = await createSchedule(s.db, systemActor, m, { name: 'system.updates.check', cron: '0 * * * *', enabled: false }, at('08:30:00'))
    expect(await fireDueSchedules(s.db, at('09:00:30'))).toEqual({ queued: 0, refused: 0, skipped: 0 })
    await updateSchedule(s.db, systemActor, sch.id, { enabled: true }, at('11:20:00'))
    expect(await fireDueSchedules(s.db, at('11:20:15'))).toEqual({ queued: 0, refused: 0, skipped: 0 })
    expect(await fireDueSchedules(s.db, at('12:00:10'))).toEqual({ queued: 1, refused: 0, skipped: 0 })
    await endJobsOf(m)
    // A new time starts from when it was saved, too.
    await updateSchedule(s.db, systemActor, sch.id, { cron: '10 * * * *' }, at('12:30:00'))
    expect(await fireDueSchedules(s.db, at('12:30:15'))).toEqual({ queued: 0, refused: 0, skipped: 0 })
    expect(await fireDueSchedules(s.db, at('13:10:00'))).toEqual({ queued: 1, refused: 0, skipped: 0 })
    expect(await jobsOf(m)).toHaveLength(2)
  })

  test('a run due while the previous job has not ended is skipped: a silent server does not pile up jobs', async () => {
    const m = await member()
    const sch = await createSchedule(s.db, systemActor, m, { name: 'system.updates.check', cron: '* * * * *' }, at('14:00:30'))
    expect(await fireDueSchedules(s.db, at('14:01:05'))).toEqual({ queued: 1, refused: 0, skipped: 0 })
    expect(await fireDueSchedules(s.db, at('14:02:05'))).toEqual({ queued: 0, refused: 0, skipped: 1 })
    expect(await fireDueSchedules(s.db, at('14:03:05'))).toEqual({ queued: 0, refused: 0, skipped: 1 })
    expect(await jobsOf(m)).toHaveLength(1)
    await endJobsOf(m)
    expect(await fireDueSchedules(s.db, at('14:04:05'))).toEqual({ queued: 1, refused: 0, skipped: 0 })
    expect((await s.api('GET', `/api/v1/schedules/${sch.id}`)).json.lastFiredAt).toBe('2026-05-04T14:04:00.000Z')
  })

  test('a run the member refuses is settled, audited with the reason, and not retried every tick', async () => {
    const m = await member({ os: false })
    const sch = await createSchedule(s.db, systemActor, m, { name: 'system.updates.check', cron: '0 6 * * *', label: 'updates' }, at('05:00:00'))
    expect(await fireDueSchedules(s.db, at('06:00:05'))).toEqual({ queued: 0, refused: 1, skipped: 0 })
    expect(await fireDueSchedules(s.db, at('06:00:20'))).toEqual({ queued: 0, refused: 0, skipped: 0 })
    expect(await jobsOf(m)).toEqual([])
    const refused = (await audit()).find((e) => e.action === 'schedule.refused' && e.detail.scheduleId === sch.id)
    expect(refused).toMatchObject({ actor: 'schedule updates', detail: { due: '2026-05-04T06:00:00.000Z', reason: expect.stringContaining('Debian- or RHEL-family') } })
    expect((await store.findSchedule(s.db, sch.id))?.lastJobId).toBeNull()
  })
})
