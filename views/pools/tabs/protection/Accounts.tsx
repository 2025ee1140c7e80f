// The protected accounts: the table (asked for again every 3 s while a run is
// queued or running), each account's Cut DNS and Manage dialogs, and the form
// that protects one account or several at once.
import type { AccountRow, ProtectionTabData, SourceChoice } from '../../../../src/protection/tab-data'
import { behindText, DEFAULT_TTL, PROTECTION_SCHEDULES, SCHEDULE_LABELS } from '../../../../src/protection/tab-model'
import { formatBytes } from '../../../../src/members/view-model'
import { Badge, EmptyState, Field, PostForm, Table, Time } from '../../../components/ui'
import { SelectField } from '../../../members/tabs/actions'
import {
  FormError,
  HealthBadge,
  accountActionHref,
  echoFor,
  echoValue,
  protectHref,
  protectionHref,
  sourceAccountsHref,
  type ProtectionEcho,
} from './parts'

const RUN_TONE = { queued: 'info', running: 'info', succeeded: 'ok', failed: 'bad', skipped: 'warn' } as const
const dialogId = (a: AccountRow, what: 'cut' | 'manage') => `pa-${what}-${a.id}`

function RecoveryPoint({ a }: { a: AccountRow }) {
  if (!a.lastGoodCopyAt) return <span class={a.stale ? 'field-error' : 'muted'}>{a.stale ? 'no copy yet, overdue' : 'no copy yet'}</span>
  return (
    <div data-behind-seconds={String(a.behindSeconds ?? '')}>
      <Time at={a.lastGoodCopyAt} />
      <div class={a.stale ? 'field-error small' : 'muted small'} safe>
        {`standby is ${behindText(a.behindSeconds ?? 0)} behind${a.stale ? ' · stale' : ''}`}
      </div>
    </div>
  )
}

function LastRun({ a }: { a: AccountRow }) {
  const run = a.lastRun
  // A newly protected account is due at once: the schedule queues its first copy within seconds.
  if (!run) return <span class="muted">{a.enabled ? 'first copy due now' : 'not run yet'}</span>
  const inFlight = run.status === 'queued' || run.status === 'running'
  const size = run.sizeBytes ?? run.bytesUploaded
  return (
    <div data-run-status={run.status}>
      <Badge tone={RUN_TONE[run.status]}>
        <span>{run.status}</span>
      </Badge>
      {inFlight ? (
        <div class="small">
          <span safe>{`${run.phase === 'restore' ? 'restoring on the standby' : 'packaging and uploading'}${a.job ? ` · ${a.job.progress}%` : ''}`}</span>
          {a.job ? <progress max="100" value={String(a.job.progress)} /> : ''}
          {run.bytesUploaded ? <span class="muted" safe>{` ${formatBytes(run.bytesUploaded)} up`}</span> : ''}
        </div>
      ) : (
        <div class="muted small">
          <Time at={run.finishedAt ?? run.createdAt} />
          {size ? <span safe>{` · ${formatBytes(size)}`}</span> : ''}
        </div>
      )}
      {run.error ? (
        <div class="field-error small" safe>
          {run.error}
        </div>
      ) : (
        ''
      )}
    </div>
  )
}

function Row({ data, a }: { data: ProtectionTabData; a: AccountRow }) {
  const inFlight = a.lastRun?.status === 'queued' || a.lastRun?.status === 'running'
  return (
    <tr data-protected-id={a.id} data-user={a.user} data-health={a.health} data-stale={a.stale ? 'true' : 'false'}>
      <td>
        <strong safe>{a.user}</strong>
        <div>
          <HealthBadge health={a.health} />
        </div>
      </td>
      <td class="small" safe>{`${a.sourceName} → ${a.standbyName}`}</td>
      <td class="small" safe>{SCHEDULE_LABELS[a.schedule]}</td>
      <td class="num small" safe>{`${a.ttl} s`}</td>
      <td class="small">{a.providerName ? <span safe>{a.providerName}</span> : <span class="muted">none</span>}</td>
      <td class="small">{a.enabled ? 'yes' : <Badge tone="muted">paused</Badge>}</td>
      <td class="small">
        <RecoveryPoint a={a} />
      </td>
      <td class="small">
        <LastRun a={a} />
      </td>
      <td>
        <div class="actions nowrap">
          <PostForm action={accountActionHref(data.poolId, a.id, 'replicate')} csrf={data.csrf}>
            <button type="submit" class="button small" disabled={inFlight || !a.enabled} aria-label={`Replicate ${a.user} now`}>
              Replicate now
            </button>
          </PostForm>
          <button type="button" class="button small danger" aria-label={`Cut DNS of ${a.user}`} {...{ commandfor: dialogId(a, 'cut'), command: 'show-modal' }}>
            Cut DNS
          </button>
          <button type="button" class="button small" aria-label={`Manage ${a.user}`} {...{ commandfor: dialogId(a, 'manage'), command: 'show-modal' }}>
            ⋯
          </button>
        </div>
      </td>
    </tr>
  )
}

