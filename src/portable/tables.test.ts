import { describe, expect, test } from 'bun:test'
import { EXPORTED, SKIPPED, referencedTables, schemaTables, sealedColumns, tableName } from './tables'

describe('the tables an export carries', () => {
  test('it decides every table in the schema: each is exported or skipped with a reason, never both', () => {
    const exported = EXPORTED.map(tableName)
    const undecided = schemaTables().map(tableName).filter((t) => !exported.includes(t) && !(t in SKIPPED))
    expect(undecided).toEqual([])
    expect(exported.filter((t) => t in SKIPPED)).toEqual([])
    expect(new Set(exported).size).toBe(exported.length)
    for (const name of Object.keys(SKIPPED)) expect(schemaTables().map(tableName)).toContain(name)
  })

  test('it writes each table after the tables its foreign keys point at', () => {
    const order = EXPORTED.map(tableName)
    for (const table of EXPORTED) {
      for (const target of referencedTables(table)) {
        if (target === tableName(table)) continue
        expect({ table: tableName(table), target, exported: order.includes(target) }).toEqual({ table: tableName(table), target, exported: true })
        expect({ table: tableName(table), before: order.indexOf(target) < order.indexOf(tableName(table)) }).toEqual({ table: tableName(table), before: true })
      }
    }
  })

  test('it opens and reseals every sealed column', () => {
    const sealed = EXPORTED.flatMap((t) => sealedColumns(t).map((c) => `${tableName(t)}.${c}`)).sort()
    expect(sealed).toEqual(['cpanel_secrets.value_sealed', 'dns_providers.secret_sealed', 'enrollment_secrets.secret_sealed', 'pool_backups.data_key_sealed'])
    // A sealed column in a skipped table would be lost on the new server's key.
    expect(schemaTables().filter((t) => tableName(t) in SKIPPED).flatMap(sealedColumns)).toEqual([])
  })
})
