import { describe, expect, test } from 'bun:test'
import { visiblePoolTabs } from './tabs'

// Counting the members that report cPanel is the pool page's (pool-pages.test.ts).
describe('pool tab visibility (Generic Linux preset)', () => {
  test.each([
    ['no cPanel member', 0, ['overview', 'monitoring', 'settings']],
    ['one cPanel member', 1, ['overview', 'monitoring', 'settings']],
    ['two cPanel members', 2, ['overview', 'protection', 'dns', 'monitoring', 'settings']],
    ['three cPanel members', 3, ['overview', 'protection', 'dns', 'monitoring', 'settings']],
  ])('with %s it shows %p', (_label, cpanel, keys) => {
    expect(visiblePoolTabs(cpanel).map((t) => t.key as string)).toEqual(keys as string[])
  })
})
