// cPanel Accounts: the accounts the agent reported, searched on the server
// (?q=), each with its actions in a dialog (plan, suspend, unsuspend,
// terminate by its name typed, AutoSSL, one-time login, back up now), the jobs
// still pending on it, and a form to create one. A new account's password and
// a login link are shown once, by a card that asks until the agent has handed
// them over.
import type { CpanelAccountsData } from '../../../../src/cpanel/model'
import type { CpanelAccount } from '../../../../agent/protocol'
import type { Job } from '../../../../src/jobs/store'
import type { RevealTaken } from '../../../../src/cpanel/secrets'
import { formatBytes } from '../../../../src/members/view-model'
import { Badge, Card, CopyButton, EmptyState, Field, PostForm, Table } from '../../../components/ui'
import { JobLink } from '../../../jobs/JobTimeline'
import { JobStatusBadge } from '../../../jobs/parts'
import { SelectField } from '../actions'
import { CpanelTab } from './CpanelTab'
import { FormError, JustQueued, accountActionHref, echoOf, innerHref, revealHref, type CpanelEcho, type CpanelPage } from './parts'

/** The most rows one page lists; a search narrows the rest. */
export const ROWS_SHOWN = 50

/** Jobs whose secret this tab shows once. */
export const REVEAL_JOBS = ['cpanel.account.create', 'cpanel.account.login']

/** What takeReveal answers: the secret, or why there is none (yet). */
export type RevealAnswer = RevealTaken

export function CpanelAccounts({ page, data }: { page: CpanelPage; data: CpanelAccountsData }) {
  const queued = page.queued
  return (
    <CpanelTab page={page} inner="accounts">
      {queued && REVEAL_JOBS.includes(queued.name) ? <RevealCard page={page} job={queued} answer={{ state: 'waiting' }} first /> : <JustQueued job={queued} />}
      <Card title="Accounts" id="cpanel-accounts-card">
        <SearchForm page={page} query={data.query} />
        <AccountsResults page={page} data={data} />
      </Card>
      <CreateAccountCard page={page} packages={data.packages} />
    </CpanelTab>
  )
}

function SearchForm({ page, query }: { page: CpanelPage; query: string }) {
  const href = innerHref(page, 'accounts')
  const swap = { 'hx-get': href, 'hx-target': '#cpanel-accounts', 'hx-swap': 'outerHTML', 'hx-push-url': 'true' }
  return (
    <form method="get" action={href} role="search" class="cpanel-search" {...swap}>
      <label for="cpanel-q" class="visually-hidden">
        Search accounts
      </label>
      <input
        id="cpanel-q"
        type="search"
        name="q"
        value={query}
        maxlength={100}
        autocomplete="off"
        spellcheck="false"
        placeholder="Search by user, domain, plan or owner"
        {...swap}
        hx-trigger="input changed delay:300ms, search"
      />
    </form>
  )
}

const pendingOf = (pending: Job[], user: string) => pending.filter((j) => j.params.user === user)
/** In the account's own row its name goes without saying: the job's bare title. */
const bare = ({ id, poolId, memberId, name }: Job) => ({ id, poolId, memberId, name })

