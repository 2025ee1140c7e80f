import type { PoolView } from '../PoolPage'
import { MAX_POOL_NAME } from '../../../src/pools/service'
import { Card, ConfirmByName, EmptyState, Field, Notice, PostForm } from '../../components/ui'

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
        <ConfirmByName
          action={`/pools/${pool.id}/delete`}
          csrf={view.csrf}
          name={pool.name}
          what="pool"
          error={form.deleteError}
          typed={form.confirmName}
          button="Delete this pool"
        >
          <p>
            Deleting the pool removes its members, settings and history from serversctl. Agents on its servers stop
            being accepted. The servers themselves are not touched.
          </p>
        </ConfirmByName>
      </Card>
    </div>
  )
}
