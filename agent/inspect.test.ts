import { describe, expect, test } from 'bun:test'
import { join } from 'node:path'
import type { Inspection, Stacks } from './protocol'
import { cannedRun } from './run-command'
import { collectHostState, createHostCollectors, inspect } from './inspect'

const fixture = (name: string) => join(import.meta.dir, 'fixtures', name)
const noStacks: Stacks = { openlitespeed: null, mariadb: null, galera: null, cpanel: null }
const os = (id: string | null, versionId: string | null, family: 'debian' | 'rhel' | null, prettyName: string | null, kernel: string | null) => ({
  id, versionId, family, prettyName, kernel,
})

const cases: [string, Inspection][] = [
  ['ubuntu-22.04', { os: os('ubuntu', '22.04', 'debian', 'Ubuntu 22.04.4 LTS', '5.15.0-105-generic'), stacks: noStacks, apps: [] }],
  ['debian-12', { os: os('debian', '12', 'debian', 'Debian GNU/Linux 12 (bookworm)', '6.1.0-21-amd64'), stacks: noStacks, apps: [] }],
  ['rocky-9', { os: os('rocky', '9.4', 'rhel', 'Rocky Linux 9.4 (Blue Onyx)', '5.14.0-427.13.1.el9_4.x86_64'), stacks: noStacks, apps: [] }],
  ['almalinux-9', { os: os('almalinux', '9.4', 'rhel', 'AlmaLinux 9.4 (Seafoam Ocelot)', '5.14.0-427.16.1.el9_4.x86_64'), stacks: noStacks, apps: [] }],
  ['centos-7', { os: os('centos', '7', 'rhel', 'CentOS Linux 7 (Core)', '3.10.0-1160.119.1.el7.x86_64'), stacks: noStacks, apps: [] }],
  ['rhel-9', { os: os('rhel', '9.4', 'rhel', 'Red Hat Enterprise Linux 9.4 (Plow)', '5.14.0-427.13.1.el9_4.x86_64'), stacks: noStacks, apps: [] }],
  ['plain-host', { os: os(null, null, null, null, null), stacks: noStacks, apps: [] }],
  [
    'ols-host',
    {
      os: os('ubuntu', '22.04', 'debian', 'Ubuntu 22.04.4 LTS', '5.15.0-105-generic'),
      stacks: {
        ...noStacks,
        openlitespeed: {
          version: '1.7.19',
          running: true,
          adminPort: 7080,
          vhosts: [
            { name: 'Example', root: '/usr/local/lsws/Example', domains: ['example.com', 'www.example.com'] },
            { name: 'shop.example.net', root: '/home/shop.example.net', domains: ['shop.example.net', 'www.shop.example.net'] },
          ],
        },
      },
      apps: [{ kind: 'wordpress', path: '/usr/local/lsws/Example/html', dbName: 'example_wp', dbUser: 'example_user', dbHost: 'localhost' }],
    },
  ],
  [
    'cpanel-host',
    {
      os: os('almalinux', '8.10', 'rhel', 'AlmaLinux 8.10 (Cerulean Leopard)', '4.18.0-553.5.1.el8_10.x86_64'),
      stacks: {
        ...noStacks,
        // Nothing answers in the fixture: installed, flavor from the binary name, not running.
        mariadb: { version: null, flavor: 'mariadb', running: false, databases: [], managedBy: 'cpanel' },
        cpanel: {
          version: '11.118.0.19',
          accounts: [
            {
              user: 'alice', domain: 'alice.example.org', domains: ['alice-blog.example.net', 'shop.alice.example.org'], plan: 'Business', owner: 'root',
              suspended: false, suspendReason: null, contactEmail: 'alice@mail.example.net', ip: '203.0.113.10', startDate: 1_704_067_200, diskBytes: 252,
            },
            {
              user: 'bob', domain: 'bobs-bikes.example.com', domains: ['bobsbikes.example.net'], plan: 'Starter', owner: 'root',
              suspended: true, suspendReason: 'Invoice 1042 unpaid since May', contactEmail: 'bob@bobs-bikes.example.com', ip: '203.0.113.10', startDate: 1_709_251_200, diskBytes: 13,
            },
          ],
          packages: ['Business', 'default', 'Starter'],
          backup: { enabled: true, type: 'compressed', daily: true, weekly: true, monthly: false, retention: 5, dir: '/backup' },
          accountCount: 2,
        },
      },
      apps: [{ kind: 'wordpress', path: '/home/alice/public_html', dbName: 'alice_wp', dbUser: 'alice_wp', dbHost: 'localhost' }],
    },
  ],
]

describe('inspect on fixtures', () => {
  test.each(cases)('%s', async (name, want) => {
    expect(await inspect({ root: fixture(name), run: cannedRun() })).toEqual(want)
  })
})

