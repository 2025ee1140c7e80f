// Starts a real serversctl (`bun src/server/main.ts`) on a fresh data dir for
// one test file, and reads its log: the listen address and, on a first run,
// the one-time setup code. Each spec file calls `useServer()` at top level.
import { spawn, type ChildProcess } from 'node:child_process'
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { dirname, join, resolve } from 'node:path'
import { fileURLToPath } from 'node:url'
import { test } from '@playwright/test'

// E2E_APP_DIR runs the suite against another checkout (e.g. a mutated copy).
const ROOT = process.env.E2E_APP_DIR ? resolve(process.env.E2E_APP_DIR) : resolve(dirname(fileURLToPath(import.meta.url)), '..')
/** The checkout under test (the agent binary is built from the same one). */
export const APP_ROOT = ROOT
const START_TIMEOUT_MS = 30_000
const STOP_GRACE_MS = 5_000

const LISTEN_LINE = /\[server\.listen\] serversctl listening on http:\/\/127\.0\.0\.1:(\d+)\b/
const SETUP_CODE_LINE = /\[auth\.setup\].*setup code: ([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})\b/

export type Admin = { email: string; password: string; apiToken?: string }

export type ServerOptions = {
  /** Pre-create this admin through ADMIN_EMAIL / ADMIN_PASSWORD; omit for a first-run server. */
  admin?: Admin
  /** More server settings, e.g. ALLOW_PRIVATE_PROVIDER_HOSTS for a PowerDNS on loopback. */
  env?: Record<string, string>
}

export type RunningServer = {
  baseURL: string
  port: number
  dataDir: string
  /** The setup code printed on a first run, else null. */
  setupCode: string | null
  /** Everything the server printed so far (stdout and stderr). */
  log: () => string
  stop: () => Promise<void>
}

export async function startServer(options: ServerOptions = {}): Promise<RunningServer> {
  const dataDir = mkdtempSync(join(tmpdir(), 'serversctl-e2e-'))
  const env: NodeJS.ProcessEnv = { ...process.env, DATA_DIR: dataDir, PORT: '0', HOST: '127.0.0.1' }
  // Never let the developer's own settings leak into a test server.
  // The agent-side variables too: the server must run with them unset.
  for (const key of [
    'ADMIN_EMAIL', 'ADMIN_PASSWORD', 'ADMIN_API_TOKEN', 'DATABASE_URL', 'PUBLIC_URL', 'SECRET_KEY',
    'SERVERSCTL_HEARTBEAT_SECONDS', 'SERVERSCTL_AGENT_CONFIG', 'BALCTL_HOSTNAME',
  ]) {
    delete env[key]
  }
  Object.assign(env, options.env)
  if (options.admin) {
    env.ADMIN_EMAIL = options.admin.email
    env.ADMIN_PASSWORD = options.admin.password
    if (options.admin.apiToken) env.ADMIN_API_TOKEN = options.admin.apiToken
  }

  const child = spawn('bun', ['src/server/main.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (output += chunk))
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)))
  // If the test worker itself dies, take the server down with it.
  const killOnExit = () => child.kill('SIGKILL')
  process.once('exit', killOnExit)
  void exited.then(() => process.off('exit', killOnExit))

  const stop = async () => {
    await stopProcess(child, exited)
    rmSync(dataDir, { recursive: true, force: true })
  }

  try {
    const port = await new Promise<number>((done, fail) => {
      const timer = setTimeout(
        () => fail(new Error(`server did not print its listen line within ${START_TIMEOUT_MS} ms:\n${output}`)),
        START_TIMEOUT_MS,
      )
      const check = () => {
        const match = LISTEN_LINE.exec(output)
        if (match) {
          clearTimeout(timer)
          done(Number(match[1]))
        }
      }
      child.stdout!.on('data', check)
      child.once('error', (err) => {
        clearTimeout(timer)
        fail(err)
      })
      void exited.then((code) => {
        clearTimeout(timer)
        fail(new Error(`server exited with code ${code} before listening:\n${output}`))
      })
    })
    return {
      baseURL: `http://127.0.0.1:${port}`,
      port,
      dataDir,
      setupCode: SETUP_CODE_LINE.exec(output)?.[1] ?? null,
      log: () => output,
      stop,
    }
  } catch (err) {
    await stop()
    throw err
  }
}

async function stopProcess(child: ChildProcess, exited: Promise<number | null>) {
  if (child.exitCode !== null || child.signalCode !== null) return
  child.kill('SIGTERM')
  let timer: NodeJS.Timeout | undefined
  const timedOut = new Promise<'timeout'>((done) => (timer = setTimeout(() => done('timeout'), STOP_GRACE_MS)))
  const result = await Promise.race([exited, timedOut])
  clearTimeout(timer)
  if (result === 'timeout') {
    child.kill('SIGKILL')
    await exited
  }
}

/**
 * Registers beforeAll/afterAll hooks in the calling spec file: one server per
 * file, on its own data dir. Read `server.current` inside tests.
 */
export function useServer(options: ServerOptions = {}) {
  const handle: { current: RunningServer; running: boolean } = {
    get running() {
      return running !== null
    },
    get current(): RunningServer {
      if (!running) throw new Error('the test server is not running (useServer hooks did not run?)')
      return running
    },
  }
  let running: RunningServer | null = null
  test.beforeAll(async () => {
    test.setTimeout(START_TIMEOUT_MS + 15_000)
    running = await startServer(options)
  })
  test.afterAll(async () => {
    test.setTimeout(STOP_GRACE_MS + 10_000)
    await running?.stop()
    running = null
  })
  return handle
}
