import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { members } from '../db/schema'
import { testServer, visibleText, type Browser, type TestServer } from '../testing/harness'
import { claimWithin, finishJob } from './service'

let s: TestServer
let b: Browser
beforeAll(async () => {
  s = await testServer()
  b = await s.browser().signIn()
})
afterAll(() => s.close())

const debian = { id: 'debian', versionId: '12', family: 'debian', prettyName: 'Debian GNU/Linux 12' }
const htmx = (target: string) => ({ 'hx-request': 'true', 'hx-target': target })

let n = 0
/** A pool with members; the ones named in `withoutOs` have not reported an OS. */
async function pool(names: string[], withoutOs: string[] = []) {
  n++
  const poolId = (await s.api('POST', '/api/v1/pools', { name: `Fleet ${n}`, preset: 'generic' })).json.id as string
  const ids: Record<string, string> = {}
  let ip = 0
  for (const name of names) {
    ip++
    ids[name] = (await s.api('POST', `/api/v1/pools/${poolId}/members`, { name, hostname: `${name}.example.com`, egressIps: [`198.51.${n}.${ip}`] })).json.id
    if (!withoutOs.includes(name)) await s.db.update(members).set({ os: debian }).where(eq(members.id, ids[name]!))
  }
  return { poolId, ids }
}

