// Talking to the local MariaDB/MySQL server as root over its unix socket:
// Bun's built-in MySQL client first, then the `mariadb`/`mysql` command line
// client, which also honours /root/.my.cnf (cPanel keeps root's password there).
import { SQL } from 'bun'
import type { RunCommand } from '../run-command'
import { exists, listDir, readText } from './files'

/** Rows as strings (SQL NULL as null), or null when the query failed. */
export type SqlQuery = (sql: string) => Promise<(string | null)[][] | null>
export type Connection = { query: SqlQuery; close: () => Promise<void>; via: 'bun' | 'cli' }

const DEFAULT_SOCKETS = ['run/mysqld/mysqld.sock', 'var/run/mysqld/mysqld.sock', 'var/lib/mysql/mysql.sock', 'tmp/mysql.sock']
const CNF_FILES = ['etc/my.cnf', 'etc/mysql/my.cnf', 'etc/mysql/mariadb.cnf']
const CNF_DIRS = ['etc/my.cnf.d', 'etc/mysql/conf.d', 'etc/mysql/mariadb.conf.d']

/** Host path of the server socket: a `socket =` setting from the config files, else the usual places. */
export function findSocket(root = '/'): string | null {
  const files = [...CNF_FILES, ...CNF_DIRS.flatMap((d) => listDir(root, d).filter((e) => e.name.endsWith('.cnf')).map((e) => `${d}/${e.name}`))]
  const configured = files.flatMap((f) => [...(readText(root, f) ?? '').matchAll(/^\s*socket\s*=\s*["']?([^"'\s#]+)/gm)].map((m) => m[1]))
  for (const path of [...configured, ...DEFAULT_SOCKETS.map((p) => `/${p}`)]) {
    if (path.startsWith('/') && exists(root, path)) return path
  }
  return null
}

function withTimeout<T>(p: Promise<T>, ms: number): Promise<T | null> {
  let timer: ReturnType<typeof setTimeout> | undefined
  const timeout = new Promise<null>((resolve) => (timer = setTimeout(() => resolve(null), ms)))
  return Promise.race([p.catch(() => null), timeout]).finally(() => clearTimeout(timer))
}

const str = (v: unknown) => (v === null || v === undefined ? null : typeof v === 'string' ? v : String(v))

async function connectBun(socketPath: string, timeoutMs: number): Promise<Connection | null> {
  let sql: SQL
  try {
    // information_schema, because Bun otherwise picks a default database root may not be allowed into.
    sql = new SQL({ adapter: 'mysql', path: socketPath, username: 'root', password: '', database: 'information_schema', max: 1, connectionTimeout: Math.ceil(timeoutMs / 1000) })
  } catch {
    return null
  }
  const close = () => withTimeout(sql.close(), 1000).then(() => {})
  const query: SqlQuery = async (text) => {
    const rows = await withTimeout(sql.unsafe(text).values() as Promise<unknown[][]>, timeoutMs)
    return rows ? rows.map((r) => r.map(str)) : null
  }
  if (await query('select 1')) return { query, close, via: 'bun' }
  await close()
  return null
}

/** Batch mode (-B) prints NULL for null and escapes tab, newline and backslash inside values. */
function unescapeBatch(v: string): string | null {
  if (v === 'NULL') return null
  return v.replace(/\\(.)/g, (_, c: string) => ({ t: '\t', n: '\n', '0': '\0' })[c] ?? c)
}

export async function connectCli(run: RunCommand, socketPath: string, timeoutMs: number): Promise<Connection | null> {
  for (const client of ['mariadb', 'mysql']) {
    const query: SqlQuery = async (text) => {
      const res = await run([client, '-N', '-B', `--socket=${socketPath}`, '--connect-timeout=5', '-e', text], { timeoutMs })
      if (!res || res.code !== 0) return null
      return res.stdout.split('\n').filter((l) => l !== '').map((l) => l.split('\t').map(unescapeBatch))
    }
    if (await query('select 1')) return { query, close: async () => {}, via: 'cli' }
  }
  return null
}

/** A working connection to the server under root, or null (no socket, server down, access denied). */
export async function connectLocal({ root = '/', run, timeoutMs = 5000 }: { root?: string; run: RunCommand; timeoutMs?: number }): Promise<Connection | null> {
  const socket = findSocket(root)
  if (!socket) return null
  const socketPath = root === '/' ? socket : `${root.replace(/\/$/, '')}${socket}`
  return (await connectBun(socketPath, timeoutMs)) ?? (await connectCli(run, socketPath, timeoutMs))
}
