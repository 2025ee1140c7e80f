import { escapeHtml } from '@kitajs/html'
// The alert settings forms of the member and pool Monitoring tabs, and the
// alert history list both show.
import type { AlertHistoryRow, AlertStateRow } from '../../src/alerts/store'
import type { MemberAlerts, PoolAlerts, Threshold } from '../../src/alerts/settings'
import { Badge, Card, EmptyState, Field, Notice, PostForm, Table, Time } from '../components/ui'

export type AlertForm = { values: Record<string, string>; errors: Record<string, string> }

const on = (v: boolean) => (v ? 'on' : '')

function Check({ name, label, checked }: { name: string; label: string; checked: boolean }) {
  return (
    <label class="check">
      <input type="checkbox" name={name} checked={checked} /> <span safe>{label}</span>
    </label>
  )
}

function ThresholdRow({ prefix: k, label, t, v, e }: { prefix: string; label: string; t: Threshold; v: (n: string, d: string) => string; e: (n: string) => string | null }) {
  return (
    <div class="grid-3 threshold">
      <Check name={`${k}Enabled`} label={`${label} alert`} checked={v(`${k}Enabled`, on(t.enabled)) === 'on'} />
      <Field label={`${label} over (%)`} name={`${k}Percent`} type="number" value={v(`${k}Percent`, String(t.percent))} error={e(`${k}Percent`)} />
      <Field label="for (minutes)" name={`${k}Minutes`} type="number" value={v(`${k}Minutes`, String(t.minutes))} error={e(`${k}Minutes`)} />
    </div>
  )
}

function Recipients({ v, e, recipients, notifyAccount, recovery }: { v: (n: string, d: string) => string; e: (n: string) => string | null; recipients: string[]; notifyAccount: boolean; recovery: boolean }) {
  return (
    <fieldset class="stack">
      <legend>Alert recipients</legend>
      <Check name="notifyAccount" label="The account email (every admin)" checked={v('notifyAccount', on(notifyAccount)) === 'on'} />
      <Field label="Team inboxes" name="recipients" value={v('recipients', recipients.join(', '))} error={e('recipients')} placeholder="ops@example.com, oncall@example.com" />
      <Check name="recovery" label="Recovery notifications: email again when it is back to normal" checked={v('recovery', on(recovery)) === 'on'} />
    </fieldset>
  )
}

function FormError({ e }: { e: (n: string) => string | null }) {
  const msg = e('form')
  return msg ? (
    <Notice kind="error">
      <span safe>{msg}</span>
    </Notice>
  ) : (
    ''
  )
}

export function MemberAlertsForm({ action, settings, csrf, form }: { action: string; settings: MemberAlerts; csrf: string | null; form?: AlertForm }) {
  const v = (n: string, d: string) => form?.values[n] ?? d
  const e = (n: string) => form?.errors[n] ?? null
  return (
    <PostForm action={action} csrf={csrf} class="stack">
      <FormError e={e} />
      <div class="grid-2">
        <Check name="heartbeatEnabled" label="Heartbeat miss alert" checked={v('heartbeatEnabled', on(settings.heartbeat.enabled)) === 'on'} />
        <Field label="after silence of (seconds)" name="heartbeatSeconds" type="number" value={v('heartbeatSeconds', String(settings.heartbeat.afterSeconds))} error={e('heartbeatSeconds')} />
      </div>
      <ThresholdRow prefix="cpu" label="CPU" t={settings.cpu} v={v} e={e} />
      <ThresholdRow prefix="memory" label="Memory" t={settings.memory} v={v} e={e} />
      <ThresholdRow prefix="disk" label="Disk" t={settings.disk} v={v} e={e} />
      <Check name="servicesEnabled" label="Service down: a detected stack's unit is inactive or failed" checked={v('servicesEnabled', on(settings.services.enabled)) === 'on'} />
      <div class="grid-2">
        <Check name="tlsEnabled" label="TLS certificate expiring" checked={v('tlsEnabled', on(settings.tls.enabled)) === 'on'} />
        <Field label="within (days)" name="tlsDays" type="number" value={v('tlsDays', String(settings.tls.days))} error={e('tlsDays')} />
      </div>
      <Recipients v={v} e={e} recipients={settings.recipients} notifyAccount={settings.notifyAccount} recovery={settings.recovery} />
      <div>
        <button type="submit" class="button primary">
          Save alerts
        </button>
      </div>
    </PostForm>
  )
}

