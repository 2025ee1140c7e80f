// "Back up now", on the Restore Backups tab and among the Control panel's
// quick actions: every detected database, else the configuration, confirmed
// in a dialog by typing the server's name (the server checks it again).
import { Field, PostForm } from '../../components/ui'
import { backUpNowHref, backUpNowPlan } from './BackupsModel'

export type BackUpNowProps = {
  poolId: string
  member: { id: string; name: string }
  csrf: string | null
  databases: string[] | null
  /** The tab to land back on when the name was not typed right. */
  from: 'backups' | 'control'
  /** A refused post: what was typed and why. */
  echo?: { confirm: string; message: string }
  /** Why it cannot run here (no agent yet), instead of the button. */
  refusal?: string | null
  id?: string
  buttonClass?: string
}

export function backUpNowSummary(databases: string[] | null): string {
  const plan = backUpNowPlan(databases)
  if (plan.kind === 'database') return `${plan.sources.length === 1 ? 'The database' : `Every database (${plan.sources.length})`}: ${plan.sources.join(', ')}.`
  return databases === null ? 'The configuration (firewall, web server, database server): no MariaDB detected.' : 'The configuration: MariaDB holds no databases yet.'
}

export function BackUpNowDialog(props: BackUpNowProps) {
  const { poolId, member, csrf, databases, from, echo } = props
  const id = props.id ?? `backup-now-${from}`
  if (props.refusal) {
    return (
      <div class="refused">
        <button type="button" class="button" disabled>
          Back up now
        </button>
        <p class="hint" safe>
          {props.refusal}
        </p>
      </div>
    )
  }
  return (
    <>
      <button type="button" class={props.buttonClass ?? 'button primary'} {...{ commandfor: id, command: 'show-modal' }}>
        Back up now…
      </button>
      <dialog id={id} class="confirm-dialog" aria-labelledby={`${id}-title`} data-reopen={echo ? '' : undefined}>
        <PostForm
          action={backUpNowHref(poolId, member.id)}
          csrf={csrf}
          class="stack"
          attrs={{ 'x-data': "{ typed: '' }", 'x-init': "typed = $el.querySelector('[name=confirm]').value", 'data-name': member.name }}
        >
          <h3 id={`${id}-title`} safe>{`Back up ${member.name} now?`}</h3>
          <p class="backup-sources" safe>
            {backUpNowSummary(databases)}
          </p>
          <p class="hint">Each is a job for the agent: streamed, deduplicated against the pool's snapshots, encrypted, then listed here.</p>
          <input type="hidden" name="from" value={from} />
          <Field
            id={`${id}-confirm`}
            label={`Type ${member.name} to confirm`}
            name="confirm"
            value={echo?.confirm ?? ''}
            error={echo?.message}
            autocomplete="off"
            placeholder={member.name}
            autofocus
            attrs={{ 'x-model': 'typed', spellcheck: 'false' }}
          />
          <div class="actions">
            <button type="submit" class="button primary" {...{ 'x-bind:disabled': 'typed.trim() !== $root.dataset.name' }} safe>
              {`Back up ${member.name}`}
            </button>
            <button type="button" class="button" {...{ commandfor: id, command: 'close' }}>
              Cancel
            </button>
          </div>
        </PostForm>
      </dialog>
    </>
  )
}
