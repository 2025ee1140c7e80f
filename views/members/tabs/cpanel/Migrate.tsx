// cPanel Migrate & Recovery: push a copy of an account to another cPanel
// member of the pool (backed up, stored as a snapshot, restored there), bring
// an account here from another member with WHM's own transfer, and the copies
// and transfers so far.
import type { AccountCopy, CpanelMigrateData } from '../../../../src/cpanel/model'
import type { Job } from '../../../../src/jobs/store'
import { Badge, Card, EmptyState, Field, PostForm, Table, Time } from '../../../components/ui'
import { JobLink } from '../../../jobs/JobTimeline'
import { JobStatusBadge, ProgressBar, isActive } from '../../../jobs/parts'
import { SelectField } from '../actions'
import { CpanelTab } from './CpanelTab'
import { FormError, JustQueued, echoOf, innerHref, type CpanelPage } from './parts'

export function CpanelMigrate({ page, data }: { page: CpanelPage; data: CpanelMigrateData }) {
  return (
    <CpanelTab page={page} inner="migrate">
      <JustQueued job={page.queued} />
      <PushCopyCard page={page} data={data} />
      <TransferCard page={page} data={data} />
      <Card title="Account copies" id="cpanel-copies">
        <Copies page={page} copies={data.copies} />
      </Card>
      <Card title="Transfers to this server" id="cpanel-transfers">
        <Transfers jobs={data.transfers} />
      </Card>
    </CpanelTab>
  )
}

function NoPeer() {
  return (
    <EmptyState title="Needs another cPanel member in this pool">
      <p>Copies and transfers run between cPanel servers of one pool. Add a second server with cPanel/WHM to this pool and let its agent report.</p>
    </EmptyState>
  )
}

function PushCopyCard({ page, data }: { page: CpanelPage; data: CpanelMigrateData }) {
  const echo = echoOf(page, 'copy')
  const v = (k: string, d = '') => echo?.values[k] ?? d
  const e = (k: string) => echo?.errors[k] ?? null
  const replace = v('replace') === 'on'
  return (
    <Card title="Push a copy" id="cpanel-push-copy">
      {!data.peers.length ? (
        <NoPeer />
      ) : !data.accounts.length ? (
        <p class="muted">This server has no cPanel account to copy.</p>
      ) : (
        <PostForm
          action={`${innerHref(page, 'migrate')}/copy`}
          csrf={page.csrf}
          class="stack"
          attrs={{ 'x-data': `{ replace: ${replace ? 'true' : 'false'} }` }}
        >
          <p class="hint">The account is packaged here (pkgacct), stored encrypted as a snapshot, then restored on the other server (restorepkg). This server's account is not changed.</p>
          <FormError echo={echo} />
          <div class="grid-2">
            <SelectField id="cpanel-copy-user" label="Account" name="user" value={v('user', data.accounts[0]!)} options={data.accounts.map((u) => [u, u])} error={e('user')} />
            <SelectField
              id="cpanel-copy-target"
              label="Copy to"
              name="targetMemberId"
              value={v('targetMemberId', data.peers[0]!.id)}
              options={data.peers.map((p) => [p.id, `${p.name} (${p.accounts.length} account${p.accounts.length === 1 ? '' : 's'})`])}
              error={e('targetMemberId')}
            />
          </div>
          <label class="check">
            <input type="checkbox" name="replace" checked={replace} x-model="replace" /> <span>Replace the account if it exists there (its files, mail and databases there are lost)</span>
          </label>
          {e('replace') ? (
            <p class="field-error" safe>
              {e('replace')}
            </p>
          ) : (
            ''
          )}
          <div x-show="replace">
            <Field
              idPrefix="cpanel-copy"
              label="Type the account's user name to replace it there"
              name="confirm"
              value={v('confirm')}
              error={e('confirm')}
              autocomplete="off"
              attrs={{ spellcheck: 'false' }}
            />
          </div>
          <div>
            <button type="submit" class="button primary">
              Push copy
            </button>
          </div>
        </PostForm>
      )}
    </Card>
  )
}