export function PoolAlertsForm({ action, settings, csrf, form }: { action: string; settings: PoolAlerts; csrf: string | null; form?: AlertForm }) {
  const v = (n: string, d: string) => form?.values[n] ?? d
  const e = (n: string) => form?.errors[n] ?? null
  return (
    <PostForm action={action} csrf={csrf} class="stack">
      <FormError e={e} />
      <h3>Infrastructure alerts</h3>
      <div class="grid-2">
        <Check name="anySilentEnabled" label="Any member silent" checked={v('anySilentEnabled', on(settings.anySilent.enabled)) === 'on'} />
        <Field label="for (seconds)" name="anySilentSeconds" type="number" value={v('anySilentSeconds', String(settings.anySilent.afterSeconds))} error={e('anySilentSeconds')} />
      </div>
      <Check name="outdatedEnabled" label="Outdated agents" checked={v('outdatedEnabled', on(settings.outdatedAgents.enabled)) === 'on'} />
      <Recipients v={v} e={e} recipients={settings.recipients} notifyAccount={settings.notifyAccount} recovery={settings.recovery} />
      <h3>Protection DNS failover</h3>
      <div class="grid-2">
        <Field label="Failover banner (minutes)" name="failoverBannerMinutes" type="number" value={v('failoverBannerMinutes', String(settings.failoverBannerMinutes))} error={e('failoverBannerMinutes')} hint="How long the pool header shows 'Failover active' after a DNS cut." />
        <Check name="failoverEmail" label="Failover email: notify when DNS moves to a standby" checked={v('failoverEmail', on(settings.failoverEmail)) === 'on'} />
      </div>
      <Field label="Failover alert recipients" name="failoverRecipients" value={v('failoverRecipients', settings.failoverRecipients.join(', '))} error={e('failoverRecipients')} placeholder="noc@example.com" />
      <div>
        <button type="submit" class="button primary">
          Save pool alerts
        </button>
      </div>
    </PostForm>
  )
}

export function TestEmailButton({ action, csrf }: { action: string; csrf: string | null }) {
  return (
    <PostForm action={action} csrf={csrf}>
      <button type="submit" class="button small">
        Send test email
      </button>
    </PostForm>
  )
}

export function FiringNow({ states }: { states: AlertStateRow[] }) {
  if (states.length === 0) return <p class="muted">Nothing is firing.</p>
  return (
    <ul class="activity" id="alerts-firing">
      {states.map((s) => (
        <li class="activity-error">
          <Badge tone="bad">firing</Badge> <span safe>{s.summary ?? s.kind}</span> since <Time at={s.firedAt ?? s.since} />
        </li>
      ))}
    </ul>
  )
}

export function AlertHistory({ rows }: { rows: AlertHistoryRow[] }) {
  return (
    <Card title="Alert history">
      {rows.length === 0 ? (
        <EmptyState title="No alerts yet" />
      ) : (
        <Table id="alert-history" columns={['When', 'What', 'Told', 'Delivery']}>
          {rows.map((r) => (
            <tr>
              <td class="nowrap">
                <Time at={r.at} />
              </td>
              <td safe>{r.summary}</td>
              <td>{escapeHtml(r.recipients.length ? r.recipients.join(', ') : 'nobody')}</td>
              <td>
                <Badge tone={r.delivery === 'sent' ? 'ok' : r.delivery === 'failed' ? 'bad' : 'muted'}>
                  <span>{r.delivery}</span>
                </Badge>
              </td>
            </tr>
          ))}
        </Table>
      )}
    </Card>
  )
}
