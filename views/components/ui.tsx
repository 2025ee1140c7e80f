// Small shared pieces: cards, KPIs, empty states, form fields, times.
import type { PropsWithChildren } from '@kitajs/html'

export function Card({ title, id, actions, children }: PropsWithChildren<{ title?: string; id?: string; actions?: JSX.Element }>) {
  return (
    <section class="card" id={id}>
      {title || actions ? (
        <header class="card-head">
          {title ? <h2 safe>{title}</h2> : ''}
          {actions ? actions : ''}
        </header>
      ) : (
        ''
      )}
      {children}
    </section>
  )
}

export function EmptyState({ title, children }: PropsWithChildren<{ title: string }>) {
  return (
    <div class="empty">
      <p class="empty-title" safe>
        {title}
      </p>
      <div class="empty-body">{children}</div>
    </div>
  )
}

export function Kpi({ label, value, hint }: { label: string; value: string | number; hint?: string }) {
  return (
    <div class="kpi">
      <div class="kpi-value" safe>
        {String(value)}
      </div>
      <div class="kpi-label" safe>
        {label}
      </div>
      {hint ? (
        <div class="kpi-hint" safe>
          {hint}
        </div>
      ) : (
        ''
      )}
    </div>
  )
}

export function Notice({ kind, children }: PropsWithChildren<{ kind: 'ok' | 'error' | 'info' | 'warn' }>) {
  return (
    <div class={`notice notice-${kind}`} role={kind === 'error' ? 'alert' : 'status'}>
      {children}
    </div>
  )
}

/** A labelled input with its error message beside it; children, when given, are a hint with markup (a <code> command). */
export function Field({ children, ...props }: PropsWithChildren<{
  label: string
  name: string
  /** Names the form, so that ids stay unique on a page holding several forms with a field of this name. */
  idPrefix?: string
  /** An id of its own, instead of `${idPrefix}-${name}`. */
  id?: string
  type?: string
  value?: string
  error?: string | null
  hint?: string
  required?: boolean
  autocomplete?: string
  autofocus?: boolean
  maxlength?: number
  minlength?: number
  placeholder?: string
  attrs?: Record<string, string>
}>) {
  const id = props.id ?? `${props.idPrefix ?? 'field'}-${props.name}`
  const errorId = `${id}-error`
  // Tested apart: narrowing children would lose the type the XSS check knows as rendered markup.
  const hasRichHint = Boolean(children)
  return (
    <div class={props.error ? 'field has-error' : 'field'}>
      <label for={id} safe>
        {props.label}
      </label>
      <input
        id={id}
        name={props.name}
        type={props.type ?? 'text'}
        value={props.value}
        required={props.required}
        autocomplete={props.autocomplete}
        autofocus={props.autofocus}
        maxlength={props.maxlength}
        minlength={props.minlength}
        placeholder={props.placeholder}
        aria-invalid={props.error ? 'true' : undefined}
        aria-describedby={props.error ? errorId : undefined}
        {...props.attrs}
      />
      {hasRichHint ? (
        <p class="hint">{children}</p>
      ) : props.hint ? (
        <p class="hint" safe>
          {props.hint}
        </p>
      ) : (
        ''
      )}
      {props.error ? (
        <p class="field-error" id={errorId} safe>
          {props.error}
        </p>
      ) : (
        ''
      )}
    </div>
  )
}

export function CsrfField({ token }: { token: string | null }) {
  return <input type="hidden" name="_csrf" value={token ?? ''} />
}

/** A UTC time; the browser adds the local time on hover (public/app.js). */
export function Time({ at }: { at: Date | null }) {
  if (!at) return <span class="muted">never</span>
  const iso = at.toISOString()
  const shown = iso.slice(0, 16).replace('T', ' ') + ' UTC'
  return (
    <time datetime={iso} title={shown} safe>
      {shown}
    </time>
  )
}

export function Badge({ tone, children }: PropsWithChildren<{ tone?: 'ok' | 'warn' | 'bad' | 'muted' | 'info' }>) {
  return <span class={`badge badge-${tone ?? 'muted'}`}>{children}</span>
}

/**
 * A form that posts, then follows the server's redirect inside #main and
 * pushes the page it lands on; a refusal (4xx) re-renders in place without
 * touching the URL. Works as a plain form without JavaScript.
 */
