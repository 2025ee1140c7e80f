import { describe, expect, test } from 'bun:test'
import type { Stacks } from '../protocol'
import { cannedRun } from '../run-command'
import { parseSystemctlShow, serviceStates, toState, unitGroups } from './services'

const none: Stacks = { openlitespeed: null, mariadb: null, galera: null, cpanel: null }
const ols = { version: null, running: true, adminPort: null, vhosts: [] }
const db = { version: null, flavor: null, running: true, databases: [], managedBy: null }
const cp = { version: null, accounts: [] }
const show = (...blocks: [string, string][]) => blocks.map(([load, active]) => `LoadState=${load}\nActiveState=${active}\n`).join('\n')
const CMD = 'systemctl show --property=LoadState,ActiveState --'

describe('toState', () => {
  test.each([
    ['active', 'active'],
    ['reloading', 'active'],
    ['inactive', 'inactive'],
    ['activating', 'inactive'],
    ['failed', 'failed'],
    ['maintenance', 'unknown'],
    [undefined, 'unknown'],
  ] as const)('%p', (raw, want) => {
    expect(toState(raw)).toBe(want)
  })
})

describe('parseSystemctlShow', () => {
  test('blocks in argument order', () => {
    expect(parseSystemctlShow(show(['loaded', 'active'], ['not-found', 'inactive']), 2)).toEqual([
      { loaded: true, state: 'active' },
      { loaded: false, state: 'inactive' },
    ])
  })

  test('a different number of blocks than units asked is garbage', () => {
    expect(parseSystemctlShow('LoadState=loaded\nActiveState=active\n', 2)).toBeNull()
  })
})

describe('serviceStates', () => {
  test('no stacks, no units and nothing run', async () => {
    const run = cannedRun()
    expect(await serviceStates({ run, stacks: none })).toEqual([])
    expect(run.calls).toEqual([])
  })

  test('units for each stack; the loaded candidate is picked over aliases that do not exist', async () => {
    const stacks: Stacks = { ...none, openlitespeed: ols, mariadb: db, cpanel: cp }
    const units = 'lsws lshttpd mariadb mysql mysqld cpanel exim dovecot named pdns'
    expect(unitGroups(stacks).flatMap((g) => g.candidates).join(' ')).toBe(units)
    const run = cannedRun({
      [`${CMD} ${units}`]: show(
        ['not-found', 'inactive'], ['loaded', 'active'],
        ['not-found', 'inactive'], ['loaded', 'failed'], ['loaded', 'failed'],
        ['loaded', 'active'], ['loaded', 'active'], ['loaded', 'failed'],
        ['not-found', 'inactive'], ['loaded', 'active'],
      ),
    })
    expect(await serviceStates({ run, stacks })).toEqual([
      { unit: 'lshttpd', stack: 'openlitespeed', state: 'active' },
      { unit: 'mysql', stack: 'mariadb', state: 'failed' },
      { unit: 'cpanel', stack: 'cpanel', state: 'active' },
      { unit: 'exim', stack: 'cpanel', state: 'active' },
      { unit: 'dovecot', stack: 'cpanel', state: 'failed' },
      { unit: 'pdns', stack: 'cpanel', state: 'active' },
    ])
  })

  test('cPanel alone: its own web server and MySQL groups; the active web server is picked under LiteSpeed', async () => {
    const groups = unitGroups({ ...none, cpanel: cp })
    expect(groups.map((g) => g.candidates.join('|'))).toEqual(['cpanel', 'exim', 'dovecot', 'httpd|lsws|lshttpd', 'named|pdns', 'mariadb|mysqld|mysql'])
    expect(groups.every((g) => g.stack === 'cpanel')).toBe(true)
    const units = groups.flatMap((g) => g.candidates)
    const run = cannedRun({
      [`${CMD} ${units.join(' ')}`]: show(
        ['loaded', 'active'], ['loaded', 'active'], ['loaded', 'active'],
        ['loaded', 'inactive'], ['loaded', 'active'], ['not-found', 'inactive'],
        ['loaded', 'active'], ['not-found', 'inactive'],
        ['not-found', 'inactive'], ['loaded', 'active'], ['loaded', 'active'],
      ),
    })
    const states = await serviceStates({ run, stacks: { ...none, cpanel: cp } })
    expect(states.map((s) => `${s.unit} ${s.state}`)).toEqual(['cpanel active', 'exim active', 'dovecot active', 'lsws active', 'named active', 'mysqld active'])
  })

  test('no unit is listed twice', () => {
    for (const stacks of [{ ...none, cpanel: cp }, { ...none, cpanel: cp, mariadb: db }, { ...none, cpanel: cp, openlitespeed: ols, mariadb: db }]) {
      const units = unitGroups(stacks).flatMap((g) => g.candidates)
      expect(new Set(units).size).toBe(units.length)
    }
  })

  test('without systemd every unit is unknown', async () => {
    const run = cannedRun({ [`${CMD} mariadb mysql mysqld`]: { code: 1, stdout: '', stderr: 'System has not been booted with systemd' } })
    expect(await serviceStates({ run, stacks: { ...none, mariadb: db } })).toEqual([{ unit: 'mariadb', stack: 'mariadb', state: 'unknown' }])
  })

  test('no unit of that name at all: unknown under the usual name', async () => {
    const run = cannedRun({ [`${CMD} lsws lshttpd`]: show(['not-found', 'inactive'], ['not-found', 'inactive']) })
    expect(await serviceStates({ run, stacks: { ...none, openlitespeed: ols } })).toEqual([{ unit: 'lsws', stack: 'openlitespeed', state: 'unknown' }])
  })
})
