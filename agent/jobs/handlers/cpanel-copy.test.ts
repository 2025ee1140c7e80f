import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, test } from 'bun:test'
import { randomBytes } from 'node:crypto'
import { existsSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { fakeBackupServer, type FakeBackupServer } from '../../backup/fake-server'
import { generateAccountHome } from '../../../src/testing/standins/cpanel/account-data'
import { FIXTURE_UID, makeCpanelHost, treeDigest, type CpanelHost } from '../../../src/testing/standins/cpanel/host'
import type { BackupResult } from './backups'
import { verifySnapshotJob } from './backups-restore'
import { backupAccount, restoreAccount } from './cpanel-copy'
import { cpanelJob, standinsOnPath } from './cpanel-test-kit'

let restorePath: () => void
let fake: FakeBackupServer
beforeAll(() => {
  restorePath = standinsOnPath()
  fake = fakeBackupServer()
})
afterAll(() => {
  restorePath()
  fake.stop()
})

let source: CpanelHost
let target: CpanelHost
beforeEach(() => {
  source = makeCpanelHost({ hostname: 'a.example.test' })
  target = makeCpanelHost({ account: null, hostname: 'b.example.test' })
})
afterEach(() => {
  source.cleanup()
  target.cleanup()
})

const scratchLeft = (h: CpanelHost) => readdirSync(join(h.root, 'var/tmp'))

async function backUp(params: Record<string, unknown> = {}): Promise<string> {
  return (await backUpWith(params)).snapshotId
}

async function backUpWith(params: Record<string, unknown>): Promise<BackupResult & { output: string[] }> {
  const b = cpanelJob('backup.cpanel_account', { user: 'shop', ...params }, { root: source.root, fake })
  await b.run(backupAccount)
  return { ...(b.results.at(-1) as BackupResult), output: b.output }
}

/** The fixture account with a home of about 16 MiB of site files, images, media, mail and a dump. */
function largerHome(): string {
  const home = join(source.root, 'home/shop')
  generateAccountHome(home, 16 << 20, { uid: FIXTURE_UID })
  return home
}

/** One file of the site rewritten in place with new bytes of the same size. */
function changeOneFile(home: string): void {
  const dir = join(home, 'public_html/wp-content/uploads/2026/m00')
  const image = join(dir, readdirSync(dir).sort()[3]!)
  writeFileSync(image, randomBytes(statSync(image).size))
}

describe('backup.cpanel_account', () => {
  test("pkgacct's archive becomes a snapshot of kind cpanel_account, and its folder is gone afterwards", async () => {
    const b = cpanelJob('backup.cpanel_account', { user: 'shop' }, { root: source.root, fake })
    await b.run(backupAccount)
    const result = b.results.at(-1) as BackupResult
    expect(fake.snapshots.get(result.snapshotId)).toMatchObject({ kind: 'cpanel_account', source: 'shop', tables: null, sizeBytes: result.sizeBytes })
    expect(result.sizeBytes).toBeGreaterThan(1000)
    expect(b.output.some((l) => l.includes('pkgacct completed'))).toBe(true)
    expect(b.steps).toEqual([0, 1])
    expect(scratchLeft(source)).toEqual([])
  })

  test('an account that is not on this server is named before pkgacct runs', async () => {
    const b = cpanelJob('backup.cpanel_account', { user: 'ghost' }, { root: source.root, fake })
    await expect(b.run(backupAccount)).rejects.toThrow('There is no cPanel account ghost on this server')
    expect(b.output).toEqual([])
  })

  test('when pkgacct fails, no snapshot is made and its folder is still removed', async () => {
    const before = fake.snapshots.size
    const b = cpanelJob('backup.cpanel_account', { user: 'shop' }, { root: source.root, fake })
    // pkgacct looks at a host without the account, after the job found its users file under its own root.
    await expect(b.run(backupAccount, { SERVERSCTL_AGENT_ROOT: target.root })).rejects.toThrow(/pkgacct exited with code 1: The user “shop” does not exist\./)
    expect(fake.snapshots.size).toBe(before)
    expect(scratchLeft(source)).toEqual([])
  })
})

describe('backup.cpanel_account, uncompressed (replication)', () => {
  test('pkgacct --nocompress: a second run after one file changed uploads a small fraction of the first', async () => {
    const home = largerHome()
    const first = await backUpWith({ uncompressed: true })
    expect(first.output.some((l) => l.includes('cpmove-shop.tar') && !l.includes('.tar.gz'))).toBe(true)
    expect(first.sizeBytes).toBeGreaterThan(16 << 20)
    changeOneFile(home)
    const second = await backUpWith({ uncompressed: true })
    expect(second.snapshotId).not.toBe(first.snapshotId)
    expect(second.uploadedBytes).toBeLessThan(first.uploadedBytes * 0.3)
    expect(scratchLeft(source)).toEqual([])
  }, 30_000)

  test('uncompressed other than true or false is refused before pkgacct runs', async () => {
    const b = cpanelJob('backup.cpanel_account', { user: 'shop', uncompressed: 'yes' }, { root: source.root, fake })
    await expect(b.run(backupAccount)).rejects.toThrow('Refusing uncompressed "yes": true or false.')
    expect(b.output).toEqual([])
  })
})

describe('restore.cpanel_account', () => {
  test('an uncompressed snapshot: restorepkg gets cpmove-USER.tar and the home hashes equal', async () => {
    largerHome()
    const snapshotId = await backUp({ uncompressed: true })
    const r = cpanelJob('restore.cpanel_account', { snapshotId }, { root: target.root, fake, snapshotId })
    await r.run(restoreAccount)
    expect(r.output.some((l) => l.includes('from “cpmove-shop.tar”'))).toBe(true)
    expect(treeDigest(join(target.root, 'home/shop'))).toBe(treeDigest(join(source.root, 'home/shop')))
    expect(r.results.at(-1)).toMatchObject({ snapshotId, user: 'shop', replaced: false })
    expect(scratchLeft(target)).toEqual([])
  }, 30_000)

  test('an uncompressed snapshot with replace writes the changed file back', async () => {
    const home = largerHome()
    const snapshotId = await backUp({ uncompressed: true })
    const before = treeDigest(home)
    changeOneFile(home)
    expect(treeDigest(home)).not.toBe(before)
    const r = cpanelJob('restore.cpanel_account', { snapshotId, replace: true }, { root: source.root, fake, snapshotId })
    await r.run(restoreAccount)
    expect(treeDigest(home)).toBe(before)
  }, 30_000)

  test('into another server: the account and a home that hashes equal (contents, modes, owners, links)', async () => {
    const snapshotId = await backUp()
    const r = cpanelJob('restore.cpanel_account', { snapshotId }, { root: target.root, fake, snapshotId })
    await r.run(restoreAccount)
    expect(r.output.some((l) => l.includes('from “cpmove-shop.tar.gz”'))).toBe(true)
    expect(treeDigest(join(target.root, 'home/shop'))).toBe(treeDigest(join(source.root, 'home/shop')))
    expect(readFileSync(join(target.root, 'var/cpanel/users/shop'), 'utf8')).toContain('DNS=shop.example.com')
    expect(readFileSync(join(target.root, 'etc/trueuserdomains'), 'utf8')).toContain('shop.example.com: shop')
    expect(r.results.at(-1)).toMatchObject({ snapshotId, user: 'shop', replaced: false })
    expect(r.steps).toEqual([0, 1])
    expect(scratchLeft(target)).toEqual([])
  })

  test('an account that exists is refused without replace, before anything is downloaded', async () => {
    const snapshotId = await backUp()
    const gets = fake.stats.gets
    const r = cpanelJob('restore.cpanel_account', { snapshotId }, { root: source.root, fake, snapshotId })
    await expect(r.run(restoreAccount)).rejects.toThrow('The account shop exists on this server already: terminate it first, or restore with replace')
    expect(fake.stats.gets).toBe(gets)
    expect(r.output).toEqual([])
  })

  test('with replace, restorepkg --force writes the backup over the existing account', async () => {
    const snapshotId = await backUp()
    const index = join(source.root, 'home/shop/public_html/index.html')
    const original = readFileSync(index, 'utf8')
    writeFileSync(index, 'defaced\n')
    const r = cpanelJob('restore.cpanel_account', { snapshotId, replace: true }, { root: source.root, fake, snapshotId })
    await r.run(restoreAccount)
    expect(readFileSync(index, 'utf8')).toBe(original)
    expect(r.results.at(-1)).toMatchObject({ user: 'shop', replaced: true })
    expect(scratchLeft(source)).toEqual([])
  })

  test('a damaged chunk: refused before restorepkg, nothing restored', async () => {
    const snapshotId = await backUp()
    const id = fake.snapshots.get(snapshotId)!.chunks[0]!.id
    const saved = new Uint8Array(fake.objects.get(id)!)
    fake.objects.get(id)![40]! ^= 1
    try {
      const r = cpanelJob('restore.cpanel_account', { snapshotId }, { root: target.root, fake, snapshotId })
      await expect(r.run(restoreAccount)).rejects.toThrow(/Refusing to restore .*is damaged/)
      expect(existsSync(join(target.root, 'var/cpanel/users/shop'))).toBe(false)
      expect(r.output).toEqual([])
      expect(scratchLeft(target)).toEqual([])
    } finally {
      fake.objects.set(id, saved)
    }
  })

  test('a snapshot of another kind is refused by name', async () => {
    const snapshotId = await backUp()
    fake.snapshots.get(snapshotId)!.kind = 'files'
    try {
      const r = cpanelJob('restore.cpanel_account', { snapshotId }, { root: target.root, fake, snapshotId })
      await expect(r.run(restoreAccount)).rejects.toThrow(`Snapshot ${snapshotId} holds files, which this job cannot restore.`)
    } finally {
      fake.snapshots.get(snapshotId)!.kind = 'cpanel_account'
    }
  })

  test('snapshot.verify reads an account snapshot too', async () => {
    const snapshotId = await backUp()
    const v = cpanelJob('snapshot.verify', { snapshotId }, { root: target.root, fake, snapshotId })
    await v.run(verifySnapshotJob)
    expect(v.results.at(-1)).toMatchObject({ snapshotId, ok: true })
  })
})
