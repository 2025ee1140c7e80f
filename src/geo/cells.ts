// The fleet map's grid: members with a location are counted per cell of
// latitude and longitude by the database, and each cell is one dot on the
// map. Pure, apart from the SQL that puts a location in its cell.
import { sql, type SQL } from 'drizzle-orm'
import type { MemberStatus } from '../members/status'

/**
 * A cell is 8° of latitude by 9° of longitude: about 24 map units each way
 * (src/geo/world.ts: 9° of longitude at the equator is 24 units of 960, and
 * 8° of latitude 19 to 25 units between 70°S and 70°N). That is the diameter
 * of a dot on the narrowest map (a phone, LABEL_TIERS' narrow dot of 10) plus
 * a little, so neighbouring cells' dots do not cover each other at 390 px and
 * stand well apart on a wide screen.
 */
export const CELL_LAT_DEG = 8
export const CELL_LON_DEG = 9
const ROWS = Math.floor(180 / CELL_LAT_DEG) + 1
const COLS = Math.floor(360 / CELL_LON_DEG) + 1

export type CellKey = { row: number; col: number }

/** Severity as the Overview's SQL orders members: the worst first. */
export const STATUS_BY_SEVERITY: readonly MemberStatus[] = ['down', 'late', 'pending', 'healthy']

/** The cell's part of a URL: "12.30" (row.col). */
export const cellId = ({ row, col }: CellKey) => `${row}.${col}`

/** A cell named in a URL, or null when it is not one of the grid's. */
export function parseCellId(raw: string): CellKey | null {
  const m = /^(\d{1,3})\.(\d{1,3})$/.exec(raw)
  if (!m) return null
  const row = Number(m[1])
  const col = Number(m[2])
  return row < ROWS && col < COLS ? { row, col } : null
}

/** The cell's corners, for saying where it is: "40°N–48°N, 0°E–9°E". */
export function cellBounds({ row, col }: CellKey) {
  const south = row * CELL_LAT_DEG - 90
  const west = col * CELL_LON_DEG - 180
  return { south, north: Math.min(90, south + CELL_LAT_DEG), west, east: Math.min(180, west + CELL_LON_DEG) }
}

const deg = (n: number, pos: string, neg: string) => `${Math.abs(n)}°${n === 0 ? '' : n > 0 ? pos : neg}`

export function cellPlace(key: CellKey): string {
  const b = cellBounds(key)
  return `${deg(b.south, 'N', 'S')} to ${deg(b.north, 'N', 'S')}, ${deg(b.west, 'E', 'W')} to ${deg(b.east, 'E', 'W')}`
}

// A member's location is jsonb {lat, lon, label}; one the map cannot place
// (not numbers, off the globe) is in no cell, as projectPoint drops it.
// A case, not `and`: SQL does not promise to test the type before the cast.
const LAT = sql.raw(`(case when jsonb_typeof(location -> 'lat') = 'number' then (location ->> 'lat')::float8 end)`)
const LON = sql.raw(`(case when jsonb_typeof(location -> 'lon') = 'number' then (location ->> 'lon')::float8 end)`)

/** True for a location on the globe; read from a row with a `location` column. */
export const LOCATED_SQL: SQL = sql`(abs(${LAT}) <= 90 and abs(${LON}) <= 180)`
/** The row and column of a located row's cell: the one formula both the map and a cell's list read. */
export const CELL_ROW_SQL: SQL = sql`floor((${LAT} + 90) / ${sql.raw(String(CELL_LAT_DEG))})::int`
export const CELL_COL_SQL: SQL = sql`floor((${LON} + 180) / ${sql.raw(String(CELL_LON_DEG))})::int`
export const LAT_SQL: SQL = LAT
export const LON_SQL: SQL = LON
