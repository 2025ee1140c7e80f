import { afterAll, describe, expect, test } from 'bun:test'
import { mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join } from 'node:path'
import type { CpanelAccount } from '../protocol'
import {
  detectCpanel,
  listPackages,
  parseBackupConfig,
  parsePasswdHomes,
  parseSuspendReason,
  parseTrueUserDomains,
  parseUserFile,
  readAccounts,
} from './cpanel'

const fixture = (name: string) => join(import.meta.dir, '../fixtures', name)
const blank = (user: string, domain: string | null): CpanelAccount => ({
  user, domain, domains: [], plan: null, owner: null, suspended: false, suspendReason: null, contactEmail: null, ip: null, startDate: null, diskBytes: null,
})

const made: string[] = []
afterAll(() => made.forEach((d) => rmSync(d, { recursive: true, force: true })))
function host(files: Record<string, string>): string {
  const root = mkdtempSync(join(tmpdir(), 'cpanel-'))
  made.push(root)
  mkdirSync(join(root, 'usr/local/cpanel'), { recursive: true })
  for (const [path, text] of Object.entries(files)) {
    mkdirSync(dirname(join(root, path)), { recursive: true })
    writeFileSync(join(root, path), text)
  }
  return root
}

describe('parseTrueUserDomains', () => {
  test.each([
    ['alice.example.org: alice\nbob.example.com: bob\n', [blank('alice', 'alice.example.org'), blank('bob', 'bob.example.com')]],
    ['  spaced.example:   carol  \r\n', [blank('carol', 'spaced.example')]],
    ['a.example: dave\nb.example: dave\n', [blank('dave', 'a.example')]],
    ['not a line\n: nobody\nx.example:\n', []],
    ['', []],
  ])('%p', (text, want) => {
    expect(parseTrueUserDomains(text)).toEqual(want)
  })
})

describe('parseUserFile', () => {
  test('the keys the Accounts table shows; other domains in DNSn order, removed ones (XDNSn) left out', () => {
    const text = [
      '# cPanel -- If you edit this file directly you must run /usr/local/cpanel/scripts/updateuserdomains afterwards',
      'USER=carol', 'DNS=carol.example', 'DNS10=ten.example', 'DNS2=two.example', 'DNS1=one.example', 'XDNS1=gone.example',
      'DNS3=carol.example', 'DNS4=', 'PLAN=reseller_Gold', 'OWNER=reseller1', 'SUSPENDED=0',
      'CONTACTEMAIL=carol@mail.example', 'IP=192.0.2.7', 'STARTDATE=1700000000\r', 'BWLIMIT=unlimited',
    ].join('\n')
    expect(parseUserFile('carol', text)).toEqual({
      ...blank('carol', 'carol.example'),
      domains: ['one.example', 'two.example', 'ten.example'],
      plan: 'reseller_Gold',
      owner: 'reseller1',
      contactEmail: 'carol@mail.example',
      ip: '192.0.2.7',
      startDate: 1_700_000_000,
    })
  })

  test.each([
    ['SUSPENDED=1', true],
    ['SUSPENDED=0', false],
    ['', false],
  ])('%p is suspended: %p', (line, want) => {
    expect(parseUserFile('dave', `USER=dave\n${line}\n`)?.suspended).toBe(want)
  })

  test('an empty or odd file is an account with nothing known', () => {
    expect(parseUserFile('erin', '')).toEqual(blank('erin', null))
    expect(parseUserFile('erin', 'STARTDATE=soon\nnonsense\n=x\n')).toEqual(blank('erin', null))
  })

  test('a file whose USER is someone else is not an account', () => {
    expect(parseUserFile('alice2', 'USER=alice\nDNS=alice.example\n')).toBeNull()
  })
})

describe('parseSuspendReason', () => {
  test.each([
    ['Invoice 1042 unpaid\n', 'Invoice 1042 unpaid'],
    ['  abuse report\r\n  see ticket 7  \n', 'abuse report see ticket 7'],
    ['\n \n', null],
    ['x'.repeat(1000), 'x'.repeat(256)],
  ])('#%#', (text, want) => {
    expect(parseSuspendReason(text)).toBe(want)
  })
})

describe('parseBackupConfig', () => {
  test('quoted and bare values', () => {
    const text = "---\nBACKUPENABLE: 'yes'\nBACKUPTYPE: incremental\nBACKUP_DAILY_ENABLE: \"yes\"\nBACKUP_WEEKLY_ENABLE: 'no'\nBACKUP_MONTHLY_ENABLE: 1\nBACKUP_DAILY_RETENTION: '7'\nBACKUPDIR: '/backup'\n"
    expect(parseBackupConfig(text)).toEqual({ enabled: true, type: 'incremental', daily: true, weekly: false, monthly: true, retention: 7, dir: '/backup' })
  })

  test('backups switched off, keys missing', () => {
    expect(parseBackupConfig("BACKUPENABLE: 'no'\n")).toEqual({ enabled: false, type: null, daily: false, weekly: false, monthly: false, retention: null, dir: null })
  })

  test('not a backup config', () => {
    expect(parseBackupConfig('---\nsomething: else\n')).toBeNull()
    expect(parseBackupConfig('')).toBeNull()
  })
})