/** The table alone: what the poll answers. */
export function AccountsTable({ data }: { data: ProtectionTabData }) {
  const poll = data.live ? { 'hx-get': protectionHref(data.poolId), 'hx-trigger': 'every 3s', 'hx-target': 'this', 'hx-swap': 'outerHTML' } : {}
  return (
    <div id="protection-accounts" data-live={data.live ? 'true' : 'false'} {...poll}>
      {data.accounts.length === 0 ? (
        <EmptyState title="No protected accounts yet">
          <p>
            Protect an account below: pick the server it lives on, the accounts, and the standby member that keeps a
            warm copy. Each copy goes through the pool's storage on the schedule you choose.
          </p>
        </EmptyState>
      ) : (
        <Table
          id="protection-accounts-table"
          columns={['Account', 'Source → standby', 'Schedule', { label: 'TTL', num: true }, 'DNS provider', 'Enabled', 'Last good copy', 'Last run', '']}
        >
          {data.accounts.map((a) => (
            <Row data={data} a={a} />
          ))}
        </Table>
      )}
    </div>
  )
}

function CutDialog({ data, a, echo }: { data: ProtectionTabData; a: AccountRow; echo?: ProtectionEcho }) {
  const id = dialogId(a, 'cut')
  const e = echoFor(echo, 'cut', a.id)
  const what: string = a.providerName
    ? `The account's ${a.records.join(', ')} records at ${a.providerName} are pointed at ${a.standbyName} with a TTL of ${a.ttl} s, read back, then the post-failover hook runs there.`
    : 'This account has no DNS provider: choose one under Manage first.'
  return (
    <dialog id={id} class="confirm-dialog" aria-labelledby={`${id}-title`} data-reopen={e ? '' : undefined}>
      <div class="stack">
        <h3 id={`${id}-title`} safe>{`Cut DNS of ${a.user} to ${a.standbyName}`}</h3>
        <FormError echo={e} />
        <p safe>{what}</p>
        <p class="muted small">
          {a.lastGoodCopyAt ? (
            <span safe>{`The standby's copy is ${behindText(a.behindSeconds ?? 0)} old: changes since then stay on ${a.sourceName}.`}</span>
          ) : (
            <span>The standby holds no copy of this account yet.</span>
          )}
        </p>
        <PostForm
          action={accountActionHref(data.poolId, a.id, 'cut')}
          csrf={data.csrf}
          class="stack danger"
          attrs={{ 'x-data': "{ typed: '' }", 'x-init': "typed = $el.querySelector('[name=confirm]').value", 'data-name': a.user }}
        >
          <Field
            id={`${id}-confirm`}
            label={`Type ${a.user} to cut its DNS`}
            name="confirm"
            value={echoValue(e, 'confirm', '')}
            error={e?.errors.confirm}
            autocomplete="off"
            placeholder={a.user}
            attrs={{ 'x-model': 'typed' }}
          />
          <div class="actions">
            <button type="submit" class="button danger" {...{ 'x-bind:disabled': 'typed.trim() !== $root.dataset.name' }}>
              Cut DNS
            </button>
            <button type="button" class="button" {...{ commandfor: id, command: 'close' }}>
              Cancel
            </button>
          </div>
        </PostForm>
      </div>
    </dialog>
  )
}

const scheduleOptions = PROTECTION_SCHEDULES.map((s) => [s, SCHEDULE_LABELS[s]] as [string, string])
const providerOptions = (data: ProtectionTabData): [string, string][] => [['', 'None'], ...data.providers.map((p) => [p.id, `${p.name} (${p.kind})`] as [string, string])]

function ManageDialog({ data, a, echo }: { data: ProtectionTabData; a: AccountRow; echo?: ProtectionEcho }) {
  const id = dialogId(a, 'manage')
  const e = echoFor(echo, 'edit', a.id)
  const u = echoFor(echo, 'unprotect', a.id)
  return (
    <dialog id={id} class="confirm-dialog" aria-labelledby={`${id}-title`} data-reopen={e || u ? '' : undefined}>
      <div class="stack">
        <h3 id={`${id}-title`} safe>{`${a.user} · ${a.sourceName} → ${a.standbyName}`}</h3>
        <PostForm action={accountActionHref(data.poolId, a.id, 'edit')} csrf={data.csrf} class="stack">
          <FormError echo={e} />
          <SelectField id={`${id}-schedule`} label="Schedule" name="schedule" value={echoValue(e, 'schedule', a.schedule)} options={scheduleOptions} error={e?.errors.schedule} />
          <Field id={`${id}-ttl`} label="DNS TTL (seconds)" name="ttl" type="number" value={echoValue(e, 'ttl', String(a.ttl))} error={e?.errors.ttl} attrs={{ min: '30', max: '86400' }} />
          <SelectField id={`${id}-provider`} label="DNS provider" name="providerId" value={echoValue(e, 'providerId', a.providerId ?? '')} options={providerOptions(data)} error={e?.errors.providerId} />
          <label class="check">
            <input type="checkbox" name="enabled" value="on" checked={e ? e.values.enabled === 'on' : a.enabled} /> Enabled (replicated on its schedule)
          </label>
          <div class="actions">
            <button type="submit" class="button primary">
              Save
            </button>
            <button type="button" class="button" {...{ commandfor: id, command: 'close' }}>
              Close
            </button>
          </div>
        </PostForm>
        <PostForm action={accountActionHref(data.poolId, a.id, 'unprotect')} csrf={data.csrf} class="stack danger">
          <FormError echo={u} />
          <p class="small" safe>{`Unprotect stops replicating ${a.user}. The copy already on ${a.standbyName} stays there as it is.`}</p>
          <div>
            <button type="submit" class="button danger">
              Unprotect
            </button>
          </div>
        </PostForm>
      </div>
    </dialog>
  )
}

