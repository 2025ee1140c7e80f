// Builds the real app on a real database for a test: in-memory PGlite by
// default, a fresh PostgreSQL database when TEST_DATABASE_URL is set (CI runs
// the suite both ways). Requests go through app.handle, as a browser's would.
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { getTableName, sql } from 'drizzle-orm'
import { PgTable } from 'drizzle-orm/pg-core'
import postgres from 'postgres'
import { loadConfig, type Config } from '../config'
import { openPglite, openPostgres, type Database } from '../db'
import * as schema from '../db/schema'
import { loadSecretKey, secretBox } from '../crypto/secret-box'
import { prepareFirstRun } from '../auth/service'
import { buildApp } from '../server/app'
import { createStorage } from '../storage'
import { memoryLog } from '../server/log'
import type { Deps } from '../server/deps'
import { createMetrics } from '../metrics'
import { countStorageErrors } from '../metrics/providers'
import { createLifecycle } from '../server/lifecycle'

export const ADMIN = { email: 'admin@example.com', password: 'correct horse battery', token: 'sctl_test_admin_token_0123456789' }

const TABLES = Object.values(schema)
  .filter((v) => v instanceof PgTable)
  .map((t) => `"${getTableName(t as PgTable)}"`)

let sharedPglite: Promise<Database> | null = null

async function freshDatabase(onDiskIn?: string): Promise<{ database: Database; dispose: () => Promise<void> }> {
  // The embedded database as operators run it: on disk, durable.
  if (onDiskIn) {
    const database = await openPglite(onDiskIn)
    return { database, dispose: () => database.close() }
  }
  const url = process.env.TEST_DATABASE_URL
  if (url) {
    const name = `sctl_test_${process.pid}_${Math.random().toString(36).slice(2, 10)}`
    const admin = postgres(url, { max: 1, onnotice: () => {} })
    await admin.unsafe(`create database ${name}`)
    const dbUrl = new URL(url)
    dbUrl.pathname = `/${name}`
    const database = await openPostgres(dbUrl.toString())
    return {
      database,
      dispose: async () => {
        await database.close()
        await admin.unsafe(`drop database if exists ${name} with (force)`)
        await admin.end()
      },
    }
  }
  // Opening PGlite costs seconds; one per test process, emptied for each test server.
  sharedPglite ??= openPglite(null)
  const database = await sharedPglite
  await database.db.execute(sql.raw(`truncate ${TABLES.join(', ')} restart identity cascade`))
  return { database, dispose: async () => {} }
}

export type TestServer = Awaited<ReturnType<typeof testServer>>

/** `onDisk`: a PGlite of its own in the data directory, as `bun run start` opens it, not the shared in-memory one. */
export async function testServer(opts: { admin?: boolean; env?: Record<string, string>; onDisk?: boolean } = {}) {
  const dataDir = mkdtempSync(join(tmpdir(), 'sctl-test-'))
  // The DNS stand-ins listen on loopback; tests of the address rules pass their own value.
  const env: Record<string, string> = { DATA_DIR: dataDir, ALLOW_PRIVATE_PROVIDER_HOSTS: 'true', ...opts.env }
  if (opts.admin !== false) {
    Object.assign(env, { ADMIN_EMAIL: ADMIN.email, ADMIN_PASSWORD: ADMIN.password, ADMIN_API_TOKEN: ADMIN.token })
  }
  const config: Config = loadConfig(env)
  const { database, dispose } = await freshDatabase(opts.onDisk ? join(dataDir, 'db') : undefined)
  const log = memoryLog(config.logFormat)
  const secretKey = loadSecretKey(config.secretKey, dataDir)
  const metrics = createMetrics({ db: database.db, log })
  const storage = countStorageErrors(createStorage(config, secretKey), metrics)
  const lifecycle = createLifecycle()
  const deps: Deps = { db: database.db, config, log, secrets: secretBox(secretKey), storage, isLeader: database.isLeader, metrics, lifecycle }
  await prepareFirstRun(database.db, config.admin, log, `${config.publicUrl}/setup`)
  const app = buildApp(deps)

  // From a promise job of its own, as the server calls it from its own task: the
  // request id the app starts (server/request-id.ts) then stays in that request
  // and is not seen by the test's next log line.
  const handle = (path: string, init: RequestInit = {}) => Promise.resolve().then(() => app.handle(new Request(`http://localhost${path}`, init)))

  /** A JSON API call with the admin's token unless another (or none) is given. */
  async function api(method: string, path: string, body?: unknown, token: string | null = ADMIN.token) {
    const headers: Record<string, string> = {}
    if (token) headers.authorization = `Bearer ${token}`
    const payload = body === undefined ? undefined : JSON.stringify(body)
    if (payload !== undefined) {
      headers['content-type'] = 'application/json'
      headers['content-length'] = String(Buffer.byteLength(payload))
    }
    const res = await handle(path, { method, headers, body: payload })
    const text = await res.text()
    let json: any = null
    try {
      json = text ? JSON.parse(text) : null
    } catch {}
    return { status: res.status, json, text, headers: res.headers }
  }

  let listening: { stop: () => unknown } | null = null
  /** Serves the app on a loopback port, for agents and scripts that need a real socket. */
  const serve = () => {
    app.listen({ port: 0, hostname: '127.0.0.1' })
    listening = app.server!
    const base = `http://127.0.0.1:${app.server!.port}`
    config.publicUrl = base
    return base
  }

  return {
    app,
    deps,
    /** Drain and abort it as main.ts does when the server stops. */
    lifecycle,
    serve,
    db: database.db,
    log,
    handle,
    api,
    browser: () => new Browser(handle),
    close: async () => {
      await listening?.stop()
      await dispose()
      rmSync(dataDir, { recursive: true, force: true })
    },
  }
}

