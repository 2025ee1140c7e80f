// `bun run import` and `bun run export` as an operator runs them: separate
// processes on the server's environment, judged by exit code and words.
import { afterAll, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdtempSync, rmSync, statSync, writeFileSync, readFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { ADMIN, testServer } from '../testing/harness'
import { databaseOfItsOwn, type OwnDatabase } from '../testing/backup-fleet'
import { dumpDatabase } from './dump'
import { DAMAGED, openExport, readHeader, sealExport, writeAtomically } from './envelope'

const ROOT = resolve(import.meta.dir, '../..')
const PASS = 'the passphrase of the move'

let dir: string
let env: Record<string, string>
let own: OwnDatabase | null = null

async function cli(command: 'export' | 'import', args: string[], extra: Record<string, string> = {}) {
  const proc = Bun.spawn([process.execPath, `src/portable/${command}.ts`, ...args], {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', HOME: dir, ...env, ...extra },
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  })
  const [code, stdout, stderr] = await Promise.all([proc.exited, new Response(proc.stdout).text(), new Response(proc.stderr).text()])
  return { code, stdout, stderr }
}

const passFile = (name: string, text: string) => {
  const path = join(dir, name)
  writeFileSync(path, text, { mode: 0o600 })
  return path
}

beforeAll(async () => {
  dir = mkdtempSync(join(tmpdir(), 'sctl-portable-cli-'))
  const source = await testServer()
  try {
    const poolId = (await source.api('POST', '/api/v1/pools', { name: 'Moved', preset: 'generic' })).json.id
    await source.api('POST', `/api/v1/pools/${poolId}/members`, { name: 'db-1', hostname: 'db-1.example.com', egressIps: ['192.0.2.7'] })
    await source.api('POST', `/api/v1/pools/${poolId}/dns-providers`, { kind: 'powerdns', name: 'PowerDNS', apiUrl: 'http://127.0.0.1:8081', apiKey: 'pdns-key-1234' })
    const { body, counts } = await dumpDatabase(source.db, source.deps.secrets)
    writeAtomically(join(dir, 'fleet.sctl'), sealExport(body, PASS, { database: 'test', tables: counts }))
  } finally {
    await source.close()
  }
  env = { DATA_DIR: join(dir, 'data') }
  const base = process.env.TEST_DATABASE_URL
  if (base) {
    own = await databaseOfItsOwn(base, `portable_cli_${process.pid}`)
    Object.assign(env, own.env)
  }
}, 60_000)

afterAll(async () => {
  await own?.drop()
  rmSync(dir, { recursive: true, force: true })
})

describe('bun run import and bun run export', () => {
  test('it refuses a wrong passphrase or a cut file before creating any database', async () => {
    const wrong = await cli('import', ['--in', join(dir, 'fleet.sctl'), '--passphrase-file', passFile('wrong', 'not the passphrase\n')])
    expect(wrong.code).toBe(1)
    expect(wrong.stderr).toContain(`error: ${DAMAGED}`)
    const whole = readFileSync(join(dir, 'fleet.sctl'))
    writeFileSync(join(dir, 'cut.sctl'), whole.subarray(0, whole.length - 100))
    const cut = await cli('import', ['--in', join(dir, 'cut.sctl')], { EXPORT_PASSPHRASE: PASS })
    expect(cut.code).toBe(1)
    expect(cut.stderr).toContain(DAMAGED)
    const none = await cli('import', ['--in', join(dir, 'fleet.sctl')])
    expect(none.code).toBe(2)
    expect(none.stderr).toContain('no passphrase: give --passphrase-file PATH or set EXPORT_PASSPHRASE')
    expect(existsSync(join(dir, 'data'))).toBe(false)
  })

  test('it never takes the passphrase as an argument', async () => {
    const res = await cli('export', ['--out', join(dir, 'x.sctl'), '--passphrase', PASS])
    expect(res.code).toBe(2)
    expect(res.stderr).toContain('never taken on the command line')
  })

  test('it imports into a fresh DATA_DIR and says what arrived', async () => {
    const res = await cli('import', ['--in', join(dir, 'fleet.sctl'), '--passphrase-file', passFile('right', `${PASS}\n`)])
    expect(res.stderr).toBe('')
    expect(res.code).toBe(0)
    expect(res.stdout).toMatch(/Imported .*fleet\.sctl/)
    expect(res.stdout).toMatch(/pools\s+1\n/)
    expect(res.stdout).toMatch(/members\s+1\n/)
    expect(res.stdout).toMatch(/dns_providers\s+1\n/)
  }, 60_000)

  test('it refuses to import over a control plane, and says where to import instead', async () => {
    const res = await cli('import', ['--in', join(dir, 'fleet.sctl')], { EXPORT_PASSPHRASE: PASS })
    expect(res.code).toBe(1)
    expect(res.stderr).toContain('this database already holds users, api_tokens, pools')
    expect(res.stderr).toContain('point DATA_DIR at a new directory')
  }, 60_000)

  test('it exports what it imported, opening the secrets with the new key, to a 0600 file', async () => {
    const short = await cli('export', ['--out', join(dir, 'again.sctl')], { EXPORT_PASSPHRASE: 'too short' })
    expect(short.code).toBe(2)
    expect(short.stderr).toContain('at least 12 characters')
    const res = await cli('export', ['--out', join(dir, 'again.sctl')], { EXPORT_PASSPHRASE: 'another long passphrase' })
    expect(res.stderr).toBe('')
    expect(res.code).toBe(0)
    expect(res.stdout).toMatch(/members\s+1\n/)
    expect(statSync(join(dir, 'again.sctl')).mode & 0o777).toBe(0o600)
    const body = JSON.parse(openExport(readHeader(readFileSync(join(dir, 'again.sctl')), 'again'), 'another long passphrase'))
    expect(body.tables.dns_providers[0].secret_sealed).toBe('pdns-key-1234')
    expect(body.tables.api_tokens[0].token_hash).toMatch(/\w{20}/)
  }, 60_000)

  test('it leaves a database the server starts on, with the imported admin token', async () => {
    const server = Bun.spawn([process.execPath, 'src/server/main.ts'], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', HOME: dir, ...env, PORT: '0', HOST: '127.0.0.1' },
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
    })
    try {
      let output = ''
      const decoder = new TextDecoder()
      let port: string | undefined
      for await (const chunk of server.stdout) {
        output += decoder.decode(chunk, { stream: true })
        port = /serversctl listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(output)?.[1]
        if (port) break
      }
      expect(port).toBeDefined()
      expect(output).not.toContain('setup code')
      const res = await fetch(`http://127.0.0.1:${port}/api/v1/pools`, { headers: { authorization: `Bearer ${ADMIN.token}` } })
      expect(res.status).toBe(200)
      expect(await res.text()).toContain('Moved')
    } finally {
      server.kill('SIGTERM')
      await server.exited
    }
  }, 60_000)

  test.skipIf(!!process.env.TEST_DATABASE_URL)('it tells the operator to stop the server first while one holds the embedded database', async () => {
    const server = Bun.spawn(['sleep', '30'])
    writeFileSync(join(dir, 'data', 'server.lock'), String(server.pid))
    try {
      const res = await cli('export', ['--out', join(dir, 'locked.sctl')], { EXPORT_PASSPHRASE: PASS })
      expect(res.code).toBe(1)
      expect(res.stderr).toContain(`error: stop the server first: ${join(dir, 'data')} is in use by another serversctl server (pid ${server.pid})`)
      expect(existsSync(join(dir, 'locked.sctl'))).toBe(false)
    } finally {
      server.kill()
      rmSync(join(dir, 'data', 'server.lock'), { force: true })
    }
  })
})
