import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { auditEvents, cpanelSecrets, jobs, members } from '../db/schema'
import * as jobStore from '../jobs/store'
import { REVEAL_SECONDS } from '../../agent/cpanel/protocol'
import { sweepSecrets, takeReveal } from './secrets'
import { cpanelKit, type CpanelKit, type KitMember } from './test-kit'

let k: CpanelKit
let poolId: string
let web: KitMember
let web2: KitMember
let plain: KitMember
beforeAll(async () => {
  k = await cpanelKit()
  poolId = await k.pool('cPanel secrets')
  web = await k.cpanelMember(poolId, 'web-1', ['bob', 'carol'])
  web2 = await k.cpanelMember(poolId, 'web-2', ['dave'])
  plain = await k.cpanelMember(poolId, 'db-1', null)
})
afterAll(() => k.close())

const ALICE = 'alice@example.com'
const later = (seconds: number) => new Date(Date.now() + seconds * 1000)
const secretRows = async (jobId: string) => k.s.db.select().from(cpanelSecrets).where(eq(cpanelSecrets.jobId, jobId))
const jobCount = async () => (await k.s.db.select().from(jobs)).length
const auditText = async () => JSON.stringify(await k.s.db.select().from(auditEvents))

describe('reveal', () => {
  test('a new account\'s password is shown once, only to whoever queued the job, and sealed at rest', async () => {
    const job = await k.runningJob(web, 'cpanel.account.create', { user: 'erin', domain: 'erin.example.com', plan: 'default', contactEmail: 'e@example.com' }, { requestedBy: ALICE })
    expect(await takeReveal(k.s.deps, { memberId: web.id, jobId: job.id, actorLabel: ALICE })).toEqual({ state: 'waiting' })
    const res = await k.cpanelCall(web, job.id, 'reveal', { kind: 'password', value: 'S3cret-pass!' })
    expect(res).toEqual({ status: 200, json: { ok: true } })
    const [row] = await secretRows(job.id)
    expect(row!.valueSealed).not.toContain('S3cret-pass!')

    // Someone else, or the right person on another member's page, sees nothing and takes nothing.
    expect(await takeReveal(k.s.deps, { memberId: web.id, jobId: job.id, actorLabel: 'mallory@example.com' })).toEqual({ state: 'gone' })
    expect(await takeReveal(k.s.deps, { memberId: web2.id, jobId: job.id, actorLabel: ALICE })).toEqual({ state: 'gone' })
    expect(await secretRows(job.id)).toHaveLength(1)

    expect(await takeReveal(k.s.deps, { memberId: web.id, jobId: job.id, actorLabel: ALICE })).toEqual({ kind: 'password', value: 'S3cret-pass!' })
    expect(await secretRows(job.id)).toHaveLength(0)
    expect(await takeReveal(k.s.deps, { memberId: web.id, jobId: job.id, actorLabel: ALICE })).toEqual({ state: 'waiting' })
    await jobStore.updateWhere(k.s.db, job.id, ['running'], { status: 'succeeded', finishedAt: new Date() })
    expect(await takeReveal(k.s.deps, { memberId: web.id, jobId: job.id, actorLabel: ALICE })).toEqual({ state: 'gone' })
    // The showing is audited, without the secret.
    const audit = await auditText()
    expect(audit).toContain('cpanel.password.shown')
    expect(audit).not.toContain('S3cret-pass!')
  })

  test('two readers at once: exactly one gets the secret', async () => {
    const job = await k.runningJob(web, 'cpanel.account.login', { user: 'bob' }, { requestedBy: ALICE })
    await k.cpanelCall(web, job.id, 'reveal', { kind: 'login', value: 'https://web-1.example.com:2083/cpsess123/login/?session=bob:abc' })
    const both = await Promise.all([1, 2, 3].map(() => takeReveal(k.s.deps, { memberId: web.id, jobId: job.id, actorLabel: ALICE })))
    expect(both.filter((r) => 'kind' in r)).toEqual([{ kind: 'login', value: 'https://web-1.example.com:2083/cpsess123/login/?session=bob:abc' }])
  })

  test(`it is gone after ${REVEAL_SECONDS} s, and the sweep erases it`, async () => {
    const job = await k.runningJob(web, 'cpanel.account.create', { user: 'fred', domain: 'fred.example.com', plan: 'default', contactEmail: 'f@example.com' }, { requestedBy: ALICE })
    await k.cpanelCall(web, job.id, 'reveal', { kind: 'password', value: 'pw-fred' })
    expect(await sweepSecrets(k.s.db, later(REVEAL_SECONDS - 5))).toBe(0)
    expect(await takeReveal(k.s.deps, { memberId: web.id, jobId: job.id, actorLabel: ALICE }, later(REVEAL_SECONDS + 1))).toEqual({ state: 'gone' })
    expect(await sweepSecrets(k.s.db, later(REVEAL_SECONDS + 1))).toBeGreaterThanOrEqual(1)
    expect(await secretRows(job.id)).toHaveLength(0)
  })

  test('a job that failed without a secret says so', async () => {
    const job = await k.runningJob(web, 'cpanel.account.login', { user: 'bob' }, { requestedBy: ALICE })
    await jobStore.updateWhere(k.s.db, job.id, ['running'], { status: 'failed', error: 'whmapi1 create_user_session: account bob is suspended', finishedAt: new Date() })
    expect(await takeReveal(k.s.deps, { memberId: web.id, jobId: job.id, actorLabel: ALICE })).toEqual({ state: 'failed', error: 'whmapi1 create_user_session: account bob is suspended' })
  })

  test("only the member's own agent, only while the job runs, only the jobs that reveal, only what they reveal", async () => {
    const job = await k.runningJob(web, 'cpanel.account.create', { user: 'gina', domain: 'gina.example.com', plan: 'default', contactEmail: 'g@example.com' }, { requestedBy: ALICE })
    const login = await k.runningJob(web, 'cpanel.account.login', { user: 'bob' }, { requestedBy: ALICE })
    const suspend = await k.runningJob(web, 'cpanel.account.suspend', { user: 'bob', reason: 'unpaid' })
    const done = await k.runningJob(web, 'cpanel.account.create', { user: 'hank', domain: 'hank.example.com', plan: 'default', contactEmail: 'h@example.com' }, { status: 'succeeded', finishedAt: new Date() })
    const pw = { kind: 'password', value: 'pw' }
    const cases: [KitMember, string, unknown, number][] = [
      [web2, job.id, pw, 404],
      [web, 'job_nope', pw, 404],
      [web, done.id, pw, 409],
      [web, suspend.id, pw, 409],
      [web, job.id, { kind: 'login', value: 'https://x.example.com/' }, 422],
      [web, login.id, { kind: 'login', value: 'javascript:alert(1)' }, 422],
      [web, login.id, { kind: 'login', value: 'not a url' }, 422],
      [web, job.id, { kind: 'password', value: '' }, 422],
      [web, job.id, { kind: 'password', value: 'line\nbreak' }, 422],
      [web, job.id, { kind: 'password', value: 'x'.repeat(4097) }, 422],
      [web, job.id, { kind: 'credentials', value: 'pw' }, 422],
      [web, job.id, { kind: 'password', value: 'pw', extra: 1 }, 422],
    ]
    for (const [m, jobId, body, status] of cases) {
      const res = await k.cpanelCall(m, jobId, 'reveal', body)
      expect({ body, status: res.status }).toEqual({ body, status })
      expect(res.json.error.message).toBeString()
    }
    expect((await k.agentCall('sctl_wrong', `/api/v1/agent/cpanel/${job.id}/reveal`, pw)).status).toBe(401)
    for (const id of [job.id, login.id, suspend.id, done.id]) expect(await secretRows(id)).toHaveLength(0)
  })
})

