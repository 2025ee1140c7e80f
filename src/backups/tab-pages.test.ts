import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { jobSchedules } from '../db/schema'
import { visibleText, type Browser } from '../testing/harness'
import { backupKit, fakeChunk, seedSnapshot, type Kit } from './test-kit'
import { sampleHeartbeat } from '../testing/heartbeat-fixture'
import * as store from './store'
import * as jobStore from '../jobs/store'

let kit: Kit
let b: Browser
let poolId: string
beforeAll(async () => {
  kit = await backupKit()
  b = await kit.s.browser().signIn()
  poolId = await kit.pool('Tab')
})
afterAll(() => kit.close())

const tab = (memberId: string) => `/pools/${poolId}/members/${memberId}/backups`
const today = () => new Date().toISOString().slice(0, 10).replaceAll('-', '')

/** A snapshot committed the way an agent commits one: its chunks uploaded, then the manifest. */
async function snapshotOf(m: Awaited<ReturnType<Kit['member']>>, kind: 'database' | 'files', source: string) {
  const job = await kit.runningJob(m, kind === 'database' ? 'backup.database' : 'backup.files', kind === 'database' ? { database: source } : { path: source })
  const res = await kit.backUp(m, job.id, { kind, source, chunks: [fakeChunk(2048), fakeChunk(1024)] })
  if (res.status !== 201) throw new Error(`commit: ${res.status} ${JSON.stringify(res.json)}`)
  await jobStore.updateWhere(kit.s.db, job.id, ['running'], { status: 'succeeded', finishedAt: new Date(), result: { snapshotId: res.json.snapshotId } })
  return res.json.snapshotId as string
}

const jobsOf = (memberId: string) => jobStore.listMemberJobs(kit.s.db, memberId, 50)

