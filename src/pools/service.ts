// Pools: create, rename, delete, and what the pool page shows.
import { isUniqueViolation, type Db } from '../db'
import { recordAudit, type Actor } from '../audit/service'
import { newId } from '../crypto/tokens'
import { badInput, checkConfirmName, conflict, notFound } from '../http/errors'
import * as store from './store'
import { listPoolMembers } from '../members/store'
import { fleetCards } from '../members/cards'
import { isTabVisible, MEMBER_ROW_LIMIT, visiblePoolTabs, type PoolTabKey } from './tabs'

export const PRESETS = [
  {
    key: 'generic' as const,
    label: 'Generic Linux servers',
    description:
      'OpenLiteSpeed, MariaDB/Galera, cPanel/WHM and other services on Ubuntu, Debian, Rocky, Alma, CentOS and RHEL.',
  },
]
export type PresetKey = (typeof PRESETS)[number]['key']

export const MAX_POOL_NAME = 80

export function checkPoolName(raw: unknown): string {
  const name = typeof raw === 'string' ? raw.trim().replace(/\s+/g, ' ') : ''
  if (!name) throw badInput('Give the pool a name', 'name')
  if (name.length > MAX_POOL_NAME) throw badInput(`Use a name of at most ${MAX_POOL_NAME} characters`, 'name')
  if (/[\u0000-\u001f\u007f]/.test(name)) throw badInput('The name cannot contain control characters', 'name')
  return name
}

export function checkPreset(raw: unknown): PresetKey {
  const preset = PRESETS.find((p) => p.key === raw)
  if (!preset) throw badInput(`Choose a preset: ${PRESETS.map((p) => p.key).join(', ')}`, 'preset')
  return preset.key
}

async function ensureNameFree(db: Db, name: string, exceptId?: string) {
  if (await store.poolNameTaken(db, name, exceptId)) throw conflict(`A pool named "${name}" already exists`, 'name')
}

export async function createPool(db: Db, actor: Actor, input: { name: unknown; preset: unknown }) {
  const name = checkPoolName(input.name)
  const preset = checkPreset(input.preset)
  await ensureNameFree(db, name)
  const pool = await store.insertPool(db, { id: newId('pool'), name, preset }).catch((err) => {
    throw isUniqueViolation(err) ? conflict(`A pool named "${name}" already exists`, 'name') : err
  })
  await recordAudit(db, actor, {
    action: 'pool.create',
    targetType: 'pool',
    targetId: pool.id,
    targetLabel: name,
    poolId: pool.id,
    detail: { preset },
  })
  return pool
}

export const listPools = (db: Db) => store.listPools(db)

export async function getPool(db: Db, id: string) {
  const pool = await store.findPool(db, id)
  if (!pool) throw notFound('Pool')
  return pool
}

/** The pool, or 404, for pages that count its members themselves (the Overview and its tiles). */
export async function getPoolUncounted(db: Db, id: string) {
  const pool = await store.findPoolUncounted(db, id)
  if (!pool) throw notFound('Pool')
  return pool
}

export async function renamePool(db: Db, actor: Actor, id: string, rawName: unknown) {
  const pool = await getPool(db, id)
  const name = checkPoolName(rawName)
  if (name === pool.name) return pool
  await ensureNameFree(db, name, id)
  await store.updatePoolName(db, id, name).catch((err) => {
    throw isUniqueViolation(err) ? conflict(`A pool named "${name}" already exists`, 'name') : err
  })
  await recordAudit(db, actor, {
    action: 'pool.rename',
    targetType: 'pool',
    targetId: id,
    targetLabel: name,
    poolId: id,
    detail: { from: pool.name, to: name },
  })
  return getPool(db, id)
}

/** `confirmName` guards the page's danger zone; the API passes the pool's own name. */
export async function deletePool(db: Db, actor: Actor, id: string, confirmName?: unknown) {
  const pool = await getPool(db, id)
  if (confirmName !== undefined) checkConfirmName(confirmName, pool.name, 'pool')
  await store.deletePool(db, id)
  await recordAudit(db, actor, {
    action: 'pool.delete',
    targetType: 'pool',
    targetId: id,
    targetLabel: pool.name,
    poolId: id,
    detail: { memberCount: pool.memberCount },
  })
  return pool
}

/**
 * Everything the pool page shows, for the tab asked for; null on a member's
 * page, whose frame (header, tab bar, member row) needs only the first
 * members, not all of them. The Overview reads its fleet whatever its size
 * (fleetCards): one page of tiles (`tilePage`, from 1), never all of them.
 */
export async function poolPage(db: Db, id: string, tab: PoolTabKey | null, opts: { tilePage?: number } = {}) {
  if (tab === 'overview') {
    const [uncounted, fleet] = await Promise.all([getPoolUncounted(db, id), fleetCards(db, id, { page: opts.tilePage })])
    // The fleet's own count: the same members, read in the same pass as the tiles.
    const pool = { ...uncounted, memberCount: fleet.status.members }
    const cpanel = fleet.status.cpanel
    return { pool, members: fleet.row.map((c) => c.member), cpanel, fleet, tab, tabs: visiblePoolTabs(cpanel), tabVisible: true }
  }
  const pool = await getPool(db, id)
  const { members, cpanel } = await listPoolMembers(db, id, tab === null ? MEMBER_ROW_LIMIT : undefined)
  return { pool, members, cpanel, fleet: undefined, tab, tabs: visiblePoolTabs(cpanel), tabVisible: tab === null || isTabVisible(tab, cpanel) }
}

export type PoolPageData = Awaited<ReturnType<typeof poolPage>>