describe('collectHostState on a fixture', () => {
  test('the web host: services from the stacks, certificates, and no crash on the missing /proc files', async () => {
    const root = fixture('ols-host')
    const { stacks } = await inspect({ root, run: cannedRun() })
    const run = cannedRun({
      'systemctl show --property=LoadState,ActiveState -- lsws lshttpd': 'LoadState=loaded\nActiveState=active\n\nLoadState=loaded\nActiveState=active\n',
      'ufw status numbered': 'Status: active\n\n     To Action From\n     -- ------ ----\n[ 1] 80/tcp ALLOW IN Anywhere\n',
      'apt-get -s upgrade': 'Inst tzdata [1] (2 Ubuntu:22.04/jammy-updates [all])\n',
      'ss -ltnpH': 'LISTEN 0 511 *:443 *:* users:(("lshttpd",pid=900,fd=10))\nLISTEN 0 511 *:80 *:* users:(("lshttpd",pid=900,fd=9))\n',
    })
    const state = await collectHostState({ root, run, stacks, collectors: createHostCollectors({ root, run, now: () => 0 }) })
    expect(state).toEqual({
      uptimeSeconds: null,
      cpuPercent: null,
      load: null,
      memory: null,
      disks: [],
      updates: { manager: 'apt', pending: 1, security: 0, checkedAt: '1970-01-01T00:00:00.000Z' },
      firewall: { kind: 'ufw', active: true, ruleCount: 1, rules: [{ port: '80', protocol: 'tcp', source: null, action: 'allow', raw: '80/tcp ALLOW IN Anywhere' }] },
      services: [{ unit: 'lsws', stack: 'openlitespeed', state: 'active' }],
      certificates: [
        { domain: 'shop.example.net', path: '/etc/letsencrypt/live/shop.example.net/cert.pem', notAfter: '2126-11-02T10:10:27.000Z', issuer: 'Fixture CA R1' },
        { domain: 'example.com', path: '/usr/local/lsws/Example/conf/example.crt', notAfter: '2126-11-02T10:10:27.000Z', issuer: 'Fixture CA R1' },
      ],
      listeners: [
        { port: 80, address: '*', process: 'lshttpd' },
        { port: 443, address: '*', process: 'lshttpd' },
      ],
    })
  })
})

describe('collectHostState on the cPanel fixture', () => {
  test("cPanel's services once each (MariaDB under its own stack) and what listens", async () => {
    const root = fixture('cpanel-host')
    const { stacks } = await inspect({ root, run: cannedRun() })
    const units = 'mariadb mysql mysqld cpanel exim dovecot httpd lsws lshttpd named pdns'
    const block = (load: string, active: string) => `LoadState=${load}\nActiveState=${active}\n`
    const run = cannedRun({
      [`systemctl show --property=LoadState,ActiveState -- ${units}`]: [
        block('loaded', 'active'), block('loaded', 'active'), block('not-found', 'inactive'),
        block('loaded', 'active'), block('loaded', 'active'), block('loaded', 'failed'),
        block('loaded', 'active'), block('not-found', 'inactive'), block('not-found', 'inactive'),
        block('loaded', 'active'), block('not-found', 'inactive'),
      ].join('\n'),
      'ss -ltnpH': [
        'LISTEN 0 100 0.0.0.0:25 0.0.0.0:* users:(("exim",pid=1800,fd=3))',
        'LISTEN 0 45 0.0.0.0:2087 0.0.0.0:* users:(("cpsrvd",pid=1500,fd=4))',
        'LISTEN 0 511 [::]:443 [::]:* users:(("httpd",pid=2100,fd=7))',
      ].join('\n'),
    })
    const state = await collectHostState({ root, run, stacks, collectors: createHostCollectors({ root, run, now: () => 0 }) })
    expect(state.services).toEqual([
      { unit: 'mariadb', stack: 'mariadb', state: 'active' },
      { unit: 'cpanel', stack: 'cpanel', state: 'active' },
      { unit: 'exim', stack: 'cpanel', state: 'active' },
      { unit: 'dovecot', stack: 'cpanel', state: 'failed' },
      { unit: 'httpd', stack: 'cpanel', state: 'active' },
      { unit: 'named', stack: 'cpanel', state: 'active' },
    ])
    expect(state.listeners).toEqual([
      { port: 25, address: '0.0.0.0', process: 'exim' },
      { port: 443, address: '::', process: 'httpd' },
      { port: 2087, address: '0.0.0.0', process: 'cpsrvd' },
    ])
  })
})

describe('this machine', () => {
  test('inspect says Debian and returns quickly', async () => {
    const started = performance.now()
    const got = await inspect({ root: '/' })
    const ms = Math.round(performance.now() - started)
    console.log(`inspect on / took ${ms} ms`)
    expect(got.os.family).toBe('debian')
    expect(got.os.kernel).toBeString()
    expect(ms).toBeLessThan(5000)
  })

  test('two heartbeats of host state', async () => {
    const { stacks } = await inspect({ root: '/' })
    const collectors = createHostCollectors()
    for (const beat of [1, 2]) {
      const started = performance.now()
      const state = await collectHostState({ stacks, collectors })
      console.log(`collectHostState #${beat} on / took ${Math.round(performance.now() - started)} ms`)
      expect(state.cpuPercent).toBeGreaterThanOrEqual(0)
      expect(state.memory?.totalBytes).toBeGreaterThan(0)
      expect(state.updates.manager === 'apt' || state.updates.checkedAt === null).toBe(true)
    }
  })
})
