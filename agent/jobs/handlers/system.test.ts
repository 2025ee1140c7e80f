import { describe, expect, test } from 'bun:test'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { JobFailure } from '../types'
import { APT_ENV } from './common'
import { serviceRestart } from './service'
import { reboot, shutdown, updatesCheck, updatesInstall } from './system'
import { fakeContext, type FakeOptions } from './test-context'

const APT_SIM = `Inst libssl3 [3.0.11-1~deb12u2] (3.0.13-1~deb12u1 Debian-Security:12/stable-security [amd64])
Inst openssl [3.0.11-1~deb12u2] (3.0.13-1~deb12u1 Debian-Security:12/stable-security [amd64])
Inst tzdata [2024a-0+deb12u1] (2025b-0+deb12u1 Debian:12.11/stable [all])
Conf libssl3 (3.0.13-1~deb12u1 Debian-Security:12/stable-security [amd64])
`
const DNF_CHECK = `
kernel.x86_64                          5.14.0-427.16.1.el9_4          baseos
openssl-libs.x86_64                    1:3.0.7-27.el9                 baseos
`
const DNF_SECURITY = `RLSA-2024:2551 Important/Sec.  kernel-5.14.0-427.16.1.el9_4.x86_64
`

/** A RHEL-family context; withDnf puts /usr/bin/dnf in its root (else it is a yum host). */
function rhel(o: FakeOptions & { withDnf?: boolean } = {}) {
  const f = fakeContext({ family: 'rhel', ...o })
  if (o.withDnf !== false) {
    mkdirSync(join(f.ctx.root, 'usr/bin'), { recursive: true })
    writeFileSync(join(f.ctx.root, 'usr/bin/dnf'), '')
  }
  return f
}

describe('system.updates.check', () => {
  test('debian: apt-get update, then a simulated upgrade counted', async () => {
    const f = fakeContext({ family: 'debian', answer: (cmd) => (cmd.join(' ') === 'apt-get -s upgrade' ? APT_SIM : undefined) })
    await updatesCheck(f.ctx)
    expect(f.argv()).toEqual(['apt-get update', 'apt-get -s upgrade'])
    expect(f.calls.every((c) => c.opts.env?.DEBIAN_FRONTEND === 'noninteractive')).toBe(true)
    expect(f.results).toEqual([{ upgradable: 3, security: 2 }])
  })

  test('rhel with dnf: check-update exits 100 when there are updates', async () => {
    const f = rhel({
      answer: (cmd) => {
        if (cmd[1] === 'check-update') return { code: 100, stdout: DNF_CHECK }
        if (cmd.includes('updateinfo')) return DNF_SECURITY
      },
    })
    await updatesCheck(f.ctx)
    expect(f.argv()).toEqual(['dnf check-update -q', 'dnf -q updateinfo list --security'])
    expect(f.results).toEqual([{ upgradable: 2, security: 1 }])
  })

  test('rhel without dnf uses yum; no security metadata is "unknown", not a failure', async () => {
    const f = rhel({ withDnf: false, answer: (cmd) => (cmd.includes('updateinfo') ? { code: 1, stderr: 'no such command' } : undefined) })
    await updatesCheck(f.ctx)
    expect(f.argv()).toEqual(['yum check-update -q', 'yum -q updateinfo list --security'])
    expect(f.results).toEqual([{ upgradable: 0, security: null }])
  })

  test('a failing check-update fails the job', async () => {
    const f = rhel({ answer: (cmd) => (cmd[1] === 'check-update' ? { code: 1, stderr: 'Error: Failed to download metadata' } : undefined) })
    await expect(updatesCheck(f.ctx)).rejects.toBeInstanceOf(JobFailure)
  })

  test('an unknown family', async () => {
    const f = fakeContext({ family: null })
    await expect(updatesCheck(f.ctx)).rejects.toThrow('This server is neither Debian- nor RHEL-family')
  })
})

describe('system.updates.install', () => {
  test('debian: noninteractive, keeping edited config files', async () => {
    const f = fakeContext({ family: 'debian' })
    await updatesInstall(f.ctx)
    expect(f.argv()).toEqual(['apt-get update', 'apt-get upgrade -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold'])
    expect(f.calls.map((c) => c.opts.env)).toEqual([APT_ENV, APT_ENV])
    expect(f.steps).toEqual([0, 1])
  })

  test.each([
    [true, ['dnf -y makecache', 'dnf upgrade -y']],
    [false, ['yum -y makecache', 'yum upgrade -y']],
  ])('rhel (dnf: %s)', async (withDnf, want) => {
    const f = rhel({ withDnf })
    await updatesInstall(f.ctx)
    expect(f.argv()).toEqual(want)
  })
})

describe('reboot and shutdown', () => {
  test('a minute away, so the job is reported first', async () => {
    const r = fakeContext({ family: null })
    await reboot(r.ctx)
    const s = fakeContext({ family: 'rhel' })
    await shutdown(s.ctx)
    expect([...r.argv(), ...s.argv()]).toEqual([
      'shutdown -r +1 serversctl: reboot requested from the control plane',
      'shutdown -P +1 serversctl: shutdown requested from the control plane',
    ])
  })
})

describe('service.restart', () => {
  test('restarts, then checks the unit stayed up', async () => {
    const f = fakeContext({ params: { unit: 'mariadb' }, answer: (cmd) => (cmd[1] === 'is-active' ? 'active\n' : undefined) })
    await serviceRestart(f.ctx)
    expect(f.argv()).toEqual(['systemctl restart -- mariadb', 'systemctl is-active -- mariadb'])
  })

  test('a unit that died after the restart fails the job', async () => {
    const f = fakeContext({ params: { unit: 'lshttpd' }, answer: (cmd) => (cmd[1] === 'is-active' ? { code: 3, stdout: 'failed\n' } : undefined) })
    await expect(serviceRestart(f.ctx)).rejects.toThrow('lshttpd did not stay up after the restart (it is failed); see journalctl -u lshttpd.')
  })

  test('a unit name that could be an option is refused before anything runs', async () => {
    const f = fakeContext({ params: { unit: '--all' } })
    await expect(serviceRestart(f.ctx)).rejects.toBeInstanceOf(JobFailure)
    expect(f.calls).toEqual([])
  })
})
