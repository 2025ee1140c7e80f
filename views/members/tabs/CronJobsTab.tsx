// The member's Cron & Jobs tab: figures, the schedules (UTC) with their next
// runs, the form to add or edit one, presets, and the latest jobs.
import type { CronTab, Preset, ScheduleRow } from '../../../src/jobs/cron-tab'
import { cronTabHref, scheduleHref, schedulesHref } from '../../../src/jobs/hrefs'
import { Badge, Card, EmptyState, Field, PostForm, Table, Time } from '../../components/ui'
import { JobPicker, pickerData } from '../../jobs/JobPicker'
import { JobLink, JobTimeline } from '../../jobs/JobTimeline'
import { JobStatusBadge, jobTitle, paramsSummary } from '../../jobs/parts'

export type CronJobsProps = { poolId: string; member: { id: string; name: string }; data: CronTab; csrf: string | null }

function Kpis({ data }: { data: CronTab }) {
  const enabled = data.rows.filter((r) => r.schedule.enabled).length
  const last = data.lastRun
  return (
    <div class="kpis" id="cron-kpis">
      <div class="kpi" data-kpi="cron">
        <div class="kpi-value" safe>{String(data.rows.length)}</div>
        <div class="kpi-label">Cron schedules</div>
        <div class="kpi-hint" safe>{`${enabled} enabled`}</div>
      </div>
      <div class="kpi" data-kpi="backups">
        <div class="kpi-value" safe>{String(data.backupCount)}</div>
        <div class="kpi-label">Backup schedules</div>
        <div class="kpi-hint">{data.backupCount ? 'stack backups' : 'none: stack backups are not scheduled here yet'}</div>
      </div>
      <div class="kpi" data-kpi="last-run">
        <div class={last?.finishedAt ? 'kpi-value kpi-time' : 'kpi-value'}>{last?.finishedAt ? <Time at={last.finishedAt} /> : 'never'}</div>
        <div class="kpi-label">Last run</div>
        <div class="kpi-hint">
          {last ? (
            <>
              <JobStatusBadge status={last.status} /> <span safe>{jobTitle(last.name)}</span>
            </>
          ) : (
            'no job has finished here yet'
          )}
        </div>
      </div>
    </div>
  )
}

function NextRuns({ row }: { row: ScheduleRow }) {
  if (!row.schedule.enabled) return <span class="muted">disabled</span>
  if (row.next.length === 0) return <span class="muted">none</span>
  return (
    <ul class="plain next-runs">
      {row.next.map((d) => (
        <li>
          <Time at={d} />
        </li>
      ))}
    </ul>
  )
}

function ScheduleActions({ poolId, memberId, row, csrf }: { poolId: string; memberId: string; row: ScheduleRow; csrf: string | null }) {
  const s = row.schedule
  const href = scheduleHref(poolId, memberId, s.id)
  const what = s.label ?? `${jobTitle(s.name)} at ${s.cron}`
  return (
    <div class="row-actions">
      <PostForm action={`${href}/run`} csrf={csrf}>
        <button type="submit" class="button small" disabled={row.refusal !== null}>
          Run now
        </button>
      </PostForm>
      <a class="button small" href={`${href}/edit`} hx-get={`${href}/edit`} hx-target="#member-panel" hx-push-url="true">
        Edit
      </a>
      <PostForm action={`${href}/${s.enabled ? 'disable' : 'enable'}`} csrf={csrf}>
        <button type="submit" class="button small">
          {s.enabled ? 'Disable' : 'Enable'}
        </button>
      </PostForm>
      <PostForm action={`${href}/delete`} csrf={csrf} attrs={{ 'hx-confirm': `Delete the schedule "${what}"? Jobs it already queued stay in the history.` }}>
        <button type="submit" class="button small danger">
          Delete
        </button>
      </PostForm>
    </div>
  )
}

function SchedulesTable({ poolId, memberId, data, csrf }: { poolId: string; memberId: string; data: CronTab; csrf: string | null }) {
  return (
    <Table id="schedules-table" columns={['When (UTC)', 'Job', 'Next runs', 'State', 'Last run', '']}>
      {data.rows.map((row) => {
        const s = row.schedule
        const params = paramsSummary(s.params)
        return (
          <tr data-schedule-id={s.id} data-enabled={s.enabled ? 'true' : 'false'}>
            <td>
              <code class="cron" safe>
                {s.cron}
              </code>
              {s.label ? (
                <div class="small" safe>
                  {s.label}
                </div>
              ) : (
                ''
              )}
            </td>
            <td>
              <span safe>{jobTitle(s.name)}</span>
              {params ? (
                <div class="muted small" safe>
                  {params}
                </div>
              ) : (
                ''
              )}
              {row.refusal ? (
                <div class="warn-text small" safe>
                  {`Would be refused now: ${row.refusal}`}
                </div>
              ) : (
                ''
              )}
            </td>
            <td>
              <NextRuns row={row} />
            </td>
            <td>
              <Badge tone={s.enabled ? 'ok' : 'muted'}>{s.enabled ? 'enabled' : 'disabled'}</Badge>
            </td>
            <td>
              {row.lastJob ? (
                <div class="stack tight">
                  <JobLink job={row.lastJob} />
                  <span>
                    <JobStatusBadge status={row.lastJob.status} /> <Time at={row.lastJob.createdAt} />
                  </span>
                </div>
              ) : (
                <span class="muted">never</span>
              )}
            </td>
            <td>
              <ScheduleActions poolId={poolId} memberId={memberId} row={row} csrf={csrf} />
            </td>
          </tr>
        )
      })}
    </Table>
  )
}

