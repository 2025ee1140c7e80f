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
          accounts: [{ user: 'alice', domain: 'alice.example.org' }, { user: 'bob', domain: 'bobs-bikes.example.com' }],
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
    })
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
