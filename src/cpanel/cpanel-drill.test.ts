// cPanel members end to end: the server as its own process, two compiled
// agents, each on a fake cPanel host with the stand-in whmapi1, pkgacct and
// restorepkg first on its PATH (src/testing/standins/cpanel). What an operator
// relies on: account work happens on the member and shows in its report, a
// WHM refusal reaches them in WHM's words, and an account pushed or
// transferred to another member arrives with the same files.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import type { BackupFleet } from '../testing/backup-fleet'
import { SOURCE_ROOT_PASSWORD as ROOT_PASSWORD, startCpanelFleet, type CpanelFleet } from '../testing/cpanel-fleet'
import { ok, waitFor } from '../testing/drill'
import { treeDigest, type CpanelHost } from '../testing/standins/cpanel/host'

describe('cPanel members with compiled agents', () => {
  let cp: CpanelFleet
  let fleet: BackupFleet
  let source: CpanelHost
  let target: CpanelHost
  let a: string
  let b: string

  const accountsOf = async (memberId: string) => ok(await fleet.api('GET', `/api/v1/members/${memberId}`), 'member').stacks?.cpanel?.accounts ?? []
  const account = async (memberId: string, user: string) => (await accountsOf(memberId)).find((x: any) => x.user === user)
  /** Waits until the member's heartbeat shows the account as `want` says. */
  const reported = (memberId: string, user: string, want: (acct: any) => boolean, what: string) =>
    waitFor(async () => (want(await account(memberId, user)) ? true : null), 20_000, what, 200)

  beforeAll(async () => {
    cp = await startCpanelFleet()
    ;({ fleet, source, target, a, b } = cp)
  }, 120_000)

  afterAll(async () => {
    await cp?.cleanup()
  })

  test('the heartbeat carries the accounts as cPanel keeps them', async () => {
    const shop = await account(a, 'shop')
    expect(shop).toMatchObject({ user: 'shop', domain: 'shop.example.com', plan: 'Starter', owner: 'root', suspended: false })
    expect(shop.diskBytes).toBeGreaterThan(300_000)
    expect(await accountsOf(b)).toEqual([])
  })

  test('create, suspend, unsuspend and terminate an account; the password is never in the job', async () => {
    const created = await fleet.runJob(a, 'cpanel.account.create', { user: 'blog', domain: 'blog.example.org', plan: 'Starter', contactEmail: 'me@blog.example.org' })
    expect(created.status).toBe('succeeded')
    await reported(a, 'blog', (x) => x?.domain === 'blog.example.org', 'the new account in the heartbeat')
    const usersFile = readFileSync(join(source.root, 'var/cpanel/users/blog'), 'utf8')
    expect(usersFile).toContain('DNS=blog.example.org')
    // The generated password went to the server as a one-time reveal, not into what the job keeps.
    const password = readFileSync(join(source.root, 'var/cpanel/standin/passwords/blog'), 'utf8')
    expect(password.length).toBeGreaterThanOrEqual(12)
    expect(JSON.stringify(ok(await fleet.api('GET', `/api/v1/jobs/${created.id}`), 'job'))).not.toContain(password)

    const suspended = await fleet.runJob(a, 'cpanel.account.suspend', { user: 'blog', reason: 'Unpaid invoice 1042' })
    expect(suspended.status).toBe('succeeded')
    await reported(a, 'blog', (x) => x?.suspended === true, 'the suspension in the heartbeat')
    expect((await account(a, 'blog')).suspendReason).toContain('Unpaid invoice 1042')

    expect((await fleet.runJob(a, 'cpanel.account.unsuspend', { user: 'blog' })).status).toBe('succeeded')
    await reported(a, 'blog', (x) => x?.suspended === false, 'the account active again')

    expect((await fleet.runJob(a, 'cpanel.account.terminate', { user: 'blog' })).status).toBe('succeeded')
    await reported(a, 'blog', (x) => x === undefined, 'the account gone from the heartbeat')
    expect(existsSync(join(source.root, 'home/blog'))).toBe(false)
  }, 90_000)

  test("WHM's refusal reaches the user in WHM's words and changes nothing", async () => {
    const refused = await fleet.runJob(a, 'cpanel.account.create', { user: 'nope', domain: 'nope.example.org', plan: 'Forbidden', contactEmail: 'me@nope.example.org' })
    expect(refused.status).toBe('failed')
    expect(refused.error).toContain('You do not have access to the package')
    expect(existsSync(join(source.root, 'var/cpanel/users/nope'))).toBe(false)
  }, 30_000)

  test('bad parameters and a member without the account are refused before anything is queued', async () => {
    const bad = await fleet.api('POST', `/api/v1/members/${a}/jobs`, { name: 'cpanel.account.suspend', params: { user: 'Bad User', reason: 'x' } })
    expect([400, 422]).toContain(bad.status)
    const copy = await fleet.api('POST', `/api/v1/members/${a}/cpanel/copies`, { user: 'ghost', targetMemberId: b })
    expect(copy.status).toBeGreaterThanOrEqual(400)
    expect(copy.status).toBeLessThan(500)
    expect(ok(await fleet.api('GET', `/api/v1/members/${a}/cpanel/copies`), 'copies')).toEqual([])
  })

  test('push copy: pkgacct on the source, a snapshot, restorepkg on the target; the files hash equal', async () => {
    const started = ok(await fleet.api('POST', `/api/v1/members/${a}/cpanel/copies`, { user: 'shop', targetMemberId: b }), 'push copy')
    const copy = await waitFor(
      async () => {
        const c = ok(await fleet.api('GET', `/api/v1/cpanel-copies/${started.id}`), 'copy')
        return c.state === 'succeeded' || c.state === 'failed' ? c : null
      },
      90_000,
      'the copy to finish',
      250,
    )
    expect(copy.error).toBeNull()
    expect(copy.state).toBe('succeeded')
    expect(treeDigest(join(target.root, 'home/shop'))).toBe(treeDigest(join(source.root, 'home/shop')))
    await reported(b, 'shop', (x) => x?.domain === 'shop.example.com', 'the copied account in the target heartbeat')
    // The snapshot stays as a backup of the source.
    const snap = ok(await fleet.api('GET', `/api/v1/snapshots/${copy.snapshotId}`), 'snapshot')
    expect(snap).toMatchObject({ memberId: a, kind: 'cpanel_account', source: 'shop' })
  }, 120_000)

  test("a transfer with a wrong password fails with WHM's reason; with the right one the account arrives", async () => {
    // The account exists on b since the push copy: remove it there first.
    expect((await fleet.runJob(b, 'cpanel.account.terminate', { user: 'shop' })).status).toBe('succeeded')
    await reported(b, 'shop', (x) => x === undefined, 'the account gone from the target')

    const wrong = ok(await fleet.api('POST', `/api/v1/members/${b}/cpanel/transfers`, { sourceMemberId: a, user: 'shop', password: 'not-the-password' }), 'transfer')
    const failed = await fleet.waitJob(wrong.id, 60_000)
    expect(failed.status).toBe('failed')
    expect(failed.error).toBeTruthy()
    expect(JSON.stringify(failed)).not.toContain('not-the-password')

    const right = ok(await fleet.api('POST', `/api/v1/members/${b}/cpanel/transfers`, { sourceMemberId: a, user: 'shop', password: ROOT_PASSWORD }), 'transfer')
    const done = await fleet.waitJob(right.id, 90_000)
    expect(done.error).toBeNull()
    expect(done.status).toBe('succeeded')
    expect(JSON.stringify(done)).not.toContain(ROOT_PASSWORD)
    expect(treeDigest(join(target.root, 'home/shop'))).toBe(treeDigest(join(source.root, 'home/shop')))
  }, 150_000)
})
