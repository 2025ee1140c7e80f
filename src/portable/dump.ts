// Reads everything an export carries into one JSON body. Sealed columns are
// opened with this server's key: the new server has another, and the body is
// sealed as a whole under the passphrase.
import type { Db } from '../db'
import type { SecretBox } from '../crypto/secret-box'
import { EXPORTED, sealedColumns, tableName } from './tables'
import { PortableError } from './envelope'
import * as store from './store'

/** The body inside the sealed file. `opened`: per table, the columns holding opened secrets. */
export type Body = {
  leaderTerm: number
  opened: Record<string, string[]>
  tables: Record<string, Record<string, unknown>[]>
}

export async function dumpDatabase(db: Db, secrets: SecretBox): Promise<{ body: string; counts: Record<string, number> }> {
  // One snapshot of every table, even beside a live server on PostgreSQL.
  return db.transaction(
    async (tx) => {
      const counts: Record<string, number> = {}
      const opened: Record<string, string[]> = {}
      const parts: string[] = []
      for (const table of EXPORTED) {
        const name = tableName(table)
        let rows = await store.readRows(tx as unknown as Db, name)
        const sealed = sealedColumns(table)
        if (sealed.length > 0) {
          opened[name] = sealed
          rows = rows.map((row) => JSON.stringify(openRow(JSON.parse(row), name, sealed, secrets)))
        }
        counts[name] = rows.length
        parts.push(`${JSON.stringify(name)}:[${rows.join(',')}]`)
      }
      const leaderTerm = await store.highestLeaderTerm(tx as unknown as Db)
      const body = `{"leaderTerm":${leaderTerm},"opened":${JSON.stringify(opened)},"tables":{${parts.join(',')}}}`
      return { body, counts }
    },
    { isolationLevel: 'repeatable read', accessMode: 'read only' },
  )
}

function openRow(row: Record<string, unknown>, table: string, columns: string[], secrets: SecretBox) {
  for (const column of columns) {
    const value = row[column]
    if (typeof value !== 'string') continue
    try {
      row[column] = secrets.open(value)
    } catch {
      throw new PortableError(
        `${table}.${column} of row ${JSON.stringify(row.id ?? row.pool_id ?? row.member_id ?? '?')} does not open with this server's key: ` +
          'run the export with the SECRET_KEY (or the DATA_DIR and its secret.key) the server runs with',
      )
    }
  }
  return row
}