function Presets({ poolId, memberId, presets, csrf }: { poolId: string; memberId: string; presets: Preset[]; csrf: string | null }) {
  if (presets.length === 0) return ''
  return (
    <div class="presets" id="schedule-presets">
      <h3>Suggested</h3>
      <ul class="plain stack tight">
        {presets.map((p) => (
          <li class="preset-row" data-preset={p.key}>
            <PostForm action={schedulesHref(poolId, memberId)} csrf={csrf} class="inline-row">
              <input type="hidden" name="name" value={p.name} />
              <input type="hidden" name="cron" value={p.cron} />
              <input type="hidden" name="label" value={p.label} />
              <span>
                <strong safe>{p.label}</strong> <code safe>{p.cron}</code> <span class="muted" safe>{p.summary}</span>
              </span>
              <button type="submit" class="button small">
                Add
              </button>
            </PostForm>
          </li>
        ))}
      </ul>
    </div>
  )
}

function ScheduleFormCard({ poolId, member, data, csrf }: CronJobsProps) {
  const f = data.form
  const editing = f.editing
  const action = editing ? scheduleHref(poolId, member.id, editing) : schedulesHref(poolId, member.id)
  const back = cronTabHref(poolId, member.id)
  return (
    <Card title={editing ? 'Edit schedule' : 'Add a schedule'} id="schedule-form-card">
      <PostForm action={action} csrf={csrf} class="stack" attrs={{ 'x-data': pickerData(f.name), id: 'schedule-form' }}>
        {f.errors.form ? (
          <div class="notice notice-error" role="alert">
            <span safe>{f.errors.form}</span>
          </div>
        ) : (
          ''
        )}
        <JobPicker prefix="schedule" jobs={data.choices} state={{ name: f.name, values: f.values, errors: f.errors }} confirmName={member.name} fixed={!!editing} />
        <Field
          label="When: cron expression, UTC"
          name="cron"
          id="schedule-cron"
          value={f.cron}
          error={f.errors.cron}
          required
          maxlength={120}
          autocomplete="off"
          placeholder="0 3 * * *"
          hint='minute hour day-of-month month day-of-week, read in UTC: "0 3 * * *" is 03:00 UTC daily, "*/15 * * * *" every 15 minutes. At most once a minute.'
        />
        <Field label="Label (optional)" name="label" id="schedule-label" value={f.label} error={f.errors.label} maxlength={80} autocomplete="off" placeholder="Nightly update check" />
        <div class="actions">
          <button type="submit" class="button primary">
            {editing ? 'Save schedule' : 'Add schedule'}
          </button>
          {editing ? (
            <a class="button" href={back} hx-get={back} hx-target="#member-panel" hx-push-url="true">
              Cancel
            </a>
          ) : (
            ''
          )}
        </div>
      </PostForm>
      {editing ? '' : <Presets poolId={poolId} memberId={member.id} presets={data.presets} csrf={csrf} />}
    </Card>
  )
}

export function CronJobsTab(props: CronJobsProps) {
  const { poolId, member, data, csrf } = props
  return (
    <div class="stack" id="cron-jobs">
      <Card title="Cron & Jobs">
        <Kpis data={data} />
      </Card>
      <Card title="Schedules (UTC)" id="schedules">
        {data.rows.length === 0 ? (
          <EmptyState title="No schedules yet">
            <p>A schedule queues a job from the catalogue on this server at the times of a cron expression, read in UTC. Add one below, or start from a suggestion.</p>
          </EmptyState>
        ) : (
          <SchedulesTable poolId={poolId} memberId={member.id} data={data} csrf={csrf} />
        )}
      </Card>
      <ScheduleFormCard {...props} />
      <Card title="Recent jobs" id="recent-jobs">
        <JobTimeline poolId={poolId} memberId={member.id} jobs={data.recent} tag={data.timelineTag} />
      </Card>
    </div>
  )
}
