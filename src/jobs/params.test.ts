import { describe, expect, test } from 'bun:test'
import { Value } from '@sinclair/typebox/value'
import { jobRules, type MemberFacts } from './params'
import type { JobName } from '../../agent/jobs/catalogue'

const ED25519 = 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl alice@laptop'
const RSA =
  'ssh-rsa AAAAB3NzaC1yc2EAAAADAQABAAAAgQC7Bp0n0ZZ5QdNqQZTaG8YxGEpvjxSMcn5iJ2w0aTAuVOeBuXsaMtpDsKi0ko0bUoWqbx3SWl7MQzrV8Pvg3DvgvWKZ2eVVlpAKKa5mYVUnuvcvvDUJs7wWB4N6vNAxJRq4hAsJjVj5A8a8zb2PZj3AbJ5fQzZzJ0Gh1vtyAKUZvQ=='

const facts = (over: Partial<MemberFacts> = {}): MemberFacts => ({
  family: 'debian',
  firewall: 'ufw',
  stacks: { openlitespeed: false, mariadb: false, galera: false, cpanel: false },
  serviceUnits: [],
  checkedIn: true,
  ...over,
})
const withStacks = (stacks: Partial<MemberFacts['stacks']>, over: Partial<MemberFacts> = {}) =>
  facts({ ...over, stacks: { ...facts().stacks, ...stacks } })

/** The first schema error as "path: message", or null when the params fit. */
function schemaError(name: JobName, params: unknown): string | null {
  const first = Value.Errors(jobRules[name].params, params).First()
  return first ? `${first.path}: ${first.message}` : null
}

/** Schema, then refusal: what a person would be told. */
function verdict(name: JobName, params: unknown, f = facts()): string | null {
  return schemaError(name, params) ?? jobRules[name].refuse?.(params, f) ?? null
}

describe('jobs without parameters', () => {
  const names: JobName[] = ['system.reboot', 'firewall.enable', 'firewall.backup', 'agent.update', 'recipe.ssh_hardening', 'recipe.install_mariadb']
  test.each(names)('%s takes {} and nothing else', (name) => {
    expect(schemaError(name, {})).toBeNull()
    expect(schemaError(name, { unit: 'x' })).toBe('/unit: Unexpected property')
  })
})

describe('service.restart', () => {
  const f = facts({ serviceUnits: ['lsws', 'mariadb'] })
  test.each([
    [{ unit: 'mariadb' }, null],
    [{ unit: 'mariadb.service' }, null],
    [{ unit: 'lsws' }, null],
    [{ unit: 'sshd' }, 'sshd is not one of this server\'s stack services (lsws, mariadb).'],
    [{ unit: '--now' }, '/unit: a systemd unit name like mariadb.service or lshttpd.service'],
    [{ unit: 'maria db' }, '/unit: a systemd unit name like mariadb.service or lshttpd.service'],
    [{ unit: 'x'.repeat(129) }, '/unit: a systemd unit name like mariadb.service or lshttpd.service'],
    [{}, '/unit: required: a systemd unit name like mariadb.service or lshttpd.service'],
  ])('%j → %s', (params, want) => {
    expect(verdict('service.restart', params, f)).toBe(want)
  })

  test('a member without stack services refuses every unit', () => {
    expect(verdict('service.restart', { unit: 'mariadb' })).toBe("mariadb is not one of this server's stack services.")
  })
})

