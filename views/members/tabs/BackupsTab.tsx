// The member's Restore Backups tab: figures, a calendar of backup days, the
// backups under way (polled while any is), the snapshots with Restore, Verify
// and Delete, and the schedules with their retention and presets. It adapts
// to the detected stacks: databases with MariaDB, site files with
// OpenLiteSpeed, the configuration always.
import { Card, EmptyState, Notice, Table, Time } from '../../components/ui'
import { JobLink } from '../../jobs/JobTimeline'
import { JobList } from '../../jobs/JobList'
import { JobStatusBadge, QueuedUntil, jobTitle, paramsSummary } from '../../jobs/parts'
import {
  bytesText,
  calendarWeeks,
  dedupText,
  rateText,
  runningHref,
  type BackupsTabData,
  type RunningBackup,
} from './BackupsModel'
import type { Job } from '../../../src/jobs/store'
import { SnapshotList } from './BackupsSnapshots'
import { BackupSchedules } from './BackupsSchedules'
import { BackUpNowDialog } from './BackupsNow'

export type { BackupsTabData } from './BackupsModel'

function Kpis({ data }: { data: BackupsTabData }) {
  const s = data.summary
  return (
    <div class="kpis" id="backup-kpis">
      <div class="kpi" data-kpi="snapshots">
        <div class="kpi-value" safe>{String(s.count)}</div>
        <div class="kpi-label">Snapshots</div>
        <div class="kpi-hint">{s.count ? `${bytesText(s.sizeBytes)} backed up` : 'none yet'}</div>
      </div>
      <div class="kpi" data-kpi="stored">
        <div class="kpi-value">{s.count ? bytesText(s.storedBytes) : '–'}</div>
        <div class="kpi-label">Stored</div>
        <div class="kpi-hint">{s.count ? `deduplication ${dedupText(s.dedupRatio)}` : 'deduplicated, compressed, encrypted'}</div>
      </div>
      <div class="kpi" data-kpi="last-backup">
        <div class={s.lastBackupAt ? 'kpi-value kpi-time' : 'kpi-value'}>{s.lastBackupAt ? <Time at={s.lastBackupAt} /> : 'never'}</div>
        <div class="kpi-label">Last backup</div>
      </div>
      <div class="kpi" data-kpi="last-proven">
        <div class={s.lastProvenAt ? 'kpi-value kpi-time' : 'kpi-value'}>{s.lastProvenAt ? <Time at={s.lastProvenAt} /> : 'never'}</div>
        <div class="kpi-label">Last proven restore</div>
        <div class="kpi-hint">{s.lastProvenAt ? 'a drill restored it and compared every table' : 'no restore drill has passed yet'}</div>
      </div>
    </div>
  )
}

const WEEKDAYS = ['Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat', 'Sun']