function TransferCard({ page, data }: { page: CpanelPage; data: CpanelMigrateData }) {
  const echo = echoOf(page, 'transfer')
  const e = (k: string) => echo?.errors[k] ?? null
  const withAccounts = data.peers.filter((p) => p.accounts.length)
  return (
    <Card title="Transfer an account here" id="cpanel-transfer">
      {!data.peers.length ? (
        <NoPeer />
      ) : !withAccounts.length ? (
        <p class="muted">No other cPanel member of this pool has reported an account to transfer.</p>
      ) : (
        <PostForm action={`${innerHref(page, 'migrate')}/transfer`} csrf={page.csrf} class="stack">
          <p class="hint">WHM's Transfer Tool copies the account from the other server to this one, with its mail and databases. It logs in to the source server as root with the password you give; the password goes to this server's agent once and is not kept.</p>
          <FormError echo={echo} />
          <div class="grid-2">
            <div class={e('source') ? 'field has-error' : 'field'}>
              <label for="cpanel-transfer-source">Account, on its server</label>
              <select id="cpanel-transfer-source" name="source" aria-invalid={e('source') ? 'true' : undefined} aria-describedby={e('source') ? 'cpanel-transfer-source-error' : undefined}>
                {withAccounts.map((p) => (
                  <optgroup label={`${p.name} (${p.hostname})`}>
                    {p.accounts.map((u) => {
                      const value = `${p.id}/${u}`
                      return (
                        <option value={value} selected={echo?.values.source === value} safe>
                          {u}
                        </option>
                      )
                    })}
                  </optgroup>
                ))}
              </select>
              {e('source') ? (
                <p class="field-error" id="cpanel-transfer-source-error" safe>
                  {e('source')}
                </p>
              ) : (
                ''
              )}
            </div>
            <Field idPrefix="cpanel-transfer" label="Source server's root password" name="password" type="password" value="" error={e('password')} required autocomplete="off" />
          </div>
          <div>
            <button type="submit" class="button primary">
              Transfer here
            </button>
          </div>
        </PostForm>
      )}
    </Card>
  )
}

const COPY_TONE: Record<AccountCopy['state'], 'ok' | 'bad' | 'info'> = { backing_up: 'info', restoring: 'info', succeeded: 'ok', failed: 'bad' }
const COPY_WORDS: Record<AccountCopy['state'], string> = { backing_up: 'backing up', restoring: 'restoring', succeeded: 'copied', failed: 'failed' }

function Copies({ page, copies }: { page: CpanelPage; copies: AccountCopy[] }) {
  if (!copies.length) {
    return (
      <EmptyState title="No copies yet">
        <p>Copies pushed from or to this server show here with their snapshot and jobs.</p>
      </EmptyState>
    )
  }
  return (
    <Table id="cpanel-copies-table" columns={['Account', 'From → to', 'State', 'Jobs', 'Started']}>
      {copies.map((c) => (
        <tr data-copy-id={c.id} data-state={c.state}>
          <td safe>{c.user}</td>
          <td safe>{`${c.sourceName} → ${c.targetName}`}</td>
          <td>
            <Badge tone={COPY_TONE[c.state] ?? 'muted'}>
              <span safe>{COPY_WORDS[c.state] ?? c.state}</span>
            </Badge>
            {c.snapshotId ? (
              <div class="muted small" safe>
                {`snapshot ${c.snapshotId}`}
              </div>
            ) : (
              ''
            )}
            {c.error ? (
              <div class="field-error small" safe>
                {c.error}
              </div>
            ) : (
              ''
            )}
          </td>
          <td class="small">
            <JobLink job={{ id: c.backupJobId, poolId: page.poolId, memberId: c.sourceMemberId, name: 'backup.cpanel_account' }} />
            {c.restoreJobId ? (
              <div>
                <JobLink job={{ id: c.restoreJobId, poolId: page.poolId, memberId: c.targetMemberId, name: 'restore.cpanel_account' }} />
              </div>
            ) : (
              ''
            )}
          </td>
          <td class="small">
            <Time at={c.createdAt} />
            <div class="muted" safe>
              {c.requestedBy}
            </div>
          </td>
        </tr>
      ))}
    </Table>
  )
}

function Transfers({ jobs }: { jobs: Job[] }) {
  if (!jobs.length) {
    return (
      <EmptyState title="No transfers yet">
        <p>Accounts brought here with "Transfer here" show with their progress; each links to its job's log.</p>
      </EmptyState>
    )
  }
  return (
    <Table id="cpanel-transfers-table" columns={['Account', 'From', 'Status', 'Started']}>
      {jobs.map((j) => (
        <tr data-job-id={j.id} data-status={j.status}>
          <td>
            <strong safe>{String(j.params.user ?? '')}</strong>
            <div>
              <JobLink job={{ id: j.id, poolId: j.poolId, memberId: j.memberId, name: j.name }} />
            </div>
          </td>
          <td class="break" safe>
            {String(j.params.sourceHost ?? '')}
          </td>
          <td>
            <JobStatusBadge status={j.status} />
            {isActive(j.status) ? <ProgressBar value={j.progress} label={`Transfer of ${String(j.params.user ?? '')}`} /> : ''}
            {j.error ? (
              <div class="field-error small" safe>
                {j.error}
              </div>
            ) : (
              ''
            )}
          </td>
          <td class="small">
            <Time at={j.startedAt ?? j.createdAt} />
            <div class="muted" safe>
              {j.requestedBy}
            </div>
          </td>
        </tr>
      ))}
    </Table>
  )
}
