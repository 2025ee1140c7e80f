import { PRESETS } from '../../src/pools/service'
import { MAX_POOL_NAME } from '../../src/pools/service'
import { NavLink } from '../layout/Layout'
import { Card, Field, Notice, PostForm } from '../components/ui'

export type NewPoolForm = {
  name: string
  preset: string
  errors: { name?: string; preset?: string; form?: string }
}

export function NewPoolPage({ form, csrf }: { form: NewPoolForm; csrf: string | null }) {
  return (
    <div class="page narrow">
      <nav class="crumbs">
        <NavLink href="/pools">Pools</NavLink> / <span>Create pool</span>
      </nav>
      <h1>Create pool</h1>
      <Card>
        <PostForm action="/pools" csrf={csrf} class="stack">
          {form.errors.form ? (
            <Notice kind="error">
              <span safe>{form.errors.form}</span>
            </Notice>
          ) : (
            ''
          )}
          <fieldset class={form.errors.preset ? 'presets has-error' : 'presets'}>
            <legend>Configuration preset</legend>
            {PRESETS.map((preset) => (
              <label class="preset">
                <input type="radio" name="preset" value={preset.key} checked={form.preset === preset.key} required />
                <span class="preset-body">
                  <span class="preset-title" safe>
                    {preset.label}
                  </span>
                  <span class="preset-text" safe>
                    {preset.description}
                  </span>
                </span>
              </label>
            ))}
            {form.errors.preset ? (
              <p class="field-error" safe>
                {form.errors.preset}
              </p>
            ) : (
              ''
            )}
          </fieldset>
          <Field
            label="Pool name"
            name="name"
            value={form.name}
            error={form.errors.name}
            required
            maxlength={MAX_POOL_NAME}
            autofocus
            placeholder="e.g. Production web"
          />
          <div class="actions">
            <button type="submit" class="button primary">
              Create pool
            </button>
            <NavLink href="/pools" class="button">
              Cancel
            </NavLink>
          </div>
        </PostForm>
      </Card>
    </div>
  )
}
