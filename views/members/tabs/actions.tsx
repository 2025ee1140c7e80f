// What the tabs that queue jobs share: the form that posts to the member's
// job endpoint, the dialog that confirms a job by the server's name, the
// Let's Encrypt fields, and the list of a tab's recent jobs.
import type { PropsWithChildren } from '@kitajs/html'
import type { MemberView } from '../MemberWorkspace'
import type { Job, JobFormEcho, LetsencryptDefaults } from '../../../src/jobs/member-tabs'
import { memberTabHref, type MemberTabKey } from '../../../src/members/tabs'
import { catalogueEntry, isJobName, type JobName } from '../../../agent/jobs/catalogue'
import { Badge, EmptyState, Field, PostForm, Table, Time } from '../../components/ui'
import { NavLink } from '../../layout/Layout'
import { QueuedUntil } from '../../jobs/parts'

export const jobsUrl = (view: MemberView) => `/pools/${view.card.member.poolId}/members/${view.card.member.id}/jobs`
export const jobHref = (view: MemberView, jobId: string) => `${memberTabHref(view.card.member.poolId, view.card.member.id, 'jobs')}/${jobId}`

/** The refused post's values and message, when they came from this job's form. */
export const echoFor = (view: MemberView, name: JobName): JobFormEcho | undefined => (view.jobForm?.name === name ? view.jobForm : undefined)
export const errorOf = (echo: JobFormEcho | undefined, field: string) => (echo?.field === field ? echo.message : null)

type JobFormProps = {
  view: MemberView
  name: JobName
  tab: MemberTabKey
  /** Parameters the person does not type (the rule or key a row stands for). */
  params?: Record<string, string | null | undefined>
  /** Land back on the tab, not on the job's page. */
  after?: 'tab'
  class?: string
  attrs?: Record<string, string>
}

/** A form that queues `name` on this member through POST .../jobs. */
export function JobForm({ view, name, tab, params, after, class: cls, attrs, children }: PropsWithChildren<JobFormProps>) {
  return (
    <PostForm action={jobsUrl(view)} csrf={view.csrf} class={cls} attrs={attrs}>
      <input type="hidden" name="name" value={name} />
      <input type="hidden" name="tab" value={tab} />
      {after ? <input type="hidden" name="after" value={after} /> : ''}
      {Object.entries(params ?? {}).map(([k, v]) => (v == null ? '' : <input type="hidden" name={`p.${k}`} value={v} />))}
      {children}
    </PostForm>
  )
}

/** A disabled button with the reason beside it, for an action this member cannot take. */
export function Refused({ label, reason }: { label: string; reason: string }) {
  return (
    <div class="refused">
      <button type="button" class="button" disabled safe>
        {label.replace(/…$/, '')}
      </button>
      <p class="hint" safe>
        {reason}
      </p>
    </div>
  )
}

type ConfirmProps = JobFormProps & {
  /** Unique on the page: the dialog's id. */
  id: string
  /** The button that opens the dialog. */
  label: string
  /** The dialog's heading, a question naming the server. */
  title: string
  /** The button that queues the job. */
  button: string
  danger?: boolean
  buttonClass?: string
}

/**
 * A button that opens a modal dialog asking about this server by name. Jobs
 * the catalogue marks `confirm` need the name typed (the server checks it
 * again); the others are confirmed by the dialog's own button. The dialog
 * opens by invoker commands (no script), closes with Escape, and reopens
 * after a refused post so the message shows next to its field.
 */
