// What the cPanel inner tabs share: the page they are on (member, CSRF, a
// refused form's echo, the job just queued), their addresses, and small pieces.
import type { Job } from '../../../../src/jobs/store'
import type { ServiceState } from '../../../../agent/protocol'
import { cpanelHref, type CpanelInnerTab } from '../../../../src/cpanel/model'
import { Badge, Notice } from '../../../components/ui'
import { JobLink } from '../../../jobs/JobTimeline'
import { paramsSummary } from '../../../jobs/parts'

/** A refused form: which one, about what (an account, a service), what was typed and the message by each field. */
export type CpanelEcho = {
  form: 'restart' | 'check' | 'create' | 'account' | 'copy' | 'transfer'
  /** The account user or the service it was about; '' for the tab's one form. */
  key: string
  /** For account forms: which action (plan, suspend, terminate...). */
  action?: string
  values: Record<string, string>
  errors: Record<string, string>
}

export type CpanelPage = {
  poolId: string
  member: { id: string; name: string }
  csrf: string | null
  echo?: CpanelEcho
  /** The job the last form queued (?job= in the address), to link to. */
  queued?: Job | null
}

export const innerHref = (p: CpanelPage, inner: CpanelInnerTab) => cpanelHref(p.poolId, p.member.id, inner)
export const dnsHref = (p: CpanelPage) => `${innerHref(p, 'overview')}/dns`
export const accountActionHref = (p: CpanelPage, user: string, action: string) => `${innerHref(p, 'accounts')}/${encodeURIComponent(user)}/${action}`
export const revealHref = (p: CpanelPage, jobId: string) => `${innerHref(p, 'accounts')}/reveal?job=${encodeURIComponent(jobId)}`

/** The echo of this form, when the last post came from it. */
export function echoOf(p: CpanelPage, form: CpanelEcho['form'], key = '', action?: string): CpanelEcho | undefined {
  const e = p.echo
  return e && e.form === form && e.key === key && (action === undefined || e.action === action) ? e : undefined
}

/** A refusal not about one field, at the top of its form. */
export function FormError({ echo }: { echo?: CpanelEcho }) {
  const message = echo?.errors.form
  if (!message) return ''
  return (
    <div class="notice notice-error" role="alert">
      <span safe>{message}</span>
    </div>
  )
}

/** "Queued: <job>" for the job the last form queued. */
export function JustQueued({ job }: { job?: Job | null }) {
  if (!job) return ''
  const summary = paramsSummary(job.params)
  return (
    <Notice kind="ok">
      <span>Queued: </span>
      <JobLink job={job} />
      {summary ? <span class="muted" safe>{` ${summary}`}</span> : ''}
      <span>. Its page shows the agent's progress.</span>
    </Notice>
  )
}

const TONE = { active: 'ok', failed: 'bad', inactive: 'warn', unknown: 'muted' } as const

export function ServiceBadges({ services }: { services: ServiceState[] }) {
  if (!services.length) return <p class="muted">The agent has reported no cPanel services here.</p>
  return (
    <ul class="plain cpanel-services">
      {services.map((s) => (
        <li data-unit={s.unit} data-state={s.state}>
          <Badge tone={TONE[s.state] ?? 'muted'}>
            <code safe>{s.unit}</code>
            <span safe>{`: ${s.state === 'unknown' ? 'not known' : s.state}`}</span>
          </Badge>
        </li>
      ))}
    </ul>
  )
}