describe('firewall rules', () => {
  const port = '/port: a port 1-65535 or a range like 8000:8100'
  test.each([
    [{ port: 22, protocol: 'tcp' }, null],
    [{ port: '443', protocol: 'tcp', action: 'allow' }, null],
    [{ port: '8000:8100', protocol: 'udp', source: '203.0.113.0/24', action: 'deny' }, null],
    [{ port: 65535, protocol: 'any', source: '2001:db8::/32' }, null],
    [{ port: 53, protocol: 'udp', source: '2001:db8::53' }, null],
    [{ port: 3306, protocol: 'tcp', source: '10.0.0.7' }, null],
    [{ port: 3306, protocol: 'tcp', source: null }, null],
    [{ port: 0, protocol: 'tcp' }, port],
    [{ port: 65536, protocol: 'tcp' }, port],
    [{ port: '99999', protocol: 'tcp' }, port],
    [{ port: 22.5, protocol: 'tcp' }, port],
    [{ port: '22/tcp', protocol: 'tcp' }, port],
    [{ port: '80,443', protocol: 'tcp' }, port],
    [{ port: '22; reboot', protocol: 'tcp' }, port],
    [{ port: '8100:8000', protocol: 'tcp' }, 'The port range 8100:8000 runs backwards; write it low:high.'],
    [{ port: 22, protocol: 'icmp' }, '/protocol: tcp, udp or any'],
    [{ port: 22, protocol: 'tcp', action: 'reject' }, '/action: allow or deny'],
    [{ port: 22, protocol: 'tcp', source: 'example.com' }, '/source: an IPv4 or IPv6 address, optionally with a /prefix'],
    [{ port: 22, protocol: 'tcp', source: '300.1.1.1' }, '300.1.1.1 is not an IPv4 or IPv6 address.'],
    [{ port: 22, protocol: 'tcp', source: '10.0.0.0/33' }, '10.0.0.0/33: an IPv4 prefix is 0 to 32.'],
    [{ port: 22, protocol: 'tcp', source: '10.0.0.1/8' }, '10.0.0.1/8 has bits set past its /8 prefix; did you mean 10.0.0.0/8?'],
    [{ port: 22, protocol: 'tcp', source: '2001:db8::1/32' }, '2001:db8::1/32 has bits set past its /32 prefix.'],
    [{ port: 22, protocol: 'tcp', comment: 'x' }, '/comment: Unexpected property'],
  ])('%j → %s', (params, want) => {
    expect(verdict('firewall.rule.add', params)).toBe(want)
    expect(verdict('firewall.rule.remove', params)).toBe(want)
  })

  test('refused where there is no firewall manager', () => {
    const none = facts({ firewall: null })
    for (const name of ['firewall.enable', 'firewall.disable', 'firewall.backup', 'firewall.rule.add', 'firewall.rule.remove'] as const) {
      expect(verdict(name, name.startsWith('firewall.rule') ? { port: 22, protocol: 'tcp' } : {}, none)).toBe(
        'Neither ufw nor firewalld is installed on this server.',
      )
    }
  })
})

describe('ssh keys', () => {
  test.each([
    [{ user: 'root' }, null],
    [{ user: 'alice' }, null],
    [{ user: 'web_1.deploy-x' }, null],
    [{ user: '-oProxyCommand' }, '/user'],
    [{ user: '1000' }, '/user'],
    [{ user: 'a'.repeat(33) }, '/user'],
    [{ user: 'al ice' }, '/user'],
    [{ user: '../etc' }, '/user'],
    [{ user: '' }, '/user'],
  ])('ssh.key.list %j', (params, want) => {
    const got = verdict('ssh.key.list', params)
    if (want === null) expect(got).toBeNull()
    else expect(got).toBe(`${want}: a user name: letters, digits, "_", "." or "-", up to 32, not starting with "-"`)
  })

  const keyError = '/key: one OpenSSH public key line: "ssh-ed25519 AAAA... comment" (no options, no line breaks)'
  test.each([
    [ED25519, null],
    [ED25519.replace(' alice@laptop', ''), null],
    [ED25519.replace('alice@laptop', 'Alice Example (laptop, 2024)'), null],
    [RSA, null],
    [`command="/bin/true" ${ED25519}`, keyError],
    [`${ED25519}\nssh-ed25519 AAAA second`, keyError],
    [ED25519.replace('ssh-ed25519', 'ssh-dss'), keyError],
    ['ssh-ed25519 not*base64', keyError],
    ['', keyError],
    [ED25519.replace('ssh-ed25519', 'ssh-rsa'), 'That key is damaged: its base64 body does not hold a key of the type written before it.'],
    ['ssh-ed25519 AAAA', 'That key is damaged: its base64 body does not hold a key of the type written before it.'],
  ])('ssh.key.add %s', (key, want) => {
    expect(verdict('ssh.key.add', { user: 'alice', key })).toBe(want)
  })

  test.each([
    ['SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8', null],
    ['SHA256:nThbg6kXUpJWGl7E1IGOCspRomTxdCARLviKw6E5SY8=', '/fingerprint'],
    ['MD5:16:27:ac:a5:76:28:2d:36:63:1b:56:4d:eb:df:a6:48', '/fingerprint'],
    ['SHA256:short', '/fingerprint'],
  ])('ssh.key.remove %s', (fingerprint, want) => {
    const got = verdict('ssh.key.remove', { user: 'alice', fingerprint })
    if (want === null) expect(got).toBeNull()
    else expect(got).toBe(`${want}: a key fingerprint as ssh-keygen -l prints it: SHA256: and 43 characters`)
  })
})

