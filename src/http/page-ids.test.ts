// Every page the app serves, with seeded data, has unique element ids: a
// repeated id makes a label focus another form's box and breaks the htmx
// targets and aria links that name it.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import type { Heartbeat } from '../../agent/protocol'
import { sampleHeartbeat } from '../testing/heartbeat-fixture'
import { memberWith, signedInWithPool } from '../jobs/tab-fixture'
import { visibleText, type Browser, type TestServer } from '../testing/harness'

let s: TestServer
let b: Browser
type Ids = Record<string, string>
const seeded: Ids[] = []

const cpanelHeartbeat = (): Heartbeat => {
  const hb = sampleHeartbeat()
  return { ...hb, stacks: { ...hb.stacks, cpanel: { version: '11.120.0.9', accounts: [{ user: 'shopuser', domain: 'shop.example.com', domains: [], plan: 'default', owner: 'root', suspended: false, diskBytes: null }] } } }
}

/** A pool with two members, a DNS provider, failover settings, a job, a schedule and a run. */
async function seedPool(poolId: string, heartbeat: () => Heartbeat): Promise<Ids> {
  const web1 = await memberWith(s, poolId, 'web-1', heartbeat())
  await memberWith(s, poolId, 'web-2', heartbeat())
  const provider = await s.api('POST', `/api/v1/pools/${poolId}/dns-providers`, { kind: 'powerdns', name: 'Local', apiUrl: 'http://127.0.0.1:9/api/v1', apiKey: 'key-1234', serverId: 'localhost' })
  expect(provider.status).toBe(201)
  await s.api('PUT', `/api/v1/pools/${poolId}/failover`, { enabled: true, hostnames: ['www.example.com'], zone: 'example.com', providerId: provider.json.id })
  const job = await s.api('POST', `/api/v1/members/${web1.id}/jobs`, { name: 'system.updates.check' })
  const schedule = await s.api('POST', `/api/v1/members/${web1.id}/schedules`, { name: 'system.updates.check', cron: '0 3 * * *' })
  const run = await s.api('POST', `/api/v1/pools/${poolId}/runs`, { name: 'system.updates.check', memberIds: [web1.id] })
  expect([job.status, schedule.status, run.status]).toEqual([201, 201, 201])
  // The snapshot, cPanel account and protected account action GETs only send a reloaded form post back to its tab, whatever the snapshot or account;
  // a map cell lists whoever is in it, no one included.
  return { poolId, memberId: web1.id, jobId: job.json.id, scheduleId: schedule.json.id, runId: run.json.id, snapshotId: 'snap_reloaded', action: 'restore', user: 'shopuser', protectedAccountId: 'pa_reloaded', cell: '17.20' }
}

beforeAll(async () => {
  const first = await signedInWithPool('Plain')
  ;({ s, b } = first)
  seeded.push(await seedPool(first.poolId, sampleHeartbeat))
  // Two cPanel members move the DNS forms to Managed DNS and show Protection.
  const cpanelPool = (await s.api('POST', '/api/v1/pools', { name: 'cPanel', preset: 'generic' })).json.id as string
  seeded.push(await seedPool(cpanelPool, cpanelHeartbeat))
}, 60_000)
afterAll(() => s.close())

// Not pages a person reads, or not pages at all.
const NOT_PAGES = /^\/(api|assets|agent)\/|^\/(healthz|metrics|install\.sh|login|setup)$|^\/$/

/** Every GET route of the app that renders HTML, with its parameters filled from the seed. */
function pagePaths(ids: Ids): string[] {
  return s.app.routes
    .filter((r) => r.method === 'GET' && !NOT_PAGES.test(r.path) && !r.path.includes('*'))
    .map((r) => r.path.replace(/:(\w+)/g, (_m, name: string) => ids[name] ?? `:${name}`))
}

/** Labels and aria links that name no element of the page. */
function danglingRefs(html: string): string[] {
  const ids = new Set([...html.matchAll(/\sid="([^"]*)"/g)].map((m) => m[1]!))
  const refs = [...html.matchAll(/\s(for|aria-describedby|aria-labelledby|aria-controls)="([^"]*)"/g)]
  return refs.flatMap((m) => m[2]!.split(/\s+/).filter((id) => !ids.has(id)).map((id) => `${m[1]}=${id}`))
}

function duplicateIds(html: string): string[] {
  const seen = new Map<string, number>()
  for (const m of html.matchAll(/\sid="([^"]*)"/g)) seen.set(m[1]!, (seen.get(m[1]!) ?? 0) + 1)
  return [...seen].filter(([, n]) => n > 1).map(([id]) => id)
}

/** Every page, fetched once for all the checks below. */
let pages: Promise<{ path: string; status: number; html: string }[]> | null = null
function everyPage() {
  pages ??= (async () => {
    const paths = [...new Set(seeded.flatMap(pagePaths))]
    const out = []
    for (const path of paths) {
      const res = await b.get(path)
      out.push({ path, status: res.status, html: res.text })
    }
    return out
  })()
  return pages
}

test('it renders every page with its parameters filled, and none fails', async () => {
  const all = await everyPage()
  expect(all.filter((p) => p.path.includes(':')).map((p) => p.path)).toEqual([])
  expect(all.length).toBeGreaterThan(50)
  // A redirect (a list that lives on another page) or nothing new (a poll) is fine; an error is not.
  expect(all.filter((p) => ![200, 204, 303].includes(p.status)).map((p) => `${p.path}: ${p.status}`)).toEqual([])
}, 60_000)

test('it finds no element id twice, and no label for a missing one, on any page', async () => {
  const found: Record<string, string[]> = {}
  for (const { path, html } of await everyPage()) {
    const wrong = [...duplicateIds(html), ...danglingRefs(html)]
    if (wrong.length) found[path] = wrong
  }
  expect(found).toEqual({})
}, 60_000)

const PRODUCTS = ['cPanel', 'WHM', 'MariaDB', 'OpenLiteSpeed', "Let's Encrypt", 'SSH', 'WordPress']

/** What a person reads as prose: commands, paths and keys shown as code are quoted, not words. */
const prose = (html: string) => visibleText(html.replace(/<(code|pre|textarea|option)\b[\s\S]*?<\/\1>/g, ' '))

/** Developer habits in the words of a page: markdown backticks, product names in the wrong case. */
function wrongWords(html: string): string[] {
  const text = prose(html)
  const found = text.includes('`') ? ['a backtick'] : []
  for (const product of PRODUCTS) {
    // Part of a command, path, host or key type (ssh-keygen, ~/.ssh, cpanel.net) is not the name.
    const any = new RegExp(`(?<![\\w./~-])${product.replace("'", "'?")}(?![\\w./-])`, 'gi')
    for (const m of text.matchAll(any)) if (m[0] !== product) found.push(m[0])
  }
  return found
}

test('it writes no backticks and no product name in the wrong case on any page', async () => {
  const found: Record<string, string[]> = {}
  for (const { path, html } of await everyPage()) {
    const wrong = wrongWords(html)
    if (wrong.length) found[path] = [...new Set(wrong)]
  }
  expect(found).toEqual({})
}, 60_000)
