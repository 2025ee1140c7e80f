// The Protection tab's words and pure helpers: schedules, event kinds, health
// and "N min behind". No queries: views import these.
import { PROTECTION_SCHEDULES, type ProtectionSchedule } from '../db/schema'

export { PROTECTION_SCHEDULES, type ProtectionSchedule }

export const SCHEDULE_LABELS: Record<ProtectionSchedule, string> = {
  '1h': 'every hour',
  '6h': 'every 6 hours',
  '12h': 'every 12 hours',
  '1d': 'daily',
  '3d': 'every 3 days',
  '1w': 'weekly',
  '1mo': 'monthly',
}

export const EVENT_KINDS = ['sync', 'cut', 'transfer', 'failure', 'skipped', 'stale'] as const
export type EventKind = (typeof EVENT_KINDS)[number]
export const EVENT_LABELS: Record<EventKind, string> = {
  sync: 'Sync',
  cut: 'DNS cut',
  transfer: 'Transfer',
  failure: 'Failure',
  skipped: 'Skipped',
  stale: 'Stale',
}

export const DEFAULT_TTL = 300

export type Health = 'healthy' | 'stale' | 'failing' | 'waiting' | 'paused'

export const isEventKind = (v: unknown): v is EventKind => typeof v === 'string' && (EVENT_KINDS as readonly string[]).includes(v)

/** "12 min", "3 h 5 min", "2 d 4 h": how far a standby is behind. */
export function behindText(seconds: number): string {
  const m = Math.floor(seconds / 60)
  if (m < 1) return 'less than a minute'
  if (m < 60) return `${m} min`
  const h = Math.floor(m / 60)
  if (h < 48) return m % 60 ? `${h} h ${m % 60} min` : `${h} h`
  const d = Math.floor(h / 24)
  return h % 24 ? `${d} d ${h % 24} h` : `${d} d`
}

