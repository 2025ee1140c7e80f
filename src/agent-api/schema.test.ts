import { describe, expect, test } from 'bun:test'
import { Value } from '@sinclair/typebox/value'
import { join } from 'node:path'
import { cannedRun } from '../../agent/run-command'
import { detectFirewall } from '../../agent/collect/firewall'
import { detectCpanel } from '../../agent/detect/cpanel'
import { MAX_LISTENERS, type Firewall, type FirewallRule, type Listener } from '../../agent/protocol'
import { sampleHeartbeat } from '../testing/heartbeat-fixture'
import { EnrollSchema, HeartbeatSchema } from './schema'

const rule: FirewallRule = { port: '22', protocol: 'tcp', source: null, action: 'allow', raw: '22/tcp ALLOW IN Anywhere' }
const withFirewall = (firewall: Firewall) => sampleHeartbeat({ firewall })

describe('heartbeat firewall rules', () => {
  test('optional: an agent that sends only the count is accepted', () => {
    expect(Value.Check(HeartbeatSchema, withFirewall({ kind: 'ufw', active: true, ruleCount: 4 }))).toBe(true)
  })

  test('rules as the agent reports them', () => {
    const rules: FirewallRule[] = [rule, { port: 'ssh', protocol: null, source: '2001:db8::/32', action: 'allow out', raw: 'rule service name="ssh" accept' }]
    expect(Value.Check(HeartbeatSchema, withFirewall({ kind: 'firewalld', active: true, ruleCount: 2, rules }))).toBe(true)
  })

  test('at most 500', () => {
    const rules = Array.from({ length: 501 }, () => rule)
    expect(Value.Check(HeartbeatSchema, withFirewall({ kind: 'ufw', active: true, ruleCount: 501, rules }))).toBe(false)
  })

  test.each([
    ['an unknown field', { ...rule, comment: 'x' }],
    ['a raw line past 512 characters', { ...rule, raw: 'x'.repeat(513) }],
    ['no action', { port: '22', protocol: 'tcp', source: null, raw: '' }],
  ])('refuses %s', (_, bad) => {
    expect(Value.Check(HeartbeatSchema, withFirewall({ kind: 'ufw', active: true, ruleCount: 1, rules: [bad as FirewallRule] }))).toBe(false)
  })

  test('whatever ufw prints, the collector stays inside the schema', async () => {
    const long = 'A'.repeat(300)
    const text = `Status: active\n\n     To      Action      From\n     --      ------      ----\n[ 1] ${long} Profile   ALLOW IN    ${long}   # ${long}\n`
    const firewall = await detectFirewall({ run: cannedRun({ 'ufw status numbered': text }) })
    expect(firewall.rules).toHaveLength(1)
    expect(Value.Check(HeartbeatSchema, withFirewall(firewall))).toBe(true)
  })
})

describe('strings and numbers PostgreSQL can store', () => {
  // The schema refuses these by itself; src/http/input-guard.ts refuses them again before it runs.
  test.each([
    ['a NUL in a string', sampleHeartbeat({ agentVersion: '0.1.0\u0000' })],
    ['a NUL deep inside', sampleHeartbeat({ apps: [{ kind: 'wordpress', path: '/var/www/\u0000', dbName: null, dbUser: null, dbHost: null }] })],
    ['half of a surrogate pair', sampleHeartbeat({ hostname: 'web\ud800.example.com' })],
    ['a fractional memory size', sampleHeartbeat({ memory: { totalBytes: 1024.5, usedBytes: 0, availableBytes: 0 } })],
    ['a disk size past exact integers', sampleHeartbeat({ disks: [{ mount: '/', fsType: 'ext4', totalBytes: 2 ** 64, usedBytes: 0 }] })],
    ['a negative load', sampleHeartbeat({ load: [-1, 0, 0] })],
  ])('refuses %s', (_, hb) => {
    expect(Value.Check(HeartbeatSchema, hb)).toBe(false)
  })

  test('takes unicode that is whole, and an enrolment only with a storable secret', () => {
    expect(Value.Check(HeartbeatSchema, sampleHeartbeat({ os: { id: 'ubuntu', versionId: '24.04', family: 'debian', prettyName: 'Ubuntu 💥 ÄÖÜ 日本語', kernel: null } }))).toBe(true)
    const enrol = { secret: 'mem_abc.0123456789', hostname: 'web-1.example.com', agentVersion: '0.1.0', os: { id: null, versionId: null, family: null, prettyName: null } }
    expect(Value.Check(EnrollSchema, enrol)).toBe(true)
    expect(Value.Check(EnrollSchema, { ...enrol, secret: 'mem_abc.01234\u000056789' })).toBe(false)
  })
})

describe('heartbeat cPanel accounts and listeners', () => {
  const oldAgent = { version: '11.118.0.19', accounts: [{ user: 'alice', domain: 'alice.example.org' }] }
  const full = detectCpanel(join(import.meta.dir, '../../agent/fixtures/cpanel-host'))!
  const withCpanel = (cpanel: unknown, more: object = {}) => ({ ...sampleHeartbeat(), stacks: { ...sampleHeartbeat().stacks, cpanel }, ...more })
  const listener: Listener = { port: 443, address: '::', process: 'httpd' }

  test('an older agent: only user and domain, no packages, backup, count or listeners', () => {
    expect(Value.Check(HeartbeatSchema, withCpanel(oldAgent))).toBe(true)
  })

  test('the full report of the cPanel fixture, with listeners', () => {
    expect(full.accounts).toHaveLength(2)
    expect(Value.Check(HeartbeatSchema, withCpanel(full, { listeners: [listener, { port: 25, address: '0.0.0.0', process: null }] }))).toBe(true)
  })

  const account = full.accounts[0]!
  test.each([
    ['over 1000 domains on an account', { ...full, accounts: [{ ...account, domains: Array.from({ length: 1001 }, (_, i) => `d${i}.example`) }] }],
    ['over 2000 packages', { ...full, packages: Array.from({ length: 2001 }, (_, i) => `p${i}`) }],
    ['over 5000 accounts', { ...oldAgent, accounts: Array.from({ length: 5001 }, (_, i) => ({ user: `u${i}`, domain: null })) }],
    ['suspended as text', { ...full, accounts: [{ ...account, suspended: '1' }] }],
    ['a fractional home size', { ...full, accounts: [{ ...account, diskBytes: 1.5 }] }],
    ['an unknown account field', { ...full, accounts: [{ ...account, password: 'x' }] }],
    ['a backup config without its switches', { ...full, backup: { type: 'compressed', dir: '/backup' } }],
    ['a negative account count', { ...full, accountCount: -1 }],
  ])('refuses %s', (_, cpanel) => {
    expect(Value.Check(HeartbeatSchema, withCpanel(cpanel))).toBe(false)
  })

  test.each([
    [`over ${MAX_LISTENERS} listeners`, Array.from({ length: MAX_LISTENERS + 1 }, (_, i) => ({ ...listener, port: i }))],
    ['a port past 65535', [{ ...listener, port: 65536 }]],
    ['an address past 64 characters', [{ ...listener, address: 'x'.repeat(65) }]],
    ['no process field', [{ port: 22, address: '0.0.0.0' }]],
  ])('refuses %s', (_, listeners) => {
    expect(Value.Check(HeartbeatSchema, sampleHeartbeat({ listeners: listeners as Listener[] }))).toBe(false)
  })
})