export function PostForm({
  action,
  csrf,
  class: cls,
  attrs,
  children,
}: PropsWithChildren<{ action: string; csrf: string | null; class?: string; attrs?: Record<string, string> }>) {
  return (
    <form
      method="post"
      action={action}
      hx-post={action}
      hx-target="#main"
      hx-push-url="true"
      class={cls}
      {...{ 'hx-status:4xx': 'push:false' }}
      {...attrs}
    >
      <CsrfField token={csrf} />
      {children}
    </form>
  )
}

export type TabLink = { key: string; label: string; href: string }

/**
 * A row of tab links. Each link swaps `target` over htmx and pushes its URL;
 * the current one is marked for the eye and for screen readers.
 */
export function TabBar({ id, label, class: cls, target, tabs, current }: { id: string; label: string; class: string; target: string; tabs: TabLink[]; current: string | null }) {
  return (
    <nav class={`tabs ${cls}`} id={id} aria-label={label}>
      {tabs.map((tab) => {
        const isCurrent = tab.key === current
        return (
          <a
            href={tab.href}
            hx-get={tab.href}
            hx-target={target}
            hx-push-url="true"
            class={isCurrent ? 'tab current' : 'tab'}
            aria-current={isCurrent ? 'page' : undefined}
            data-tab={tab.key}
            safe
          >
            {tab.label}
          </a>
        )
      })}
    </nav>
  )
}

export type Column = string | { label: string; num?: boolean }

/** A table that scrolls sideways inside its card on a narrow screen. */
export function Table({ id, columns, children }: PropsWithChildren<{ id: string; columns: Column[] }>) {
  return (
    <div class="table-wrap">
      <table class="table" id={id}>
        <thead>
          <tr>
            {columns.map((c) =>
              typeof c === 'string' ? <th safe>{c}</th> : <th class={c.num ? 'num' : undefined} safe>{c.label}</th>,
            )}
          </tr>
        </thead>
        <tbody>{children}</tbody>
      </table>
    </div>
  )
}

/** A button that copies the text of the element `selector` names (copyButton in public/app.js). */
export function CopyButton({ selector }: { selector: string }) {
  return (
    <button type="button" class="button" x-data="copyButton" data-copy={selector} {...{ '@click': 'copy' }}>
      <span x-text="copied ? 'Copied' : 'Copy'">Copy</span>
    </button>
  )
}

/**
 * The danger-zone form that acts only once the thing's name is typed: the
 * button stays disabled until then, and the server checks it again.
 */
export function ConfirmByName({
  action,
  csrf,
  name,
  what,
  error,
  typed,
  button,
  children,
}: PropsWithChildren<{ action: string; csrf: string | null; name: string; what: string; error?: string | null; typed?: string; button: string }>) {
  return (
    <PostForm
      action={action}
      csrf={csrf}
      class="danger stack"
      attrs={{
        'x-data': "{ typed: '' }",
        // x-model would otherwise blank what the server echoed back after a refusal.
        'x-init': "typed = $el.querySelector('[name=confirmName]').value",
        'data-name': name,
      }}
    >
      {children}
      <Field
        label={`Type the ${what}'s name to confirm`}
        name="confirmName"
        value={typed ?? ''}
        error={error}
        autocomplete="off"
        placeholder={name}
        attrs={{ 'x-model': 'typed' }}
      />
      <div>
        <button type="submit" class="button danger" {...{ 'x-bind:disabled': 'typed.trim() !== $root.dataset.name' }} safe>
          {button}
        </button>
      </div>
    </PostForm>
  )
}

/** A new password and its repetition, as setup and Change password ask for them. */
export function NewPasswordFields(props: { errors: { password?: string; confirm?: string }; minPassword: number; label?: string }) {
  const label = props.label ?? 'Password'
  return (
    <>
      <Field
        label={label}
        name="password"
        type="password"
        error={props.errors.password}
        required
        minlength={props.minPassword}
        autocomplete="new-password"
        hint={`At least ${props.minPassword} characters.`}
      />
      <Field
        label={`Repeat ${label.toLowerCase()}`}
        name="confirm"
        type="password"
        error={props.errors.confirm}
        required
        autocomplete="new-password"
      />
    </>
  )
}
