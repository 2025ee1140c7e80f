// One job: what it is, who asked, its steps and progress, and its output as a
// terminal that follows the job live. While the job runs, #job-follow asks
// every second for the lines after the last one shown (appended to the
// terminal) and, when it changed, the state block; when the job has ended it
// is replaced by an element that asks nothing.
import type { JobPageData, LiveAnswer } from '../../src/jobs/job-page'
import type { OutputLine } from '../../src/jobs/store'
import { cronTabHref, jobHref, jobLiveHref, runHref } from '../../src/jobs/hrefs'
import { Badge, Card, PostForm, Time } from '../components/ui'
import { JobStatusBadge, ProgressBar, attemptsText, formatDuration, isActive, jobTitle, paramsSummary, stepState } from './parts'

type Job = JobPageData['job']
export type JobPageProps = { poolId: string; memberName: string; data: JobPageData; following: boolean; csrf: string | null }

export function OutputLines({ lines }: { lines: OutputLine[] }) {
  return (
    <>
      {lines.map((l) => (
        <span class={`ln ln-${l.stream}`} data-seq={String(l.seq)} safe>
          {l.line + '\n'}
        </span>
      ))}
    </>
  )
}

export function JobFollow({ job, lastSeq, tag, following }: { job: Job; lastSeq: number; tag: string; following: boolean }) {
  if (!following) return <div id="job-follow" data-following="false" hidden></div>
  return (
    <div
      id="job-follow"
      data-following="true"
      hidden
      hx-get={jobLiveHref(job.poolId, job.memberId, job.id, lastSeq, tag)}
      hx-trigger="every 1s"
      hx-target="#job-output"
      hx-swap="beforeend"
    ></div>
  )
}

const STEP_MARK: Record<string, string> = { pending: '○', running: '◐', done: '●', failed: '✕', skipped: '–', cancelled: '⊘', timed_out: '⧗' }

function Steps({ job }: { job: Job }) {
  if (job.steps.length === 0) return ''
  return (
    <ol class="job-steps" id="job-steps">
      {job.steps.map((s) => {
        const state = stepState(s.state, job.status)
        return (
          <li class={`step step-${state}`} data-state={state}>
            <span class="step-mark" aria-hidden="true" safe>
              {STEP_MARK[state] ?? '○'}
            </span>{' '}
            <span safe>{s.title}</span> <span class="muted step-state" safe>{state.replace('_', ' ')}</span>
          </li>
        )
      })}
    </ol>
  )
}