describe('fleet-wide runs', () => {
  test('the runs page answers whole and as #main, and the overview links to it', async () => {
    const { poolId } = await pool(['a1'])
    const overview = await b.get(`/pools/${poolId}`)
    expect(overview.text).toContain(`href="/pools/${poolId}/runs"`)
    expect(visibleText(overview.text)).toContain('Run a job')
    const full = await b.get(`/pools/${poolId}/runs`)
    expect(full.status).toBe(200)
    expect(full.text).toContain('<html')
    const part = await b.get(`/pools/${poolId}/runs`, htmx('main#main'))
    expect(part.text).not.toContain('<html')
    for (const page of [full.text, part.text]) {
      const text = visibleText(page)
      expect(text).toContain('Fleet-wide runs')
      expect(text).toContain('All 1 server of Fleet')
      expect(text).toContain('No fleet-wide runs yet')
    }
  })

  test('a run is reviewed with the number of servers, then queues one job per member and lists the refusals', async () => {
    const { poolId, ids } = await pool(['web-1', 'web-2', 'fresh'], ['fresh'])
    await b.get(`/pools/${poolId}/runs`)
    const fields = { name: 'system.updates.check', all: 'on', [`m.${ids['web-1']}`]: 'on', [`m.${ids['web-2']}`]: 'on', [`m.${ids.fresh}`]: 'on' }
    const review = await b.post(`/pools/${poolId}/runs`, fields)
    expect(review.status).toBe(200)
    const text = visibleText(review.text)
    expect(text).toContain('Run "Check for updates" on 2 servers?')
    expect(text).toContain('1 server cannot take it and will be listed as refused: fresh: The agent has not reported')
    expect(text).toContain('Run on 2 servers')
    expect((await s.api('GET', `/api/v1/members/${ids['web-1']}/jobs`)).json).toEqual([])

    // A stale count (the pool changed since the review) is reviewed again, not run.
    expect(visibleText((await b.post(`/pools/${poolId}/runs`, { ...fields, confirm: '3' })).text)).toContain('Run on 2 servers')
    expect((await s.api('GET', `/api/v1/members/${ids['web-1']}/jobs`)).json).toEqual([])

    const run = await b.post(`/pools/${poolId}/runs`, { ...fields, confirm: '2' })
    expect(run.status).toBe(303)
    const location = run.headers.get('location')!
    expect(location).toMatch(new RegExp(`^/pools/${poolId}/runs/run_\\w+$`))
    const runId = location.split('/').at(-1)!

    const jobsOf = async (name: string) => (await s.api('GET', `/api/v1/members/${ids[name]}/jobs`)).json as any[]
    for (const name of ['web-1', 'web-2']) expect(await jobsOf(name)).toMatchObject([{ name: 'system.updates.check', status: 'queued', runId, requestedBy: 'admin@example.com' }])
    expect(await jobsOf('fresh')).toEqual([])

    const page = await b.get(location)
    const shown = visibleText(page.text)
    expect(shown).toContain('Check for updates: queued on 2 servers, 1 refused.')
    expect(shown).toContain('3 servers: 2 queued, 1 refused')
    expect(shown).toMatch(/web-1 queued\s+Job page/)
    expect(shown).toMatch(/fresh refused\s+The agent has not reported a Debian- or RHEL-family OS here/)
    expect(page.text).toContain('data-live="true"')

    // The rows' poll: 204 until a row changes, then the rows, and no more polling once all ended.
    const tag = decodeURIComponent(/rows\?tag=([^"]+)"/.exec(page.text)![1]!)
    const rows = (t: string) => b.get(`${location}/rows?tag=${encodeURIComponent(t)}`, htmx('div#run-rows'))
    expect((await rows(tag)).status).toBe(204)
    for (const name of ['web-1', 'web-2']) {
      const claimed = await claimWithin(s.db, ids[name]!, 0, false)
      await finishJob(s.db, ids[name]!, claimed!.id, name === 'web-1' ? { status: 'succeeded', exitCode: 0 } : { status: 'failed', exitCode: 100, error: 'apt-get update failed' })
    }
    const after = await rows(tag)
    expect(after.status).toBe(200)
    expect(after.text).toContain('data-live="false"')
    expect(after.text).not.toContain('hx-trigger')
    expect(visibleText(after.text)).toMatch(/3 servers: 1 succeeded, 1 failed, 1 refused/)
    expect(visibleText(after.text)).toMatch(/web-2 failed 100 apt-get update failed/)

    const list = visibleText((await b.get(`/pools/${poolId}/runs`)).text)
    expect(list).toMatch(/Check for updates 1 succeeded, 1 failed, 1 refused admin@example\.com/)
    const audit = (await s.api('GET', `/api/v1/audit?pool=${poolId}`)).json.events.find((e: any) => e.action === 'job.run')
    expect(audit.detail).toMatchObject({ runId, name: 'system.updates.check', refused: 1 })
  })

  test('the run page answers whole, as #main and as its rows', async () => {
    const { poolId, ids } = await pool(['r1'])
    const run = (await s.api('POST', `/api/v1/pools/${poolId}/runs`, { name: 'system.updates.check', memberIds: [ids.r1] })).json
    const path = `/pools/${poolId}/runs/${run.id}`
    const full = await b.get(path)
    expect(full.text).toContain('<html')
    const main = await b.get(path, htmx('main#main'))
    expect(main.text).not.toContain('<html')
    expect(visibleText(main.text)).toContain('Check for updates')
    const rows = await b.get(path, htmx('div#run-rows'))
    expect(rows.text).toMatch(/^<title>/)
    expect(rows.text).toContain('id="run-rows"')
    expect(rows.text).not.toContain('id="run-page"')
    const other = await pool(['x'])
    expect((await b.get(`/pools/${other.poolId}/runs/${run.id}`)).status).toBe(404)
  })

  test('bad input is shown on the form and nothing is queued', async () => {
    const { poolId, ids } = await pool(['b1', 'b2'], ['b1', 'b2'])
    await b.get(`/pools/${poolId}/runs`)
    const none = await b.post(`/pools/${poolId}/runs`, { name: 'system.reboot' })
    expect(none.status).toBe(422)
    expect(visibleText(none.text)).toContain('Choose at least one server.')
    const noJob = await b.post(`/pools/${poolId}/runs`, { name: '', [`m.${ids.b1}`]: 'on' })
    expect(noJob.status).toBe(422)
    expect(visibleText(noJob.text)).toContain('Choose a job.')
    expect(noJob.text).toMatch(new RegExp(`name="m.${ids.b1}" checked`))
    const badParams = await b.post(`/pools/${poolId}/runs`, { name: 'service.restart', 'p.unit': 'bad unit!', all: 'on' })
    expect(badParams.status).toBe(422)
    expect(visibleText(/<div class="field has-error">\s*<label for="run-service-restart-unit"[\s\S]*?<\/div>/.exec(badParams.text)?.[0] ?? '')).toContain('a systemd unit name')
    expect(badParams.text).toContain('value="bad unit!"')
    const nobody = await b.post(`/pools/${poolId}/runs`, { name: 'system.updates.check', all: 'on' })
    expect(nobody.status).toBe(422)
    expect(visibleText(nobody.text)).toContain('None of the chosen servers can run check for updates')
    expect((await s.api('GET', `/api/v1/members/${ids.b1}/jobs`)).json).toEqual([])
  })
})