describe("Let's Encrypt, as a job and as a recipe", () => {
  const good = { domains: ['example.com', 'www.example.com'], email: 'ops@example.com', method: 'webroot', webroot: '/var/www/html' }
  test.each([
    [good, null],
    [{ ...good, staging: true, acmeServer: 'https://acme.example.net:14000/dir' }, null],
    [{ domains: ['shop.example.net'], email: 'a.b+tls@example.net', method: 'standalone' }, null],
    [{ ...good, domains: ['xn--bcher-kva.example'] }, null],
    [{ ...good, domains: [] }, '/domains: 1 to 100 different domain names like www.example.com'],
    [{ ...good, domains: Array.from({ length: 101 }, (_, i) => `d${i}.example.com`) }, '/domains: 1 to 100 different domain names like www.example.com'],
    [{ ...good, domains: ['example.com', 'example.com'] }, '/domains: 1 to 100 different domain names like www.example.com'],
    [{ ...good, domains: ['*.example.com'] }, '/domains/0: a domain name like www.example.com (no wildcards)'],
    [{ ...good, domains: ['-x.example.com'] }, '/domains/0: a domain name like www.example.com (no wildcards)'],
    [{ ...good, domains: ['localhost'] }, '/domains/0: a domain name like www.example.com (no wildcards)'],
    [{ ...good, domains: ['a.example.com --register-unsafely'] }, '/domains/0: a domain name like www.example.com (no wildcards)'],
    [{ ...good, email: 'not-an-email' }, "/email: an email address for Let's Encrypt's expiry notices"],
    [{ ...good, email: '-x@example.com' }, "/email: an email address for Let's Encrypt's expiry notices"],
    [{ ...good, method: 'dns' }, '/method: webroot or standalone'],
    [{ ...good, webroot: 'var/www' }, '/webroot: an absolute path like /var/www/html, without "..", spaces or quotes'],
    [{ ...good, webroot: '/var/www/../../etc' }, '/webroot: an absolute path like /var/www/html, without "..", spaces or quotes'],
    [{ ...good, webroot: '/var/www/my site' }, '/webroot: an absolute path like /var/www/html, without "..", spaces or quotes'],
    [{ ...good, staging: 'yes' }, '/staging: true or false'],
    [{ ...good, acmeServer: 'http://acme.example.net/dir' }, '/acmeServer: the https:// address of an ACME directory'],
    [{ ...good, webroot: undefined }, 'The webroot method needs the webroot: the folder the site serves /.well-known/ from.'],
    [{ ...good, method: 'standalone' }, 'The standalone method answers by itself on port 80 and takes no webroot.'],
  ])('%j → %s', (params, want) => {
    const p = JSON.parse(JSON.stringify(params))
    expect(verdict('tls.letsencrypt.issue', p)).toBe(want)
    expect(verdict('recipe.letsencrypt', p)).toBe(want)
  })

  test('standalone is refused where a web server holds port 80', () => {
    const p = { domains: ['example.com'], email: 'ops@example.com', method: 'standalone' }
    expect(verdict('tls.letsencrypt.issue', p, withStacks({ openlitespeed: true }))).toBe('A web server already listens on port 80 here; use the webroot method.')
  })
})

