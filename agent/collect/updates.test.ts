import { describe, expect, test } from 'bun:test'
import { cannedRun, type RunCommand } from '../run-command'
import { checkUpdates, createUpdatesCache, parseAptUpgrade, parseCheckUpdate, parseSecurityList } from './updates'

const APT = `NOTE: This is only a simulation!
      apt-get needs root privileges for real execution.
Reading package lists...
Building dependency tree...
Reading state information...
Calculating upgrade...
The following packages will be upgraded:
  libssl3 openssl tzdata
3 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.
Inst libssl3 [3.0.11-1~deb12u2] (3.0.13-1~deb12u1 Debian-Security:12/stable-security [amd64])
Inst openssl [3.0.11-1~deb12u2] (3.0.13-1~deb12u1 Debian-Security:12/stable-security [amd64])
Inst tzdata [2024a-0+deb12u1] (2025b-0+deb12u1 Debian:12.11/stable [all])
Conf libssl3 (3.0.13-1~deb12u1 Debian-Security:12/stable-security [amd64])
Conf openssl (3.0.13-1~deb12u1 Debian-Security:12/stable-security [amd64])
Conf tzdata (2025b-0+deb12u1 Debian:12.11/stable [all])
`
const APT_UBUNTU = `Inst libsecurity-thing [1.0] (1.1 Ubuntu:22.04/jammy-updates [amd64])
Inst curl [7.81.0-1ubuntu1.15] (7.81.0-1ubuntu1.16 Ubuntu:22.04/jammy-security [amd64])
`
const DNF = `
kernel.x86_64                          5.14.0-427.16.1.el9_4          baseos
openssl-libs.x86_64                    1:3.0.7-27.el9                 baseos
a-very-long-package-name-that-wraps.noarch
                                       1.2.3-1.el9                    appstream
Obsoleting Packages
grub2-tools.x86_64                     1:2.06-80.el9                  baseos
    grub2-tools.x86_64                 1:2.06-77.el9                  @baseos
`
const DNF_SECURITY = `RLSA-2024:2551 Important/Sec.  kernel-5.14.0-427.16.1.el9_4.x86_64
RLSA-2024:2552 Important/Sec.  kernel-core-5.14.0-427.16.1.el9_4.x86_64
RLSA-2024:2560 Moderate/Sec.   openssl-libs-1:3.0.7-27.el9.x86_64
RLSA-2024:2561 Moderate/Sec.   openssl-libs-1:3.0.7-27.el9.x86_64
`

describe('parseAptUpgrade', () => {
  test.each([
    ['Debian with security updates', APT, { pending: 3, security: 2 }],
    ['Ubuntu: "security" in a package name does not count', APT_UBUNTU, { pending: 2, security: 1 }],
    ['up to date', '0 upgraded, 0 newly installed, 0 to remove and 0 not upgraded.\n', { pending: 0, security: 0 }],
    ['garbage', 'E: Could not open lock file', { pending: 0, security: 0 }],
  ])('%s', (_, text, want) => {
    expect(parseAptUpgrade(text)).toEqual(want)
  })
})

describe('parseCheckUpdate', () => {
  test.each([
    ['updates, a wrapped name and obsoletes', DNF, 3],
    ['yum with its header line', 'Loaded plugins: fastestmirror\n\nbash.x86_64   4.2.46-35.el7_9   updates\n', 1],
    ['nothing', '', 0],
  ])('%s', (_, text, want) => {
    expect(parseCheckUpdate(text)).toBe(want)
  })

  test('security advisories count packages, not advisories', () => {
    expect(parseSecurityList(DNF_SECURITY)).toBe(3)
    expect(parseSecurityList('')).toBe(0)
  })
})

const clock = (start = Date.UTC(2026, 0, 1)) => {
  let t = start
  return { now: () => t, advance: (ms: number) => (t += ms) }
}

