// The snapshot cards: what each holds, whether it was read back (verified)
// and restored for real in a drill (proven), and its three actions. Restore
// and Delete open a dialog; replacing the original database asks for its
// name typed. A refused post comes back with its dialog reopened at the message.
import type { PropsWithChildren } from '@kitajs/html'
import { Badge, Field, PostForm, Time } from '../../components/ui'
import { SelectField } from './actions'
import {
  kindLabel,
  bytesText,
  restoredDatabaseName,
  restoredPath,
  snapshotHref,
  type BackupSnapshot,
  type BackupsEcho,
  type BackupsTabData,
  type RestoreTarget,
} from './BackupsModel'

const echoOf = (data: BackupsTabData, form: BackupsEcho['form'], key: string) => (data.echo?.form === form && data.echo.key === key ? data.echo : undefined)

function Dialog({ id, title, reopen, children }: PropsWithChildren<{ id: string; title: string; reopen: boolean }>) {
  return (
    <dialog id={id} class="confirm-dialog" aria-labelledby={`${id}-title`} data-reopen={reopen ? '' : undefined}>
      <h3 id={`${id}-title`} safe>
        {title}
      </h3>
      {children}
    </dialog>
  )
}

function Opener({ dialog, label, danger }: { dialog: string; label: string; danger?: boolean }) {
  return (
    <button type="button" class={danger ? 'button small danger' : 'button small'} {...{ commandfor: dialog, command: 'show-modal' }} safe>
      {label}
    </button>
  )
}

function CloseButton({ dialog, autofocus }: { dialog: string; autofocus?: boolean }) {
  return (
    <button type="button" class="button" {...{ commandfor: dialog, command: 'close' }} autofocus={autofocus}>
      Cancel
    </button>
  )
}

function FormError({ echo }: { echo?: BackupsEcho }) {
  const message = echo?.errors.form
  if (!message) return ''
  return (
    <div class="notice notice-error" role="alert">
      <span safe>{message}</span>
    </div>
  )
}

function StateBadges({ s }: { s: BackupSnapshot }) {
  const verifyFailed = s.verifyFailedAt && (!s.verifiedAt || s.verifyFailedAt > s.verifiedAt)
  const drillFailed = s.drillFailedAt && (!s.provenAt || s.drillFailedAt > s.provenAt)
  return (
    <div class="snapshot-badges">
      {verifyFailed ? (
        <Badge tone="bad">verify failed</Badge>
      ) : s.verifiedAt ? (
        <Badge tone="ok">verified</Badge>
      ) : (
        <Badge tone="muted">not verified</Badge>
      )}{' '}
      {drillFailed ? <Badge tone="bad">restore drill failed</Badge> : s.provenAt ? <Badge tone="ok">proven restorable</Badge> : ''}
      {verifyFailed && s.verifyProblem ? (
        <p class="field-error snapshot-problem" safe>
          {`Verify: ${s.verifyProblem}`}
        </p>
      ) : (
        ''
      )}
      {drillFailed && s.drillProblem ? (
        <p class="field-error snapshot-problem" safe>
          {`Drill: ${s.drillProblem}`}
        </p>
      ) : (
        ''
      )}
    </div>
  )
}

/** Pool members this snapshot can go to: a database only where MariaDB runs, an account only where cPanel does. */
export function compatibleTargets(s: BackupSnapshot, targets: RestoreTarget[]): RestoreTarget[] {
  if (s.kind === 'database') return targets.filter((t) => t.mariadb)
  if (s.kind === 'cpanel_account') return targets.filter((t) => t.cpanel)
  return targets
}

/** What a restore of this kind may replace, and the words for each choice; null where it never replaces. */
function replaceChoice(s: BackupSnapshot): { fresh: string; over: string; need: string } | null {
  if (s.kind === 'database') return { fresh: 'A new database (the original stays as it is)', over: `Replace ${s.source} (its current contents are lost)`, need: 'a database needs MariaDB detected on the target' }
  if (s.kind === 'cpanel_account')
    return { fresh: `The account ${s.source}, where it does not exist yet`, over: `Replace the account ${s.source} there (its files, mail and databases are overwritten)`, need: 'an account needs cPanel detected on the target' }
  return null
}

