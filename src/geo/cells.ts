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
const ROWS = Math.ceil(180 / CELL_LAT_DEG)
const COLS = Math.ceil(360 / CELL_LON_DEG)

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

/** A dot that draws neighbouring cells together names at most this many. */
export const MAX_CELLS_A_DOT = 16

/** Cells in a URL, "12.30,12.31" (one dot can stand for neighbouring cells), or null when one is not the grid's. */
export function parseCellIds(raw: string): CellKey[] | null {
  const parts = raw.split(',')
  if (parts.length > MAX_CELLS_A_DOT) return null
  const keys = parts.map(parseCellId)
  if (keys.some((k) => k === null)) return null
  const unique = new Map((keys as CellKey[]).map((k) => [cellId(k), k]))
  return [...unique.values()]
}

/** The cells' extent, for saying where they are. */
export function cellBounds(keys: CellKey[]) {
  const south = Math.min(...keys.map((k) => k.row)) * CELL_LAT_DEG - 90
  const north = Math.min(90, (Math.max(...keys.map((k) => k.row)) + 1) * CELL_LAT_DEG - 90)
  const west = Math.min(...keys.map((k) => k.col)) * CELL_LON_DEG - 180
  const east = Math.min(180, (Math.max(...keys.map((k) => k.col)) + 1) * CELL_LON_DEG - 180)
  return { south, north, west, east }
}

const deg = (n: number, pos: string, neg: string) => `${Math.abs(n)}°${n === 0 ? '' : n > 0 ? pos : neg}`

/** Where the cells are: "46°N to 54°N, 0° to 9°E". */
export function cellPlace(keys: CellKey[]): string {
  const b = cellBounds(keys)
  return `${deg(b.south, 'N', 'S')} to ${deg(b.north, 'N', 'S')}, ${deg(b.west, 'E', 'W')} to ${deg(b.east, 'E', 'W')}`
}

// A member's location is jsonb {lat, lon, label}; one the map cannot place
// (not numbers, off the globe) is in no cell, as projectPoint drops it.
// A case, not `and`: SQL does not promise to test the type before the cast.
/** The latitude of a row's `location` (jsonb), null when it has none. */
export const LAT_SQL: SQL = sql.raw(`(case when jsonb_typeof(location -> 'lat') = 'number' then (location ->> 'lat')::float8 end)`)
/** The longitude of a row's `location` (jsonb), null when it has none. */
export const LON_SQL: SQL = sql.raw(`(case when jsonb_typeof(location -> 'lon') = 'number' then (location ->> 'lon')::float8 end)`)

/**
 * Where a latitude and longitude (SQL expressions, e.g. LAT_SQL and LON_SQL
 * or columns holding them) fall: whether on the globe, and the row and column
 * of their cell. The one formula both the map and a cell's list read.
 */
// The north pole and the antimeridian's east side belong to the last row and column.
export const cellSql = (lat: SQL, lon: SQL) => ({
  located: sql`(abs(${lat}) <= 90 and abs(${lon}) <= 180)`,
  row: sql`least(floor((${lat} + 90) / ${sql.raw(String(CELL_LAT_DEG))})::int, ${sql.raw(String(ROWS - 1))})`,
  col: sql`least(floor((${lon} + 180) / ${sql.raw(String(CELL_LON_DEG))})::int, ${sql.raw(String(COLS - 1))})`,
})