export function AccountDialogs({ data, echo }: { data: ProtectionTabData; echo?: ProtectionEcho }) {
  return (
    <div id="protection-dialogs">
      {data.accounts.map((a) => (
        <>
          <CutDialog data={data} a={a} echo={echo} />
          <ManageDialog data={data} a={a} echo={echo} />
        </>
      ))}
    </div>
  )
}

/** The source's accounts, as a multi-select; answered alone when the source changes. */
export function SourceAccountsField({ data, source, chosen, error }: { data: ProtectionTabData; source: SourceChoice | undefined; chosen: string[]; error?: string }) {
  const taken = new Set(data.accounts.filter((a) => a.sourceMemberId === source?.id).map((a) => a.user))
  const id = 'protect-users'
  const emptyText: string = source ? `${source.name} has reported no cPanel accounts.` : 'Choose the server the accounts live on.'
  return (
    <div class={error ? 'field has-error' : 'field'} id="protect-accounts-field">
      {source && source.accounts.length ? <label for={id}>Accounts</label> : <span class="label-like">Accounts</span>}
      {source && source.accounts.length ? (
        <select id={id} name="users" multiple="multiple" size={String(Math.min(8, Math.max(3, source.accounts.length)))} aria-invalid={error ? 'true' : undefined}>
          {source.accounts.map((u) => (
            <option value={u} selected={chosen.includes(u)} disabled={taken.has(u)} safe>
              {taken.has(u) ? `${u} (protected)` : u}
            </option>
          ))}
        </select>
      ) : (
        <p class="muted small" safe>
          {emptyText}
        </p>
      )}
      <p class="hint">Hold Ctrl (⌘ on a Mac) to choose several.</p>
      {error ? (
        <p class="field-error" safe>
          {error}
        </p>
      ) : (
        ''
      )}
    </div>
  )
}

export function ProtectForm({ data, echo }: { data: ProtectionTabData; echo?: ProtectionEcho }) {
  const e = echoFor(echo, 'protect')
  const sourceId = echoValue(e, 'sourceMemberId', data.sources[0]?.id ?? '')
  const source = data.sources.find((s) => s.id === sourceId)
  const chosen = e ? [e.values.users ?? []].flat() : []
  const standbyDefault = data.sources.find((s) => s.id !== sourceId)?.id ?? ''
  const members: [string, string][] = data.sources.map((s) => [s.id, s.name])
  return (
    <PostForm action={protectHref(data.poolId)} csrf={data.csrf} class="stack" attrs={{ id: 'protect-form' }}>
      <FormError echo={e} />
      <div class="grid-2">
        <SelectField
          id="protect-source"
          label="Source server"
          name="sourceMemberId"
          value={sourceId}
          options={members}
          error={e?.errors.sourceMemberId}
          attrs={{ 'hx-get': sourceAccountsHref(data.poolId), 'hx-target': '#protect-accounts-field', 'hx-swap': 'outerHTML', 'hx-trigger': 'change' }}
        />
        <SourceAccountsField data={data} source={source} chosen={chosen} error={e?.errors.users} />
        <SelectField id="protect-standby" label="Standby server" name="standbyMemberId" value={echoValue(e, 'standbyMemberId', standbyDefault)} options={members} error={e?.errors.standbyMemberId} />
        <SelectField id="protect-schedule" label="Schedule" name="schedule" value={echoValue(e, 'schedule', '1d')} options={scheduleOptions} error={e?.errors.schedule} />
        <Field idPrefix="protect" label="DNS TTL (seconds)" name="ttl" type="number" value={echoValue(e, 'ttl', String(DEFAULT_TTL))} error={e?.errors.ttl} attrs={{ min: '30', max: '86400' }} />
        <SelectField id="protect-provider" label="DNS provider" name="providerId" value={echoValue(e, 'providerId', '')} options={providerOptions(data)} error={e?.errors.providerId} />
      </div>
      {data.providers.length ? '' : <p class="hint">This pool has no DNS provider yet: add Cloudflare or WHM on the Managed DNS or Settings tab to be able to cut DNS.</p>}
      <div>
        <button type="submit" class="button primary">
          Protect
        </button>
      </div>
    </PostForm>
  )
}
