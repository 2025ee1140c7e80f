// A job's page says what is true of it once it has ended: no "1 of 3" for a
// job that will not be tried again, no "failed" step in a job that was
// cancelled or timed out.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { jobs } from '../db/schema'
import { visibleText, type Browser, type TestServer } from '../testing/harness'
import { sampleHeartbeat } from '../testing/heartbeat-fixture'
import { claimWithin, finishJob, reportJob, sweepJobs } from './service'
import { memberWith, signedInWithPool } from './tab-fixture'

let s: TestServer
let b: Browser
let poolId: string
beforeAll(async () => ({ s, b, poolId } = await signedInWithPool('Job states')))
afterAll(() => s.close())

let n = 0
async function runningUpdate() {
  const m = await memberWith(s, poolId, `states-${++n}`, sampleHeartbeat())
  const id = (await s.api('POST', `/api/v1/members/${m.id}/jobs`, { name: 'system.updates.install' })).json.id as string
  expect((await claimWithin(s.db, m.id, 0, false))?.id).toBe(id)
  await reportJob(s.db, m.id, id, { step: 1 })
  return { m, id, page: `${m.jobs}/${id}` }
}

const stepsOf = (html: string) => [...html.matchAll(/<li class="step step-([a-z_]+)" data-state="([a-z_]+)">[\s\S]*?<\/li>/g)].map((x) => visibleText(x[0]).trim())

describe('a job that has ended', () => {
  test('it says its attempts are final, not "1 of 3", when it failed', async () => {
    const { m, id, page } = await runningUpdate()
    await finishJob(s.db, m.id, id, { status: 'failed', exitCode: 100, error: 'apt-get exited 100' })
    const text = visibleText((await b.get(page)).text)
    expect(text).toContain('Install updates failed')
    expect(text).toContain('Attempts 1, final')
    expect(text).not.toContain('Attempts 1 of 3')
  })

  test('while it may still be tried again it says "1 of 3"', async () => {
    const { page } = await runningUpdate()
    expect(visibleText((await b.get(page)).text)).toContain('Attempts 1 of 3')
  })

  test('a cancelled job shows the step it was in as cancelled, on the page and in the API', async () => {
    const { m, id, page } = await runningUpdate()
    await s.api('POST', `/api/v1/jobs/${id}/cancel`)
    await finishJob(s.db, m.id, id, { status: 'cancelled', error: 'Cancelled by admin@example.com' })
    const html = (await b.get(page)).text
    expect(visibleText(html)).toContain('Install updates cancelled')
    expect(stepsOf(html)).toEqual(['● Refresh package lists done', '⊘ Install updates cancelled'])
    expect(html).not.toContain('step-failed')
    expect((await s.api('GET', `/api/v1/jobs/${id}`)).json.steps).toEqual([
      { title: 'Refresh package lists', state: 'done' },
      { title: 'Install updates', state: 'cancelled' },
    ])
  })

  test('a job the sweep timed out shows its step as timed out', async () => {
    const { id, page } = await runningUpdate()
    await s.db.update(jobs).set({ startedAt: new Date(Date.now() - 2 * 3600_000) }).where(eq(jobs.id, id))
    expect((await sweepJobs(s.db)).timedOut).toBe(1)
    const html = (await b.get(page)).text
    expect(stepsOf(html)).toEqual(['● Refresh package lists done', '⧗ Install updates timed out'])
    expect(visibleText(html)).toContain('Attempts 1, final')
  })

  test('a job cancelled before the steps had their own ending still reads as cancelled', async () => {
    const { id, page } = await runningUpdate()
    // As rows written before: the step under way stored as failed.
    await s.db
      .update(jobs)
      .set({ status: 'cancelled', finishedAt: new Date(), steps: [{ title: 'Refresh package lists', state: 'done' }, { title: 'Install updates', state: 'failed' }] })
      .where(eq(jobs.id, id))
    expect(stepsOf((await b.get(page)).text)).toEqual(['● Refresh package lists done', '⊘ Install updates cancelled'])
  })

  test('a queued job cancelled before any agent took it says it never started', async () => {
    const m = await memberWith(s, poolId, `states-${++n}`, sampleHeartbeat())
    const id = (await s.api('POST', `/api/v1/members/${m.id}/jobs`, { name: 'system.updates.install' })).json.id as string
    await s.api('POST', `/api/v1/jobs/${id}/cancel`)
    const html = (await b.get(`${m.jobs}/${id}`)).text
    expect(visibleText(html)).toContain('Attempts none: it ended before an agent took it')
    expect(stepsOf(html)).toEqual(['– Refresh package lists skipped', '– Install updates skipped'])
  })
})
