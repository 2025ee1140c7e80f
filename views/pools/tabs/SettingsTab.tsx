import type { PoolView } from '../PoolPage'
import { FailoverParts } from '../../failover/FailoverParts'
import { MAX_POOL_NAME } from '../../../src/pools/service'
import { Card, ConfirmByName, Field, Notice, PostForm } from '../../components/ui'

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
      {view.tabs.some((t) => t.key === 'dns') ? (
        <Card title="DNS failover">
          <p>
            Failover settings, DNS health and API providers of this pool are on the{' '}
            <a href={`/pools/${pool.id}/dns`}>Managed DNS</a> tab.
          </p>
        </Card>
      ) : (
        <FailoverParts view={view} title="Failover" />
      )}
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
