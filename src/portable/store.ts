// The SQL of export and import. Rows travel as the database's own JSON of
// each row (to_jsonb), and come back through jsonb_populate_recordset: the
// database converts every type itself, both ways, with full precision
// (microseconds, bigints, arrays, jsonb), on PGlite and PostgreSQL alike.
import { sql } from 'drizzle-orm'
import type { Db } from '../db'
import { rowsOf } from '../db/affected'

const ident = (name: string) => `"${name.replace(/"/g, '""')}"`

/** Each row of a table as JSON text. */
export async function readRows(db: Db, table: string): Promise<string[]> {
  const result = await db.execute(sql.raw(`select to_jsonb(t)::text as row from ${ident(table)} t`))
  return rowsOf<{ row: string }>(result).map((r) => r.row)
}

export async function highestLeaderTerm(db: Db): Promise<number> {
  const [row] = rowsOf<{ term: number | null }>(await db.execute(sql`select max(term)::int as term from leader_terms`))
  return row?.term ?? 0
}

export type ColumnInfo = { name: string; insertable: boolean; counter: boolean }

/** A table's columns as the database has them now (after every migration). */
export async function columnsOf(db: Db, table: string): Promise<ColumnInfo[]> {
  const result = await db.execute(sql`
    select column_name as name,
           is_generated = 'ALWAYS' as generated,
           (is_identity = 'YES' or coalesce(column_default, '') like 'nextval(%') as counter
    from information_schema.columns
    where table_schema = current_schema() and table_name = ${table}
    order by ordinal_position`)
  return rowsOf<{ name: string; generated: boolean; counter: boolean }>(result).map((c) => ({ name: c.name, insertable: !c.generated, counter: c.counter }))
}

export async function hasRows(db: Db, table: string): Promise<boolean> {
  const [row] = rowsOf<{ any: boolean }>(await db.execute(sql.raw(`select exists(select 1 from ${ident(table)}) as any`)))
  return row?.any === true
}

/** One statement, one bind parameter (the rows as a JSON array), whatever the number of columns. */
export async function insertRows(db: Db, table: string, columns: string[], rowsJson: string, overriding: boolean): Promise<void> {
  const list = columns.map(ident).join(', ')
  await db.execute(
    sql`${sql.raw(`insert into ${ident(table)} (${list}) ${overriding ? 'overriding system value ' : ''}select ${list} from jsonb_populate_recordset(null::${ident(table)},`)} ${rowsJson}::jsonb)`,
  )
}

/** Moves a counter column's sequence past the highest value imported, so new rows do not collide. */
export async function moveCounterPast(db: Db, table: string, column: string, atLeast = 0): Promise<void> {
  await db.execute(
    sql`select setval(pg_get_serial_sequence(${ident(table)}, ${column}), m) from (select greatest(max(${sql.raw(ident(column))})::bigint, ${atLeast}::bigint) as m from ${sql.raw(ident(table))}) x where m > 0`,
  )
}
