// agent.update on a real compiled agent: an older build replaces itself with
// the server's current one, restarts, and the member reports the new version.
import { afterAll, beforeAll, expect, test } from 'bun:test'
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import type { Subprocess } from 'bun'
import { testServer, type TestServer } from '../testing/harness'
import { ensureAgentBinary } from '../testing/agent-binary'
import { waitFor } from '../testing/drill'
import pkg from '../../package.json'

let s: TestServer
let base: string
const dir = mkdtempSync(join(tmpdir(), 'sctl-agent-update-'))
const oldAgent = join(dir, 'serversctl-agent')
const running: Subprocess[] = []
let successorPid: number | null = null

beforeAll(async () => {
  ensureAgentBinary()
  s = await testServer()
  base = s.serve()
  // The same sources as an older release would be: another version built in.
  const build = Bun.spawn(
    ['bun', 'build', '--compile', '--minify', '--define=AGENT_VERSION="0.0.9"', resolve(import.meta.dir, '../../agent/main.ts'), '--outfile', oldAgent],
    { stdout: 'ignore', stderr: 'pipe' },
  )
  if ((await build.exited) !== 0) throw new Error(await new Response(build.stderr).text())
})
afterAll(async () => {
  for (const p of running) p.kill('SIGKILL')
  if (successorPid) {
    try {
      process.kill(successorPid, 'SIGKILL')
    } catch {}
  }
  await s.close()
  rmSync(dir, { recursive: true, force: true })
})

test('an old agent updates itself to the server build, restarts, and reports the new version', async () => {
  const poolId = (await s.api('POST', '/api/v1/pools', { name: 'Updates', preset: 'generic' })).json.id
  const added = await s.api('POST', `/api/v1/pools/${poolId}/members`, { name: 'old', hostname: 'old.example.com', egressIps: ['127.0.0.1'] })
  const memberId = added.json.id as string
  const config = join(dir, 'agent.json')
  const env = { ...process.env, BALCTL_HOSTNAME: 'old.example.com', SERVERSCTL_HEARTBEAT_SECONDS: '1', INVOCATION_ID: '' }
  const enrol = Bun.spawn([oldAgent, 'enroll', '--server', base, '--secret', added.json.enrollment.secret, '--config', config], { env, stderr: 'pipe' })
  expect(await enrol.exited).toBe(0)
  const agent = Bun.spawn([oldAgent, 'run', '--config', config], { env, stdout: 'pipe', stderr: 'pipe' })
  running.push(agent)
  let log = ''
  void (async () => {
    for await (const chunk of agent.stderr) log += new TextDecoder().decode(chunk)
  })()
  await waitFor(async () => (await s.api('GET', `/api/v1/members/${memberId}`)).json.agentVersion === '0.0.9', 20_000, 'the old agent to report 0.0.9')
  const inodeBefore = statSync(oldAgent).ino

  const id = (await s.api('POST', `/api/v1/members/${memberId}/jobs`, { name: 'agent.update', params: {} })).json.id
  const done = await waitFor(async () => {
    const j = (await s.api('GET', `/api/v1/jobs/${id}`)).json
    return j.finishedAt ? j : null
  }, 60_000, 'the update job to finish')
  expect(done).toMatchObject({ status: 'succeeded', result: { replaced: true, version: pkg.version } })
  expect(done.output).toContain('matches')
  expect(statSync(oldAgent).ino).not.toBe(inodeBefore)

  // The old process exits after reporting; its successor takes over.
  expect(await agent.exited).toBe(0)
  successorPid = Number(/as pid (\d+)/.exec(log)?.[1])
  expect(successorPid).toBeGreaterThan(0)
  await waitFor(async () => (await s.api('GET', `/api/v1/members/${memberId}`)).json.agentVersion === pkg.version, 20_000, `the successor to report ${pkg.version}`)

  // And it runs jobs: a second update finds nothing to replace.
  const again = (await s.api('POST', `/api/v1/members/${memberId}/jobs`, { name: 'agent.update', params: {} })).json.id
  const second = await waitFor(async () => {
    const j = (await s.api('GET', `/api/v1/jobs/${again}`)).json
    return j.finishedAt ? j : null
  }, 60_000, 'the second update job to finish')
  expect(second).toMatchObject({ status: 'succeeded', result: { replaced: false } })
}, 120_000)
