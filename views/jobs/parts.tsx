// Small pieces every job view shares: the status badge, the progress bar,
// durations and a one-line summary of parameters.
import type { JobStatus, JobStep } from '../../src/db/schema'
import { Badge, Time } from '../components/ui'

export type ShownStatus = JobStatus | 'refused'

const TONE: Record<ShownStatus, 'ok' | 'warn' | 'bad' | 'muted' | 'info'> = {
  queued: 'muted',
  running: 'info',
  succeeded: 'ok',
  failed: 'bad',
  cancelled: 'muted',
  timed_out: 'bad',
  refused: 'warn',
}

export const isActive = (status: string) => status === 'queued' || status === 'running'

/**
 * A step as it ended. Jobs stopped before steps had their own ending stored
 * the step under way as failed; their job's status says what really happened.
 */
export function stepState(state: JobStep['state'], status: JobStatus): JobStep['state'] {
  return state === 'failed' && (status === 'cancelled' || status === 'timed_out') ? status : state
}

/** "1 of 3" while more may come; once the job has ended, how many there were and that there are no more. */
export function attemptsText(job: { status: JobStatus; attempts: number; maxAttempts: number }): string {
  if (isActive(job.status)) return `${job.attempts} of ${job.maxAttempts}`
  return job.attempts === 0 ? 'none: it ended before an agent took it' : `${job.attempts}, final`
}

export { jobTitle } from '../../src/jobs/titles'

export function JobStatusBadge({ status, cancelling }: { status: ShownStatus; cancelling?: boolean }) {
  return (
    <Badge tone={TONE[status] ?? 'muted'}>
      <span class="job-status" data-status={status} safe>
        {status.replace('_', ' ') + (cancelling && isActive(status) ? ' (cancelling)' : '')}
      </span>
    </Badge>
  )
}

/** Under a queued job in a list: when it is cancelled if no agent has taken it. */
export function QueuedUntil({ job }: { job: { status: JobStatus; expiresAt: Date | null } }) {
  if (job.status !== 'queued' || !job.expiresAt) return ''
  return (
    <div class="muted small job-expiry">
      expires <Time at={job.expiresAt} />
    </div>
  )
}

export function ProgressBar({ value, label }: { value: number; label?: string }) {
  const v = Math.min(100, Math.max(0, Math.round(value)))
  return (
    <span class="job-progress" role="progressbar" aria-valuemin="0" aria-valuemax="100" aria-valuenow={String(v)} aria-label={label ?? 'Progress'}>
      <span class="meter-bar">
        <span style={`width:${v}%`}></span>
      </span>
      <span class="meter-value" safe>{`${v}%`}</span>
    </span>
  )
}

/** "850 ms", "42 s", "3 min 5 s", "2 h 4 min". */
export function formatDuration(ms: number): string {
  if (ms < 1000) return `${Math.max(0, Math.round(ms))} ms`
  const s = Math.round(ms / 1000)
  if (s < 60) return `${s} s`
  const m = Math.floor(s / 60)
  if (m < 60) return s % 60 ? `${m} min ${s % 60} s` : `${m} min`
  const h = Math.floor(m / 60)
  return m % 60 ? `${h} h ${m % 60} min` : `${h} h`
}

/** How long a job ran, or has been running; empty before it starts. */
export function jobDuration(job: { startedAt: Date | null; finishedAt: Date | null }, now = new Date()): string {
  if (!job.startedAt) return ''
  return formatDuration((job.finishedAt ?? now).getTime() - job.startedAt.getTime())
}

/** `user=root, port=22`; lists joined with commas; long values cut short. */
export function paramsSummary(params: Record<string, unknown>): string {
  const parts = Object.entries(params ?? {}).map(([k, v]) => {
    const value = Array.isArray(v) ? v.join(', ') : typeof v === 'string' ? v : JSON.stringify(v)
    return `${k}=${value.length > 60 ? `${value.slice(0, 57)}...` : value}`
  })
  return parts.join('; ')
}
