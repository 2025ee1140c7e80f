// The member's backup schedules with their retention (how many daily,
// weekly and monthly snapshots each keeps, editable in place), and the two
// presets this server's stacks allow.
import { Badge, EmptyState, Field, PostForm, Time } from '../../components/ui'
import { cronTabHref } from '../../../src/jobs/hrefs'
import { paramsSummary } from '../../jobs/parts'
import { backupsHref, type BackupSchedule, type BackupsTabData } from './BackupsModel'

const KEEPS = [
  ['keepDaily', 'Daily'],
  ['keepWeekly', 'Weekly'],
  ['keepMonthly', 'Monthly'],
] as const

function RetentionForm({ data, s }: { data: BackupsTabData; s: BackupSchedule }) {
  const echo = data.echo?.form === 'retention' && data.echo.key === s.id ? data.echo : undefined
  return (
    <PostForm action={`${backupsHref(data.poolId, data.member.id)}/schedules/${s.id}/retention`} csrf={data.csrf} class="inline-form retention-form">
      {echo?.errors.form ? (
        <p class="field-error" role="alert" safe>
          {echo.errors.form}
        </p>
      ) : (
        ''
      )}
      {KEEPS.map(([name, label]) => (
        <Field
          idPrefix={`retention-${s.id}`}
          label={`Keep ${label.toLowerCase()}`}
          name={name}
          type="number"
          value={echo?.values[name] ?? String(s.retention[name])}
          error={echo?.errors[name]}
          required
          attrs={{ min: '0', max: '1000', step: '1', inputmode: 'numeric' }}
        />
      ))}
      <button type="submit" class="button small">
        Save retention
      </button>
    </PostForm>
  )
}

function ScheduleRow({ data, s }: { data: BackupsTabData; s: BackupSchedule }) {
  const params = paramsSummary(s.params)
  return (
    <li class="backup-schedule" data-schedule-id={s.id}>
      <div class="backup-schedule-head">
        <strong safe>{s.label ?? s.title}</strong> <code class="cron" safe>{s.cron}</code>{' '}
        <span class="muted small">UTC</span> <Badge tone={s.enabled ? 'ok' : 'muted'}>{s.enabled ? 'enabled' : 'disabled'}</Badge>
        {params ? (
          <div class="muted small" safe>
            {params}
          </div>
        ) : (
          ''
        )}
        {s.nextRunAt ? (
          <div class="muted small">
            next <Time at={s.nextRunAt} />
          </div>
        ) : (
          ''
        )}
      </div>
      <RetentionForm data={data} s={s} />
    </li>
  )
}

function Presets({ data }: { data: BackupsTabData }) {
  const href = `${backupsHref(data.poolId, data.member.id)}/presets`
  const echo = data.echo?.form === 'preset' ? data.echo : undefined
  const filesEcho = echo?.key === 'files-weekly' ? echo : undefined
  const dbEcho = echo?.key === 'databases-nightly' ? echo : undefined
  const defaultPath = data.sites?.[0]?.root ?? '/var/www/html'
  return (
    <div class="presets stack" id="backup-presets">
      <h3>Add a schedule</h3>
      <div class="preset-row" data-preset="databases-nightly">
        {data.databases === null ? (
          <p class="hint">
            <strong>Every database, nightly</strong>: MariaDB is not detected on this server.
          </p>
        ) : (
          <PostForm action={href} csrf={data.csrf} class="inline-row">
            <input type="hidden" name="preset" value="databases-nightly" />
            <span>
              <strong>Every database, nightly</strong> <code>0 2 * * *</code> <span class="muted small">UTC, 5 minutes apart</span>{' '}
              <span class="muted" safe>{`${data.databases.length} database${data.databases.length === 1 ? '' : 's'} now, one schedule each; add again to cover databases made since. Keeps 7 daily, 4 weekly, 6 monthly.`}</span>
            </span>
            {dbEcho?.errors.form ? (
              <span class="field-error" role="alert" safe>
                {dbEcho.errors.form}
              </span>
            ) : (
              ''
            )}
            <button type="submit" class="button small">
              Add
            </button>
          </PostForm>
        )}
      </div>
      <div class="preset-row" data-preset="files-weekly">
        <PostForm action={href} csrf={data.csrf} class="inline-form">
          <input type="hidden" name="preset" value="files-weekly" />
          <Field
            idPrefix="preset-files"
            label="Site files, weekly (Sunday 03:00 UTC): folder"
            name="path"
            value={filesEcho?.values.path ?? defaultPath}
            error={filesEcho?.errors.path ?? filesEcho?.errors.form}
            required
            autocomplete="off"
            hint={data.sites?.length ? `Document roots found: ${data.sites.map((s) => s.root).join(', ')}` : 'An absolute path, such as a site’s document root.'}
            attrs={{ spellcheck: 'false' }}
          />
          <button type="submit" class="button small">
            Add
          </button>
        </PostForm>
      </div>
    </div>
  )
}

export function BackupSchedules({ data }: { data: BackupsTabData }) {
  const cron = cronTabHref(data.poolId, data.member.id)
  return (
    <div class="stack">
      {data.schedules.length === 0 ? (
        <EmptyState title="No backup schedules">
          <p>Nothing is backed up here on its own yet. Add a preset below; each run keeps what its retention says and prunes the rest.</p>
        </EmptyState>
      ) : (
        <ul class="plain stack backup-schedules" id="backup-schedules">
          {data.schedules.map((s) => (
            <ScheduleRow data={data} s={s} />
          ))}
        </ul>
      )}
      <p class="hint">
        Times, pauses and deletion are on{' '}
        <a href={cron} hx-get={cron} hx-target="#member-panel" hx-push-url="true">
          Cron &amp; Jobs
        </a>
        .
      </p>
      <Presets data={data} />
    </div>
  )
}