/** Keeps cookies and the page's CSRF token between requests, like a browser. */
export class Browser {
  cookies = new Map<string, string>()
  csrf = ''
  constructor(private handle: (path: string, init?: RequestInit) => Promise<Response>) {}

  private remember(res: Response) {
    for (const line of res.headers.getSetCookie()) {
      const [pair] = line.split(';')
      const eq = pair!.indexOf('=')
      const name = pair!.slice(0, eq).trim()
      const value = pair!.slice(eq + 1).trim()
      if (!value || /max-age=0|expires=thu, 01 jan 1970/i.test(line)) this.cookies.delete(name)
      else this.cookies.set(name, value)
    }
  }

  private headers(extra: Record<string, string> = {}) {
    const cookie = [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; ')
    return { ...(cookie ? { cookie } : {}), ...extra }
  }

  async get(path: string, extra: Record<string, string> = {}) {
    const res = await this.handle(path, { headers: this.headers(extra), redirect: 'manual' })
    this.remember(res)
    const text = await res.text()
    const token = /<meta name="csrf-token" content="([^"]*)"/.exec(text)?.[1] ?? /name="_csrf" value="([^"]*)"/.exec(text)?.[1]
    if (token) this.csrf = token
    return { status: res.status, text, headers: res.headers }
  }

  /** Posts a form; the CSRF token is added unless the test passes its own. Pairs may repeat a name, as a multi-select or checkboxes do. */
  async post(path: string, fields: Record<string, string> | [string, string][], extra: Record<string, string> = {}) {
    const body = Array.isArray(fields) ? new URLSearchParams([['_csrf', this.csrf], ...fields]) : new URLSearchParams({ _csrf: this.csrf, ...fields })
    const res = await this.handle(path, {
      method: 'POST',
      headers: this.headers({ 'content-type': 'application/x-www-form-urlencoded', ...extra }),
      body,
      redirect: 'manual',
    })
    this.remember(res)
    return { status: res.status, text: await res.text(), headers: res.headers }
  }

  async signIn(email = ADMIN.email, password = ADMIN.password) {
    await this.get('/login')
    const res = await this.post('/login', { email, password })
    if (res.status !== 303) throw new Error(`sign-in failed: ${res.status} ${res.text.slice(0, 200)}`)
    await this.get('/pools')
    return this
  }
}

/** The one-time setup code a fresh server printed to its log. */
export function setupCodeFrom(lines: string[]): string {
  const line = lines.find((l) => l.includes('setup code'))
  const code = line && /([A-Z0-9]{4}-[A-Z0-9]{4}-[A-Z0-9]{4})/.exec(line)?.[1]
  if (!code) throw new Error('no setup code in the log')
  return code
}

/** The words a person reads on a page: tags dropped, entities decoded. */
export function visibleText(html: string): string {
  return html
    .replace(/<(script|style)[\s\S]*?<\/\1>/g, ' ')
    .replace(/<[^>]+>/g, ' ')
    .replace(/&(#x?[0-9a-f]+|quot|amp|lt|gt|apos);/gi, (_m, e: string) => {
      const named: Record<string, string> = { quot: '"', amp: '&', lt: '<', gt: '>', apos: "'" }
      if (named[e.toLowerCase()]) return named[e.toLowerCase()]!
      return String.fromCodePoint(e[1] === 'x' || e[1] === 'X' ? parseInt(e.slice(2), 16) : parseInt(e.slice(1), 10))
    })
    .replace(/\s+/g, ' ')
}