function RestoreDialog({ data, s }: { data: BackupsTabData; s: BackupSnapshot }) {
  const id = `restore-${s.id}`
  const echo = echoOf(data, 'restore', s.id)
  const v = (k: string, d: string) => echo?.values[k] ?? d
  const err = (k: string) => echo?.errors[k] ?? null
  const targets = compatibleTargets(s, data.targets)
  const action = `${snapshotHref(data.poolId, data.member.id, s.id)}/restore`
  const mode = v('mode', 'new')
  const isDb = s.kind === 'database'
  const choice = replaceChoice(s)
  const title = `Restore ${s.kind === 'cpanel_account' ? 'the cPanel account' : kindLabel(s.kind).toLowerCase()} ${s.source}`
  return (
    <Dialog id={id} title={title} reopen={!!echo}>
      <PostForm
        action={action}
        csrf={data.csrf}
        class="stack restore-form"
        attrs={choice ? { 'x-data': `{ mode: ${JSON.stringify(mode)}, typed: ${JSON.stringify(v('confirm', ''))} }`, 'data-source': s.source } : {}}
      >
        <p class="hint">
          <span>Taken </span>
          <Time at={s.createdAt} />
          <span safe>{` on ${s.memberName}: ${bytesText(s.sizeBytes)}. Every chunk and the whole stream are checked before the first byte is written.`}</span>
        </p>
        <FormError echo={echo} />
        {targets.length === 0 ? (
          <p class="field-error" safe>{`No member of this pool can take it: ${choice?.need ?? 'no member has checked in'}.`}</p>
        ) : (
          <SelectField
            id={`${id}-member`}
            label="Restore to"
            name="memberId"
            value={v('memberId', data.member.id)}
            options={targets.map((t) => [t.id, t.id === data.member.id ? `${t.name} (this server)` : t.checkedIn ? t.name : `${t.name} (agent not checked in)`])}
            error={err('memberId')}
          />
        )}
        {choice ? (
          <>
            <fieldset class="choice">
              <legend>Restore as</legend>
              <label class="check">
                <input type="radio" name="mode" value="new" checked={mode !== 'replace'} x-model="mode" /> <span safe>{choice.fresh}</span>
              </label>
              <label class="check">
                <input type="radio" name="mode" value="replace" checked={mode === 'replace'} x-model="mode" />{' '}
                <span safe>{choice.over}</span>
              </label>
            </fieldset>
            {isDb ? (
              <div x-show="mode !== 'replace'">
                <Field
                  id={`${id}-database`}
                  label="New database name"
                  name="database"
                  value={v('database', restoredDatabaseName(s.source, data.today))}
                  error={err('database')}
                  maxlength={64}
                  autocomplete="off"
                  hint="Letters, digits, _, $ or -, up to 64 characters; it must not exist on the target yet."
                  attrs={{ spellcheck: 'false' }}
                />
              </div>
            ) : (
              ''
            )}
            <div x-show="mode === 'replace'">
              <Field
                id={`${id}-confirm`}
                label={`Type ${s.source} to replace it`}
                name="confirm"
                value={v('confirm', '')}
                error={err('confirm')}
                autocomplete="off"
                placeholder={s.source}
                attrs={{ 'x-model': 'typed', spellcheck: 'false' }}
              />
            </div>
          </>
        ) : s.kind === 'files' ? (
          <Field
            id={`${id}-path`}
            label="Restore into folder"
            name="path"
            value={v('path', restoredPath(s.source, data.today))}
            error={err('path')}
            autocomplete="off"
            hint="An absolute path; a new folder beside the original by default, so nothing is overwritten."
            attrs={{ spellcheck: 'false' }}
          />
        ) : (
          <Field
            id={`${id}-path`}
            label="Restore into folder"
            name="path"
            value={v('path', `/root/config.restored-${data.today.toISOString().slice(0, 10).replaceAll('-', '')}`)}
            error={err('path')}
            autocomplete="off"
            hint="The configuration files are written under this folder, to compare and copy back by hand."
            attrs={{ spellcheck: 'false' }}
          />
        )}
        <div class="actions">
          <button
            type="submit"
            class="button primary"
            disabled={targets.length === 0}
            {...(choice ? { 'x-bind:class': "mode === 'replace' ? 'danger' : ''", 'x-bind:disabled': "mode === 'replace' && typed.trim() !== $root.dataset.source" } : {})}
          >
            Queue restore
          </button>
          <CloseButton dialog={id} />
        </div>
      </PostForm>
    </Dialog>
  )
}