describe('transfers', () => {
  test('the password is sealed beside the job, never in its parameters, answer or audit, and handed to the agent once', async () => {
    const res = await k.s.api('POST', `/api/v1/members/${web2.id}/cpanel/transfers`, { sourceMemberId: web.id, user: 'bob', password: 'root-Pa55word' })
    expect(res.status).toBe(201)
    expect(res.json).toMatchObject({ memberId: web2.id, name: 'cpanel.account.transfer', status: 'queued', params: { user: 'bob', sourceMemberId: web.id, sourceHost: 'web-1.example.com' } })
    expect(res.text).not.toContain('root-Pa55word')
    const [row] = await secretRows(res.json.id)
    expect(row).toMatchObject({ kind: 'credentials', memberId: web2.id })
    expect(row!.valueSealed).not.toContain('root-Pa55word')
    expect(await auditText()).toContain('cpanel.transfer.start')
    expect(await auditText()).not.toContain('root-Pa55word')

    // Not before the job runs, not by another agent.
    expect((await k.cpanelCall(web2, res.json.id, 'credentials', {})).status).toBe(409)
    const claimed = await k.claim(web2)
    expect(claimed!.id).toBe(res.json.id)
    expect((await k.cpanelCall(web, res.json.id, 'credentials', {})).status).toBe(404)
    expect((await k.cpanelCall(web2, res.json.id, 'credentials', { user: 'x' })).status).toBe(422)
    const first = await k.cpanelCall(web2, res.json.id, 'credentials', {})
    expect(first).toEqual({ status: 200, json: { user: 'root', password: 'root-Pa55word' } })
    const second = await k.cpanelCall(web2, res.json.id, 'credentials', {})
    expect(second.status).toBe(409)
    expect(second.json.error.code).toBe('credentials_gone')
    expect(await secretRows(res.json.id)).toHaveLength(0)
    await k.finish(web2, res.json.id, { status: 'succeeded' })
  })

  test('credentials left unused go when the job ends', async () => {
    const res = await k.s.api('POST', `/api/v1/members/${web2.id}/cpanel/transfers`, { sourceMemberId: web.id, user: 'carol', password: 'pw-carol' })
    expect(res.status).toBe(201)
    const claimed = await k.claim(web2)
    expect(claimed!.id).toBe(res.json.id)
    expect(await secretRows(res.json.id)).toHaveLength(1)
    expect((await k.finish(web2, res.json.id, { status: 'failed', error: 'the source refused the login' })).status).toBe(200)
    expect(await secretRows(res.json.id)).toHaveLength(0)
    // Another job's reveal is not the transfer job's to take.
    const create = await k.runningJob(web2, 'cpanel.account.create', { user: 'ivan', domain: 'ivan.example.com', plan: 'default', contactEmail: 'i@example.com' })
    expect((await k.cpanelCall(web2, create.id, 'credentials', {})).status).toBe(409)
  })

  test('a source without a DNS host name is reached at its public address', async () => {
    const bare = await k.cpanelMember(poolId, 'bare', ['kate'])
    await k.s.api('PATCH', `/api/v1/members/${bare.id}`, { publicIpv4: '203.0.113.9' })
    await k.s.db.update(members).set({ hostname: 'localhost' }).where(eq(members.id, bare.id))
    const res = await k.s.api('POST', `/api/v1/members/${web2.id}/cpanel/transfers`, { sourceMemberId: bare.id, user: 'kate', password: 'pw' })
    expect(res.status).toBe(201)
    expect(res.json.params.sourceHost).toBe('203.0.113.9')
    await k.s.api('POST', `/api/v1/jobs/${res.json.id}/cancel`)
  })

  test('refusals are clear 4xx answers that queue nothing and keep no secret', async () => {
    const far = await k.cpanelMember(await k.pool('Far'), 'far-1', ['bob'])
    await k.setAccounts(web2, ['dave', 'bob'])
    const before = await jobCount()
    const secrets = (await k.s.db.select().from(cpanelSecrets)).length
    const ok = { sourceMemberId: web.id, user: 'carol', password: 'pw' }
    const cases: [string, unknown, number, RegExp][] = [
      [web2.id, { ...ok, sourceMemberId: far.id }, 422, /another pool/],
      [web2.id, { ...ok, sourceMemberId: 'mem_nope' }, 422, /no such member/],
      [web2.id, { ...ok, sourceMemberId: web2.id }, 422, /source is this server/],
      [web2.id, { ...ok, sourceMemberId: plain.id }, 422, /cPanel is not installed on db-1/],
      [plain.id, ok, 422, /cPanel is not installed on db-1/],
      [web2.id, { ...ok, user: 'zed' }, 422, /web-1 has no cPanel account called zed/],
      [web2.id, { ...ok, user: 'Bob!' }, 422, /cPanel user name/],
      [web2.id, { ...ok, user: 'bob' }, 409, /web-2 has an account called bob already/],
      [web2.id, { ...ok, password: '' }, 422, /password/],
      [web2.id, { ...ok, password: 'x'.repeat(1025) }, 422, /password/],
      [web2.id, { ...ok, password: 'a\nb' }, 422, /one line/],
      [web2.id, { sourceMemberId: web.id, user: 'carol' }, 422, /password/],
      [web2.id, { ...ok, extra: true }, 422, /./],
      ['mem_nope', ok, 404, /Member not found/],
    ]
    for (const [target, body, status, message] of cases) {
      const res = await k.s.api('POST', `/api/v1/members/${target}/cpanel/transfers`, body)
      expect({ target, body, status: res.status }).toEqual({ target, body, status })
      expect(res.json.error.message).toMatch(message)
    }
    expect(await jobCount()).toBe(before)
    expect((await k.s.db.select().from(cpanelSecrets)).length).toBe(secrets)
    await k.setAccounts(web2, ['dave'])
  })

  test('the jobs API cannot queue a transfer itself', async () => {
    const res = await k.s.api('POST', `/api/v1/members/${web2.id}/jobs`, { name: 'cpanel.account.transfer', params: { user: 'bob', sourceMemberId: web.id, sourceHost: 'web-1.example.com' } })
    expect(res.status).toBe(422)
  })
})