describe('parsePasswdHomes', () => {
  test('homes by user; short lines are skipped', () => {
    expect(parsePasswdHomes('root:x:0:0:root:/root:/bin/bash\nalice:x:1001:1001::/home2/alice:/bin/bash\nbroken:x\n')).toEqual(
      new Map([['root', '/root'], ['alice', '/home2/alice']]),
    )
  })
})

describe('listPackages', () => {
  test('regular files only, without the extensions folder or dotfiles, sorted', () => {
    const root = host({ 'var/cpanel/packages/Zeta': '', 'var/cpanel/packages/alpha': '', 'var/cpanel/packages/.alpha.swp': '', 'var/cpanel/packages/extensions/x': '' })
    symlinkSync(join(root, 'var/cpanel/packages/alpha'), join(root, 'var/cpanel/packages/linked'))
    expect(listPackages(root)).toEqual(['alpha', 'Zeta'])
  })

  test('no packages folder', () => {
    expect(listPackages(fixture('ols-host'))).toEqual([])
  })
})

describe('readAccounts', () => {
  const noSize = () => null

  test('skips files that are not accounts: dotfiles, backups, folders and links', () => {
    const root = host({
      'var/cpanel/users/zed': 'USER=zed\nDNS=zed.example\n',
      'var/cpanel/users/amy': 'USER=amy\nDNS=amy.example\n',
      'var/cpanel/users/.amy.swp': 'USER=amy\n',
      'var/cpanel/users/amy.bak': 'USER=amy\n',
      'var/cpanel/users/Upper': 'USER=Upper\n',
      'var/cpanel/users/folder/x': '',
      'etc/trueuserdomains': 'other.example: other\n',
    })
    symlinkSync(join(root, 'var/cpanel/users/amy'), join(root, 'var/cpanel/users/linked'))
    expect(readAccounts(root, noSize).map((a) => a.user)).toEqual(['amy', 'zed'])
  })

  test('the reason is read for suspended accounts only', () => {
    const root = host({
      'var/cpanel/users/sam': 'USER=sam\nSUSPENDED=1\n',
      'var/cpanel/suspended/sam': 'Spam from a contact form\n',
      'var/cpanel/users/tia': 'USER=tia\nSUSPENDED=1\n',
      'var/cpanel/users/uma': 'USER=uma\nSUSPENDED=0\n',
      'var/cpanel/suspended/uma': 'left over\n',
    })
    expect(readAccounts(root, noSize).map((a) => [a.user, a.suspended, a.suspendReason])).toEqual([
      ['sam', true, 'Spam from a contact form'],
      ['tia', true, null],
      ['uma', false, null],
    ])
  })

  test('trueuserdomains only when the users folder has no account', () => {
    const root = host({ 'var/cpanel/users/.keep': '', 'etc/trueuserdomains': 'b.example: bee\na.example: ant\n' })
    expect(readAccounts(root, noSize)).toEqual([blank('ant', 'a.example'), blank('bee', 'b.example')])
  })

  test('the home from /etc/passwd when cPanel placed it elsewhere, else /home/<user>', () => {
    const root = host({
      'var/cpanel/users/amy': 'USER=amy\n',
      'var/cpanel/users/bo': 'USER=bo\n',
      'var/cpanel/users/cy': 'USER=cy\n',
      'etc/passwd': 'amy:x:1001:1001::/home2/amy:/bin/bash\ncy:x:1003:1003::/:/bin/bash\n',
    })
    const asked: string[] = []
    readAccounts(root, (_root, user, home) => (asked.push(`${user} ${home}`), null))
    expect(asked).toEqual(['amy /home2/amy', 'bo /home/bo', 'cy /home/cy'])
  })
})

describe('detectCpanel', () => {
  test('the cPanel fixture', () => {
    expect(detectCpanel(fixture('cpanel-host'))).toEqual({
      version: '11.118.0.19',
      accounts: [
        {
          user: 'alice',
          domain: 'alice.example.org',
          domains: ['alice-blog.example.net', 'shop.alice.example.org'],
          plan: 'Business',
          owner: 'root',
          suspended: false,
          suspendReason: null,
          contactEmail: 'alice@mail.example.net',
          ip: '203.0.113.10',
          startDate: 1_704_067_200,
          diskBytes: 252,
        },
        {
          user: 'bob',
          domain: 'bobs-bikes.example.com',
          domains: ['bobsbikes.example.net'],
          plan: 'Starter',
          owner: 'root',
          suspended: true,
          suspendReason: 'Invoice 1042 unpaid since May',
          contactEmail: 'bob@bobs-bikes.example.com',
          ip: '203.0.113.10',
          startDate: 1_709_251_200,
          diskBytes: 13,
        },
      ],
      packages: ['Business', 'default', 'Starter'],
      backup: { enabled: true, type: 'compressed', daily: true, weekly: true, monthly: false, retention: 5, dir: '/backup' },
      accountCount: 2,
    })
  })

  test('a missing home cannot be measured; no backup config is null', () => {
    const root = host({ 'var/cpanel/users/gone': 'USER=gone\nDNS=gone.example\n' })
    expect(detectCpanel(root)).toMatchObject({ accounts: [{ user: 'gone', diskBytes: null }], packages: [], backup: null, accountCount: 1 })
  })

  test('no cPanel', () => {
    expect(detectCpanel(fixture('ols-host'))).toBeNull()
  })
})
