import { describe, expect, test } from 'bun:test'
import { matches, portRange, sourceProblem } from './patterns'

describe('patterns', () => {
  test.each([
    ['port', '1', true],
    ['port', '65535', true],
    ['port', '8000:8100', true],
    ['port', '0', false],
    ['port', '65536', false],
    ['port', '022', false],
    ['port', '80:', false],
    ['user', 'www-data', true],
    ['user', '_apt', true],
    ['user', '-rf', false],
    ['user', '123', false],
    ['unit', 'lshttpd.service', true],
    ['unit', 'getty@tty1.service', true],
    ['unit', '-.mount', false],
    ['hostname', 'a.example.com', true],
    ['hostname', 'example', false],
    ['hostname', 'a_b.example.com', false],
    ['absolutePath', '/var/www/html', true],
    ['absolutePath', '/var/www/./html', false],
    ['absolutePath', '/var/www/..', false],
    ['absolutePath', '/var/www/$(id)', false],
    ['httpsUrl', 'https://acme-v02.api.letsencrypt.org/directory', true],
    ['httpsUrl', 'https://x.example/dir with space', false],
  ] as const)('%s %j → %s', (pattern, value, want) => {
    expect(matches(pattern, value)).toBe(want)
  })

  test('portRange', () => {
    expect(portRange(22)).toEqual([22, 22])
    expect(portRange('8000:8100')).toEqual([8000, 8100])
    expect(portRange('x')).toBeNull()
  })

  test.each([
    ['192.0.2.7', null],
    ['0.0.0.0/0', null],
    ['::/0', null],
    ['2001:db8::/32', null],
    ['::ffff:192.0.2.0/120', null],
    ['fe80::1/64', 'fe80::1/64 has bits set past its /64 prefix.'],
    ['192.0.2.7/24', '192.0.2.7/24 has bits set past its /24 prefix; did you mean 192.0.2.0/24?'],
    ['2001:db8::/129', '2001:db8::/129: an IPv6 prefix is 0 to 128.'],
    ['1.2.3', '1.2.3 is not an IPv4 or IPv6 address.'],
  ])('sourceProblem(%s)', (source, want) => {
    expect(sourceProblem(source)).toBe(want)
  })
})