/** The table, answered alone to a search as you type. */
export function AccountsResults({ page, data }: { page: CpanelPage; data: CpanelAccountsData }) {
  const rows = data.accounts.slice(0, ROWS_SHOWN)
  const users = new Set(data.accounts.map((a) => a.user))
  // A create (or transfer) waits for an account the agent has not reported yet.
  const waiting = data.query ? [] : data.pending.filter((j) => typeof j.params.user === 'string' && !users.has(j.params.user))
  // While a job on an account is pending, the table asks again until the agent has reported what it did.
  const search = data.query ? `${innerHref(page, 'accounts')}?q=${encodeURIComponent(data.query)}` : innerHref(page, 'accounts')
  const poll = data.pending.length ? { 'hx-get': search, 'hx-trigger': 'every 3s', 'hx-target': 'this', 'hx-swap': 'outerHTML' } : {}
  return (
    <div id="cpanel-accounts" class="stack" data-count={String(data.accounts.length)} {...poll}>
      <p class="muted small" id="cpanel-accounts-count" safe>
        {countText(data)}
      </p>
      {waiting.length ? (
        <ul class="plain stack tight" id="cpanel-accounts-waiting">
          {waiting.map((j) => (
            <li>
              <JobLink job={j} /> <JobStatusBadge status={j.status} />
            </li>
          ))}
        </ul>
      ) : (
        ''
      )}
      {data.total === 0 && !data.query ? (
        <EmptyState title="No cPanel accounts on this server">
          <p>Create one below, or bring one here from another member on Migrate &amp; Recovery.</p>
        </EmptyState>
      ) : rows.length === 0 ? (
        <EmptyState title={`No account matches “${data.query}”`}>
          <p>The search looks at user names, domains, plans and owners.</p>
        </EmptyState>
      ) : (
        <>
          <Table id="cpanel-accounts-table" columns={['Account', 'Domain', 'Plan', 'Owner', { label: 'Disk', num: true }, 'State', '']}>
            {rows.map((a) => (
              <AccountRow page={page} a={a} pending={pendingOf(data.pending, a.user)} />
            ))}
          </Table>
          {rows.map((a) => (
            <AccountDialog page={page} a={a} packages={data.packages} />
          ))}
        </>
      )}
    </div>
  )
}

function countText(data: CpanelAccountsData): string {
  const all = `${data.total} account${data.total === 1 ? '' : 's'}`
  const matched = data.query ? `${data.accounts.length} of ${all} match “${data.query}”` : all
  return data.accounts.length > ROWS_SHOWN ? `${matched}; the first ${ROWS_SHOWN} are listed, search to narrow.` : `${matched}.`
}

function AccountRow({ page, a, pending }: { page: CpanelPage; a: CpanelAccount; pending: Job[] }) {
  const dialog = `acct-${a.user}`
  return (
    <tr data-user={a.user} data-suspended={a.suspended ? 'true' : 'false'}>
      <td>
        <strong safe>{a.user}</strong>
        {pending.length ? (
          <ul class="plain cpanel-pending">
            {pending.map((j) => (
              <li>
                <JobLink job={bare(j)} /> <JobStatusBadge status={j.status} />
              </li>
            ))}
          </ul>
        ) : (
          ''
        )}
      </td>
      <td>
        <span class="break" safe>
          {a.domain ?? '–'}
        </span>
        {a.domains.length ? (
          <div class="muted small" title={a.domains.join(', ')} safe>
            {`+${a.domains.length} more`}
          </div>
        ) : (
          ''
        )}
      </td>
      <td safe>{a.plan ?? '–'}</td>
      <td safe>{a.owner ?? '–'}</td>
      <td class="num nowrap" safe>
        {formatBytes(a.diskBytes)}
      </td>
      <td>
        {a.suspended ? (
          <>
            <Badge tone="warn">suspended</Badge>
            {a.suspendReason ? (
              <div class="muted small" safe>
                {a.suspendReason}
              </div>
            ) : (
              ''
            )}
          </>
        ) : (
          <Badge tone="ok">active</Badge>
        )}
      </td>
      <td class="num">
        <div class="row-actions">
          <PostForm action={accountActionHref(page, a.user, 'login')} csrf={page.csrf}>
            <button type="submit" class="button small" aria-label={`Log in to cPanel as ${a.user}`}>
              Log in
            </button>
          </PostForm>
          <button type="button" class="button small" aria-label={`More actions for ${a.user}`} {...{ commandfor: dialog, command: 'show-modal' }}>
            ⋯
          </button>
        </div>
      </td>
    </tr>
  )
}

function ActionButton({ page, user, action, label, tone }: { page: CpanelPage; user: string; action: string; label: string; tone?: string }) {
  return (
    <PostForm action={accountActionHref(page, user, action)} csrf={page.csrf}>
      <button type="submit" class={`button small ${tone ?? ''}`} safe>
        {label}
      </button>
    </PostForm>
  )
}

