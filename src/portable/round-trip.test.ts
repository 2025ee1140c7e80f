// A control plane exported from one server and imported into a fresh one
// with another key: on the embedded database, and on PostgreSQL when
// TEST_DATABASE_URL is set (each server in a database of its own).
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { eq } from 'drizzle-orm'
import { ADMIN, testServer, type TestServer } from '../testing/harness'
import { sampleHeartbeat } from '../testing/heartbeat-fixture'
import { dnsProviders, leaderTerms } from '../db/schema'
import { poolDataKey } from '../backups/keys'
import { secretBox } from '../crypto/secret-box'
import { createHash } from 'node:crypto'
import { DAMAGED, openExport, readHeader, sealExport } from './envelope'
import { dumpDatabase } from './dump'
import { restoreDatabase } from './restore'
import { EXPORTED, sealedColumns, tableName } from './tables'
import * as store from './store'
import type { Db } from '../db'

const PASS = 'a long export passphrase'
const SOURCE_KEY = 'the old server key'
const DNS_KEY = 'pdns-api-key-7f3a'
const os = { id: 'ubuntu', versionId: '22.04', family: 'debian', prettyName: 'Ubuntu 22.04.4 LTS' }

let source: TestServer
let target: TestServer
let file: Buffer
const fleet = { poolId: '', memberId: '', token: '', pendingId: '', pendingSecret: '', providerId: '', scheduleId: '', dataKey: '' }

async function post(base: string, path: string, body: unknown, token?: string) {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: JSON.stringify(body),
  })
  return { status: res.status, json: (await res.json().catch(() => null)) as any }
}

/** Every exported table's rows as the database writes them, sealed columns left out (they differ by key). */
async function contents(db: Db) {
  const all: Record<string, string[]> = {}
  for (const table of EXPORTED) {
    const sealed = sealedColumns(table)
    const rows = await store.readRows(db, tableName(table))
    all[tableName(table)] = rows
      .map((r) => {
        const row = JSON.parse(r)
        for (const c of sealed) row[c] = row[c] === null ? null : 'sealed'
        return JSON.stringify(row)
      })
      .sort()
  }
  return all
}

beforeAll(async () => {
  source = await testServer({ env: { SECRET_KEY: SOURCE_KEY } })
  const base = source.serve()
  fleet.poolId = (await source.api('POST', '/api/v1/pools', { name: 'Web', preset: 'generic' })).json.id
  const added = (await source.api('POST', `/api/v1/pools/${fleet.poolId}/members`, { name: 'web-1', hostname: 'web-1.example.com', egressIps: ['127.0.0.1'] })).json
  fleet.memberId = added.id
  const enrolled = await post(base, '/api/v1/agent/enroll', { secret: added.enrollment.secret, hostname: 'web-1.example.com', agentVersion: '0.1.0', os })
  expect(enrolled.status).toBe(201)
  fleet.token = enrolled.json.token
  expect((await post(base, '/api/v1/agent/heartbeat', sampleHeartbeat(), fleet.token)).status).toBe(200)
  // A member whose install command is not used yet: the command must still work after the move.
  const pending = (await source.api('POST', `/api/v1/pools/${fleet.poolId}/members`, { name: 'web-2', hostname: 'web-2.example.com', egressIps: ['127.0.0.1'] })).json
  fleet.pendingId = pending.id
  fleet.pendingSecret = pending.enrollment.secret
  const provider = await source.api('POST', `/api/v1/pools/${fleet.poolId}/dns-providers`, { kind: 'powerdns', name: 'PowerDNS', apiUrl: 'http://127.0.0.1:8081', apiKey: DNS_KEY })
  expect(provider.status).toBe(201)
  fleet.providerId = provider.json.id
  const schedule = await source.api('POST', `/api/v1/members/${fleet.memberId}/schedules`, { name: 'system.updates.check', cron: '0 3 * * *', label: 'nightly updates' })
  expect(schedule.status).toBe(201)
  fleet.scheduleId = schedule.json.id
  expect((await source.api('PUT', `/api/v1/pools/${fleet.poolId}/alerts`, { anySilent: { enabled: true, afterSeconds: 240 } })).status).toBe(200)
  fleet.dataKey = (await poolDataKey(source.db, source.deps.secrets, fleet.poolId)).toString('base64')
  await source.db.insert(leaderTerms).values([{ holder: 'old:1' }, { holder: 'old:2' }])

  const { body, counts } = await dumpDatabase(source.db, source.deps.secrets)
  file = sealExport(body, PASS, { database: 'test', tables: counts })
  // A fresh server with a key of its own; no admin: the import brings the users.
  target = await testServer({ admin: false, onDisk: !process.env.TEST_DATABASE_URL })
}, 60_000)

