// The agent's output checked against the server's own schema, so a heartbeat
// is never rejected for its shape or size.
import { describe, expect, test } from 'bun:test'
import { Value } from '@sinclair/typebox/value'
import { join } from 'node:path'
import { HeartbeatSchema } from '../../src/agent-api/schema'
import { MAX_LISTENERS, type CpanelAccount, type Inspection, type Stacks } from '../protocol'
import { cannedRun } from '../run-command'
import { collectHostState, createHostCollectors, inspect, type HostState } from '../inspect'
import { CPANEL_ACCOUNTS_BYTES, fitHostState, fitInspection } from './limits'

const account = (user: string): CpanelAccount => ({
  user, domain: `${user}.example`, domains: [], plan: null, owner: null, suspended: false, diskBytes: null,
})

const fixtures = ['ubuntu-22.04', 'debian-12', 'rocky-9', 'almalinux-9', 'centos-7', 'rhel-9', 'plain-host', 'ols-host', 'cpanel-host']
const emptyState: HostState = {
  uptimeSeconds: null, cpuPercent: null, load: null, memory: null, disks: [],
  updates: { manager: null, pending: null, security: null, checkedAt: null },
  firewall: { kind: null, active: null, ruleCount: null },
  services: [], certificates: [], listeners: [],
}

function check(inspection: Inspection, state: HostState) {
  const body = { agentVersion: 'dev', hostname: 'host.example', ...inspection, ...state }
  const errors = [...Value.Errors(HeartbeatSchema, body)].map((e) => `${e.path}: ${e.message}`)
  expect(errors).toEqual([])
}

describe('heartbeats fit the server schema', () => {
  test.each(fixtures)('%s', async (name) => {
    check(await inspect({ root: join(import.meta.dir, '../fixtures', name), run: cannedRun() }), emptyState)
  })

  test('this machine', async () => {
    const inspection = await inspect()
    check(inspection, await collectHostState({ stacks: inspection.stacks, collectors: createHostCollectors() }))
  })

  test('oversized detections are trimmed rather than rejected', () => {
    const long = (n: number) => 'x'.repeat(n)
    const stacks: Stacks = {
      openlitespeed: {
        version: long(100), running: true, adminPort: 7080,
        vhosts: [
          { name: long(300), root: '/a', domains: [] },
          { name: 'ok', root: long(2000), domains: [long(300), 'a.example', ...Array.from({ length: 300 }, (_, i) => `d${i}.example`)] },
          ...Array.from({ length: 1200 }, (_, i) => ({ name: `v${i}`, root: null, domains: [] })),
        ],
      },
      mariadb: { version: '10.11.6', flavor: 'mariadb', running: true, databases: [{ name: long(300), sizeBytes: 1 }, { name: 'nan', sizeBytes: NaN }], managedBy: null },
      galera: { clusterStatus: long(100), clusterSize: 3, localState: 'Synced', ready: true },
      cpanel: {
        version: '11.118',
        accounts: [
          account(long(100)),
          {
            ...account('bob'), domain: long(300), domains: [long(300), ...Array.from({ length: 1100 }, (_, i) => `d${i}.example`)],
            plan: long(300), owner: long(100), suspendReason: long(1000), contactEmail: long(300), ip: long(100), startDate: -1, diskBytes: 1.5,
          },
          ...Array.from({ length: 5100 }, (_, i) => account(`u${i}`)),
        ],
        packages: [long(300), 'Starter', ...Array.from({ length: 2100 }, (_, i) => `p${i}`)],
        backup: { enabled: true, type: long(100), daily: true, weekly: false, monthly: false, retention: NaN, dir: long(2000) },
        accountCount: 5102,
      },
    }
    const fitted = fitInspection({
      os: { id: long(100), versionId: '1', family: null, prettyName: long(300), kernel: null },
      stacks,
      apps: [{ kind: 'wordpress', path: long(2000), dbName: null, dbUser: null, dbHost: null }, { kind: 'wordpress', path: '/w', dbName: long(300), dbUser: 'u', dbHost: 'h' }],
    })
    const state = fitHostState({
      ...emptyState,
      disks: Array.from({ length: 150 }, (_, i) => ({ mount: `/m${i}`, fsType: 'ext4', totalBytes: 1, usedBytes: 0 })),
      certificates: [{ domain: 'a.example', path: '/c', notAfter: null, issuer: long(400) }],
      listeners: [
        { port: 22, address: long(100), process: 'sshd' },
        ...Array.from({ length: MAX_LISTENERS + 10 }, (_, i) => ({ port: 1000 + i, address: '0.0.0.0', process: long(100) })),
      ],
    })
    check(fitted, state)
    expect(fitted.stacks.openlitespeed?.vhosts[0]).toMatchObject({ name: 'ok', root: null })
    expect(fitted.stacks.openlitespeed?.vhosts[0].domains).toHaveLength(200)
    expect(fitted.stacks.mariadb?.databases).toEqual([{ name: 'nan', sizeBytes: null }])
    const cpanel = fitted.stacks.cpanel!
    // Cut by bytes, well before the 5000 the schema allows: a heartbeat over the body limit would be refused whole.
    expect(cpanel.accounts.length).toBeGreaterThan(500)
    expect(cpanel.accounts.length).toBeLessThan(1000)
    expect(Buffer.byteLength(JSON.stringify(cpanel.accounts))).toBeLessThanOrEqual(CPANEL_ACCOUNTS_BYTES)
    expect(cpanel.accounts[0]).toEqual({
      ...account('bob'), domain: null, domains: Array.from({ length: 1000 }, (_, i) => `d${i}.example`),
      plan: null, owner: null, suspendReason: long(256), contactEmail: null, ip: null, startDate: null, diskBytes: null,
    })
    expect(cpanel.packages).toHaveLength(2000)
    expect(cpanel.packages?.[0]).toBe('Starter')
    expect(cpanel.backup).toEqual({ enabled: true, type: null, daily: true, weekly: false, monthly: false, retention: null, dir: null })
    expect(cpanel.accountCount).toBe(5102)
    expect(state.listeners).toHaveLength(MAX_LISTENERS)
    expect(state.listeners[0]).toEqual({ port: 1000, address: '0.0.0.0', process: long(64) })
    expect(fitted.apps).toEqual([{ kind: 'wordpress', path: '/w', dbName: null, dbUser: 'u', dbHost: 'h' }])
    expect(state.disks).toHaveLength(100)
  })
})
