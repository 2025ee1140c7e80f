import { describe, expect, test } from 'bun:test'
import { storedCpanel, storedStacks } from './stacks'

const defaults = { domains: [], plan: null, owner: null, suspended: false, suspendReason: null, contactEmail: null, ip: null, startDate: null, diskBytes: null }

describe('storedCpanel', () => {
  test('an older agent\'s {user, domain} accounts get the rest of the shape', () => {
    expect(storedCpanel({ version: '11.110', accounts: [{ user: 'carol', domain: 'carol.example' }, { user: 'dan', domain: null }] })).toEqual({
      version: '11.110',
      accounts: [{ user: 'carol', domain: 'carol.example', ...defaults }, { user: 'dan', domain: null, ...defaults }],
      packages: [],
      backup: null,
      accountCount: 2,
    })
  })

  test('a full report reads back as sent', () => {
    const full = {
      version: '11.118.0.19',
      accounts: [{
        user: 'bob', domain: 'bobs-bikes.example.com', domains: ['bobsbikes.example.net'], plan: 'Starter', owner: 'root', suspended: true,
        suspendReason: 'Invoice unpaid', contactEmail: 'bob@example.com', ip: '203.0.113.10', startDate: 1_709_251_200, diskBytes: 13,
      }],
      packages: ['Business', 'Starter'],
      backup: { enabled: true, type: 'compressed', daily: true, weekly: false, monthly: false, retention: 5, dir: '/backup' },
      accountCount: 7,
    }
    expect(storedCpanel(full)).toEqual(full)
  })

  test('not detected, or not an object', () => {
    expect(storedCpanel(null)).toBeNull()
    expect(storedCpanel(undefined)).toBeNull()
    expect(storedCpanel([])).toBeNull()
  })

  test('accounts without a user are left out', () => {
    expect(storedCpanel({ version: null, accounts: [{ domain: 'x.example' }, null, 'eve'] })?.accounts).toEqual([])
  })
})

describe('storedStacks', () => {
  test('every stack key, null when not there', () => {
    expect(storedStacks({ mariadb: { version: '10.11' } })).toEqual({ openlitespeed: null, mariadb: { version: '10.11' } as never, galera: null, cpanel: null })
    expect(storedStacks(null)).toEqual({ openlitespeed: null, mariadb: null, galera: null, cpanel: null })
  })
})
