// Heartbeat alerts end to end, with nothing stood in: the real server process
// (`bun src/server/main.ts`) whose own scheduler runs the alert engine every
// 5 s, a compiled agent that heartbeats and is then stopped and started again,
// and a real SMTP server on loopback that receives the emails.
//
//   bun test --timeout 120000 ./src/alerts/agent-alerts.test.ts
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Subprocess } from 'bun'
import { ensureAgentBinary } from '../testing/agent-binary'
import { startSmtpSink, type Received } from '../testing/smtp-sink'

const ROOT = resolve(import.meta.dir, '../..')
const ADMIN = { email: 'admin@example.com', password: 'correct horse battery', token: 'sctl_agent_alerts_token_0123456789abcdef' }
const OPS = 'ops@example.com'
const POOL_NAME = 'Alert fleet'
const MEMBER_NAME = 'alert-1'
const HOSTNAME = 'alert-1.example.com'
const HEARTBEAT_SECONDS = 2
/** The member's heartbeat alert delay: the minimum the settings accept. */
const AFTER_SECONDS = 20
const LISTEN_LINE = /\[server\.listen\] serversctl listening on http:\/\/127\.0\.0\.1:(\d+)\b/

// ---------------------------------------------------------------- processes

type Proc = { proc: Subprocess<'ignore', 'pipe', 'pipe'>; output: () => string }

/** Every process this file starts, stopped in afterAll whatever happened. */
const procs: Proc[] = []
const dirs: string[] = []

function spawnLogged(cmd: string[], opts: { cwd?: string; env: Record<string, string | undefined> }): Proc {
  const proc = Bun.spawn(cmd, { cwd: opts.cwd, env: opts.env, stdin: 'ignore', stdout: 'pipe', stderr: 'pipe' })
  let output = ''
  const drain = async (stream: ReadableStream<Uint8Array>) => {
    const decoder = new TextDecoder()
    for await (const chunk of stream) output += decoder.decode(chunk, { stream: true })
  }
  void drain(proc.stdout)
  void drain(proc.stderr)
  const p = { proc, output: () => output }
  procs.push(p)
  return p
}

/** SIGTERM, then SIGKILL after a grace period; the exit code (null when it had to be killed). */
async function stop(p: Proc, graceMs = 5_000): Promise<number | null> {
  if (p.proc.exitCode !== null || p.proc.signalCode !== null) return p.proc.exitCode
  p.proc.kill('SIGTERM')
  const result = await Promise.race([p.proc.exited, Bun.sleep(graceMs).then(() => 'timeout' as const)])
  if (result !== 'timeout') return result
  p.proc.kill('SIGKILL')
  await p.proc.exited
  return null
}

// If the test process itself dies, take the children with it.
process.once('exit', () => {
  for (const p of procs) if (p.proc.exitCode === null) p.proc.kill('SIGKILL')
})

/** Polls until check() returns something truthy, or the deadline (an absolute time) passes. */
async function until<T>(check: () => T | Promise<T>, deadline: number, stepMs = 100): Promise<T | null> {
  for (;;) {
    const value = await check()
    if (value) return value
    if (Date.now() >= deadline) return null
    await Bun.sleep(stepMs)
  }
}

// ---------------------------------------------------------------- email

type Part = { contentType: string; body: string }

function decodeQuotedPrintable(s: string): string {
  const bytes: number[] = []
  const text = s.replace(/=\r?\n/g, '')
  for (let i = 0; i < text.length; i++) {
    const hex = text[i] === '=' ? text.slice(i + 1, i + 3) : ''
    if (/^[0-9A-Fa-f]{2}$/.test(hex)) {
      bytes.push(parseInt(hex, 16))
      i += 2
    } else {
      bytes.push(...Buffer.from(text[i]!, 'utf8'))
    }
  }
  return Buffer.from(bytes).toString('utf8')
}

function splitHeaders(raw: string): { headers: Map<string, string>; body: string } {
  const at = raw.search(/\r?\n\r?\n/)
  const head = at < 0 ? raw : raw.slice(0, at)
  const body = at < 0 ? '' : raw.slice(at).replace(/^\r?\n\r?\n/, '')
  const headers = new Map<string, string>()
  for (const line of head.replace(/\r?\n[ \t]+/g, ' ').split(/\r?\n/)) {
    const colon = line.indexOf(':')
    if (colon > 0) headers.set(line.slice(0, colon).trim().toLowerCase(), line.slice(colon + 1).trim())
  }
  return { headers, body }
}

