// Seeded mutations of valid bodies, paths and queries against the agent and
// API routes. Whatever arrives, the answer is at worst a 4xx in the error
// shape, never a 500, and the server is still well afterwards.
// FUZZ_SEED=<n> replays another sequence; FUZZ_BODIES=<n> sends more.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { ADMIN, testServer, type TestServer } from '../testing/harness'
import { sampleHeartbeat } from '../testing/heartbeat-fixture'
import { mutate, ODD_IDS, pick, RAW_BODIES, seededRng, type Rng } from '../testing/mutate'
import { clearAttempts } from '../throttle/store'
import { enrollAttemptKey } from '../agent-api/service'

const SEED = Number(process.env.FUZZ_SEED ?? 20261110)
const BODIES = Number(process.env.FUZZ_BODIES ?? 3000)
const os = { id: 'debian', versionId: '12', family: 'debian', prettyName: 'Debian GNU/Linux 12' }

let s: TestServer
let base: string
const ids = { pool: '', otherPool: '', member: '', otherMember: '', token: '', job: '', schedule: '', enrolSecret: '' }

type Answer = { status: number; text: string }

async function agentCall(method: string, path: string, raw: string | undefined, token: string | null): Promise<Answer> {
  // Agent routes check the client address, which only a real socket has.
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { 'content-type': 'application/json', ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: raw,
  })
  return { status: res.status, text: await res.text() }
}

async function apiCall(method: string, path: string, raw: string | undefined): Promise<Answer> {
  const headers: Record<string, string> = { authorization: `Bearer ${ADMIN.token}` }
  if (raw !== undefined) {
    headers['content-type'] = 'application/json'
    headers['content-length'] = String(Buffer.byteLength(raw))
  }
  const res = await s.handle(path, { method, headers, body: raw })
  return { status: res.status, text: await res.text() }
}

async function enrolledMember(name: string) {
  const added = await s.api('POST', `/api/v1/pools/${ids.pool}/members`, { name, hostname: `${name}.example.com`, egressIps: ['127.0.0.1'] })
  const res = await agentCall('POST', '/api/v1/agent/enroll', JSON.stringify({ secret: added.json.enrollment.secret, hostname: `${name}.example.com`, agentVersion: '0.1.0', os }), null)
  return { id: added.json.id as string, token: JSON.parse(res.text).token as string }
}

/** A job of the fuzzed member, running, so report and finish reach the store. */
async function runningJob(): Promise<string> {
  await s.api('POST', `/api/v1/members/${ids.member}/jobs`, { name: 'system.reboot', params: {} })
  const claimed = await agentCall('POST', '/api/v1/agent/jobs/claim', '{"waitSeconds":0}', ids.token)
  return JSON.parse(claimed.text).job?.id ?? ids.job
}

type Target = {
  name: string
  method: string
  path: () => string
  /** The same path with its id replaced, for odd ids. */
  oddPath?: (id: string) => string
  valid: () => unknown
  agent?: boolean
  weight: number
  before?: (i: number) => Promise<void>
}