/** Status, progress, steps, timings, error and result: the part that changes as the job goes. */
export function JobState({ data, csrf }: { data: Pick<JobPageData, 'job'>; csrf: string | null }) {
  const job = data.job
  const cancelling = job.cancelRequestedAt !== null
  const ran = job.startedAt && job.finishedAt ? formatDuration(job.finishedAt.getTime() - job.startedAt.getTime()) : ''
  const params = paramsSummary(job.params)
  return (
    <section class="card" id="job-state" data-status={job.status}>
      <header class="card-head">
        <h2>
          <span safe>{jobTitle(job.name, job.params)}</span> <JobStatusBadge status={job.status} cancelling={cancelling} />
        </h2>
        {isActive(job.status) && !cancelling ? (
          <PostForm
            action={`${jobHref(job.poolId, job.memberId, job.id)}/cancel`}
            csrf={csrf}
            attrs={{ 'hx-confirm': `Cancel "${jobTitle(job.name, job.params)}"? A running job is stopped with everything it started.` }}
          >
            <button type="submit" class="button danger small">
              Cancel job
            </button>
          </PostForm>
        ) : cancelling && isActive(job.status) ? (
          <Badge tone="warn">cancel requested</Badge>
        ) : (
          ''
        )}
      </header>
      <div class="stack">
        <ProgressBar value={job.progress} label="Job progress" />
        <Steps job={job} />
        {job.error ? (
          <div class="notice notice-error" role="alert" id="job-error">
            <span safe>{job.error}</span>
          </div>
        ) : (
          ''
        )}
        <div class="table-wrap">
          <table class="table kv" id="job-facts">
            <tbody>
              <tr>
                <th>Job</th>
                <td>
                  <code safe>{job.name}</code>
                </td>
              </tr>
              <tr>
                <th>Parameters</th>
                <td>{params ? <code safe>{params}</code> : <span class="muted">none</span>}</td>
              </tr>
              <tr>
                <th>Asked by</th>
                <td safe>{job.requestedBy}</td>
              </tr>
              {job.runId ? (
                <tr>
                  <th>Fleet-wide run</th>
                  <td>
                    <a href={runHref(job.poolId, job.runId)} hx-get={runHref(job.poolId, job.runId)} hx-target="#main" hx-push-url="true" safe>
                      {job.runId}
                    </a>
                  </td>
                </tr>
              ) : (
                ''
              )}
              <tr>
                <th>Attempts</th>
                <td safe>{attemptsText(job)}</td>
              </tr>
              <tr>
                <th>Queued</th>
                <td>
                  <Time at={job.createdAt} />
                </td>
              </tr>
              {job.status === 'queued' && job.expiresAt ? (
                <tr id="job-expiry">
                  <th>Expires</th>
                  <td>
                    <Time at={job.expiresAt} /> <span class="muted">if no agent has taken it by then, it is cancelled, not run late</span>
                  </td>
                </tr>
              ) : (
                ''
              )}
              <tr>
                <th>Started</th>
                <td>{job.startedAt ? <Time at={job.startedAt} /> : <span class="muted">not yet</span>}</td>
              </tr>
              <tr>
                <th>Finished</th>
                <td>{job.finishedAt ? <Time at={job.finishedAt} /> : <span class="muted">not yet</span>}</td>
              </tr>
              {ran ? (
                <tr>
                  <th>Duration</th>
                  <td safe>{ran}</td>
                </tr>
              ) : (
                ''
              )}
              {job.exitCode !== null ? (
                <tr>
                  <th>Exit code</th>
                  <td safe>{String(job.exitCode)}</td>
                </tr>
              ) : (
                ''
              )}
            </tbody>
          </table>
        </div>
        {job.result !== null && job.result !== undefined ? (
          <div>
            <h3>Result</h3>
            <pre class="job-result" id="job-result" safe>
              {JSON.stringify(job.result, null, 2)}
            </pre>
          </div>
        ) : (
          ''
        )}
      </div>
    </section>
  )
}

export function JobPage({ poolId, memberName, data, following, csrf }: JobPageProps) {
  const { job } = data
  const back = cronTabHref(poolId, job.memberId)
  return (
    <div class="stack job-page" id="job-page" data-job-id={job.id}>
      <nav class="crumbs">
        <a href={back} hx-get={back} hx-target="#member-panel" hx-push-url="true">
          Cron &amp; Jobs
        </a>{' '}
        / <span safe>{`${jobTitle(job.name, job.params)} on ${memberName}`}</span>
      </nav>
      <JobState data={data} csrf={csrf} />
      <Card title="Output">
        <pre id="job-output" class="terminal" data-follow tabindex="0">
          <OutputLines lines={data.lines} />
        </pre>
        <JobFollow job={job} lastSeq={data.lastSeq} tag={data.tag} following={following} />
      </Card>
    </div>
  )
}

/** The live answer: new lines for the terminal, a new follower, and the state when it changed. */
export function JobLive({ answer, following, csrf }: { answer: LiveAnswer; following: boolean; csrf: string | null }) {
  return (
    <>
      <OutputLines lines={answer.lines} />
      <hx-partial hx-target="#job-follow" hx-swap="outerHTML">
        <JobFollow job={answer.job} lastSeq={answer.lastSeq} tag={answer.tag} following={following} />
      </hx-partial>
      {answer.stateChanged ? (
        <hx-partial hx-target="#job-state" hx-swap="outerHTML">
          <JobState data={answer} csrf={csrf} />
        </hx-partial>
      ) : (
        ''
      )}
    </>
  )
}