describe('refusals by what the member is', () => {
  const unknownOs = facts({ family: null })
  test.each(['system.updates.check', 'system.updates.install', 'recipe.install_openlitespeed', 'recipe.install_mariadb', 'recipe.install_cpanel', 'recipe.ssh_hardening'] as const)(
    '%s needs a known OS family',
    (name) => {
      expect(verdict(name, {}, unknownOs)).toBe('The agent has not reported a Debian- or RHEL-family OS here, so it cannot tell which package tools to use.')
    },
  )

  test('reboot and agent update need nothing', () => {
    expect(verdict('system.reboot', {}, unknownOs)).toBeNull()
    expect(verdict('agent.update', {}, facts({ family: null, firewall: null }))).toBeNull()
  })

  test.each([
    ['recipe.install_openlitespeed', { openlitespeed: true }, 'OpenLiteSpeed is already installed here; OpenLiteSpeed installs only on clean servers.'],
    ['recipe.install_openlitespeed', { cpanel: true }, 'cPanel is already installed here; OpenLiteSpeed installs only on clean servers.'],
    ['recipe.install_mariadb', { mariadb: true }, 'A MariaDB or MySQL server is already installed here; MariaDB installs only on clean servers.'],
    ['recipe.install_cpanel', { openlitespeed: true, mariadb: true }, 'OpenLiteSpeed and a MariaDB or MySQL server are already installed here; cPanel installs only on clean servers.'],
    ['recipe.install_cpanel', { cpanel: true }, 'cPanel is already installed here; cPanel installs only on clean servers.'],
    ['recipe.harden_openlitespeed', {}, 'OpenLiteSpeed is not installed on this server.'],
    ['recipe.harden_mariadb', {}, 'MariaDB is not installed on this server.'],
    ['recipe.harden_mariadb', { mariadb: true, cpanel: true }, "cPanel manages this database server; use Harden cPanel & WHM and WHM's own MySQL settings."],
    ['recipe.harden_cpanel', {}, 'cPanel is not installed on this server.'],
    ['recipe.whm_link_check', {}, 'cPanel is not installed on this server.'],
  ] as const)('%s with %j', (name, stacks, want) => {
    expect(verdict(name, {}, withStacks(stacks))).toBe(want)
  })

  test.each([
    ['recipe.install_openlitespeed', {}],
    ['recipe.install_mariadb', { openlitespeed: true }],
    ['recipe.install_cpanel', {}],
    ['recipe.harden_openlitespeed', { openlitespeed: true }],
    ['recipe.harden_mariadb', { mariadb: true }],
    ['recipe.harden_cpanel', { cpanel: true }],
    ['recipe.whm_link_check', { cpanel: true }],
  ] as const)('%s with %j is fine', (name, stacks) => {
    expect(verdict(name, {}, withStacks(stacks))).toBeNull()
  })

  test('cPanel only on the distributions it supports, when the OS is known', () => {
    const on = (id: string, versionId: string, family: 'debian' | 'rhel') => verdict('recipe.install_cpanel', {}, facts({ family, os: { id, versionId } }))
    expect(on('almalinux', '9.4', 'rhel')).toBeNull()
    expect(on('rocky', '8.10', 'rhel')).toBeNull()
    expect(on('ubuntu', '22.04', 'debian')).toBeNull()
    expect(on('debian', '12', 'debian')).toBe(
      'cPanel installs only on almalinux 8/9, rocky 8/9, cloudlinux 8/9, ubuntu 22.04/24.04; this server runs debian 12.',
    )
    expect(on('centos', '7', 'rhel')).toContain('this server runs centos 7.')
    expect(on('ubuntu', '20.04', 'debian')).toContain('this server runs ubuntu 20.04.')
  })
})