/** Eight weeks, a row a week; each day says in words whether it has a backup. */
export function BackupCalendar({ days, today }: { days: string[]; today: Date }) {
  const weeks = calendarWeeks(days, today)
  const count = weeks.flat().filter((d) => d.backedUp).length
  return (
    <div class="backup-calendar-wrap">
      <table class="backup-calendar" id="backup-calendar">
        <caption safe>{`Backup days, last 8 weeks (UTC): ${count} day${count === 1 ? '' : 's'} with a backup`}</caption>
        <thead>
          <tr>
            {WEEKDAYS.map((d) => (
              <th scope="col" safe>
                {d}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {weeks.map((week) => (
            <tr>
              {week.map((d) => {
                const said = d.future ? `${d.date}: still to come` : `${d.date}: ${d.backedUp ? 'backed up' : 'no backup'}`
                const cls = ['day', d.backedUp ? 'day-backup' : '', d.future ? 'day-future' : '', d.today ? 'day-today' : ''].filter(Boolean).join(' ')
                return (
                  <td class={cls} data-date={d.date} title={said}>
                    <span class="visually-hidden" safe>
                      {said}
                    </span>
                    <span aria-hidden="true" safe>
                      {String(Number(d.date.slice(8)))}
                    </span>
                  </td>
                )
              })}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  )
}

function RunningRow({ data, r }: { data: Pick<BackupsTabData, 'poolId' | 'member'>; r: RunningBackup }) {
  return (
    <tr data-job-id={r.jobId}>
      <td>
        <JobLink job={{ id: r.jobId, poolId: data.poolId, memberId: data.member.id, name: r.name }} />
        <div class="muted small" safe>
          {r.source}
        </div>
        <div class="muted small">
          started <Time at={r.startedAt} />
        </div>
      </td>
      <td class="num nowrap" safe>
        {r.bytesDone == null ? 'starting' : bytesText(r.bytesDone)}
      </td>
      <td class="num nowrap" safe>
        {rateText(r.bytesPerSecond)}
      </td>
    </tr>
  )
}

/**
 * Backups under way and waiting. Asks again every 2 s while there are any;
 * the answer without any carries no trigger, so the asking stops there.
 */
export function RunningBackups({ data }: { data: Pick<BackupsTabData, 'poolId' | 'member' | 'running' | 'queued'> }) {
  const live = data.running.length + data.queued.length > 0
  const poll = live ? { 'hx-get': `${runningHref(data.poolId, data.member.id)}?live=1`, 'hx-trigger': 'every 2s', 'hx-swap': 'outerHTML' } : {}
  return (
    <div id="backups-running" data-live={live ? 'true' : 'false'} {...poll}>
      {!live ? (
        <p class="muted">No backup is running.</p>
      ) : (
        <>
          {data.running.length ? (
            <Table id="backups-running-table" columns={['Backup', { label: 'Done', num: true }, { label: 'Speed', num: true }]}>
              {data.running.map((r) => (
                <RunningRow data={data} r={r} />
              ))}
            </Table>
          ) : (
            ''
          )}
          {data.queued.length ? (
            <ul class="plain stack tight" id="backups-queued">
              {data.queued.map((j) => (
                <li>
                  <JobLink job={j} /> <span class="muted small" safe>{paramsSummary(j.params)}</span> <JobStatusBadge status={j.status} />{' '}
                  <span class="muted small">waiting for the agent</span>
                  <QueuedUntil job={j} />
                </li>
              ))}
            </ul>
          ) : (
            ''
          )}
        </>
      )}
    </div>
  )
}

function JustQueued({ jobs }: { jobs: Job[] }) {
  if (!jobs.length) return ''
  return (
    <Notice kind="ok">
      <span>Queued: </span>
      {jobs.map((j, i) => (
        <>
          {i ? ', ' : ''}
          <JobLink job={j} />
          {paramsSummary(j.params) ? <span class="muted" safe>{` ${paramsSummary(j.params)}`}</span> : ''}
        </>
      ))}
      <span>. Its page shows the agent's progress.</span>
    </Notice>
  )
}

const notCheckedIn = (name: string) =>
  `The agent on ${name} has not checked in yet: backups wait for its first heartbeat. Paste the install command on the server, then come back.`

export function BackupsTab({ data }: { data: BackupsTabData }) {
  const m = data.member
  const refusal = data.checkedInAt ? null : notCheckedIn(m.name)
  const nowEcho = data.echo?.form === 'now' ? { confirm: data.echo.values.confirm ?? '', message: data.echo.errors.confirm ?? data.echo.errors.form ?? '' } : undefined
  return (
    <div class="stack" id="backups-tab">
      <JustQueued jobs={data.justQueued} />
      <Card title="Restore Backups" actions={<div class="card-actions">{<BackUpNowDialog poolId={data.poolId} member={m} csrf={data.csrf} databases={data.databases} from="backups" echo={nowEcho} refusal={refusal} />}</div>}>
        {refusal ? (
          <Notice kind="info">
            <span safe>{refusal}</span>
          </Notice>
        ) : (
          ''
        )}
        <Kpis data={data} />
        <p class="hint" safe>
          {`Backed up here: ${[data.databases !== null ? 'databases (MariaDB)' : '', data.sites !== null ? 'site files (OpenLiteSpeed)' : '', 'configuration'].filter(Boolean).join(', ')}.`}
        </p>
      </Card>
      <div class="grid-2 backups-top">
        <Card title="Backup days" id="backup-days">
          <BackupCalendar days={data.summary.backupDays} today={data.today} />
        </Card>
        <Card title="Running" id="backups-running-card">
          <RunningBackups data={data} />
        </Card>
      </div>
      <Card title="Snapshots" id="snapshots">
        {data.snapshots.length === 0 ? (
          <EmptyState title="No snapshots yet">
            <p>
              {refusal
                ? 'Once the agent has checked in, "Back up now" takes the first snapshot.'
                : '"Back up now" takes a first snapshot of every database (or the configuration); a preset below keeps taking them on a schedule. Each shows here with its size, to verify, restore or delete.'}
            </p>
          </EmptyState>
        ) : (
          <SnapshotList data={data} />
        )}
      </Card>
      <Card title="Schedules and retention" id="backup-schedules-card">
        <BackupSchedules data={data} />
      </Card>
      <Card title="Backup jobs" id="backup-jobs-card">
        <JobList id="backup-jobs" jobs={data.recent} columns={['Job', 'Status', 'Queued']} empty={<EmptyState title="No backup, restore or verify jobs yet" />} />
      </Card>
    </div>
  )
}
