import { describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { detectOs, osFamily, parseOsRelease } from './os'

const fixture = (name: string) => join(import.meta.dir, '../fixtures', name)

describe('parseOsRelease', () => {
  test.each([
    ['ID=debian', { ID: 'debian' }],
    ['ID="rocky"\nID_LIKE="rhel centos fedora"', { ID: 'rocky', ID_LIKE: 'rhel centos fedora' }],
    ["PRETTY_NAME='Single Quoted'", { PRETTY_NAME: 'Single Quoted' }],
    ['NAME="Say \\"hi\\" \\$HOME"', { NAME: 'Say "hi" $HOME' }],
    ['# comment\n\n  VERSION_ID="9.4"  \ngarbage line', { VERSION_ID: '9.4' }],
    ['', {}],
  ])('%p', (text, want) => {
    expect(parseOsRelease(text)).toEqual(want)
  })
})

describe('osFamily', () => {
  test.each([
    ['ubuntu', 'debian', 'debian'],
    ['debian', null, 'debian'],
    ['linuxmint', 'ubuntu debian', 'debian'],
    ['rocky', 'rhel centos fedora', 'rhel'],
    ['almalinux', 'rhel centos fedora', 'rhel'],
    ['centos', 'rhel fedora', 'rhel'],
    ['rhel', 'fedora', 'rhel'],
    ['ol', 'fedora', 'rhel'],
    ['arch', null, null],
    [null, null, null],
  ] as const)('%p like %p is %p', (id, like, want) => {
    expect(osFamily(id, like)).toBe(want)
  })
})

describe('detectOs', () => {
  test.each([
    ['ubuntu-22.04', { id: 'ubuntu', versionId: '22.04', family: 'debian', prettyName: 'Ubuntu 22.04.4 LTS', kernel: '5.15.0-105-generic' }],
    ['debian-12', { id: 'debian', versionId: '12', family: 'debian', prettyName: 'Debian GNU/Linux 12 (bookworm)', kernel: '6.1.0-21-amd64' }],
    ['rocky-9', { id: 'rocky', versionId: '9.4', family: 'rhel', prettyName: 'Rocky Linux 9.4 (Blue Onyx)', kernel: '5.14.0-427.13.1.el9_4.x86_64' }],
    ['almalinux-9', { id: 'almalinux', versionId: '9.4', family: 'rhel', prettyName: 'AlmaLinux 9.4 (Seafoam Ocelot)', kernel: '5.14.0-427.16.1.el9_4.x86_64' }],
    ['centos-7', { id: 'centos', versionId: '7', family: 'rhel', prettyName: 'CentOS Linux 7 (Core)', kernel: '3.10.0-1160.119.1.el7.x86_64' }],
    // Only /usr/lib/os-release here: the fallback path.
    ['rhel-9', { id: 'rhel', versionId: '9.4', family: 'rhel', prettyName: 'Red Hat Enterprise Linux 9.4 (Plow)', kernel: '5.14.0-427.13.1.el9_4.x86_64' }],
    ['plain-host', { id: null, versionId: null, family: null, prettyName: null, kernel: null }],
  ])('%s', (name, want) => {
    expect(detectOs(fixture(name))).toEqual(want as never)
  })

  test('a root that does not exist gives all nulls', () => {
    expect(detectOs('/nonexistent-serversctl-root').family).toBeNull()
  })
})
