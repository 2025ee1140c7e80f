import { describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import { detectCpanel, parseTrueUserDomains } from './cpanel'

const fixture = (name: string) => join(import.meta.dir, '../fixtures', name)

describe('parseTrueUserDomains', () => {
  test.each([
    ['alice.example.org: alice\nbob.example.com: bob\n', [{ user: 'alice', domain: 'alice.example.org' }, { user: 'bob', domain: 'bob.example.com' }]],
    ['  spaced.example:   carol  \r\n', [{ user: 'carol', domain: 'spaced.example' }]],
    ['a.example: dave\nb.example: dave\n', [{ user: 'dave', domain: 'a.example' }]],
    ['not a line\n: nobody\nx.example:\n', []],
    ['', []],
  ])('%p', (text, want) => {
    expect(parseTrueUserDomains(text)).toEqual(want)
  })
})

describe('detectCpanel', () => {
  test('the cPanel fixture', () => {
    expect(detectCpanel(fixture('cpanel-host'))).toEqual({
      version: '11.118.0.19',
      accounts: [{ user: 'alice', domain: 'alice.example.org' }, { user: 'bob', domain: 'bobs-bikes.example.com' }],
    })
  })

  test('no cPanel', () => {
    expect(detectCpanel(fixture('ols-host'))).toBeNull()
  })
})