describe('the Restore Backups tab', () => {
  test('it renders as a full page and as an htmx fragment, and says what to do when there are no snapshots', async () => {
    const m = await kit.member(poolId, 'bk-empty')
    const full = await b.get(tab(m.id))
    expect(full.status).toBe(200)
    expect(full.text).toContain('<html')
    const text = visibleText(full.text)
    expect(text).toContain('0 Snapshots none yet')
    expect(text).toContain('never Last backup')
    expect(text).toContain('No snapshots yet')
    expect(text).toContain('"Back up now" takes a first snapshot')
    expect(text).toContain('Backed up here: databases (MariaDB), site files (OpenLiteSpeed), configuration.')
    expect(text).toContain('Every database, nightly')
    expect(full.text).toContain('id="backup-calendar"')
    expect(full.text).toContain('aria-current="page" data-tab="backups"')
    const part = await b.get(tab(m.id), { 'hx-request': 'true', 'hx-target': 'div#member-panel' })
    expect(part.status).toBe(200)
    expect(part.text).not.toContain('<html')
    expect(part.text).toContain('id="backup-kpis"')
  })

  test('before the agent checks in it says so and offers no Back up now', async () => {
    const added = await kit.s.api('POST', `/api/v1/pools/${poolId}/members`, { name: 'bk-new', hostname: 'bk-new.example.com', egressIps: ['203.0.113.9'] })
    const text = visibleText((await b.get(tab(added.json.id))).text)
    expect(text).toContain('The agent on bk-new has not checked in yet')
    expect(text).not.toContain('Back up now…')
    const refused = await b.post(`${tab(added.json.id)}/now`, { confirm: 'bk-new' })
    expect(refused.status).toBe(409)
    expect(await jobsOf(added.json.id)).toEqual([])
  })

  test('without MariaDB or OpenLiteSpeed it backs up the configuration only', async () => {
    const m = await kit.member(poolId, 'bk-bare', { openlitespeed: null, mariadb: null, galera: null, cpanel: null })
    const text = visibleText((await b.get(tab(m.id))).text)
    expect(text).toContain('Backed up here: configuration.')
    expect(text).toContain('Every database, nightly : MariaDB is not detected on this server.')
    // A folder can still be backed up weekly without a web server that names its sites.
    expect(text).toContain('Site files, weekly (Sunday 03:00 UTC): folder')
    expect(text).toContain('The configuration (firewall, web server, database server): no MariaDB detected.')
  })

  test('a snapshot shows as a card with its figures, the calendar marks today, and the restore form is filled in', async () => {
    const m = await kit.member(poolId, 'bk-card')
    await snapshotOf(m, 'database', 'shop_wp')
    await snapshotOf(m, 'files', '/var/www/shop')
    const page = await b.get(tab(m.id))
    const text = visibleText(page.text)
    expect(text).toContain('2 Snapshots')
    expect(text).toContain('Last proven restore')
    expect(text).toMatch(/Database shop_wp Taken \d{4}-\d\d-\d\d \d\d:\d\d UTC Size \/ stored 3\.0 KiB \/ 3\.0 KiB not verified/)
    expect(text).toContain('Site files /var/www/shop')
    const iso = new Date().toISOString().slice(0, 10)
    expect(page.text).toContain(`data-date="${iso}" title="${iso}: backed up"`)
    expect(text).toContain('1 day with a backup')
    expect(page.text).toContain(`value="shop_wp_restored_${today()}"`)
    expect(page.text).toContain(`value="/var/www/shop.restored-${today()}"`)
    expect(text).toContain('Type shop_wp to replace it')
  })

  test('a restore with bad input comes back with the message by its field and queues nothing', async () => {
    const m = await kit.member(poolId, 'bk-bad')
    const snap = await snapshotOf(m, 'database', 'shop_wp')
    const before = (await jobsOf(m.id)).length
    const url = `${tab(m.id)}/snapshots/${snap}/restore`

    const unconfirmed = await b.post(url, { memberId: m.id, mode: 'replace', database: '', confirm: 'shop' })
    expect(unconfirmed.status).toBe(422)
    expect(unconfirmed.text).toMatch(/<p class="field-error" id="restore-[^"]+-confirm-error">Type shop_wp to replace it: its current contents are lost\.<\/p>/)
    expect(unconfirmed.text).toContain(`<dialog id="restore-${snap}" class="confirm-dialog" aria-labelledby="restore-${snap}-title" data-reopen=""`)

    const original = await b.post(url, { memberId: m.id, mode: 'new', database: 'shop_wp' })
    expect(original.status).toBe(422)
    expect(visibleText(original.text)).toContain('shop_wp is the original: choose "Replace"')

    const elsewhere = await kit.pool('Other')
    const stranger = await kit.member(elsewhere, 'bk-stranger')
    const other = await b.post(url, { memberId: stranger.id, mode: 'new', database: 'copy' })
    expect(other.status).toBe(422)
    expect(visibleText(other.text)).toContain('bk-stranger is in another pool')

    const badName = await b.post(url, { memberId: m.id, mode: 'new', database: 'no spaces; please' })
    expect(badName.status).toBe(422)
    expect(badName.text).toMatch(/id="restore-[^"]+-database"[^>]*value="no spaces; please"[^>]*aria-invalid="true"/)
    expect(badName.text).toMatch(/<p class="field-error" id="restore-[^"]+-database-error">Expected a database name: letters, digits/)

    expect((await jobsOf(m.id)).length).toBe(before)
  })

  test('a restore queues its job and the tab links to it', async () => {
    const m = await kit.member(poolId, 'bk-restore')
    const snap = await snapshotOf(m, 'database', 'shop_wp')
    const res = await b.post(`${tab(m.id)}/snapshots/${snap}/restore`, { memberId: m.id, mode: 'new', database: `shop_wp_restored_${today()}` })
    expect(res.status).toBe(303)
    const job = (await jobsOf(m.id)).find((j) => j.name === 'restore.database')!
    expect(job.params).toEqual({ snapshotId: snap, database: `shop_wp_restored_${today()}` })
    expect(res.headers.get('location')).toBe(`${tab(m.id)}?queued=${job.id}`)
    const page = await b.get(res.headers.get('location')!)
    expect(visibleText(page.text)).toContain('Queued:')
    expect(page.text).toContain(`href="/pools/${poolId}/members/${m.id}/jobs/${job.id}"`)

    const replaced = await b.post(`${tab(m.id)}/snapshots/${snap}/restore`, { memberId: m.id, mode: 'replace', confirm: 'shop_wp' })
    expect(replaced.status).toBe(303)
    expect((await jobsOf(m.id)).find((j) => j.name === 'restore.database' && j.params.replace)?.params).toEqual({ snapshotId: snap, database: 'shop_wp', replace: true })
  })

  test('a cPanel account snapshot restores only where cPanel runs, and replacing the account needs its name typed', async () => {
    const cpanel = { version: '11.124.0.21', accounts: [{ user: 'shop', domain: 'shop.example.com', domains: [], plan: 'Starter', owner: 'root', suspended: false, diskBytes: 1000 }] }
    const src = await kit.member(poolId, 'bk-cp-a', { ...sampleHeartbeat().stacks, cpanel })
    const other = await kit.member(poolId, 'bk-cp-b', { ...sampleHeartbeat().stacks, cpanel: { version: '11.124.0.21', accounts: [] } })
    const snap = await seedSnapshot(kit.s.db, poolId, src.id, 'cpanel_account', 'shop')
    const page = visibleText((await b.get(tab(src.id))).text)
    expect(page).toContain('Restore the cPanel account shop')
    expect(page).toContain('Replace the account shop there')
    expect(page).not.toContain('Restore into folder')
    const url = `${tab(src.id)}/snapshots/${snap}/restore`
    const unconfirmed = await b.post(url, { memberId: src.id, mode: 'replace', confirm: 'shp' })
    expect(unconfirmed.status).toBe(422)
    expect(visibleText(unconfirmed.text)).toContain('Type shop to replace the account')
    const exists = await b.post(url, { memberId: src.id, mode: 'new' })
    expect(exists.status).toBe(409)
    expect((await jobsOf(src.id)).filter((j) => j.name === 'restore.cpanel_account')).toEqual([])
    expect((await b.post(url, { memberId: other.id, mode: 'new' })).status).toBe(303)
    expect((await jobsOf(other.id)).find((j) => j.name === 'restore.cpanel_account')?.params).toEqual({ snapshotId: snap })
    expect((await b.post(url, { memberId: src.id, mode: 'replace', confirm: 'shop' })).status).toBe(303)
    expect((await jobsOf(src.id)).find((j) => j.name === 'restore.cpanel_account')?.params).toEqual({ snapshotId: snap, replace: true })
  })

  test('verify queues snapshot.verify; delete removes the snapshot; another member’s snapshot is not found here', async () => {
    const m = await kit.member(poolId, 'bk-verify')
    const snap = await snapshotOf(m, 'database', 'shop_wp')
    const verify = await b.post(`${tab(m.id)}/snapshots/${snap}/verify`, {})
    expect(verify.status).toBe(303)
    const job = (await jobsOf(m.id)).find((j) => j.name === 'snapshot.verify')!
    expect(job.params).toEqual({ snapshotId: snap })

    const other = await kit.member(poolId, 'bk-other')
    expect((await b.post(`${tab(other.id)}/snapshots/${snap}/delete`, {})).status).toBe(404)
    expect(await store.findSnapshot(kit.s.db, snap)).toBeDefined()

    // Delete is refused while the verify job may read it, then allowed.
    const busy = await b.post(`${tab(m.id)}/snapshots/${snap}/delete`, {})
    expect(busy.status).toBe(409)
    expect(visibleText(busy.text)).toContain('delete it once that job has ended')
    await jobStore.updateWhere(kit.s.db, job.id, ['queued', 'running'], { status: 'cancelled', finishedAt: new Date() })
    const del = await b.post(`${tab(m.id)}/snapshots/${snap}/delete`, {})
    expect(del.status).toBe(303)
    expect(await store.findSnapshot(kit.s.db, snap)).toBeUndefined()
    expect(visibleText((await b.get(tab(m.id))).text)).toMatch(/Snapshot of shop_wp \(.* UTC\) deleted\./)
  })

  test('presets make schedules; retention is edited with field errors for bad numbers', async () => {
    const m = await kit.member(poolId, 'bk-presets')
    expect((await b.post(`${tab(m.id)}/presets`, { preset: 'files-weekly', path: '' })).status).toBe(422)
    const bad = await b.post(`${tab(m.id)}/presets`, { preset: 'files-weekly', path: '' })
    expect(bad.text).toContain('id="preset-files-path-error"')
    expect((await b.post(`${tab(m.id)}/presets`, { preset: 'databases-nightly' })).status).toBe(303)
    expect((await b.post(`${tab(m.id)}/presets`, { preset: 'files-weekly', path: '/var/www/shop' })).status).toBe(303)
    const page = visibleText((await b.get(tab(m.id))).text)
    expect(page).toContain('Nightly: shop_wp')
    expect(page).toContain('Weekly: /var/www/shop')
    const [schedule] = await kit.s.db.select().from(jobSchedules).where(eq(jobSchedules.memberId, m.id))
    const url = `${tab(m.id)}/schedules/${schedule!.id}/retention`

    const negative = await b.post(url, { keepDaily: '-1', keepWeekly: '4', keepMonthly: '6' })
    expect(negative.status).toBe(422)
    expect(negative.text).toContain(`<p class="field-error" id="retention-${schedule!.id}-keepDaily-error">Keep daily is a whole number from 0 to 365.</p>`)
    const zero = await b.post(url, { keepDaily: '0', keepWeekly: '0', keepMonthly: '0' })
    expect(zero.status).toBe(422)
    expect(visibleText(zero.text)).toContain('Keep at least one snapshot')
    const [unchanged] = await kit.s.db.select().from(jobSchedules).where(eq(jobSchedules.id, schedule!.id))
    expect([unchanged!.keepDaily, unchanged!.keepWeekly, unchanged!.keepMonthly]).toEqual([schedule!.keepDaily, schedule!.keepWeekly, schedule!.keepMonthly])

    const ok = await b.post(url, { keepDaily: '14', keepWeekly: '8', keepMonthly: '12' })
    expect(ok.status).toBe(303)
    const after = await b.get(tab(m.id))
    expect(visibleText(after.text)).toContain('Retention saved: 14 daily, 8 weekly, 12 monthly.')
    expect(after.text).toContain(`id="retention-${schedule!.id}-keepDaily" name="keepDaily" type="number" value="14"`)
  })

  test('Back up now needs the name typed, then queues a backup of every database', async () => {
    const m = await kit.member(poolId, 'bk-now')
    const wrong = await b.post(`${tab(m.id)}/now`, { confirm: 'bk-no', from: 'backups' })
    expect(wrong.status).toBe(422)
    expect(wrong.text).toContain('<p class="field-error" id="backup-now-backups-confirm-error">Type bk-now to confirm.</p>')
    const fromControl = await b.post(`${tab(m.id)}/now`, { confirm: '', from: 'control' })
    expect(fromControl.status).toBe(422)
    expect(fromControl.text).toContain('<dialog id="confirm-backup-now" class="confirm-dialog" aria-labelledby="confirm-backup-now-title" data-reopen=""')
    expect(await jobsOf(m.id)).toEqual([])

    const ok = await b.post(`${tab(m.id)}/now`, { confirm: 'bk-now', from: 'control' })
    expect(ok.status).toBe(303)
    const jobs = await jobsOf(m.id)
    expect(jobs.map((j) => [j.name, j.params])).toEqual([['backup.database', { database: 'shop_wp' }]])
    const page = await b.get(ok.headers.get('location')!)
    expect(page.text).toContain('hx-trigger="every 2s"')
    expect(visibleText(page.text)).toContain('waiting for the agent')
  })

  test('a job refused from this tab comes back to it', async () => {
    const m = await kit.member(poolId, 'bk-jobs')
    const res = await b.post(`/pools/${poolId}/members/${m.id}/jobs`, { name: 'backup.database', tab: 'backups', 'p.database': 'not a name' })
    expect(res.status).toBe(422)
    expect(res.text).toContain('id="backup-kpis"')
    expect(await jobsOf(m.id)).toEqual([])
  })

  test('the Control panel offers Back up now for the detected databases', async () => {
    const m = await kit.member(poolId, 'bk-qa')
    const text = visibleText((await b.get(`/pools/${poolId}/members/${m.id}`)).text)
    expect(text).toContain('Back up now The database: shop_wp.')
    expect(text).toContain('Back up bk-qa now?')
  })

  test('a running backup shows bytes done and MB/s, polls, and the poll brings the tab back once it ends', async () => {
    const m = await kit.member(poolId, 'bk-run')
    const job = await kit.runningJob(m, 'backup.database', { database: 'shop_wp' }, { result: { bytesDone: 52_428_800, bytesPerSecond: 12_500_000 } })
    const running = await b.get(`${tab(m.id)}/running?live=1`, { 'hx-request': 'true' })
    const text = visibleText(running.text)
    expect(text).toContain('50.0 MiB')
    expect(text).toContain('12.5 MB/s')
    expect(running.text).toContain('hx-trigger="every 2s"')
    await jobStore.updateWhere(kit.s.db, job.id, ['running'], { status: 'succeeded', finishedAt: new Date() })
    const done = await b.get(`${tab(m.id)}/running?live=1`, { 'hx-request': 'true' })
    expect(done.headers.get('hx-retarget')).toBe('#member-panel')
    expect(done.text).toContain('id="backup-kpis"')
    expect(done.text).not.toContain('hx-trigger="every 2s"')
  })

  test('the Overview counts the pool’s snapshots and what they store', async () => {
    const p = await kit.pool('Figures')
    const m = await kit.member(p, 'bk-fig')
    expect(visibleText((await b.get(`/pools/${p}`)).text)).toContain('0 Snapshots no backup yet')
    await snapshotOf(m, 'database', 'shop_wp')
    expect(visibleText((await b.get(`/pools/${p}`)).text)).toMatch(/1 Snapshots 3\.0 KiB stored · last \d{4}-\d\d-\d\d \d\d:\d\d UTC/)
  })
})

