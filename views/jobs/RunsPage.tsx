// Fleet-wide runs: one catalogue job on several servers of a pool. The form
// posts to a review that names how many servers the run touches; only the
// review's own button queues it. A run's page has one row per member and
// refreshes itself while any row is queued or running.
import type { RunPageData, RunReview, RunsPageData } from '../../src/jobs/run-view'
import type { RunRow } from '../../src/jobs/runs'
import type { JobStatus } from '../../src/db/schema'
import { jobHref, runHref, runsHref } from '../../src/jobs/hrefs'
import { memberTabHref } from '../../src/members/tabs'
import { NavLink } from '../layout/Layout'
import { Card, EmptyState, PostForm, Table, Time } from '../components/ui'
import { JobPicker, pickerData } from './JobPicker'
import { JobStatusBadge, jobTitle, paramsSummary, type ShownStatus } from './parts'

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

function Crumbs({ pool, last }: { pool: { id: string; name: string }; last?: string }) {
  return (
    <nav class="crumbs">
      <NavLink href="/pools">Pools</NavLink> / <NavLink href={`/pools/${pool.id}`}>{<span safe>{pool.name}</span>}</NavLink> /{' '}
      {last ? (
        <>
          <NavLink href={runsHref(pool.id)}>Fleet-wide runs</NavLink> / <span safe>{last}</span>
        </>
      ) : (
        <span>Fleet-wide runs</span>
      )}
    </nav>
  )
}

function MemberChecks({ data }: { data: RunsPageData }) {
  const f = data.form
  const chosen = new Set(f.memberIds)
  return (
    <fieldset class={f.errors.members ? 'field has-error' : 'field'} id="run-members" x-data="serverChecks">
      <legend>Servers</legend>
      <label class="check-all">
        <input
          type="checkbox"
          name="all"
          checked={f.all}
          data-all
          {...{ '@change': 'checkAll' }}
        />{' '}
        <strong safe>{`All ${plural(data.members.length, 'server')} of ${data.pool.name}`}</strong>
      </label>
      <div class="member-checks">
        {data.members.map((m) => (
          <label>
            <input
              type="checkbox"
              name={`m.${m.id}`}
              checked={f.all || chosen.has(m.id)}
              data-member
              {...{ '@change': 'checkOne' }}
            />{' '}
            <span safe>{m.name}</span>
          </label>
        ))}
      </div>
      {f.errors.members ? (
        <p class="field-error" safe>
          {f.errors.members}
        </p>
      ) : (
        ''
      )}
    </fieldset>
  )
}

/** The confirmation step: what will run where, with the number of servers on the button. */
function Review({ data, review, csrf }: { data: RunsPageData; review: RunReview; csrf: string | null }) {
  const title = jobTitle(review.name)
  const params = paramsSummary(review.params)
  const count = review.able.length
  return (
    <Card title="Confirm the run" id="run-review">
      <PostForm action={runsHref(data.pool.id)} csrf={csrf} class="stack" attrs={{ id: 'run-confirm-form' }}>
        <p>
          <strong safe>{`Run "${title}" on ${plural(count, 'server')}?`}</strong>{' '}
          {params ? <code safe>{params}</code> : <span class="muted">No parameters.</span>}
        </p>
        <p safe>{review.able.map((m) => m.name).join(', ')}</p>
        {review.refused.length ? (
          <div class="notice notice-warn">
            <p safe>{`${plural(review.refused.length, 'server')} cannot take it and will be listed as refused:`}</p>
            <ul class="plain">
              {review.refused.map((r) => (
                <li safe>{`${r.name}: ${r.reason}`}</li>
              ))}
            </ul>
          </div>
        ) : (
          ''
        )}
        <input type="hidden" name="name" value={review.name} />
        {Object.entries(data.form.values).map(([k, v]) => (
          <input type="hidden" name={`p.${k}`} value={v} />
        ))}
        {data.form.all ? <input type="hidden" name="all" value="on" /> : ''}
        {[...review.able, ...review.refused].map((m) => (
          <input type="hidden" name={`m.${m.id}`} value="on" />
        ))}
        <input type="hidden" name="confirm" value={String(count)} />
        <div class="actions">
          <button type="submit" class="button primary" safe>
            {`Run on ${plural(count, 'server')}`}
          </button>
          <NavLink href={runsHref(data.pool.id)} class="button">
            Change
          </NavLink>
        </div>
      </PostForm>
    </Card>
  )
}

function RunForm({ data, csrf }: { data: RunsPageData; csrf: string | null }) {
  const f = data.form
  if (data.members.length === 0) {
    return (
      <Card title="Run a job">
        <EmptyState title="No servers in this pool yet">
          <p>Add a server first; a fleet-wide run queues one job on each server you choose.</p>
        </EmptyState>
      </Card>
    )
  }
  return (
    <Card title="Run a job" id="run-form-card">
      <PostForm action={runsHref(data.pool.id)} csrf={csrf} class="stack" attrs={{ 'x-data': pickerData(f.name), id: 'run-form' }}>
        {f.errors.form ? (
          <div class="notice notice-error" role="alert">
            <span safe>{f.errors.form}</span>
          </div>
        ) : (
          ''
        )}
        <JobPicker prefix="run" jobs={data.choices} state={{ name: f.name, values: f.values, errors: f.errors }} />
        <MemberChecks data={data} />
        <div class="actions">
          <button type="submit" class="button primary">
            Review the run
          </button>
        </div>
      </PostForm>
    </Card>
  )
}

