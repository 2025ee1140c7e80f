// Starts the real server process (`bun src/server/main.ts`) the way an
// operator does, and checks what it leaves on disk and what it refuses.
import { afterEach, describe, expect, test } from 'bun:test'
import { spawn } from 'node:child_process'
import { chmodSync, lstatSync, mkdtempSync, readdirSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'

const ROOT = resolve(import.meta.dir, '../..')
const LISTEN = /\[server\.listen\] serversctl listening on/

let root: string
afterEach(() => rmSync(root, { recursive: true, force: true }))

type Started = { output: () => string; listening: Promise<boolean>; exited: Promise<number | null>; stop: () => Promise<number | null> }

/** The server on a loopback port with only the settings given; the developer's own are left out. */
function startServer(env: Record<string, string>): Started {
  const base = { ...process.env }
  for (const key of ['ADMIN_EMAIL', 'ADMIN_PASSWORD', 'ADMIN_API_TOKEN', 'DATABASE_URL', 'TEST_DATABASE_URL', 'PUBLIC_URL', 'SECRET_KEY']) delete base[key]
  const child = spawn('bun', ['src/server/main.ts'], { cwd: ROOT, env: { ...base, PORT: '0', HOST: '127.0.0.1', ...env }, stdio: ['ignore', 'pipe', 'pipe'] })
  let output = ''
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)))
  const listening = new Promise<boolean>((done) => {
    const read = (chunk: Buffer) => {
      output += chunk.toString()
      if (LISTEN.test(output)) done(true)
    }
    child.stdout!.on('data', read)
    child.stderr!.on('data', read)
    void exited.then(() => done(false))
  })
  return {
    output: () => output,
    listening,
    exited,
    stop: () => {
      child.kill('SIGTERM')
      return exited
    },
  }
}

/** Every path under `dir` (itself included) whose mode lets anyone but its owner in. */
function openToOthers(dir: string): string[] {
  const found: string[] = []
  const visit = (path: string) => {
    const st = lstatSync(path)
    if (!st.isSymbolicLink() && st.mode & 0o077) found.push(`${path.slice(dir.length) || '/'} ${(st.mode & 0o777).toString(8)}`)
    if (st.isDirectory()) for (const name of readdirSync(path)) visit(join(path, name))
  }
  visit(dir)
  return found
}

describe('the data directory of a real server', () => {
  test('it creates DATA_DIR 0700, every file in it for its own user only, and warns that agents talk plain http', async () => {
    root = mkdtempSync(join(tmpdir(), 'sctl-start-'))
    const dataDir = join(root, 'data')
    const server = startServer({ DATA_DIR: dataDir })
    expect(await server.listening).toBe(true)
    try {
      expect(lstatSync(dataDir).mode & 0o777).toBe(0o700)
      expect(lstatSync(join(dataDir, 'secret.key')).mode & 0o777).toBe(0o600)
      expect(lstatSync(join(dataDir, 'server.lock')).mode & 0o777).toBe(0o600)
      expect(readdirSync(join(dataDir, 'db')).length).toBeGreaterThan(0)
      expect(openToOthers(dataDir)).toEqual([])
      // With no PUBLIC_URL the agents' address is http://localhost:PORT: plain http.
      expect(server.output()).toMatch(/WARN \[server\.public-url\] The public address http:\/\/localhost:\d+ is plain http: .* Set PUBLIC_URL to an https:\/\/ address/)
    } finally {
      expect(await server.stop()).toBe(0)
    }
  }, 60_000)

  test('it refuses a DATA_DIR that other users can write to, and says how to fix it', async () => {
    root = mkdtempSync(join(tmpdir(), 'sctl-start-'))
    chmodSync(root, 0o777)
    const server = startServer({ DATA_DIR: root })
    const code = await server.exited
    expect(code).not.toBe(0)
    expect(await server.listening).toBe(false)
    expect(server.output()).toContain(`DATA_DIR ${root} can be written by other users (mode 0777)`)
    expect(server.output()).toContain(`chmod 700 ${root}`)
    expect(readdirSync(root)).toEqual([])
  }, 30_000)
})
