// A member's latest jobs, newest first. While any of them is queued or
// running the list asks every 2 s whether it changed (204 when not) and
// replaces itself; once all have ended it stops asking.
import type { Job } from '../../src/jobs/store'
import { jobHref, timelineHref } from '../../src/jobs/hrefs'
import { EmptyState, Table, Time } from '../components/ui'
import { JobStatusBadge, ProgressBar, QueuedUntil, isActive, jobDuration, jobTitle, paramsSummary } from './parts'

export function JobLink({ job, target = '#member-panel' }: { job: Pick<Job, 'id' | 'poolId' | 'memberId' | 'name'> & { params?: Job['params'] }; target?: string }) {
  const href = jobHref(job.poolId, job.memberId, job.id)
  return (
    <a href={href} hx-get={href} hx-target={target} hx-push-url="true" class="job-link" safe>
      {jobTitle(job.name, job.params)}
    </a>
  )
}

/** A job's title linking to its page, its parameters under it, and its error where `errorClass` says how that reads. */
export function JobSummary({ job, errorClass }: { job: Job; errorClass?: string }) {
  const params = paramsSummary(job.params)
  return (
    <>
      <JobLink job={job} />
      {params ? (
        <div class="muted small" safe>
          {params}
        </div>
      ) : (
        ''
      )}
      {errorClass && job.error ? (
        <div class={errorClass} safe>
          {job.error}
        </div>
      ) : (
        ''
      )}
    </>
  )
}

export function JobTimeline({ poolId, memberId, jobs, tag }: { poolId: string; memberId: string; jobs: Job[]; tag: string }) {
  const live = jobs.some((j) => isActive(j.status))
  const poll = live
    ? { 'hx-get': timelineHref(poolId, memberId, tag), 'hx-trigger': 'every 2s', 'hx-swap': 'outerHTML' }
    : {}
  return (
    <div id="job-timeline" data-live={live ? 'true' : 'false'} {...poll}>
      {jobs.length === 0 ? (
        <EmptyState title="No jobs yet">
          <p>Jobs queued on this server (quick actions, recipes, schedules, fleet-wide runs) show here with their status and output.</p>
        </EmptyState>
      ) : (
        <Table id="jobs-table" columns={['Job', 'Status', 'Asked by', 'Queued', 'Duration']}>
          {jobs.map((j) => (
            <tr data-job-id={j.id} data-status={j.status}>
              <td>
                <JobSummary job={j} />
              </td>
              <td>
                <JobStatusBadge status={j.status} cancelling={j.cancelRequestedAt !== null} />
                {j.status === 'running' ? <ProgressBar value={j.progress} /> : ''}
                <QueuedUntil job={j} />
              </td>
              <td class="small" safe>
                {j.requestedBy}
              </td>
              <td class="nowrap">
                <Time at={j.createdAt} />
              </td>
              <td class="nowrap">
                {j.finishedAt ? (
                  <span safe>{jobDuration(j)}</span>
                ) : j.startedAt ? (
                  <span class="muted">
                    since <Time at={j.startedAt} />
                  </span>
                ) : (
                  <span class="muted">–</span>
                )}
              </td>
            </tr>
          ))}
        </Table>
      )}
    </div>
  )
}
