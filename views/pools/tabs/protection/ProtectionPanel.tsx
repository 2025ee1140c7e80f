// The pool's Protection tab: dashboard, server cards, protected accounts
// (with their actions), the protect form, the replication log and the map.
import type { ProtectionTabData } from '../../../../src/protection/tab-data'
import { Card, EmptyState, PostForm, Table } from '../../../components/ui'
import { AccountDialogs, AccountsTable, ProtectForm } from './Accounts'
import { ProtectionKpis, ServerCards } from './Dashboard'
import { ReplicationLog } from './Log'
import { TopologyMap } from './TopologyMap'
import { FormError, echoFor, replicateAllHref, type ProtectionEcho } from './parts'

/** A refused Replicate now: the row's form has no room for the message, so it goes above the table. */
function RowRefusal({ data, echo }: { data: ProtectionTabData; echo?: ProtectionEcho }) {
  if (echo?.form !== 'replicate' || !echo.errors.form) return ''
  const user = data.accounts.find((a) => a.id === echo.key)?.user
  return (
    <div class="notice notice-error" role="alert" id="protection-row-refusal">
      <span safe>{user ? `${user}: ${echo.errors.form}` : echo.errors.form}</span>
    </div>
  )
}

export function ProtectionPanel({ data, echo }: { data: ProtectionTabData; echo?: ProtectionEcho }) {
  const enabled = data.figures.enabled
  return (
    <div class="stack" id="protection-tab" data-pool-id={data.poolId}>
      <Card
        title="Protection"
        actions={
          <div class="card-actions">
            <PostForm action={replicateAllHref(data.poolId)} csrf={data.csrf}>
              <button type="submit" class="button" disabled={!enabled} title={enabled ? undefined : 'No enabled protected account'}>
                Replicate protected
              </button>
            </PostForm>
            <a href="#protection-protect" class="button primary">
              Protect accounts
            </a>
          </div>
        }
      >
        <FormError echo={echoFor(echo, 'replicate-all')} />
        <ProtectionKpis figures={data.figures} />
      </Card>
      <Card title="Servers">
        {data.servers.length ? (
          <ServerCards data={data} />
        ) : (
          <EmptyState title="No member reports cPanel">
            <p>Protection needs two or more members whose agent detects cPanel & WHM.</p>
          </EmptyState>
        )}
      </Card>
      <Card title="Protected accounts" id="protection-accounts-card">
        <RowRefusal data={data} echo={echo} />
        <AccountsTable data={data} />
        <AccountDialogs data={data} echo={echo} />
      </Card>
      <Card title="Protect accounts" id="protection-protect">
        {data.sources.length >= 2 ? (
          <ProtectForm data={data} echo={echo} />
        ) : (
          <EmptyState title="Two cPanel servers are needed">
            <p>An account is kept warm on another member: enrol a second server with cPanel & WHM.</p>
          </EmptyState>
        )}
      </Card>
      <ReplicationLog data={data} />
      <Card title="Primaries and standbys">
        <TopologyMap data={data} />
      </Card>
    </div>
  )
}

type CutRecordShown = { name: string; type: string; before: string[]; after: string[]; verified: boolean; state: string }

/** The DNS result of the cut just done, from its event in the replication log. */
export function CutResultCard({ event }: { event: { id: number; kind: string; message: string; detail: Record<string, unknown> | null } }) {
  const ok = event.kind === 'cut'
  const records = (Array.isArray(event.detail?.records) ? event.detail.records : []) as CutRecordShown[]
  const notes = (Array.isArray(event.detail?.notes) ? event.detail.notes : []).filter((n): n is string => typeof n === 'string')
  const hookJobId = typeof event.detail?.hookJobId === 'string' ? event.detail.hookJobId : null
  return (
    <Card title="DNS cut result" id="protection-cut-result">
      <div class={ok ? 'notice notice-ok' : 'notice notice-error'} role={ok ? 'status' : 'alert'} data-cut-ok={ok ? 'true' : 'false'}>
        <span safe>{event.message}</span>
      </div>
      {records.length ? (
        <Table id="protection-cut-records" columns={['Name', 'Type', 'Before', 'After', 'Read back']}>
          {records.map((r) => (
            <tr data-state={r.state}>
              <td class="break" safe>{r.name}</td>
              <td safe>{r.type}</td>
              <td class="break small" safe>{r.before.join(', ')}</td>
              <td class="break small" safe>{r.after.join(', ')}</td>
              <td>{r.verified ? (r.state === 'at_standby' ? 'already at the standby' : 'verified') : <span class="field-error">not verified</span>}</td>
            </tr>
          ))}
        </Table>
      ) : (
        ''
      )}
      {notes.length ? (
        <ul class="plain small muted">
          {notes.map((n) => (
            <li safe>{n}</li>
          ))}
        </ul>
      ) : (
        ''
      )}
      {hookJobId ? <p class="small" safe>{`The post-failover hook is queued on the standby (job ${hookJobId}); its output is on the job's page.`}</p> : ''}
    </Card>
  )
}
