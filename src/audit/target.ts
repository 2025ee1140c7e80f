// How an audit row names its target for a person: the name it had (or has,
// for rows written without one), a link while the target still exists, and
// the kind of thing in words.
import { catalogue, isJobName } from '../../agent/jobs/catalogue'
import { memberTabHref } from '../members/tabs'
import { jobHref } from '../jobs/hrefs'
import type { AuditRow } from './store'

export type AuditTarget = { text: string; kind: string; href: string | null; gone: boolean }

const KIND_WORDS: Record<string, string> = {
  pool: 'pool',
  member: 'member',
  job: 'job',
  dns_provider: 'DNS provider',
  api_token: 'API token',
  user: 'user',
}

function targetHref(e: AuditRow): string | null {
  const now = e.targetNow
  if (!now || !e.targetId) return null
  if (e.targetType === 'pool') return `/pools/${now.poolId}`
  if (e.targetType === 'member') return memberTabHref(now.poolId, e.targetId, 'status')
  if (e.targetType === 'job' && now.memberId) return jobHref(now.poolId, now.memberId, e.targetId)
  return null
}

export function auditTarget(e: AuditRow): AuditTarget {
  const kind = KIND_WORDS[e.targetType] ?? e.targetType.replace(/_/g, ' ')
  // A job is stored by its catalogue name; people know it by its title.
  const label = e.targetType === 'job' && e.targetLabel && isJobName(e.targetLabel) ? catalogue[e.targetLabel].title : e.targetLabel
  const name = label ?? e.targetNow?.name ?? null
  if (name) return { text: name, kind, href: targetHref(e), gone: false }
  return { text: e.targetId ? `a ${kind} since deleted` : kind, kind, href: null, gone: true }
}
