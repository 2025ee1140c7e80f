// Opens the one database: PGlite under DATA_DIR by default, PostgreSQL when
// DATABASE_URL is set. Both speak the same schema and the same migrations.
import { existsSync, mkdirSync } from 'node:fs'
import { hostname } from 'node:os'
import { join, resolve } from 'node:path'
import { PGlite, types, type QueryOptions } from '@electric-sql/pglite'
import { drizzle as drizzlePglite } from 'drizzle-orm/pglite'
import { migrate as migratePglite } from 'drizzle-orm/pglite/migrator'
import { drizzle as drizzlePostgres } from 'drizzle-orm/postgres-js'
import { migrate as migratePostgres } from 'drizzle-orm/postgres-js/migrator'
import type { PgDatabase, PgQueryResultHKT } from 'drizzle-orm/pg-core'
import { sql } from 'drizzle-orm'
import postgres from 'postgres'
import * as schema from './schema'

export type Db = PgDatabase<PgQueryResultHKT, typeof schema>

export type Database = {
  db: Db
  kind: 'pglite' | 'postgres'
  /** True while this process holds leadership: the one that runs scheduler ticks. */
  isLeader: () => Promise<boolean>
  /** The number of this process's leadership term while it leads (see leader_terms), else null. */
  leaderTerm: () => Promise<number | null>
  /** Asked at start, before this process leads: whether another server process leads now (the control plane was serving without it). */
  othersServing: () => Promise<boolean>
  /**
   * Gives leadership up for good (a stopping server): another replica takes
   * over at its next try instead of when this connection times out, and this
   * process never leads again.
   */
  releaseLeadership: () => Promise<void>
  close: () => Promise<void>
}

const holderName = () => `${hostname()}:${process.pid}`

/** A new leadership term, numbered by the database. */
async function startTerm(db: Db): Promise<number> {
  const [row] = await db.insert(schema.leaderTerms).values({ holder: holderName() }).returning({ term: schema.leaderTerms.term })
  return row!.term
}

export const migrationsFolder = resolve(import.meta.dir, '../../migrations')

/** Whether `db` is the embedded database: PGlite has one connection, PostgreSQL a pool (postgres.js, a function). */
export const isEmbedded = (db: Db) => typeof (db as unknown as { $client: unknown }).$client !== 'function'

// PGlite starts postgres with -F (fsync off). It is the default database, so a
// crash must not lose what it acknowledged: drop -F and ask for durable writes.
function durableStartParams(): string[] {
  const defaults: string[] = (PGlite as unknown as { defaultStartParams?: string[] }).defaultStartParams ?? [
    '--single', '-F', '-O', '-j', '-c', 'search_path=public', '-c', 'exit_on_error=false',
  ]
  return [...defaults.filter((p) => p !== '-F'), '-c', 'fsync=on', '-c', 'synchronous_commit=on', '-c', 'full_page_writes=on']
}

// drizzle hands PGlite, with every query, parsers that keep dates and times
// as text (drizzle maps them itself). PGlite copies its 318-entry parser table
// to add them, 0.17 ms a query in Bun; install them once and stop passing
// them. Transactions still pass them (same answer, the slower way).
const TIMES_AS_TEXT = [types.TIMESTAMP, types.TIMESTAMPTZ, types.INTERVAL, types.DATE, 1231, 1115, 1185, 1187, 1182]
function keepTimesAsText(client: PGlite) {
  for (const oid of TIMES_AS_TEXT) client.parsers[oid] = (value: string) => value
  const query = client.query.bind(client)
  client.query = ((text: string, params?: unknown[], options?: QueryOptions) =>
    query(text, params, options && { ...options, parsers: undefined })) as PGlite['query']
}

/** dataDir null keeps PGlite in memory (tests). */
export async function openPglite(dataDir: string | null): Promise<Database> {
  let client: PGlite
  if (dataDir) {
    mkdirSync(dataDir, { recursive: true })
    const pgdata = join(dataDir, 'pgdata')
    // A PGlite that ran initdb keeps what initdb used (some 700 MB, measured)
    // for as long as it is open: create the database in one and run on another.
    if (!existsSync(join(pgdata, 'PG_VERSION'))) await new PGlite(pgdata, { startParams: durableStartParams() }).close()
    client = new PGlite(pgdata, { startParams: durableStartParams() })
  } else {
    client = new PGlite()
  }
  await client.waitReady
  keepTimesAsText(client)
  const db = drizzlePglite(client, { schema }) as unknown as Db
  await migratePglite(db as never, { migrationsFolder })
  // One process per data directory (the lock file sees to that): always the
  // leader, and each start is a new term.
  let term: Promise<number> | null = null
  return {
    db,
    kind: 'pglite',
    isLeader: async () => true,
    leaderTerm: () => (term ??= startTerm(db)),
    othersServing: async () => false,
    // The data directory's lock file is what keeps a second process out; it goes when the process does.
    releaseLeadership: async () => {},
    close: () => client.close(),
  }
}

