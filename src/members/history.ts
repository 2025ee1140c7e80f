// The per-minute history behind the charts: kept 30 days.
import type { Db } from '../db'
import { listMetrics, pruneMetrics } from './store'

export const HISTORY_DAYS = 30

export function pruneHistory(db: Db, now = new Date()): Promise<number> {
  return pruneMetrics(db, new Date(now.getTime() - HISTORY_DAYS * 86_400_000))
}

export function recentHistory(db: Db, memberId: string, hours: number, now = new Date()) {
  return listMetrics(db, memberId, new Date(now.getTime() - hours * 3_600_000))
}
