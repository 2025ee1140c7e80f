import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { jobs } from '../db/schema'
import { isJobName } from '../../agent/jobs/catalogue'
import { backupKit, fakeChunk, type Kit } from './test-kit'

let k: Kit
let poolId: string
let web: Awaited<ReturnType<Kit['member']>>
let db2: Awaited<ReturnType<Kit['member']>>
beforeAll(async () => {
  k = await backupKit()
  poolId = await k.pool('Snapshots API')
  web = await k.member(poolId, 'web-1')
  db2 = await k.member(poolId, 'db-2')
})
afterAll(() => k.close())

async function snapshot(m: typeof web, kind: 'database' | 'files', source: string) {
  const job = await k.runningJob(m, kind === 'database' ? 'backup.database' : 'backup.files', kind === 'database' ? { database: source } : { path: source })
  const res = await k.backUp(m, job.id, { kind, source, chunks: [fakeChunk(100)] })
  expect(res.status).toBe(201)
  return res.json.snapshotId as string
}
const jobCount = async () => (await k.s.db.select().from(jobs)).length
const audit = async () => (await k.s.api('GET', `/api/v1/audit?pool=${poolId}`)).json

describe('the snapshots API', () => {
  test("a member's snapshots newest first, one by id, and delete answering 204", async () => {
    const a = await snapshot(web, 'database', 'shop_wp')
    const b = await snapshot(web, 'files', '/var/www/shop')
    const list = await k.s.api('GET', `/api/v1/members/${web.id}/snapshots`)
    expect(list.status).toBe(200)
    expect(list.json.map((s: any) => s.id).slice(0, 2)).toEqual([b, a])
    expect(Object.keys(list.json[0]).sort()).toEqual(
      ['id', 'poolId', 'memberId', 'memberName', 'kind', 'source', 'sizeBytes', 'storedBytes', 'uploadedBytes', 'chunkCount', 'sha256', 'createdAt', 'verifiedAt', 'verifyFailedAt', 'verifyProblem', 'provenAt', 'drillFailedAt', 'drillProblem', 'jobId', 'scheduleId'].sort(),
    )
    expect((await k.s.api('GET', `/api/v1/snapshots/${a}`)).json.id).toBe(a)
    expect((await k.s.api('DELETE', `/api/v1/snapshots/${a}`)).status).toBe(204)
    expect((await k.s.api('GET', `/api/v1/snapshots/${a}`)).status).toBe(404)
    expect((await k.s.api('DELETE', `/api/v1/snapshots/${a}`)).status).toBe(404)
    expect((await k.s.api('GET', '/api/v1/members/mem_nope/snapshots')).status).toBe(404)
    expect((await k.s.api('GET', `/api/v1/members/${web.id}/snapshots`, undefined, null)).status).toBe(401)
  })

  test('restore: bad input gets a clear 4xx and queues nothing', async () => {
    const dbSnap = await snapshot(web, 'database', 'shop_wp')
    const fileSnap = await snapshot(web, 'files', '/var/www/shop')
    const far = await k.member(await k.pool('Far away'), 'far-1')
    const before = await jobCount()
    const cases: [string, unknown, number, RegExp][] = [
      [dbSnap, { memberId: db2.id, path: '/tmp/x' }, 422, /give database, not path/],
      [dbSnap, { memberId: db2.id }, 422, /./],
      [fileSnap, { memberId: db2.id, database: 'shop_copy' }, 422, /give path, not database/],
      [dbSnap, { memberId: far.id, database: 'shop_copy' }, 422, /another pool/],
      [dbSnap, { memberId: 'mem_nope', database: 'shop_copy' }, 422, /no such member/],
      [dbSnap, { memberId: db2.id, database: 'x', shell: 'id' }, 422, /./],
      ['snap_nope', { memberId: db2.id, database: 'x' }, 404, /Snapshot not found/],
    ]
    // The job's own parameter rules, once the catalogue has the restore jobs.
    if (isJobName('restore.database')) {
      cases.push(
        [dbSnap, { memberId: db2.id, database: 'shop copy; drop' }, 422, /database name/],
        [dbSnap, { memberId: db2.id, database: 'shop_wp' }, 422, /exists here/],
        [fileSnap, { memberId: db2.id, path: '/var/../etc' }, 422, /absolute path/],
      )
    }
    for (const [id, body, status, message] of cases) {
      const res = await k.s.api('POST', `/api/v1/snapshots/${id}/restore`, body)
      expect({ body, status: res.status }).toEqual({ body, status })
      expect(res.json.error.message).toMatch(message)
    }
    expect(await jobCount()).toBe(before)
  })

  test('the jobs API and schedules cannot queue restores, verifies or drills themselves', async () => {
    const snap = await snapshot(web, 'database', 'shop_wp')
    for (const [name, params] of [['restore.database', { snapshotId: snap, database: 'x' }], ['snapshot.verify', { snapshotId: snap }], ['snapshot.drill', { snapshotId: snap }]] as const) {
      const res = await k.s.api('POST', `/api/v1/members/${web.id}/jobs`, { name, params })
      expect(res.status).toBe(422)
    }
  })

  test.skipIf(!isJobName('restore.database'))('restore and verify queue their jobs on the right member and are audited', async () => {
    const snap = await snapshot(web, 'database', 'shop_wp')
    const restore = await k.s.api('POST', `/api/v1/snapshots/${snap}/restore`, { memberId: db2.id, database: 'shop_copy' })
    expect(restore.status).toBe(201)
    expect(restore.json).toMatchObject({ memberId: db2.id, name: 'restore.database', status: 'queued', params: { snapshotId: snap, database: 'shop_copy' } })
    const replace = await k.s.api('POST', `/api/v1/snapshots/${snap}/restore`, { memberId: db2.id, database: 'shop_wp', replace: true })
    expect(replace.status).toBe(201)
    const verify = await k.s.api('POST', `/api/v1/snapshots/${snap}/verify`, {})
    expect(verify.status).toBe(201)
    expect(verify.json).toMatchObject({ memberId: web.id, name: 'snapshot.verify', params: { snapshotId: snap } })
    // While a job reads it, the snapshot is not deleted.
    expect((await k.s.api('DELETE', `/api/v1/snapshots/${snap}`)).status).toBe(409)
    const actions = JSON.stringify(await audit())
    expect(actions).toContain('snapshot.restore')
    expect(actions).toContain('snapshot.verify')
  })
})