export function ConfirmDialog(props: PropsWithChildren<ConfirmProps>) {
  const { view, name, id, label, title, button, danger, children } = props
  // Where this member cannot take the job, its reason stands instead of the button.
  const refusal = view.jobs?.refusals[name]
  if (refusal) return <Refused label={label} reason={refusal} />
  const server = view.card.member.name
  const typed = !!catalogueEntry(name).confirm
  const echo = echoFor(view, name)
  const reopen = !!echo && (!props.params || Object.entries(props.params).every(([k, v]) => v == null || echo.values[k] === v))
  const titleId = `${id}-title`
  return (
    <>
      <button type="button" class={props.buttonClass ?? `button${danger ? ' danger' : ''}`} {...{ commandfor: id, command: 'show-modal' }} safe>
        {label}
      </button>
      <dialog id={id} class="confirm-dialog" aria-labelledby={titleId} data-reopen={reopen ? '' : undefined}>
        <JobForm
          view={view}
          name={name}
          tab={props.tab}
          params={props.params}
          after={props.after}
          class="stack"
          attrs={typed ? { 'x-data': "{ typed: '' }", 'x-init': "typed = $el.querySelector('[name=confirm]').value", 'data-name': server } : {}}
        >
          <h3 id={titleId} safe>
            {title}
          </h3>
          {children}
          {typed ? (
            <Field
              id={`${id}-confirm`}
              label={`Type ${server} to confirm`}
              name="confirm"
              value={echo?.values.confirm ?? ''}
              error={errorOf(echo, 'confirm')}
              autocomplete="off"
              placeholder={server}
              autofocus
              attrs={{ 'x-model': 'typed', spellcheck: 'false' }}
            />
          ) : (
            <input type="hidden" name="confirm" value={server} />
          )}
          <div class="actions">
            <button
              type="submit"
              class={danger ? 'button danger' : 'button primary'}
              {...(typed ? { 'x-bind:disabled': 'typed.trim() !== $root.dataset.name' } : {})}
              safe
            >
              {button}
            </button>
            <button type="button" class="button" {...{ commandfor: id, command: 'close' }} autofocus={!typed}>
              Cancel
            </button>
          </div>
        </JobForm>
      </dialog>
    </>
  )
}

/** A select in the shape of Field. */
export function SelectField({ id, label, name, value, options, error, attrs }: { id: string; label: string; name: string; value: string; options: [string, string][]; error?: string | null; attrs?: Record<string, string> }) {
  const errorId = `${id}-error`
  return (
    <div class={error ? 'field has-error' : 'field'}>
      <label for={id} safe>
        {label}
      </label>
      <select id={id} name={name} aria-invalid={error ? 'true' : undefined} aria-describedby={error ? errorId : undefined} {...attrs}>
        {options.map(([v, text]) => (
          <option value={v} selected={v === value} safe>
            {text}
          </option>
        ))}
      </select>
      {error ? (
        <p class="field-error" id={errorId} safe>
          {error}
        </p>
      ) : (
        ''
      )}
    </div>
  )
}

export function TextareaField({ id, label, name, value, error, hint, rows, placeholder }: { id: string; label: string; name: string; value: string; error?: string | null; hint?: string; rows?: number; placeholder?: string }) {
  const errorId = `${id}-error`
  return (
    <div class={error ? 'field has-error' : 'field'}>
      <label for={id} safe>
        {label}
      </label>
      <textarea id={id} name={name} rows={String(rows ?? 3)} placeholder={placeholder} spellcheck="false" aria-invalid={error ? 'true' : undefined} aria-describedby={error ? errorId : undefined} safe>
        {value}
      </textarea>
      {hint ? (
        <p class="hint" safe>
          {hint}
        </p>
      ) : (
        ''
      )}
      {error ? (
        <p class="field-error" id={errorId} safe>
          {error}
        </p>
      ) : (
        ''
      )}
    </div>
  )
}

/** Domains, email, method and webroot for a certificate; the webroot is sent only with that method. */
export function LetsencryptFields({ id, defaults, echo }: { id: string; defaults: LetsencryptDefaults; echo?: JobFormEcho }) {
  const v = (k: string, d: string) => echo?.values[k] ?? d
  const method = v('method', defaults.method)
  return (
    <div class="stack" x-data={`{ method: ${JSON.stringify(method)} }`}>
      <TextareaField
        id={`${id}-domains`}
        label="Domains"
        name="p.domains"
        value={v('domains', defaults.domains.join('\n'))}
        error={errorOf(echo, 'domains')}
        hint="One a line or comma-separated; each must point at this server. Filled in from the sites the agent found."
        placeholder="www.example.com"
      />
      <Field id={`${id}-email`} label="Email for expiry notices" name="p.email" type="email" value={v('email', defaults.email)} error={errorOf(echo, 'email')} />
      <SelectField
        id={`${id}-method`}
        label="How to prove the domains are yours"
        name="p.method"
        value={method}
        options={[
          ['webroot', 'Webroot: through the running web server'],
          ['standalone', 'Standalone: certbot answers on port 80 itself'],
        ]}
        error={errorOf(echo, 'method')}
        attrs={{ 'x-model': 'method' }}
      />
      <Field
        id={`${id}-webroot`}
        label="Webroot"
        name="p.webroot"
        value={v('webroot', defaults.webroot)}
        error={errorOf(echo, 'webroot')}
        hint="The folder the site serves /.well-known/ from."
        placeholder="/var/www/html"
        attrs={{ 'x-bind:disabled': "method !== 'webroot'" }}
      />
      <label class="check">
        <input type="checkbox" name="p.staging" value="true" checked={v('staging', '') === 'true'} /> <span>Test certificate from Let's Encrypt's staging server</span>
      </label>
    </div>
  )
}