function DeleteDialog({ data, s }: { data: BackupsTabData; s: BackupSnapshot }) {
  const id = `delete-${s.id}`
  const echo = echoOf(data, 'delete', s.id)
  return (
    <Dialog id={id} title={`Delete this snapshot of ${s.source}?`} reopen={!!echo}>
      <PostForm action={`${snapshotHref(data.poolId, data.member.id, s.id)}/delete`} csrf={data.csrf} class="stack">
        <FormError echo={echo} />
        <p safe>{`${kindLabel(s.kind)} ${s.source}, ${bytesText(s.sizeBytes)}, taken ${s.createdAt.toISOString().slice(0, 16).replace('T', ' ')} UTC. It can no longer be restored; chunks no other snapshot uses are freed by the next prune.`}</p>
        <div class="actions">
          <button type="submit" class="button danger">
            Delete snapshot
          </button>
          <CloseButton dialog={id} autofocus />
        </div>
      </PostForm>
    </Dialog>
  )
}

export function SnapshotCard({ data, s }: { data: BackupsTabData; s: BackupSnapshot }) {
  const verifyEcho = echoOf(data, 'verify', s.id)
  return (
    <li class="snapshot" data-snapshot-id={s.id} data-kind={s.kind}>
      <div class="snapshot-head">
        <Badge tone="info"><span safe>{kindLabel(s.kind)}</span></Badge>{' '}
        <strong class="snapshot-source" safe>
          {s.source}
        </strong>
      </div>
      <dl class="snapshot-facts">
        <div>
          <dt>Taken</dt>
          <dd>
            <Time at={s.createdAt} />
          </dd>
        </div>
        <div>
          <dt>Size / stored</dt>
          <dd safe>{`${bytesText(s.sizeBytes)} / ${bytesText(s.storedBytes)}`}</dd>
        </div>
        {s.provenAt ? (
          <div>
            <dt>Proven</dt>
            <dd>
              <Time at={s.provenAt} />
            </dd>
          </div>
        ) : s.verifiedAt ? (
          <div>
            <dt>Verified</dt>
            <dd>
              <Time at={s.verifiedAt} />
            </dd>
          </div>
        ) : (
          ''
        )}
      </dl>
      <StateBadges s={s} />
      {verifyEcho?.errors.form ? (
        <p class="field-error" role="alert" safe>
          {verifyEcho.errors.form}
        </p>
      ) : (
        ''
      )}
      <div class="row-actions snapshot-actions">
        <Opener dialog={`restore-${s.id}`} label="Restore…" />
        <PostForm action={`${snapshotHref(data.poolId, data.member.id, s.id)}/verify`} csrf={data.csrf}>
          <button type="submit" class="button small">
            Verify
          </button>
        </PostForm>
        <Opener dialog={`delete-${s.id}`} label="Delete…" danger />
      </div>
      <RestoreDialog data={data} s={s} />
      <DeleteDialog data={data} s={s} />
    </li>
  )
}

export function SnapshotList({ data }: { data: BackupsTabData }) {
  return (
    <ul class="plain snapshots" id="snapshot-list">
      {data.snapshots.map((s) => (
        <SnapshotCard data={data} s={s} />
      ))}
    </ul>
  )
}