const COUNT_ORDER: [JobStatus, string][] = [
  ['queued', 'queued'],
  ['running', 'running'],
  ['succeeded', 'succeeded'],
  ['failed', 'failed'],
  ['timed_out', 'timed out'],
  ['cancelled', 'cancelled'],
]

function RunsList({ data }: { data: RunsPageData }) {
  if (data.runs.length === 0) {
    return (
      <EmptyState title="No fleet-wide runs yet">
        <p>Runs started here show with how many of their servers succeeded, failed or refused.</p>
      </EmptyState>
    )
  }
  return (
    <Table id="runs-table" columns={['Job', 'Servers', 'Asked by', 'Started']}>
      {data.runs.map((r) => {
        const params = paramsSummary(r.params)
        const parts = COUNT_ORDER.filter(([s]) => r.counts[s]).map(([s, label]) => `${r.counts[s]} ${label}`)
        if (r.refused) parts.push(`${r.refused} refused`)
        return (
          <tr data-run-id={r.id}>
            <td>
              <NavLink href={runHref(data.pool.id, r.id)}>{<span safe>{jobTitle(r.name)}</span>}</NavLink>
              {params ? (
                <div class="muted small" safe>
                  {params}
                </div>
              ) : (
                ''
              )}
            </td>
            <td safe>{parts.join(', ')}</td>
            <td class="small" safe>
              {r.requestedBy}
            </td>
            <td class="nowrap">
              <Time at={r.createdAt} />
            </td>
          </tr>
        )
      })}
    </Table>
  )
}

export function RunsPage({ data, csrf }: { data: RunsPageData; csrf: string | null }) {
  return (
    <div class="page" id="runs-page" data-pool-id={data.pool.id}>
      <Crumbs pool={data.pool} />
      <header class="page-head">
        <div>
          <h1>Fleet-wide runs</h1>
          <p class="muted" safe>{`One job from the catalogue on several servers of ${data.pool.name} at once, with one row per server.`}</p>
        </div>
      </header>
      {data.review ? <Review data={data} review={data.review} csrf={csrf} /> : <RunForm data={data} csrf={csrf} />}
      <Card title="Recent runs" id="recent-runs">
        <RunsList data={data} />
      </Card>
    </div>
  )
}

export function RunRows({ data }: { data: Pick<RunPageData, 'rows' | 'run' | 'tag' | 'live'> }) {
  const poolId = data.run.poolId
  const poll = data.live ? { 'hx-get': `${runHref(poolId, data.run.id)}/rows?tag=${encodeURIComponent(data.tag)}`, 'hx-trigger': 'every 2s', 'hx-swap': 'outerHTML' } : {}
  const count = (status: string) => data.rows.filter((r) => r.status === status).length
  const summary = (['succeeded', 'running', 'queued', 'failed', 'timed_out', 'cancelled', 'refused'] as const)
    .filter((s) => count(s))
    .map((s) => `${count(s)} ${s.replace('_', ' ')}`)
    .join(', ')
  return (
    <div id="run-rows" class="stack" data-live={data.live ? 'true' : 'false'} {...poll}>
      <p class="run-summary" safe>{`${plural(data.rows.length, 'server')}: ${summary}`}</p>
      <Table id="run-table" columns={['Server', 'Status', { label: 'Exit code', num: true }, 'Error', '']}>
        {data.rows.map((r: RunRow) => (
          <tr data-member-id={r.memberId} data-status={r.status}>
            <td>
              <NavLink href={memberTabHref(poolId, r.memberId, 'jobs')}>{<span safe>{r.memberName}</span>}</NavLink>
            </td>
            <td>
              <JobStatusBadge status={r.status as ShownStatus} />
            </td>
            <td class="num" safe>
              {r.exitCode === null ? '' : String(r.exitCode)}
            </td>
            <td class={r.status === 'refused' ? 'warn-text small' : 'small'} safe>
              {r.error ?? ''}
            </td>
            <td>{r.jobId ? <NavLink href={jobHref(poolId, r.memberId, r.jobId)}>Job page</NavLink> : ''}</td>
          </tr>
        ))}
      </Table>
    </div>
  )
}

export function RunPage({ data }: { data: RunPageData }) {
  const run = data.run
  const params = paramsSummary(run.params)
  return (
    <div class="page" id="run-page" data-run-id={run.id}>
      <Crumbs pool={data.pool} last={jobTitle(run.name)} />
      <header class="page-head">
        <div>
          <h1 safe>{jobTitle(run.name)}</h1>
          <p class="muted">
            <code safe>{run.name}</code> {params ? <code safe>{params}</code> : ''} <span safe>{`asked by ${run.requestedBy}`}</span> <Time at={run.createdAt} />
          </p>
        </div>
      </header>
      <Card title="One row per server" id="run-servers">
        <RunRows data={data} />
      </Card>
    </div>
  )
}
