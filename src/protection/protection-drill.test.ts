// Protection end to end: the server as its own process, two compiled agents
// on fake cPanel hosts (the stand-in pkgacct and restorepkg first on PATH),
// chunks in the pool's folder storage. What an operator relies on: the
// first copy starts by itself once an account is protected, the standby
// holds the same files as the source after a run, a second run sends
// little, runs never overlap, and a failed run leaves the last good copy.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { rmSync, writeFileSync, mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { BackupFleet } from '../testing/backup-fleet'
import { startCpanelFleet, type CpanelFleet } from '../testing/cpanel-fleet'
import { ok, waitFor } from '../testing/drill'
import { treeDigest, type CpanelHost } from '../testing/standins/cpanel/host'
import { changeAccountHome, generateAccountHome } from '../testing/standins/cpanel/account-data'

// The 200 MB account on the embedded pass; the PostgreSQL pass checks the same SQL with less data.
const MB = process.env.TEST_DATABASE_URL ? 24 : 200

describe('protected accounts with compiled agents', () => {
  let cp: CpanelFleet
  let fleet: BackupFleet
  let source: CpanelHost
  let standby: CpanelHost
  let a: string
  let b: string
  let pa: any

  const home = (h: CpanelHost) => join(h.root, 'home/shop')
  const runEnd = (runId: string, timeoutMs = 240_000) =>
    waitFor(
      async () => {
        const run = ok(await fleet.api('GET', `/api/v1/replication-runs/${runId}`), 'run')
        return ['succeeded', 'failed', 'skipped'].includes(run.status) ? run : null
      },
      timeoutMs,
      `run ${runId} to end`,
      250,
    )
  const replicate = async () => ok(await fleet.api('POST', `/api/v1/protected-accounts/${pa.id}/replicate`, {}), 'replicate')

  beforeAll(async () => {
    cp = await startCpanelFleet()
    ;({ fleet, source, target: standby, a, b } = cp)
    generateAccountHome(home(source), MB * 2 ** 20, { uid: process.getuid?.() === 0 ? 1500 : undefined })
  }, 120_000)

  afterAll(async () => {
    await cp?.cleanup()
  })

  test('protecting an account is refused with bad input and changes nothing', async () => {
    const bad = await fleet.api('POST', `/api/v1/pools/${fleet.poolId}/protected-accounts`, { sourceMemberId: a, user: 'shop', standbyMemberId: a, schedule: '1d', ttl: 300, providerId: null })
    expect(bad.status).toBeGreaterThanOrEqual(400)
    expect(bad.status).toBeLessThan(500)
    const badSchedule = await fleet.api('POST', `/api/v1/pools/${fleet.poolId}/protected-accounts`, { sourceMemberId: a, user: 'shop', standbyMemberId: b, schedule: '2d', ttl: 300, providerId: null })
    expect(badSchedule.status).toBeGreaterThanOrEqual(400)
    expect(ok(await fleet.api('GET', `/api/v1/pools/${fleet.poolId}/protected-accounts`), 'list')).toEqual([])
  })

  test(`a ${MB} MB account replicates to the standby with every file equal; a second run after a small change sends little`, async () => {
    pa = ok(await fleet.api('POST', `/api/v1/pools/${fleet.poolId}/protected-accounts`, { sourceMemberId: a, user: 'shop', standbyMemberId: b, schedule: '1d', ttl: 300, providerId: null }), 'protect')
    expect(pa).toMatchObject({ user: 'shop', sourceMemberId: a, standbyMemberId: b, lastGoodCopyAt: null, recoveryPointSeconds: null })

    // Nobody presses anything: the server's schedule queues the first copy within 15 s.
    const queued = await waitFor(async () => ok(await fleet.api('GET', `/api/v1/protected-accounts/${pa.id}`), 'account').lastRun, 30_000, 'the schedule to queue the first copy', 500)
    expect(queued).toMatchObject({ trigger: 'schedule', requestedBy: 'protection schedule' })
    const first = await runEnd(queued.id)
    expect(first.error).toBeNull()
    expect(first.status).toBe('succeeded')
    expect(treeDigest(home(standby))).toBe(treeDigest(home(source)))
    const after = ok(await fleet.api('GET', `/api/v1/protected-accounts/${pa.id}`), 'account')
    expect(after.lastGoodCopyAt).not.toBeNull()
    expect(after.recoveryPointSeconds).toBeLessThan(600)
    // The run's snapshot is gone once the standby holds the copy.
    expect((await fleet.api('GET', `/api/v1/snapshots/${first.snapshotId}`)).status).toBe(404)

    changeAccountHome(home(source), 0.01)
    const second = await runEnd((await replicate()).id)
    expect(second.status).toBe('succeeded')
    expect(treeDigest(home(standby))).toBe(treeDigest(home(source)))
    console.log(`[protection] first run uploaded ${(first.bytesUploaded / 1e6).toFixed(1)} MB, second ${(second.bytesUploaded / 1e6).toFixed(1)} MB`)
    expect(second.bytesUploaded).toBeLessThan(first.bytesUploaded * 0.3)
  }, 600_000)

  test('a run never overlaps the one before it', async () => {
    const running = await replicate()
    const again = await fleet.api('POST', `/api/v1/protected-accounts/${pa.id}/replicate`, {})
    expect(again.status).toBe(409)
    expect((await runEnd(running.id)).status).toBe('succeeded')
  }, 300_000)

  test("a failed restore leaves the standby's last good copy, logs the reason and keeps the recovery point", async () => {
    const before = ok(await fleet.api('GET', `/api/v1/protected-accounts/${pa.id}`), 'account')
    const copy = treeDigest(home(standby))
    changeAccountHome(home(source), 0.01, 3)
    mkdirSync(join(standby.root, 'var/cpanel/standin'), { recursive: true })
    writeFileSync(join(standby.root, 'var/cpanel/standin/restorepkg.fail'), 'Disk quota exceeded on the standby')
    try {
      const failed = await runEnd((await replicate()).id)
      expect(failed.status).toBe('failed')
      expect(failed.error).toContain('Disk quota exceeded on the standby')
    } finally {
      rmSync(join(standby.root, 'var/cpanel/standin/restorepkg.fail'), { force: true })
    }
    expect(treeDigest(home(standby))).toBe(copy)
    const after = ok(await fleet.api('GET', `/api/v1/protected-accounts/${pa.id}`), 'account')
    expect(after.lastGoodCopyAt).toBe(before.lastGoodCopyAt)
    const log = ok(await fleet.api('GET', `/api/v1/pools/${fleet.poolId}/protection/events?kind=failure`), 'events')
    expect(JSON.stringify(log)).toContain('Disk quota exceeded on the standby')
  }, 300_000)
})
