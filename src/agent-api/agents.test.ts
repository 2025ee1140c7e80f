// Several compiled agents at once against a real server.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import type { Subprocess } from 'bun'
import { testServer, type TestServer } from '../testing/harness'
import { ensureAgentBinary } from '../testing/agent-binary'

let s: TestServer
let base: string
let bin: string
let poolId: string
const dir = mkdtempSync(join(tmpdir(), 'sctl-agents-'))
const running: Subprocess[] = []

beforeAll(async () => {
  bin = ensureAgentBinary()
  s = await testServer()
  base = s.serve()
  poolId = (await s.api('POST', '/api/v1/pools', { name: 'Fleet', preset: 'generic' })).json.id
})
afterAll(async () => {
  for (const p of running) p.kill('SIGKILL')
  await s.close()
  rmSync(dir, { recursive: true, force: true })
})

async function enrolAgent(name: string) {
  const hostname = `${name}.example.com`
  const res = await s.api('POST', `/api/v1/pools/${poolId}/members`, { name, hostname, egressIps: ['127.0.0.1'] })
  const config = join(dir, `${name}.json`)
  const env = { ...process.env, BALCTL_HOSTNAME: hostname, SERVERSCTL_HEARTBEAT_SECONDS: '1' }
  // Not spawnSync: the server answering it runs in this very process.
  const enrol = Bun.spawn([bin, 'enroll', '--server', base, '--secret', res.json.enrollment.secret, '--config', config], { env, stderr: 'pipe' })
  expect(await enrol.exited).toBe(0)
  return { id: res.json.id as string, config, env }
}

function start(config: string, env: Record<string, string | undefined>) {
  const proc = Bun.spawn([bin, 'run', '--config', config], { env, stdout: 'pipe', stderr: 'pipe' })
  running.push(proc)
  return proc
}

async function waitFor(check: () => Promise<boolean>, ms: number) {
  const until = Date.now() + ms
  while (Date.now() < until) {
    if (await check()) return true
    await Bun.sleep(200)
  }
  return false
}

describe('compiled agents', () => {
  test('three agents enrol, heartbeat, turn healthy, and stop cleanly on SIGTERM', async () => {
    const agents = await Promise.all(['a1', 'a2', 'a3'].map(enrolAgent))
    const procs = agents.map((a) => start(a.config, a.env))
    const healthy = await waitFor(async () => {
      const list = (await s.api('GET', `/api/v1/pools/${poolId}/members`)).json as { status: string }[]
      return list.length === 3 && list.every((m) => m.status === 'healthy')
      // The first heartbeat waits for the package-update check (seconds on a busy machine).
    }, 30_000)
    expect(healthy).toBe(true)
    const one = (await s.api('GET', `/api/v1/members/${agents[0]!.id}`)).json
    expect(one.os.family).toBe('debian')
    expect(one.metrics.memTotalBytes).toBeGreaterThan(0)
    expect(one.agentVersion).toBe('0.1.0')

    const started = Date.now()
    for (const p of procs) p.kill('SIGTERM')
    const codes = await Promise.all(procs.map((p) => p.exited))
    expect(codes).toEqual([0, 0, 0])
    expect(Date.now() - started).toBeLessThan(5000)
  }, 60_000)

  test('an agent whose server is unreachable keeps retrying and never exits', async () => {
    const a = await enrolAgent('lonely')
    const { writeFileSync, readFileSync } = await import('node:fs')
    const config = JSON.parse(readFileSync(a.config, 'utf8'))
    writeFileSync(a.config, JSON.stringify({ ...config, server: 'http://127.0.0.1:9' }), { mode: 0o600 })
    const proc = start(a.config, a.env)
    await Bun.sleep(3000)
    expect(proc.exitCode).toBeNull()
    proc.kill('SIGTERM')
    expect(await proc.exited).toBe(0)
    const log = await new Response(proc.stderr).text()
    expect(log).toContain('server unreachable')
  }, 30_000)
})
