// Writes an export's body into an empty database, in one transaction: either
// the whole control plane arrives or nothing does.
import type { Db } from '../db'
import type { SecretBox } from '../crypto/secret-box'
import { EXPORTED, sealedColumns, tableName } from './tables'
import { PortableError } from './envelope'
import type { Body } from './dump'
import * as store from './store'

// Well under both drivers' limits on one statement's size, and one bind parameter each.
const CHUNK_BYTES = 4 << 20
const CHUNK_ROWS = 5000

const EMPTY_ONLY =
  'import writes only into an empty database: point DATA_DIR at a new directory (or DATABASE_URL at a new database) and run import before the server first starts there, or start it without ADMIN_EMAIL'

export async function restoreDatabase(db: Db, secrets: SecretBox, bodyText: string): Promise<Record<string, number>> {
  const body = parseBody(bodyText)
  return db.transaction(async (t) => {
    const tx = t as unknown as Db
    const occupied: string[] = []
    for (const table of EXPORTED) if (await store.hasRows(tx, tableName(table))) occupied.push(tableName(table))
    if (occupied.length > 0) throw new PortableError(`this database already holds ${occupied.join(', ')}; ${EMPTY_ONLY}. Nothing was imported.`)
    const counts: Record<string, number> = {}
    for (const table of EXPORTED) {
      const name = tableName(table)
      counts[name] = await writeTable(tx, name, body.tables[name] ?? [], body.opened[name] ?? [], secrets)
    }
    // Claims of the old server's terms (failover cuts) must read as older than any term from now on.
    await store.moveCounterPast(tx, 'leader_terms', 'term', body.leaderTerm)
    return counts
  })
}

async function writeTable(db: Db, table: string, rows: Record<string, unknown>[], opened: string[], secrets: SecretBox): Promise<number> {
  const columns = await store.columnsOf(db, table)
  const known = new Set(columns.filter((c) => c.insertable).map((c) => c.name))
  const present = new Set<string>()
  for (const row of rows) {
    for (const key of Object.keys(row)) {
      if (known.has(key)) present.add(key)
      else if (!columns.some((c) => c.name === key)) throw newer(`column ${table}.${key}`)
    }
  }
  const list = [...present]
  const overriding = columns.some((c) => c.counter && present.has(c.name))
  let chunk: string[] = []
  let bytes = 0
  const flush = async () => {
    if (chunk.length === 0) return
    try {
      await store.insertRows(db, table, list, `[${chunk.join(',')}]`, overriding)
    } catch (err) {
      // The driver's own message would quote the rows, secrets and all.
      const cause = ((err as { cause?: Error }).cause ?? err) as Error
      throw new PortableError(`could not write ${table}: ${cause.message}. Nothing was imported.`)
    }
    chunk = []
    bytes = 0
  }
  for (const row of rows) {
    for (const column of opened) if (typeof row[column] === 'string') row[column] = secrets.seal(row[column] as string)
    const json = JSON.stringify(row)
    chunk.push(json)
    bytes += json.length
    if (bytes >= CHUNK_BYTES || chunk.length >= CHUNK_ROWS) await flush()
  }
  await flush()
  for (const c of columns) if (c.counter && present.has(c.name)) await store.moveCounterPast(db, table, c.name)
  return rows.length
}

function newer(what: string) {
  return new PortableError(`the file has ${what}, which this serversctl does not know: import it with the serversctl version that made it, or a newer one. Nothing was imported.`)
}

function parseBody(text: string): Body {
  let body: Body
  try {
    body = JSON.parse(text)
  } catch {
    throw new PortableError('the file opened but its contents are not readable JSON (damaged file)')
  }
  if (typeof body !== 'object' || body === null || typeof body.tables !== 'object' || typeof body.opened !== 'object') {
    throw new PortableError('the file opened but does not hold a serversctl export body (damaged file)')
  }
  const ours = new Map(EXPORTED.map((t) => [tableName(t), t]))
  for (const [name, rows] of Object.entries(body.tables)) {
    if (!ours.has(name)) throw newer(`table ${name}`)
    if (!Array.isArray(rows)) throw new PortableError(`the file's ${name} is not a list of rows (damaged file)`)
  }
  for (const [name, columns] of Object.entries(body.opened)) {
    const sealed = ours.has(name) ? sealedColumns(ours.get(name)!) : []
    for (const c of columns) if (!sealed.includes(c)) throw newer(`sealed column ${name}.${c}`)
  }
  body.leaderTerm = Number.isInteger(body.leaderTerm) ? body.leaderTerm : 0
  return body
}
