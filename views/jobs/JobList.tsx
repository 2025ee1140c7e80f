// A short list of a member's recent jobs of one kind (backups, cPanel
// actions), newest first: each links to its page, with its parameters, its
// status and its error. The member's full, polled list is JobTimeline.
import type { Job } from '../../src/jobs/store'
import { Table, Time } from '../components/ui'
import { JobSummary } from './JobTimeline'
import { JobStatusBadge } from './parts'

type Props = {
  id: string
  jobs: Job[]
  /** The headings of the job, status and time columns, in the words of the page. */
  columns: [string, string, string]
  /** What shows when there is no job yet. */
  empty: JSX.Element
  /** Who asked for each job, under its time. */
  showAsker?: boolean
  /** How a failed job's error reads: quiet (`hint`) or as a problem (`field-error small`). */
  errorClass?: string
}

export function JobList({ id, jobs, columns, empty, showAsker = false, errorClass = 'hint' }: Props) {
  if (!jobs.length) return empty
  return (
    <Table id={id} columns={columns}>
      {jobs.map((j) => (
        <tr data-job-id={j.id} data-status={j.status}>
          <td>
            <JobSummary job={j} errorClass={errorClass} />
          </td>
          <td>
            <JobStatusBadge status={j.status} />
          </td>
          {showAsker ? (
            <td class="small">
              <Time at={j.createdAt} />
              <div class="muted" safe>
                {j.requestedBy}
              </div>
            </td>
          ) : (
            <td class="nowrap">
              <Time at={j.createdAt} />
            </td>
          )}
        </tr>
      ))}
    </Table>
  )
}
