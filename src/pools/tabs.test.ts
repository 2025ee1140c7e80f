import { describe, expect, test } from 'bun:test'
import { visiblePoolTabs } from './tabs'

const m = (...stacks: ('cpanel' | 'openlitespeed' | 'mariadb')[]) => ({ summary: { stacks } })

describe('pool tab visibility (Generic Linux preset)', () => {
  test.each([
    ['no members', [], ['overview', 'monitoring', 'settings']],
    ['one cPanel member', [m('cpanel')], ['overview', 'monitoring', 'settings']],
    ['one cPanel and one OpenLiteSpeed member', [m('cpanel'), m('openlitespeed')], ['overview', 'monitoring', 'settings']],
    ['two cPanel members', [m('cpanel', 'mariadb'), m('cpanel')], ['overview', 'protection', 'dns', 'monitoring', 'settings']],
    ['three members, two with cPanel', [m('cpanel'), m('mariadb'), m('cpanel')], ['overview', 'protection', 'dns', 'monitoring', 'settings']],
  ])('with %s it shows %p', (_label, members, keys) => {
    expect(visiblePoolTabs(members).map((t) => t.key as string)).toEqual(keys as string[])
  })

  test('members that never reported count as no cPanel', () => {
    expect(visiblePoolTabs([{ summary: {} }, { summary: {} }]).map((t) => t.key)).not.toContain('protection')
  })
})