// Any number for the lock, as long as every replica uses the same one.
const MIGRATION_LOCK = 727_100_001

export async function openPostgres(url: string): Promise<Database> {
  const client = postgres(url, { max: 10, onnotice: () => {} })
  const db = drizzlePostgres(client, { schema }) as unknown as Db
  // Replicas starting together must not run the same migration twice: one
  // connection holds a session lock while it migrates.
  const migrator = postgres(url, { max: 1, onnotice: () => {} })
  try {
    await migrator`select pg_advisory_lock(${MIGRATION_LOCK})`
    await migratePostgres(drizzlePostgres(migrator, { schema }), { migrationsFolder })
  } finally {
    await migrator.end({ timeout: 5 })
  }
  const leadership = advisoryLeadership(url)
  return {
    db,
    kind: 'postgres',
    isLeader: leadership.check,
    leaderTerm: async () => leadership.term(),
    othersServing: async () => {
      const [row] = await client`select exists(select 1 from pg_locks where locktype = 'advisory' and objid = ${LEADER_LOCK} and granted and database = (select oid from pg_database where datname = current_database())) as held`
      return row?.held === true
    },
    releaseLeadership: leadership.release,
    close: async () => {
      await leadership.release()
      await client.end({ timeout: 5 })
    },
  }
}

const LEADER_LOCK = 727_100_002

/**
 * Leadership among server replicas on one PostgreSQL: a session advisory lock
 * held on a connection of its own. If that connection dies, so does the lock,
 * and another replica takes over on its next try.
 */
function advisoryLeadership(url: string) {
  let conn: ReturnType<typeof postgres> | null = null
  let held = false
  let term: number | null = null
  let released = false
  const reset = async () => {
    held = false
    term = null
    const old = conn
    conn = null
    await old?.end({ timeout: 1 }).catch(() => {})
  }
  // Ticks ask at the same moment; one question at a time, or two answers would
  // each take the lock (it stacks on one session) and each start a term.
  let asking: Promise<boolean> | null = null
  const ask = async (): Promise<boolean> => {
    if (released) return false
    try {
      // No lifetime limit: recycling the connection would drop the lock silently.
      conn ??= postgres(url, { max: 1, idle_timeout: 0, max_lifetime: null, onnotice: () => {} })
      if (held) {
        // The lock is ours only while this very backend holds it (it dies with a reconnect).
        const [mine] = await conn`select exists(select 1 from pg_locks where locktype = 'advisory' and objid = ${LEADER_LOCK} and pid = pg_backend_pid() and granted) as ok`
        if (mine?.ok === true) return true
        held = false
      }
      const [row] = await conn`select pg_try_advisory_lock(${LEADER_LOCK}) as ok`
      held = row?.ok === true
      // Every win of the lock is a new term, even by the process that held it before.
      term = held ? ((await conn`insert into leader_terms (holder) values (${holderName()}) returning term`)[0]?.term as number) : null
      return held
    } catch {
      await reset()
      return false
    }
  }
  return {
    check(): Promise<boolean> {
      asking ??= ask().finally(() => (asking = null))
      return asking
    },
    term: () => (held ? term : null),
    async release(): Promise<void> {
      released = true
      // Said to the database rather than left to the connection's end, which a proxy in between may hold open.
      if (held && conn) await conn`select pg_advisory_unlock(${LEADER_LOCK})`.catch(() => {})
      await reset()
    },
  }
}

export async function openDatabase(config: { databaseUrl: string | null; dataDir: string }): Promise<Database> {
  return config.databaseUrl ? openPostgres(config.databaseUrl) : openPglite(join(config.dataDir, 'db'))
}

export async function pingDatabase(db: Db): Promise<boolean> {
  try {
    await db.execute(sql`select 1`)
    return true
  } catch {
    return false
  }
}

/** True when a write failed on a unique index (two racing writers, say). */
export function isUniqueViolation(err: unknown): boolean {
  for (let e = err as { code?: string; cause?: unknown } | undefined; e; e = e.cause as typeof e) {
    if (e.code === '23505') return true
  }
  return false
}
