// /healthz against the real process: a deploy script waits for 200 and then
// uses the API with ADMIN_API_TOKEN, so 200 must not come before the token.
import { afterEach, describe, expect, test } from 'bun:test'
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dir, '../..')
const TOKEN = 'sctl_ready_test_token_0123456789abcdef'
// The first line that names the port: printed before the admin is created.
const PORT_LINE = /http:\/\/localhost:(\d+)/

let root: string
let child: ChildProcess | undefined
afterEach(() => {
  child?.kill('SIGKILL')
  rmSync(root, { recursive: true, force: true })
})

function startServer(dataDir: string): Promise<number> {
  const env = { ...process.env }
  for (const key of ['DATABASE_URL', 'TEST_DATABASE_URL', 'PUBLIC_URL', 'SECRET_KEY']) delete env[key]
  Object.assign(env, { PORT: '0', HOST: '127.0.0.1', DATA_DIR: dataDir, ADMIN_EMAIL: 'ops@example.com', ADMIN_PASSWORD: 'correct horse battery', ADMIN_API_TOKEN: TOKEN })
  child = spawn('bun', ['src/server/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  return new Promise((done, fail) => {
    let output = ''
    const read = (chunk: Buffer) => {
      output += chunk.toString()
      const port = PORT_LINE.exec(output)
      if (port) done(Number(port[1]))
    }
    child!.stdout!.on('data', read)
    child!.stderr!.on('data', read)
    child!.once('exit', () => fail(new Error(`server exited:\n${output}`)))
  })
}

/** Polls /healthz without pause; what it said before 200, and the 200 answer. */
async function waitForHealthy(base: string): Promise<{ before: { status: number; body: unknown }[]; ok: unknown }> {
  const before: { status: number; body: unknown }[] = []
  for (;;) {
    const res = await fetch(`${base}/healthz`)
    const body = await res.json()
    if (res.status === 200) return { before, ok: body }
    before.push({ status: res.status, body })
  }
}

describe('/healthz of a real server starting with ADMIN_* set', () => {
  test('it answers 200 only once ADMIN_API_TOKEN works: the first API call after it is never 401', async () => {
    root = mkdtempSync(join(tmpdir(), 'sctl-ready-'))
    const port = await startServer(join(root, 'data'))
    const base = `http://127.0.0.1:${port}`
    const { before, ok } = await waitForHealthy(base)
    const api = await fetch(`${base}/api/v1/pools`, { headers: { authorization: `Bearer ${TOKEN}` } })
    expect(api.status).toBe(200)
    expect(ok).toMatchObject({ status: 'ok', database: 'ok' })
    // Before, a 503 that says why (the port is known before the admin is made).
    for (const answer of before) {
      expect(answer.status).toBe(503)
      expect(answer.body).toMatchObject({ status: 'starting' })
      expect(typeof (answer.body as { reason?: unknown }).reason).toBe('string')
    }
  }, 60_000)
})
