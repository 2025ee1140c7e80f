import type { PropsWithChildren } from '@kitajs/html'
import { Field, NewPasswordFields, Notice, CsrfField } from '../components/ui'
import { Logo } from '../layout/Layout'

function AuthCard({ title, children }: PropsWithChildren<{ title: string }>) {
  return (
    <div class="auth">
      <div class="auth-card card">
        <div class="auth-brand">
          <Logo /> serversctl
        </div>
        <h1 safe>{title}</h1>
        {children}
      </div>
    </div>
  )
}

function FormError({ message }: { message?: string | null }) {
  return message ? (
    <Notice kind="error">
      <span safe>{message}</span>
    </Notice>
  ) : (
    ''
  )
}

export type LoginForm = { email: string; next: string; error?: string | null }

export function LoginPage({ form, csrf }: { form: LoginForm; csrf: string | null }) {
  return (
    <AuthCard title="Sign in">
      <form method="post" action="/login" class="stack">
        <CsrfField token={csrf} />
        <input type="hidden" name="next" value={form.next} />
        <FormError message={form.error} />
        <Field label="Email" name="email" type="email" value={form.email} required autocomplete="username" autofocus />
        <Field label="Password" name="password" type="password" required autocomplete="current-password" />
        <button type="submit" class="button primary wide">
          Sign in
        </button>
      </form>
    </AuthCard>
  )
}

export type SetupForm = {
  code: string
  email: string
  errors: { code?: string; email?: string; password?: string; confirm?: string; form?: string }
}

export function SetupPage({ form, csrf, minPassword }: { form: SetupForm; csrf: string | null; minPassword: number }) {
  return (
    <AuthCard title="Set up serversctl">
      <p class="muted">
        Create the first admin. The one-time setup code is printed in the server log, so only someone who can read the
        log can claim this server.
      </p>
      <form method="post" action="/setup" class="stack">
        <CsrfField token={csrf} />
        <FormError message={form.errors.form} />
        <Field
          label="Setup code"
          name="code"
          value={form.code}
          error={form.errors.code}
          required
          autocomplete="off"
          placeholder="XXXX-XXXX-XXXX"
          autofocus
        />
        <Field
          label="Admin email"
          name="email"
          type="email"
          value={form.email}
          error={form.errors.email}
          required
          autocomplete="username"
        />
        <NewPasswordFields errors={form.errors} minPassword={minPassword} />
        <button type="submit" class="button primary wide">
          Create admin and sign in
        </button>
      </form>
    </AuthCard>
  )
}