/** The leaf parts of a MIME message, bodies decoded (quoted-printable, base64 or as is). */
function mimeParts(raw: string): Part[] {
  const { headers, body } = splitHeaders(raw)
  const contentType = headers.get('content-type') ?? 'text/plain'
  const boundary = /boundary="?([^";]+)"?/i.exec(contentType)?.[1]
  if (/^multipart\//i.test(contentType) && boundary) {
    const sections = body.split(`--${boundary}`).slice(1)
    return sections.filter((s) => !s.startsWith('--')).flatMap((s) => mimeParts(s.replace(/^\r?\n/, '')))
  }
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase()
  const decoded =
    encoding === 'quoted-printable' ? decodeQuotedPrintable(body) : encoding === 'base64' ? Buffer.from(body.replace(/\s+/g, ''), 'base64').toString('utf8') : body
  return [{ contentType: contentType.split(';')[0]!.trim().toLowerCase(), body: decoded }]
}

// ---------------------------------------------------------------- the setup

let sink: Awaited<ReturnType<typeof startSmtpSink>>
let server: Proc
let base = ''
let port = 0
let poolId = ''
let memberId = ''
let agentConfig = ''
let agentEnv: Record<string, string | undefined> = {}
let agentBin = ''
let agent: Proc | null = null

async function api(method: string, path: string, body?: unknown) {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: { authorization: `Bearer ${ADMIN.token}`, ...(body === undefined ? {} : { 'content-type': 'application/json' }) },
    body: body === undefined ? undefined : JSON.stringify(body),
  })
  const text = await res.text()
  let json: any = null
  try {
    json = text ? JSON.parse(text) : null
  } catch {}
  return { status: res.status, json, text }
}

const memberUrl = () => `http://localhost:${port}/pools/${poolId}/members/${memberId}/status`
const alerts = () => sink.messages.filter((m) => m.subject.includes('ALERT:'))
const resolveds = () => sink.messages.filter((m) => m.subject.includes('RESOLVED:'))
const subjects = () => sink.messages.map((m) => m.subject)
const startAgent = () => (agent = spawnLogged([agentBin, 'run', '--config', agentConfig], { env: agentEnv }))
const serverLog = () => server?.output() ?? ''

beforeAll(async () => {
  agentBin = ensureAgentBinary()
  sink = await startSmtpSink()

  const dataDir = mkdtempSync(join(tmpdir(), 'sctl-agent-alerts-data-'))
  dirs.push(dataDir)
  const env: Record<string, string | undefined> = { ...process.env }
  // Nothing of the developer's own setup leaks in; PUBLIC_URL stays unset.
  for (const key of ['DATABASE_URL', 'PUBLIC_URL', 'SECRET_KEY', 'MAIL_FROM', 'SERVERSCTL_HEARTBEAT_SECONDS', 'SERVERSCTL_AGENT_CONFIG', 'BALCTL_HOSTNAME', 'TEST_DATABASE_URL']) {
    delete env[key]
  }
  Object.assign(env, {
    PORT: '0',
    HOST: '127.0.0.1',
    DATA_DIR: dataDir,
    SMTP_URL: sink.url,
    ADMIN_EMAIL: ADMIN.email,
    ADMIN_PASSWORD: ADMIN.password,
    ADMIN_API_TOKEN: ADMIN.token,
  })
  server = spawnLogged(['bun', 'src/server/main.ts'], { cwd: ROOT, env })
  const listening = await until(() => LISTEN_LINE.exec(server.output()) ?? (server.proc.exitCode !== null ? 'exited' : null), Date.now() + 30_000)
  if (!listening || listening === 'exited') throw new Error(`the server did not start listening:\n${server.output()}`)
  port = Number(listening[1])
  base = `http://127.0.0.1:${port}`

  const pool = await api('POST', '/api/v1/pools', { name: POOL_NAME, preset: 'generic' })
  expect(pool.status, pool.text).toBe(201)
  poolId = pool.json.id
  const member = await api('POST', `/api/v1/pools/${poolId}/members`, { name: MEMBER_NAME, hostname: HOSTNAME, egressIps: ['127.0.0.1'] })
  expect(member.status, member.text).toBe(201)
  memberId = member.json.id

  const memberAlerts = await api('PUT', `/api/v1/members/${memberId}/alerts`, {
    heartbeat: { enabled: true, afterSeconds: AFTER_SECONDS },
    recipients: [OPS],
    notifyAccount: false,
  })
  expect(memberAlerts.status, memberAlerts.text).toBe(200)
  expect(memberAlerts.json).toMatchObject({ heartbeat: { enabled: true, afterSeconds: AFTER_SECONDS }, recipients: [OPS], notifyAccount: false, recovery: true })
  const poolAlerts = await api('PUT', `/api/v1/pools/${poolId}/alerts`, { anySilent: { enabled: false, afterSeconds: 120 }, outdatedAgents: { enabled: false } })
  expect(poolAlerts.status, poolAlerts.text).toBe(200)
  expect(poolAlerts.json).toMatchObject({ anySilent: { enabled: false }, outdatedAgents: { enabled: false } })

  const agentDir = mkdtempSync(join(tmpdir(), 'sctl-agent-alerts-agent-'))
  dirs.push(agentDir)
  agentConfig = join(agentDir, 'agent.json')
  agentEnv = { ...process.env, BALCTL_HOSTNAME: HOSTNAME, SERVERSCTL_HEARTBEAT_SECONDS: String(HEARTBEAT_SECONDS) }
  delete agentEnv.SERVERSCTL_AGENT_CONFIG
  const enrol = spawnLogged([agentBin, 'enroll', '--server', base, '--secret', member.json.enrollment.secret, '--config', agentConfig], { env: agentEnv })
  const code = await Promise.race([enrol.proc.exited, Bun.sleep(20_000).then(() => 'timeout' as const)])
  expect(code, `enroll exits 0:\n${enrol.output()}`).toBe(0)
  expect(enrol.output()).toContain(`enrolled as member ${memberId} of pool ${poolId}`)
}, 120_000)