const targets: Target[] = [
  {
    name: 'enroll',
    method: 'POST',
    path: () => '/api/v1/agent/enroll',
    valid: () => ({ secret: ids.enrolSecret, hostname: 'enrol.example.com', agentVersion: '0.1.0', os }),
    agent: true,
    weight: 3,
    // The address's attempt limit would turn the rest into 429s and test nothing more.
    before: () => clearAttempts(s.db, enrollAttemptKey('127.0.0.1')),
  },
  { name: 'heartbeat', method: 'POST', path: () => '/api/v1/agent/heartbeat', valid: () => sampleHeartbeat({ hostname: 'fuzz.example.com' }), agent: true, weight: 8 },
  {
    name: 'job claim',
    method: 'POST',
    path: () => '/api/v1/agent/jobs/claim',
    valid: () => ({ waitSeconds: 0 }),
    agent: true,
    weight: 2,
    // A job waiting means no mutated waitSeconds ("25") holds the request in a long-poll.
    before: async () => {
      await s.api('POST', `/api/v1/members/${ids.member}/jobs`, { name: 'system.reboot', params: {} })
    },
  },
  {
    name: 'job report',
    method: 'POST',
    path: () => `/api/v1/agent/jobs/${ids.job}/report`,
    oddPath: (id) => `/api/v1/agent/jobs/${id}/report`,
    valid: () => ({ lines: [{ stream: 'stdout', line: 'Reading package lists...' }], progress: 40, step: 0, result: { rebooted: false } }),
    agent: true,
    weight: 4,
  },
  {
    name: 'job finish',
    method: 'POST',
    path: () => `/api/v1/agent/jobs/${ids.job}/finish`,
    oddPath: (id) => `/api/v1/agent/jobs/${id}/finish`,
    valid: () => ({ status: 'succeeded', exitCode: 0, error: null, progress: 100, lines: [{ stream: 'agent', line: 'done' }], result: { ok: true } }),
    agent: true,
    weight: 3,
    before: async (i) => {
      if (i % 5 === 0) ids.job = await runningJob()
    },
  },
  { name: 'create pool', method: 'POST', path: () => '/api/v1/pools', valid: () => ({ name: `Pool ${Math.random()}`, preset: 'generic' }), weight: 2 },
  {
    name: 'rename pool',
    method: 'PATCH',
    path: () => `/api/v1/pools/${ids.otherPool}`,
    oddPath: (id) => `/api/v1/pools/${id}`,
    valid: () => ({ name: 'Renamed' }),
    weight: 1,
  },
  {
    name: 'add member',
    method: 'POST',
    path: () => `/api/v1/pools/${ids.pool}/members`,
    oddPath: (id) => `/api/v1/pools/${id}/members`,
    valid: () => ({ name: 'web', hostname: 'web.example.com', egressIps: ['192.0.2.10'], publicIpv4: '192.0.2.10', osFamily: 'debian' }),
    weight: 3,
  },
  {
    name: 'change member',
    method: 'PATCH',
    path: () => `/api/v1/members/${ids.otherMember}`,
    oddPath: (id) => `/api/v1/members/${id}`,
    valid: () => ({ name: 'spare', hostname: 'spare.example.com', egressIps: ['192.0.2.20'], publicIpv4: null, location: { lat: 52.5, lon: 13.4, label: 'Berlin' } }),
    weight: 3,
  },
  {
    name: 'failover settings',
    method: 'PUT',
    path: () => `/api/v1/pools/${ids.pool}/failover`,
    oddPath: (id) => `/api/v1/pools/${id}/failover`,
    valid: () => ({
      enabled: true,
      hostname: 'www.example.com',
      hostnames: ['www.example.com'],
      zone: 'example.com',
      providerId: null,
      delaySeconds: 30,
      ttl: 60,
      memberOrder: [ids.member, ids.otherMember],
      autoFailback: false,
      failbackAfterSeconds: 300,
      probe: { kind: 'http', port: 443, path: '/health' },
      extraRecords: [{ type: 'MX', name: 'example.com', values: { [ids.member]: '10 mail.example.com' } }],
    }),
    weight: 4,
  },
  {
    name: 'make active',
    method: 'POST',
    path: () => `/api/v1/pools/${ids.pool}/failover/make-active`,
    oddPath: (id) => `/api/v1/pools/${id}/failover/make-active`,
    valid: () => ({ memberId: ids.member }),
    weight: 1,
  },
  {
    name: 'add DNS provider',
    method: 'POST',
    path: () => `/api/v1/pools/${ids.otherPool}/dns-providers`,
    oddPath: (id) => `/api/v1/pools/${id}/dns-providers`,
    valid: () => ({ kind: 'powerdns', name: 'PowerDNS', apiUrl: 'http://127.0.0.1:9/api/v1', apiKey: 'not-a-real-key', serverId: 'localhost' }),
    weight: 2,
  },
  {
    name: 'queue job',
    method: 'POST',
    path: () => `/api/v1/members/${ids.member}/jobs`,
    oddPath: (id) => `/api/v1/members/${id}/jobs`,
    valid: () => ({ name: 'firewall.rule.add', params: { port: 8080, protocol: 'tcp', source: '192.0.2.0/24', action: 'allow' } }),
    weight: 3,
  },
  {
    name: 'fleet run',
    method: 'POST',
    path: () => `/api/v1/pools/${ids.pool}/runs`,
    oddPath: (id) => `/api/v1/pools/${id}/runs`,
    valid: () => ({ name: 'service.restart', params: { unit: 'mariadb' }, memberIds: [ids.member] }),
    weight: 1,
  },
  {
    name: 'create schedule',
    method: 'POST',
    path: () => `/api/v1/members/${ids.member}/schedules`,
    oddPath: (id) => `/api/v1/members/${id}/schedules`,
    valid: () => ({ name: 'system.updates.check', params: {}, cron: '0 3 * * *', label: 'nightly', enabled: false }),
    weight: 2,
  },
  {
    name: 'change schedule',
    method: 'PATCH',
    path: () => `/api/v1/schedules/${ids.schedule}`,
    oddPath: (id) => `/api/v1/schedules/${id}`,
    valid: () => ({ cron: '30 4 * * 1', label: 'weekly', enabled: false }),
    weight: 2,
  },
]

