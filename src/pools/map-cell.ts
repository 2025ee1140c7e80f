// A cluster of the fleet map, opened: which members are in its cells of the
// grid, worst first, a page at a time.
import type { Db } from '../db'
import { HttpError, notFound } from '../http/errors'
import { cellId, cellPlace, parseCellIds, STATUS_BY_SEVERITY } from '../geo/cells'
import type { MemberStatus } from '../members/status'
import { getPool } from './service'
import { membersInCells } from './store'

/** Members listed per page of a cluster. */
export const CELL_PAGE_SIZE = 50

export type MapCellPage = {
  poolName: string
  /** The cells, as the URL names them: "17.20" or "17.20,17.21". */
  cell: string
  /** Where the cells are: "48°N to 56°N, 0° to 9°E". */
  place: string
  total: number
  members: { id: string; name: string; hostname: string; label: string | null; status: MemberStatus }[]
  page: number
  pages: number
  from: number
  to: number
}

/** A `?page=` value: absent is the first page; anything but a whole number from 1 is refused. */
export function parsePage(raw: unknown): number {
  if (raw === undefined || raw === '') return 1
  const n = typeof raw === 'string' && /^\d{1,6}$/.test(raw) ? Number(raw) : NaN
  if (!Number.isInteger(n) || n < 1) throw new HttpError(400, 'invalid_input', 'The page must be a whole number from 1')
  return n
}

export async function mapCellPage(db: Db, poolId: string, rawCell: string, rawPage: unknown, now = new Date()): Promise<MapCellPage> {
  const pool = await getPool(db, poolId)
  const keys = parseCellIds(rawCell)
  if (!keys) throw notFound('Map cell')
  const page = parsePage(rawPage)
  const { total, members } = await membersInCells(db, poolId, keys, { now, offset: (page - 1) * CELL_PAGE_SIZE, limit: CELL_PAGE_SIZE })
  const from = (page - 1) * CELL_PAGE_SIZE + 1
  return {
    poolName: pool.name,
    cell: keys.map(cellId).join(','),
    place: cellPlace(keys),
    total,
    members: members.map(({ severity, ...m }) => ({ ...m, status: STATUS_BY_SEVERITY[severity] ?? 'healthy' })),
    page,
    pages: Math.max(1, Math.ceil(total / CELL_PAGE_SIZE)),
    from,
    to: from + members.length - 1,
  }
}