afterAll(async () => {
  await target?.close()
  await source?.close()
})

describe('export and import of the control plane', () => {
  test('it refuses a wrong passphrase before anything is written', async () => {
    expect(() => openExport(readHeader(file, 'fleet.sctl'), 'not the passphrase at all')).toThrow(DAMAGED)
    expect(await store.hasRows(target.db, 'users')).toBe(false)
  })

  test('it refuses a file from a newer serversctl, and what it wrote before noticing is rolled back', async () => {
    const users = [{ id: 'usr_1', email: 'a@example.com', password_hash: 'x', role: 'admin' }]
    const newer = (tables: object) => restoreDatabase(target.db, target.deps.secrets, JSON.stringify({ leaderTerm: 0, opened: {}, tables }))
    await expect(newer({ users, pools: [{ id: 'p1', name: 'P', preset: 'generic', colour: 'red' }] })).rejects.toThrow(
      'the file has column pools.colour, which this serversctl does not know: import it with the serversctl version that made it, or a newer one. Nothing was imported.',
    )
    await expect(newer({ users, pool_colours: [] })).rejects.toThrow('the file has table pool_colours')
    expect(await store.hasRows(target.db, 'users')).toBe(false)
  })

  test('it brings every exported row across, secrets sealed again with the new key', async () => {
    const counts = await restoreDatabase(target.db, target.deps.secrets, openExport(readHeader(file, 'fleet.sctl'), PASS))
    expect(counts).toMatchObject({ users: 1, api_tokens: 1, pools: 1, members: 2, enrollment_secrets: 2, dns_providers: 1, job_schedules: 1, pool_alert_settings: 1, pool_backups: 1 })
    expect(await contents(target.db)).toEqual(await contents(source.db))

    const [before] = await source.db.select().from(dnsProviders).where(eq(dnsProviders.id, fleet.providerId))
    const [after] = await target.db.select().from(dnsProviders).where(eq(dnsProviders.id, fleet.providerId))
    expect(after!.secretSealed).not.toBe(before!.secretSealed)
    expect(target.deps.secrets.open(after!.secretSealed)).toBe(DNS_KEY)
    const oldKey = secretBox(createHash('sha256').update(SOURCE_KEY).digest())
    expect(() => oldKey.open(after!.secretSealed)).toThrow()
    expect((await poolDataKey(target.db, target.deps.secrets, fleet.poolId)).toString('base64')).toBe(fleet.dataKey)
  })

  test('it keeps enrolled agents, install commands, tokens and passwords working on the new server', async () => {
    const base = target.serve()
    expect((await post(base, '/api/v1/agent/heartbeat', sampleHeartbeat({ cpuPercent: 42 }), fleet.token)).status).toBe(200)
    expect((await post(base, '/api/v1/agent/heartbeat', sampleHeartbeat(), 'sctla_not_a_token')).status).toBe(401)
    const install = await target.api('GET', `/api/v1/members/${fleet.pendingId}/enrollment`)
    expect(install.status).toBe(200)
    expect(install.json.secret).toBe(fleet.pendingSecret)
    const enrolled = await post(base, '/api/v1/agent/enroll', { secret: fleet.pendingSecret, hostname: 'web-2.example.com', agentVersion: '0.1.0', os })
    expect(enrolled.status).toBe(201)

    const pools = await target.api('GET', '/api/v1/pools', undefined, ADMIN.token)
    expect(pools.status).toBe(200)
    expect(JSON.stringify(pools.json)).toContain('Web')
    const schedules = await target.api('GET', `/api/v1/members/${fleet.memberId}/schedules`)
    expect(JSON.stringify(schedules.json)).toContain('nightly updates')
    const alerts = await target.api('GET', `/api/v1/pools/${fleet.poolId}/alerts`)
    expect(alerts.json.anySilent).toMatchObject({ enabled: true, afterSeconds: 240 })
    await target.browser().signIn()

    // Counters continue past the imported rows: new audit rows and terms do not collide.
    expect((await target.api('POST', '/api/v1/pools', { name: 'After the move', preset: 'generic' })).status).toBe(201)
    const [term] = await target.db.insert(leaderTerms).values({ holder: 'new' }).returning()
    expect(term!.term).toBeGreaterThan(2)
  })

  test('it refuses to import into a database that already holds a control plane, changing nothing', async () => {
    const before = await contents(target.db)
    const again = restoreDatabase(target.db, target.deps.secrets, openExport(readHeader(file, 'fleet.sctl'), PASS))
    await expect(again).rejects.toThrow(/this database already holds users, api_tokens, pools.*empty database.*Nothing was imported/)
    expect(await contents(target.db)).toEqual(before)
  })
})
