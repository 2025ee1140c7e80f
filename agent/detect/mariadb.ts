// MariaDB or MySQL on this host: installed, version, running, databases with
// sizes, and Galera cluster state when wsrep is on.
import type { GaleraStack, MariaDbStack } from '../protocol'
import type { RunCommand } from '../run-command'
import { exists, pidAlive } from './files'
import { connectLocal, type Connection } from './mariadb-connect'

const SYSTEM_SCHEMAS = new Set(['information_schema', 'performance_schema', 'sys', 'mysql'])
const SERVER_BINARIES = ['usr/sbin/mariadbd', 'usr/bin/mariadbd', 'usr/sbin/mysqld', 'usr/bin/mysqld']
const UNITS = ['mariadb', 'mysql', 'mysqld']
const PID_FILES = ['run/mysqld/mysqld.pid', 'var/run/mysqld/mysqld.pid']

type Version = { version: string | null; flavor: 'mariadb' | 'mysql' }

/** `select version()`, e.g. 10.11.19-MariaDB-0+deb12u1 or 8.0.36-0ubuntu0.22.04.1. */
export function parseServerVersion(text: string): Version | null {
  const m = /(\d+\.\d+\.\d+)/.exec(text)
  if (!m) return null
  return { version: m[1], flavor: /mariadb/i.test(text) ? 'mariadb' : 'mysql' }
}

/** `mariadb --version`/`mysql --version`: the server version after "Distrib" or "from", else after "Ver". */
export function parseClientVersion(text: string): Version | null {
  const m = /\b(?:Distrib|from)\s+(\d+\.\d+\.\d+)/.exec(text) ?? /\bVer\s+(\d+\.\d+\.\d+)/.exec(text)
  if (!m) return null
  return { version: m[1], flavor: /mariadb/i.test(text) ? 'mariadb' : 'mysql' }
}

export function parseGalera(status: (string | null)[][]): GaleraStack {
  const v = new Map(status.map(([k, val]) => [String(k).toLowerCase(), val ?? null]))
  const size = Number(v.get('wsrep_cluster_size'))
  const ready = v.get('wsrep_ready')
  return {
    clusterStatus: v.get('wsrep_cluster_status') || null,
    clusterSize: v.has('wsrep_cluster_size') && Number.isFinite(size) ? size : null,
    localState: v.get('wsrep_local_state_comment') || null,
    ready: ready ? ready.toUpperCase() === 'ON' : null,
  }
}

export function installed(root: string): boolean {
  return SERVER_BINARIES.some((p) => exists(root, p)) || exists(root, 'etc/mysql') || exists(root, 'etc/my.cnf')
}

async function databases(conn: Connection): Promise<MariaDbStack['databases']> {
  const names = await conn.query('show databases')
  if (!names) return []
  const sizes = await conn.query('select table_schema, sum(data_length + index_length) from information_schema.tables group by table_schema')
  const bySchema = new Map((sizes ?? []).map(([name, size]) => [name, size === null ? 0 : Number(size)]))
  const sizeOf = (name: string) => {
    const n = bySchema.get(name) ?? 0
    return Number.isFinite(n) ? n : null
  }
  return names
    .map(([name]) => name)
    .filter((name): name is string => !!name && !SYSTEM_SCHEMAS.has(name.toLowerCase()))
    // A database without tables has no row in the size query: it is empty, not unknown.
    .map((name) => ({ name, sizeBytes: sizes ? sizeOf(name) : null }))
}

async function galera(conn: Connection): Promise<GaleraStack | null> {
  const on = await conn.query("show global variables like 'wsrep_on'")
  if (on?.[0]?.[1]?.toUpperCase() !== 'ON') return null
  const status = await conn.query("show global status like 'wsrep_%'")
  return status ? parseGalera(status) : null
}

async function clientVersion(run: RunCommand): Promise<Version | null> {
  for (const client of ['mariadb', 'mysql']) {
    const res = await run([client, '--version'])
    const v = res?.code === 0 ? parseClientVersion(res.stdout) : null
    if (v) return v
  }
  return null
}

async function serviceActive(root: string, run: RunCommand): Promise<boolean> {
  if (PID_FILES.some((f) => pidAlive(root, f))) return true
  const res = await run(['systemctl', 'is-active', ...UNITS])
  return !!res && res.stdout.split('\n').some((l) => l.trim() === 'active')
}

export type MariaDbResult = { mariadb: MariaDbStack | null; galera: GaleraStack | null }

/** connect is for tests; by default it reaches the server under root through its socket. */
export async function detectMariaDb({
  root = '/',
  run,
  connect = () => connectLocal({ root, run }),
}: {
  root?: string
  run: RunCommand
  connect?: () => Promise<Connection | null>
}): Promise<MariaDbResult> {
  if (!installed(root)) return { mariadb: null, galera: null }
  const managedBy = exists(root, 'usr/local/cpanel') ? 'cpanel' : null
  const conn = await connect()
  try {
    const live = conn ? parseServerVersion((await conn.query('select version()'))?.[0]?.[0] ?? '') : null
    const version = live ?? (await clientVersion(run))
    const flavor = version?.flavor ?? (exists(root, 'usr/sbin/mariadbd') || exists(root, 'usr/bin/mariadbd') ? 'mariadb' : null)
    return {
      mariadb: {
        version: version?.version ?? null,
        flavor,
        running: !!conn || (await serviceActive(root, run)),
        databases: conn ? await databases(conn) : [],
        managedBy,
      },
      galera: conn ? await galera(conn) : null,
    }
  } finally {
    await conn?.close()
  }
}
