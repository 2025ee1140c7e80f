// A member's history in one list, newest first and a page at a time: its own
// events, the alerts about it, the failovers that involved it and its jobs,
// each worded here so the view only lays them out.
import type { Db } from '../db'
import type { JobStatus } from '../db/schema'
import { describeEvent } from '../failover/words'
import type { FailoverEvent } from '../failover/store'
import { jobHref } from '../jobs/hrefs'
import { jobTitle } from '../jobs/titles'
import * as store from './store'

export const ACTIVITY_PAGE = 20
/** Pages past this are not offered: the history is a look back, not an export. */
export const ACTIVITY_MAX_PAGE = 500

export type ActivityItem = {
  at: Date
  source: store.ActivityRow['source']
  level: 'info' | 'warn' | 'error'
  /** A word or two before the line, where the line does not say what it is. */
  label: string | null
  message: string
  job?: { href: string; status: JobStatus; title: string }
}

export type Activity = { items: ActivityItem[]; page: number; newer: boolean; older: boolean }

const EVENT_LABELS: Record<string, string> = { outage: 'Down', recovered: 'Back', 'failover.cut': 'Failover' }

function memberEvent(d: Record<string, unknown>): Omit<ActivityItem, 'at' | 'source'> {
  return { level: d.level as ActivityItem['level'], label: EVENT_LABELS[d.kind as string] ?? null, message: d.message as string }
}

const ALERT_LABELS: Record<string, string> = { fired: 'Alert fired', resolved: 'Alert resolved', test: 'Test email', failover: 'Failover email' }

function deliveryText(delivery: string, recipients: string[]): string {
  if (delivery === 'sent') return `emailed to ${recipients.join(', ')}`
  if (delivery === 'outbox') return 'email kept in the Outbox (no SMTP server set)'
  if (delivery === 'failed') return 'the email could not be sent'
  return 'nobody to email'
}

function alertEvent(d: Record<string, unknown>): Omit<ActivityItem, 'at' | 'source'> {
  const event = d.event as string
  return {
    level: event === 'fired' ? 'warn' : 'info',
    label: ALERT_LABELS[event] ?? 'Alert',
    message: `${d.summary as string} (${deliveryText(d.delivery as string, (d.recipients as string[]) ?? [])})`,
  }
}

function failoverEvent(d: Record<string, unknown>, names: Record<string, string>): Omit<ActivityItem, 'at' | 'source'> {
  const e = d as unknown as Pick<FailoverEvent, 'fromMemberId' | 'toMemberId' | 'reason' | 'status' | 'dnsResult' | 'lastError' | 'attempts' | 'requestedBy'>
  const words = describeEvent(e, (id) => names[id] ?? id)
  return { level: e.status === 'blocked' ? 'warn' : 'info', label: 'Failover', message: `${words.summary} Why: ${words.why}.` }
}

const JOB_LEVEL: Record<JobStatus, ActivityItem['level']> = { queued: 'info', running: 'info', succeeded: 'info', failed: 'error', timed_out: 'error', cancelled: 'warn' }

function jobEvent(d: Record<string, unknown>): Omit<ActivityItem, 'at' | 'source'> {
  const name = d.name as string
  const status = d.status as JobStatus
  const how = d.scheduleId ? 'by its schedule' : d.runId ? `by ${d.requestedBy as string}, fleet-wide` : `by ${d.requestedBy as string}`
  const error = d.error ? `: ${d.error as string}` : ''
  return {
    level: JOB_LEVEL[status] ?? 'info',
    label: 'Job',
    message: `queued ${how}${error}`,
    job: { href: jobHref(d.poolId as string, d.memberId as string, d.id as string), status, title: jobTitle(name, d.params as Record<string, unknown> | null) },
  }
}

/** Page `page` (from 1) of the member's history. */
export async function memberActivity(db: Db, memberId: string, page: number): Promise<Activity> {
  const rows = await store.activityRows(db, memberId, (page - 1) * ACTIVITY_PAGE, ACTIVITY_PAGE + 1)
  const shown = rows.slice(0, ACTIVITY_PAGE)
  const ids = shown.filter((r) => r.source === 'failover').flatMap((r) => [r.data.fromMemberId, r.data.toMemberId]).filter((id): id is string => typeof id === 'string')
  const names = await store.memberNames(db, [...new Set(ids)])
  const items = shown.map((r): ActivityItem => {
    const worded =
      r.source === 'member' ? memberEvent(r.data) : r.source === 'alert' ? alertEvent(r.data) : r.source === 'failover' ? failoverEvent(r.data, names) : jobEvent(r.data)
    return { at: r.at, source: r.source, ...worded }
  })
  return { items, page, newer: page > 1, older: rows.length > ACTIVITY_PAGE && page < ACTIVITY_MAX_PAGE }
}
