// The local MariaDB as backups and restores use it: table checksums through
// the agent's root connection, and DDL through the client, whose error text
// reaches the job, and which still runs after a cancel (to drop what a failed
// restore made).
import { findSocket, connectLocal, type Connection } from '../../detect/mariadb-connect'
import { runCommand } from '../../run-command'
import { JobFailure, type JobContext } from '../types'

/** Names a job may create, restore or read: no quoting surprises in SQL, argv or paths. */
const DATABASE_NAME = /^[A-Za-z0-9_][A-Za-z0-9_$-]{0,63}$/

export function databaseName(value: unknown, what = 'database name'): string {
  if (typeof value !== 'string' || !DATABASE_NAME.test(value)) throw new JobFailure(`Refusing the ${what} ${JSON.stringify(value)}: letters, digits, _ $ - only, at most 64.`)
  return value
}

export const ident = (name: string) => '`' + name.replace(/`/g, '``') + '`'

export const clientProgram = () => (Bun.which('mariadb') ? 'mariadb' : 'mysql')
export const dumpProgram = () => (Bun.which('mariadb-dump') ? 'mariadb-dump' : 'mysqldump')

/** --socket for the client programs, when the server's socket is found under the job's root. */
export function socketArgs(ctx: JobContext): string[] {
  const socket = findSocket(ctx.root)
  return socket ? [`--socket=${ctx.root === '/' ? socket : `${ctx.root.replace(/\/$/, '')}${socket}`}`] : []
}

export async function connect(ctx: JobContext): Promise<Connection> {
  const conn = await connectLocal({ root: ctx.root, run: runCommand, timeoutMs: 600_000 })
  if (!conn) throw new JobFailure('Cannot reach the local MariaDB as root over its socket: is it installed and running?')
  return conn
}

async function rows(conn: Connection, sql: string): Promise<(string | null)[][]> {
  const answer = await conn.query(sql)
  if (!answer) throw new JobFailure(`MariaDB refused: ${sql.slice(0, 120)}`)
  return answer
}

export async function databaseExists(conn: Connection, db: string): Promise<boolean> {
  return (await rows(conn, `select schema_name from information_schema.schemata where schema_name = '${databaseName(db)}'`)).length > 0
}

/** CHECKSUM TABLE of every base table, by table name (null where the engine gives none). */
export async function tableChecksums(conn: Connection, db: string): Promise<Record<string, string | null>> {
  const tables = await rows(conn, `select table_name from information_schema.tables where table_schema = '${databaseName(db)}' and table_type = 'BASE TABLE' order by table_name`)
  const out: Record<string, string | null> = {}
  for (const [table] of tables) {
    const [row] = await rows(conn, `CHECKSUM TABLE ${ident(db)}.${ident(table!)}`)
    out[table!] = row?.[1] ?? null
  }
  return out
}

/** One statement through the client; its error text becomes the job's. Not tied to the job's cancel. */
export async function runSql(ctx: JobContext, sql: string): Promise<void> {
  const proc = Bun.spawn([clientProgram(), ...socketArgs(ctx), '-e', sql], { stdin: 'ignore', stdout: 'ignore', stderr: 'pipe', env: { ...process.env, LC_ALL: 'C' } })
  const [code, stderr] = await Promise.all([proc.exited, new Response(proc.stderr).text()])
  if (code !== 0) throw new JobFailure(`${sql}: ${stderr.trim().split('\n').pop() || `exit code ${code}`}`)
}

export const createDatabase = (ctx: JobContext, db: string) => runSql(ctx, `CREATE DATABASE ${ident(databaseName(db))}`)
export const dropDatabase = (ctx: JobContext, db: string) => runSql(ctx, `DROP DATABASE IF EXISTS ${ident(databaseName(db))}`)
