import type { PoolView } from '../PoolPage'
import { MAX_POOL_NAME } from '../../../src/pools/service'
import { Card, EmptyState, Field, Notice, PostForm } from '../../components/ui'

export type SettingsForm = {
  name?: string
  nameError?: string | null
  confirmName?: string
  deleteError?: string | null
  saved?: boolean
}

export function SettingsTab({ view }: { view: PoolView }) {
  const pool = view.pool
  const form = view.settings ?? {}
  return (
    <div class="stack">
      <Card title="Pool name">
        <PostForm action={`/pools/${pool.id}/settings/name`} csrf={view.csrf} class="inline-form">
          {form.saved ? <Notice kind="ok">Saved.</Notice> : ''}
          <Field
            label="Name"
            name="name"
            value={form.name ?? pool.name}
            error={form.nameError}
            required
            maxlength={MAX_POOL_NAME}
          />
          <button type="submit" class="button primary">
            Rename
          </button>
        </PostForm>
      </Card>
      <Card title="API providers">
        <EmptyState title="No API providers yet">
          <p>
            Cloudflare account keys (one may be marked Global) and a WHM key per cPanel server are kept here, encrypted
            at rest.
          </p>
        </EmptyState>
      </Card>
      <Card title="Danger zone" id="danger-zone">
        <PostForm
          action={`/pools/${pool.id}/delete`}
          csrf={view.csrf}
          class="danger stack"
          attrs={{
            'x-data': "{ typed: '' }",
            // x-model would otherwise blank what the server echoed back after a refusal.
            'x-init': "typed = $el.querySelector('[name=confirmName]').value",
            'data-name': pool.name,
          }}
        >
          <p>
            Deleting the pool removes its members, settings and history from serversctl. Agents on its servers stop
            being accepted. The servers themselves are not touched.
          </p>
          <Field
            label={`Type the pool's name to confirm`}
            name="confirmName"
            value={form.confirmName ?? ''}
            error={form.deleteError}
            autocomplete="off"
            placeholder={pool.name}
            attrs={{ 'x-model': 'typed' }}
          />
          <div>
            <button
              type="submit"
              class="button danger"
              {...{ 'x-bind:disabled': 'typed.trim() !== $root.dataset.name' }}
            >
              Delete this pool
            </button>
          </div>
        </PostForm>
      </Card>
    </div>
  )
}
