import { Card, Field, NewPasswordFields, Notice, PostForm } from '../components/ui'

export type PasswordForm = {
  errors: { current?: string; password?: string; confirm?: string; form?: string }
}

export function PasswordPage({ form, csrf, minPassword }: { form: PasswordForm; csrf: string | null; minPassword: number }) {
  return (
    <div class="page narrow">
      <header class="page-head">
        <div>
          <h1>Change password</h1>
          <p class="muted">Every other browser signed in as you is signed out; this one stays signed in.</p>
        </div>
      </header>
      {form.errors.form ? (
        <Notice kind="error">
          <span safe>{form.errors.form}</span>
        </Notice>
      ) : (
        ''
      )}
      <Card>
        <PostForm action="/account/password" csrf={csrf} class="stack">
          <Field
            label="Current password"
            name="current"
            type="password"
            error={form.errors.current}
            required
            autocomplete="current-password"
          />
          <NewPasswordFields errors={form.errors} minPassword={minPassword} label="New password" />
          <div>
            <button type="submit" class="button primary">
              Change password
            </button>
          </div>
        </PostForm>
      </Card>
    </div>
  )
}