/** Every action on one account, in a dialog that opens again at the message when a post was refused. */
function AccountDialog({ page, a, packages }: { page: CpanelPage; a: CpanelAccount; packages: string[] }) {
  const id = `acct-${a.user}`
  const echo: CpanelEcho | undefined = echoOf(page, 'account', a.user)
  const err = (action: string, field: string) => (echo?.action === action ? (echo.errors[field] ?? null) : null)
  const val = (action: string, field: string, fallback: string) => (echo?.action === action ? (echo.values[field] ?? fallback) : fallback)
  const plans = packages.includes(a.plan ?? '') || !a.plan ? packages : [a.plan, ...packages]
  return (
    <dialog id={id} class="confirm-dialog" aria-labelledby={`${id}-title`} data-reopen={echo ? '' : undefined}>
      <div class="stack">
        <h3 id={`${id}-title`} safe>
          {a.domain ? `${a.user} · ${a.domain}` : a.user}
        </h3>
        <FormError echo={echo} />
        <div class="actions">
          <ActionButton page={page} user={a.user} action="login" label="Log in to cPanel" />
          <ActionButton page={page} user={a.user} action="autossl" label="Run AutoSSL" />
          <ActionButton page={page} user={a.user} action="backup" label="Back up now" />
        </div>
        {plans.length ? (
          <PostForm action={accountActionHref(page, a.user, 'plan')} csrf={page.csrf} class="inline-form">
            <SelectField
              id={`${id}-plan`}
              label="Plan"
              name="plan"
              value={val('plan', 'plan', a.plan ?? '')}
              options={plans.map((p) => [p, p])}
              error={err('plan', 'plan')}
            />
            <button type="submit" class="button">
              Change plan
            </button>
          </PostForm>
        ) : (
          <p class="hint">The agent has not reported this server's plans, so the plan cannot be changed from here.</p>
        )}
        {a.suspended ? (
          <div class="actions">
            <ActionButton page={page} user={a.user} action="unsuspend" label="Unsuspend" />
          </div>
        ) : (
          <PostForm action={accountActionHref(page, a.user, 'suspend')} csrf={page.csrf} class="inline-form">
            <Field
              id={`${id}-reason`}
              label="Reason for suspending"
              name="reason"
              value={val('suspend', 'reason', '')}
              error={err('suspend', 'reason')}
              required
              maxlength={256}
              autocomplete="off"
            />
            <button type="submit" class="button">
              Suspend
            </button>
          </PostForm>
        )}
        <PostForm
          action={accountActionHref(page, a.user, 'terminate')}
          csrf={page.csrf}
          class="danger stack"
          attrs={{ 'x-data': "{ typed: '' }", 'x-init': "typed = $el.querySelector('[name=confirm]').value", 'data-name': a.user }}
        >
          <Field
            id={`${id}-confirm`}
            label={`Type ${a.user} to terminate it`}
            name="confirm"
            value={val('terminate', 'confirm', '')}
            error={err('terminate', 'confirm')}
            autocomplete="off"
            placeholder={a.user}
            hint="WHM removes the account with its files, mail and databases. Back it up first if in doubt."
            attrs={{ 'x-model': 'typed', spellcheck: 'false' }}
          />
          <div>
            <button type="submit" class="button danger" {...{ 'x-bind:disabled': 'typed.trim() !== $root.dataset.name' }} safe>
              {`Terminate ${a.user}`}
            </button>
          </div>
        </PostForm>
        <div class="actions">
          <button type="button" class="button" {...{ commandfor: id, command: 'close' }}>
            Close
          </button>
        </div>
      </div>
    </dialog>
  )
}