afterAll(async () => {
  // Every step guarded: one failure must not leave the others running.
  for (const p of procs.slice().reverse()) {
    try {
      await stop(p)
    } catch {}
  }
  try {
    await sink?.stop()
  } catch {}
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true })
})

// ---------------------------------------------------------------- the tests

describe('heartbeat alerts from a real agent, through the real scheduler, to a real SMTP server', () => {
  let lastHeartbeatAt = 0
  let alertAt = 0

  test('the running agent turns the member healthy, and no email goes out', async () => {
    const started = Date.now()
    const a = startAgent()
    const healthy = await until(async () => (await api('GET', `/api/v1/members/${memberId}`)).json?.status === 'healthy', started + 20_000, 250)
    expect(healthy, `healthy within 20 s; agent said:\n${a.output()}`).toBe(true)
    console.log(`[agent-alerts] healthy ${Date.now() - started} ms after "serversctl-agent run" started`)
    // A few steady heartbeats and at least one alert tick.
    await Bun.sleep(5_000)
    expect(a.proc.exitCode, `the agent keeps running:\n${a.output()}`).toBeNull()
    expect((await api('GET', `/api/v1/members/${memberId}`)).json.status).toBe('healthy')
    expect(subjects()).toEqual([])
  }, 40_000)

  test('stopped: exactly one ALERT email after 20 s of silence, to ops@example.com only, with an HTML part and the member link', async () => {
    expect(agent, 'the agent from the test before').not.toBeNull()
    const stoppedAt = Date.now()
    expect(await stop(agent!, 10_000), `the agent exits 0 on SIGTERM:\n${agent!.output()}`).toBe(0)
    const member = (await api('GET', `/api/v1/members/${memberId}`)).json
    lastHeartbeatAt = Date.parse(member.lastHeartbeatAt)
    expect(lastHeartbeatAt).toBeLessThanOrEqual(stoppedAt + 100)

    // Nothing before the delay has passed.
    const early = await until(() => sink.messages.length > 0, lastHeartbeatAt + AFTER_SECONDS * 1000 - 500)
    expect(early, `no email before ${AFTER_SECONDS} s of silence: ${JSON.stringify(subjects())}`).toBeNull()

    // One within ~35 s of the stop (the 5 s tick adds up to 5 s to the 20 s).
    const fired = await until(() => alerts().length > 0, stoppedAt + 35_000)
    const receivedAt = Date.now()
    expect(fired, `an ALERT email within 35 s of the stop; got ${JSON.stringify(subjects())}\nserver log:\n${serverLog()}`).toBe(true)
    alertAt = receivedAt
    console.log(`[agent-alerts] ALERT "${alerts()[0]!.subject}" received ${alertAt - lastHeartbeatAt} ms after the last heartbeat (${alertAt - stoppedAt} ms after SIGTERM)`)
    expect(alertAt - lastHeartbeatAt).toBeGreaterThanOrEqual(AFTER_SECONDS * 1000)

    await Bun.sleep(300) // anything sent along with it
    expect(sink.messages).toHaveLength(1)
    const mail: Received = sink.messages[0]!
    const subject = /^\[serversctl\] ALERT: alert-1 \(Alert fleet\): no heartbeat for (\d+) s$/.exec(mail.subject)
    expect(subject, mail.subject).not.toBeNull()
    const seconds = Number(subject![1])
    expect(seconds).toBeGreaterThan(AFTER_SECONDS)
    expect(seconds).toBeLessThanOrEqual(AFTER_SECONDS + 10)
    expect(mail.to).toEqual([OPS])
    expect(mail.from).toBe('serversctl@localhost')

    const parts = mimeParts(mail.raw)
    const html = parts.find((p) => p.contentType === 'text/html')
    const text = parts.find((p) => p.contentType === 'text/plain')
    expect(html, `an HTML part among ${parts.map((p) => p.contentType).join(', ')}`).toBeDefined()
    expect(html!.body).toContain(`<a href="${memberUrl()}">`)
    expect(html!.body).toContain(`no heartbeat for ${seconds} s`)
    expect(text, 'a plain-text part too').toBeDefined()
    expect(text!.body).toContain(`Open: ${memberUrl()}`)
    expect(text!.body).toContain(`Alert after: ${AFTER_SECONDS} s of silence`)
  }, 45_000)

  test('15 s more of silence: still exactly one email', async () => {
    expect(alertAt, 'the alert from the test before').toBeGreaterThan(0)
    await Bun.sleep(15_000)
    expect(subjects()).toHaveLength(1)
    expect(alerts()).toHaveLength(1)
    expect((await api('GET', `/api/v1/members/${memberId}`)).json.status).toBe('down')
  }, 25_000)

  test('the agent starts again: exactly one RESOLVED email, once heartbeats are back for 20 s', async () => {
    const restartedAt = Date.now()
    const a = startAgent()
    // The first heartbeat back: the agent's very first one waits for its package-update
    // check (`apt-get -s upgrade`, bounded at 15 s by the agent), so it is a few seconds late.
    const back = await until(async () => {
      const at = Date.parse((await api('GET', `/api/v1/members/${memberId}`)).json?.lastHeartbeatAt ?? '')
      return at > lastHeartbeatAt ? at : null
    }, restartedAt + 20_000, 100)
    expect(back, `a heartbeat within 20 s of the restart; agent said:\n${a.output()}`).not.toBeNull()
    const firstBackAt = back!
    expect((await api('GET', `/api/v1/members/${memberId}`)).json.status).toBe('healthy')
    console.log(`[agent-alerts] first heartbeat back ${firstBackAt - restartedAt} ms after the restart`)

    // Recovery needs 20 s of heartbeats back, plus up to two 5 s ticks (one to notice, one to conclude).
    const resolved = await until(() => resolveds().length > 0, Math.max(restartedAt + 40_000, firstBackAt + 32_000))
    const resolvedAt = Date.now()
    expect(resolved, `a RESOLVED email within ~40 s of the restart; got ${JSON.stringify(subjects())}\nserver log:\n${serverLog()}`).toBe(true)
    console.log(`[agent-alerts] RESOLVED received ${resolvedAt - restartedAt} ms after the agent restarted, ${resolvedAt - firstBackAt} ms after its first heartbeat back`)
    expect(resolvedAt - firstBackAt).toBeGreaterThanOrEqual(20_000)
    expect(resolvedAt - firstBackAt).toBeLessThanOrEqual(32_000)

    await Bun.sleep(300)
    expect(subjects()).toHaveLength(2)
    const mail = resolveds()[0]!
    expect(mail.subject).toBe('[serversctl] RESOLVED: alert-1 (Alert fleet): heartbeat back to normal')
    expect(mail.to).toEqual([OPS])
    const html = mimeParts(mail.raw).find((p) => p.contentType === 'text/html')
    expect(html, 'an HTML part').toBeDefined()
    expect(html!.body).toContain(`<a href="${memberUrl()}">`)
  }, 60_000)

  test('10 s more with the agent running: no further emails', async () => {
    await Bun.sleep(10_000)
    expect(subjects()).toHaveLength(2)
    expect(agent!.proc.exitCode, agent!.output()).toBeNull()
    expect((await api('GET', `/api/v1/members/${memberId}`)).json.status).toBe('healthy')
  }, 20_000)

  test("the pool's alert history shows the alert fired and resolved, both sent", async () => {
    const res = await api('GET', `/api/v1/pools/${poolId}/alerts/history`)
    expect(res.status, res.text).toBe(200)
    const rows = res.json as { kind: string; event: string; delivery: string; memberId: string | null; recipients: string[]; summary: string; at: string }[]
    // Newest first.
    expect(rows.map((r) => [r.kind, r.event, r.delivery, r.memberId])).toEqual([
      ['heartbeat', 'resolved', 'sent', memberId],
      ['heartbeat', 'fired', 'sent', memberId],
    ])
    for (const r of rows) expect(r.recipients).toEqual([OPS])
    expect(rows.map((r) => r.summary)).toEqual(subjects().slice().reverse())
    expect(Date.parse(rows[0]!.at)).toBeGreaterThan(Date.parse(rows[1]!.at))
    // The member filter gives the same two.
    const mine = await api('GET', `/api/v1/pools/${poolId}/alerts/history?member=${memberId}`)
    expect((mine.json as unknown[]).length).toBe(2)
  })
})