const TONES: Record<Job['status'], 'ok' | 'warn' | 'bad' | 'muted' | 'info'> = {
  queued: 'muted',
  running: 'info',
  succeeded: 'ok',
  failed: 'bad',
  cancelled: 'muted',
  timed_out: 'bad',
}

export function JobStatusBadge({ job }: { job: Job }) {
  return (
    <Badge tone={TONES[job.status]}>
      <span safe>{job.status.replace('_', ' ')}</span>
    </Badge>
  )
}

/** What a job was about, in a few words: the rule, the user, the domains. */
export function jobSubject(job: Job): string {
  const p = job.params as Record<string, unknown>
  if (job.name.startsWith('firewall.rule.')) {
    const from = p.source ? ` from ${p.source}` : ''
    return `${p.action ?? 'allow'} ${p.port}/${p.protocol}${from}`
  }
  if (job.name.startsWith('ssh.key.')) return [p.user, p.fingerprint].filter(Boolean).join(' ')
  if (Array.isArray(p.domains)) return p.domains.join(', ')
  return ''
}

export const isActive = (job: Job) => job.status === 'queued' || job.status === 'running'

/** Polls while `active`: the same URL, this element picked out of the answer. */
export function pollWhile(active: boolean, url: string, id: string): Record<string, string> {
  return active ? { 'hx-get': url, 'hx-trigger': 'every 3s', 'hx-select': `#${id}`, 'hx-swap': 'outerHTML' } : {}
}

/** A tab's recent jobs, each linking to its page; refreshes itself while one is queued or running. */
export function RecentJobs({ view, id, jobs, empty, pollUrl, progress }: { view: MemberView; id: string; jobs: Job[]; empty: string; pollUrl: string; progress?: boolean }) {
  return (
    <div id={id} {...pollWhile(jobs.some(isActive), pollUrl, id)}>
      {jobs.length === 0 ? (
        <EmptyState title={empty} />
      ) : (
        <Table id={`${id}-table`} columns={progress ? ['Job', 'Status', 'Progress', 'Queued'] : ['Job', 'Status', 'Queued']}>
          {jobs.map((job) => {
            const title = isJobName(job.name) ? catalogueEntry(job.name).title : job.name
            const subject = jobSubject(job)
            return (
              <tr data-job={job.id}>
                <td>
                  <NavLink href={jobHref(view, job.id)}>
                    <span safe>{title}</span>
                  </NavLink>
                  {subject ? (
                    <span class="muted" safe>
                      {` ${subject}`}
                    </span>
                  ) : (
                    ''
                  )}
                  {job.error ? (
                    <div class="hint" safe>
                      {job.error}
                    </div>
                  ) : (
                    ''
                  )}
                </td>
                <td>
                  <JobStatusBadge job={job} />
                  <QueuedUntil job={job} />
                </td>
                {progress ? (
                  <td>
                    <progress max="100" value={String(job.progress)} aria-label={`${title}: ${job.progress}%`} />{' '}
                    <span class="muted" safe>{`${job.progress}%`}</span>
                  </td>
                ) : (
                  ''
                )}
                <td>
                  <Time at={job.createdAt} />
                </td>
              </tr>
            )
          })}
        </Table>
      )}
    </div>
  )
}