const READS = [
  (id: string) => `/api/v1/pools/${id}`,
  (id: string) => `/api/v1/members/${id}`,
  (id: string) => `/api/v1/jobs/${id}`,
  (id: string) => `/api/v1/schedules/${id}`,
  (id: string) => `/api/v1/pools/${id}/failover`,
  (id: string) => `/api/v1/jobs/${ids.job}/output?after=${id}`,
  (id: string) => `/api/v1/members/${ids.member}/jobs?x=${id}`,
  (id: string) => `/api/v1/audit?before=${id}`,
  (id: string) => `/api/v1/audit?pool=${id}`,
  (id: string) => `/pools/${ids.pool}/members/${ids.member}/jobs/${ids.job}/live?after=${id}`,
]

type Sent = { target: string; path: string; what: string; status: number; text: string }

/** A 500, or an API refusal not in the {"error": {code, message}} shape (pages answer an error page). */
const refusedBadly = (res: Sent) =>
  res.status >= 500 || (res.status >= 400 && res.path.startsWith('/api/') && !/^\{"error":\{"code":"[^"]+","message":"/.test(res.text))

/** One request: mostly a mutated body, sometimes text that is not JSON, or an odd id in the path. */
async function sendOne(rng: Rng, target: Target, i: number): Promise<Sent> {
  await target.before?.(i)
  const r = rng()
  let path = target.path()
  let raw: string | undefined
  let what: string
  if (r < 0.06) {
    raw = pick(rng, RAW_BODIES)
    what = `raw body ${JSON.stringify(raw.slice(0, 20))}`
  } else if (r < 0.12 && target.oddPath) {
    const id = pick(rng, ODD_IDS)
    path = target.oddPath(id)
    raw = JSON.stringify(target.valid())
    what = `id ${id.slice(0, 30)}`
  } else {
    const m = mutate(rng, target.valid())
    raw = JSON.stringify(m.body) ?? 'null'
    what = m.what
  }
  const answer = target.agent
    ? await agentCall(target.method, path, raw, target.name === 'enroll' ? null : ids.token)
    : await apiCall(target.method, path, raw)
  return { target: target.name, path: path.slice(0, 120), what, status: answer.status, text: answer.text.slice(0, 300) }
}

async function readOne(rng: Rng): Promise<Sent> {
  const path = pick(rng, READS)(pick(rng, [...ODD_IDS, '-1', '0', '1.5', '1e308', '99999999999999999999', '2147483648']))
  const answer = await apiCall('GET', path, undefined)
  return { target: 'read', path: path.slice(0, 120), what: 'odd id or query', status: answer.status, text: answer.text.slice(0, 300) }
}

beforeAll(async () => {
  s = await testServer()
  base = s.serve()
  ids.pool = (await s.api('POST', '/api/v1/pools', { name: 'Fuzz', preset: 'generic' })).json.id
  ids.otherPool = (await s.api('POST', '/api/v1/pools', { name: 'Other', preset: 'generic' })).json.id
  const m = await enrolledMember('fuzz')
  ids.member = m.id
  ids.token = m.token
  ids.otherMember = (await s.api('POST', `/api/v1/pools/${ids.pool}/members`, { name: 'spare', hostname: 'spare.example.com', egressIps: ['192.0.2.20'] })).json.id
  ids.enrolSecret = (await s.api('POST', `/api/v1/pools/${ids.pool}/members`, { name: 'enrol', hostname: 'enrol.example.com', egressIps: ['127.0.0.1'] })).json.enrollment.secret
  // A heartbeat first, so the member has an OS and stacks and jobs get past their refusals.
  const beat = await agentCall('POST', '/api/v1/agent/heartbeat', JSON.stringify(sampleHeartbeat({ hostname: 'fuzz.example.com' })), ids.token)
  if (beat.status !== 200) throw new Error(`setup heartbeat: ${beat.status} ${beat.text}`)
  ids.schedule = (await s.api('POST', `/api/v1/members/${ids.member}/schedules`, { name: 'system.updates.check', cron: '0 3 * * *', enabled: false })).json.id
  ids.job = await runningJob()
})
afterAll(() => s.close())

describe('fuzzed input', () => {
  test('no route answers 500 to a mutated body, path or query, and the server stays well', async () => {
    const rng = seededRng(SEED)
    const weights = targets.reduce((n, t) => n + t.weight, 0)
    const started = performance.now()
    const failures: Sent[] = []
    let sent = 0
    for (const target of targets) {
      const n = Math.round((BODIES * target.weight) / weights)
      for (let i = 0; i < n; i++) {
        const res = await sendOne(rng, target, i)
        sent++
        if (refusedBadly(res)) failures.push(res)
      }
    }
    for (let i = 0; i < BODIES / 20; i++) {
      const res = await readOne(rng)
      sent++
      if (refusedBadly(res)) failures.push(res)
    }
    const seconds = ((performance.now() - started) / 1000).toFixed(1)
    console.log(`fuzz: seed ${SEED}, ${sent} requests in ${seconds} s, ${failures.length} answers of 500 or outside the error shape`)
    for (const f of failures.slice(0, 20)) console.log(`  ${f.status} ${f.target} ${f.path} — ${f.what}\n      ${f.text.slice(0, 200)}`)
    expect(failures.map((f) => `${f.status} ${f.target}: ${f.what}`)).toEqual([])

    expect((await s.api('GET', '/healthz', undefined, null)).status).toBe(200)
    const beat = await agentCall('POST', '/api/v1/agent/heartbeat', JSON.stringify(sampleHeartbeat({ hostname: 'fuzz.example.com' })), ids.token)
    expect(beat.status).toBe(200)
    const member = await s.api('GET', `/api/v1/members/${ids.member}`)
    expect(member.status).toBe(200)
    expect(member.json.status).toBe('healthy')
    // What the fuzz stored still reads back: lists and pages, not only the route that took it.
    expect((await s.api('GET', `/api/v1/pools/${ids.pool}/members`)).status).toBe(200)
    expect((await s.api('GET', `/api/v1/members/${ids.member}/jobs`)).status).toBe(200)
    const browser = await s.browser().signIn()
    for (const page of ['/pools', `/pools/${ids.pool}`, `/pools/${ids.pool}/members/${ids.member}/status`]) {
      expect((await browser.get(page)).status).toBe(200)
    }
  }, 120_000)
})