function CreateAccountCard({ page, packages }: { page: CpanelPage; packages: string[] }) {
  const echo = echoOf(page, 'create')
  const v = (k: string) => echo?.values[k] ?? ''
  const e = (k: string) => echo?.errors[k] ?? null
  return (
    <Card title="Create an account" id="cpanel-create">
      <PostForm action={innerHref(page, 'accounts')} csrf={page.csrf} class="stack">
        <FormError echo={echo} />
        <div class="grid-2">
          <Field
            idPrefix="cpanel-create"
            label="User name"
            name="user"
            value={v('user')}
            error={e('user')}
            required
            maxlength={16}
            autocomplete="off"
            hint="Lower-case letters and digits, starting with a letter, up to 16."
            attrs={{ spellcheck: 'false' }}
          />
          <Field idPrefix="cpanel-create" label="Main domain" name="domain" value={v('domain')} error={e('domain')} required maxlength={253} autocomplete="off" placeholder="example.com" attrs={{ spellcheck: 'false' }} />
          {packages.length ? (
            <SelectField id="cpanel-create-plan" label="Plan" name="plan" value={v('plan') || packages[0]!} options={packages.map((p) => [p, p])} error={e('plan')} />
          ) : (
            <Field
              idPrefix="cpanel-create"
              label="Plan"
              name="plan"
              value={v('plan')}
              error={e('plan')}
              required
              maxlength={64}
              autocomplete="off"
              hint="The agent has not reported this server's plans: type one WHM has, such as default."
            />
          )}
          <Field idPrefix="cpanel-create" label="Contact email" name="contactEmail" type="email" value={v('contactEmail')} error={e('contactEmail')} required maxlength={254} autocomplete="off" />
        </div>
        <div>
          <button type="submit" class="button primary">
            Create account
          </button>
        </div>
        <p class="hint">The agent makes a strong password for the account. It is shown here once, as soon as the account exists, and is never stored.</p>
      </PostForm>
    </Card>
  )
}

const who = (job: Job) => (typeof job.params.user === 'string' ? job.params.user : 'the account')

/**
 * The secret a create or login job made, shown once. It asks every 2 s while
 * the agent works; the answer with the secret (or why there is none) carries
 * no trigger, so the asking stops there.
 */
export function RevealCard({ page, job, answer, first }: { page: CpanelPage; job: Job; answer: RevealAnswer; first?: boolean }) {
  const user = who(job)
  const login = job.name === 'cpanel.account.login'
  const waiting = 'state' in answer && answer.state === 'waiting'
  const poll = waiting ? { 'hx-get': revealHref(page, job.id), 'hx-trigger': first ? 'load, every 2s' : 'every 2s', 'hx-swap': 'outerHTML' } : {}
  const state = 'state' in answer ? answer.state : answer.kind
  return (
    <section class="card cpanel-reveal" id="cpanel-reveal" data-state={state} aria-live="polite" {...poll}>
      <header class="card-head">
        <h2 safe>{login ? `Log in to cPanel as ${user}` : `New account ${user}`}</h2>
        <JobLink job={job} />
      </header>
      {'kind' in answer ? (
        answer.kind === 'login' ? (
          <LoginLink user={user} url={answer.value} />
        ) : (
          <div class="stack tight">
            <p>
              <span safe>{`Password for ${user}: `}</span>
              <code id="cpanel-reveal-value" class="break" safe>
                {answer.value}
              </code>{' '}
              <CopyButton selector="#cpanel-reveal-value" />
            </p>
            <p class="hint">Shown this once: it is not stored anywhere, and this page cannot show it again. Keep it somewhere safe now.</p>
          </div>
        )
      ) : answer.state === 'waiting' ? (
        <p class="muted" safe>
          {login ? `Opening a cPanel session for ${user}…` : `Creating ${user}…`}
        </p>
      ) : answer.state === 'gone' ? (
        <p class="muted">This was shown already or has expired.</p>
      ) : (
        <p class="field-error" safe>
          {`${login ? 'No login link' : `${user} was not created`}: ${answer.error ?? job.error ?? 'the job failed.'}`}
        </p>
      )}
    </section>
  )
}

/** Only a web address becomes a link: the agent's word is data, never a script. */
function LoginLink({ user, url }: { user: string; url: string }) {
  if (!/^https?:\/\/[^\s"'<>]+$/.test(url)) return <p class="field-error">The agent handed over a login link that is not a web address; it is not shown.</p>
  return (
    <div class="stack tight">
      <p>
        <a class="button primary" href={url} target="_blank" rel="noopener noreferrer" safe>
          {`Open cPanel as ${user}`}
        </a>
      </p>
      <p class="hint">The link works once and only for a few minutes; it is not stored.</p>
    </div>
  )
}