describe('checkUpdates', () => {
  test('apt', async () => {
    const { now } = clock()
    expect(await checkUpdates({ run: cannedRun({ 'apt-get -s upgrade': APT }), now })).toEqual({
      manager: 'apt',
      pending: 3,
      security: 2,
      checkedAt: '2026-01-01T00:00:00.000Z',
    })
  })

  test('dnf: exit code 100 means updates', async () => {
    const run = cannedRun({
      'dnf check-update -q': { code: 100, stdout: DNF, stderr: '' },
      'dnf -q updateinfo list --security': DNF_SECURITY,
    })
    expect(await checkUpdates({ run, now: clock().now })).toMatchObject({ manager: 'dnf', pending: 3, security: 3 })
  })

  test('dnf: exit code 0 means none; security unknown when updateinfo fails', async () => {
    const run = cannedRun({ 'dnf check-update -q': '' })
    expect(await checkUpdates({ run, now: clock().now })).toMatchObject({ manager: 'dnf', pending: 0, security: null })
  })

  test('yum on CentOS 7', async () => {
    const run = cannedRun({ 'yum check-update -q': { code: 100, stdout: 'bash.x86_64 4.2.46-35.el7_9 updates\n', stderr: '' } })
    expect(await checkUpdates({ run, now: clock().now })).toMatchObject({ manager: 'yum', pending: 1, security: null })
  })

  test('an error is not "no updates"', async () => {
    const run = cannedRun({ 'dnf check-update -q': { code: 1, stdout: '', stderr: 'Error: Failed to download metadata' } })
    expect(await checkUpdates({ run, now: clock().now })).toEqual({ manager: 'dnf', pending: null, security: null, checkedAt: null })
  })

  test('no package manager', async () => {
    expect(await checkUpdates({ run: cannedRun(), now: clock().now })).toEqual({ manager: null, pending: null, security: null, checkedAt: null })
  })
})

describe('createUpdatesCache', () => {
  const counting = (outputs: string[]) => {
    let calls = 0
    const run: RunCommand = async (cmd) => (cmd[0] === 'apt-get' ? { code: 0, stdout: outputs[Math.min(calls++, outputs.length - 1)], stderr: '' } : null)
    return { run, calls: () => calls }
  }

  test('it checks once, serves the cache for an hour, then refreshes in the background', async () => {
    const c = clock()
    const { run, calls } = counting([APT, APT_UBUNTU])
    const cache = createUpdatesCache({ run, now: c.now })
    expect((await cache.get()).pending).toBe(3)
    c.advance(59 * 60_000)
    expect((await cache.get()).pending).toBe(3)
    expect(calls()).toBe(1)
    c.advance(60_000)
    // Stale: the old answer now, the new one once the check finishes.
    expect((await cache.get()).pending).toBe(3)
    await Bun.sleep(0)
    expect(calls()).toBe(2)
    const fresh = await cache.get()
    expect(fresh.pending).toBe(2)
    expect(fresh.checkedAt).toBe(new Date(c.now()).toISOString())
  })

  test('a failed refresh keeps the last good answer', async () => {
    const c = clock()
    let fail = false
    const run: RunCommand = async (cmd) => (cmd[0] === 'apt-get' ? (fail ? { code: 100, stdout: '', stderr: 'E: lock' } : { code: 0, stdout: APT, stderr: '' }) : null)
    const cache = createUpdatesCache({ run, now: c.now })
    const first = await cache.get()
    fail = true
    c.advance(2 * 3_600_000)
    await cache.get()
    await Bun.sleep(0)
    expect(await cache.get()).toEqual(first)
  })

  test('a slow first check does not hold the first heartbeat past firstWaitMs', async () => {
    const run: RunCommand = async () => {
      await Bun.sleep(300)
      return { code: 0, stdout: APT, stderr: '' }
    }
    const cache = createUpdatesCache({ run, firstWaitMs: 20 })
    expect(await cache.get()).toEqual({ manager: null, pending: null, security: null, checkedAt: null })
    await Bun.sleep(400)
    expect((await cache.get()).pending).toBe(3)
  })
})
