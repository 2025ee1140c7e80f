import { escapeHtml } from '@kitajs/html'
// DNS health, loaded after the page (it asks the provider): zone, provider,
// the topology (provider → primary → standby), and each record's drift.
import type { DnsHealth } from '../../src/failover/health'
import { Badge, Card, EmptyState, Notice, PostForm, Table } from '../components/ui'

export function DnsHealthLoader({ poolId }: { poolId: string }) {
  return (
    <div id="dns-health" hx-get={`/pools/${poolId}/dns/health`} hx-trigger="load" hx-swap="outerHTML">
      <Card title="Failover hostname: DNS health">
        <p class="muted">Asking the DNS provider…</p>
      </Card>
    </div>
  )
}

export function DnsHealthCard({ poolId, health, csrf, back }: { poolId: string; health: DnsHealth; csrf: string | null; back: string }) {
  const hasCloudflare = health.hasCloudflare
  const refresh = (
    <div class="card-actions">
      <button type="button" class="button small" hx-get={`/pools/${poolId}/dns/health`} hx-target="#dns-health" hx-swap="outerHTML">
        Refresh DNS
      </button>
      {hasCloudflare ? (
        <PostForm action={`/pools/${poolId}/dns/import-cloudflare`} csrf={csrf}>
          <input type="hidden" name="back" value={back} />
          <button type="submit" class="button small">
            Import from Cloudflare
          </button>
        </PostForm>
      ) : (
        ''
      )}
    </div>
  )
  const addRecord = (
    <PostForm action={`/pools/${poolId}/dns/records`} csrf={csrf} class="inline-form">
      <input type="hidden" name="back" value={back} />
      <div class="field">
        <label for="record-name">Add record</label>
        <input id="record-name" name="recordName" placeholder="shop.example.com" required />
      </div>
      <button type="submit" class="button">
        Add A record
      </button>
    </PostForm>
  )
  const drift = health.records.filter((r) => !r.match).length
  return (
    <div id="dns-health">
      <Card title="Failover hostname: DNS health" actions={refresh}>
        {!health.provider || !health.config.zone ? (
          <EmptyState title="Failover DNS is not set up">
            <p>Add an API provider and set the failover hostname, zone and provider to let failover move DNS.</p>
            {addRecord}
          </EmptyState>
        ) : (
          <div class="stack">
            <div class="topology" aria-label="Topology">
              <span class="node" safe>{health.providerLabel!}</span>
              <span class="arrow">→</span>
              <span class="node primary">
                Primary: <strong safe>{health.active?.name ?? 'none'}</strong>
              </span>
              <span class="arrow">→</span>
              <span class="node">
                Standby: <strong safe>{health.standby?.name ?? 'none ready'}</strong>
              </span>
            </div>
            <p class="muted">
              Zone <strong safe>{health.config.zone}</strong> ·{' '}
              <span safe>{`${health.records.length} record${health.records.length === 1 ? '' : 's'}`}</span>
              {drift ? <Badge tone="bad">{escapeHtml(`${drift} drifted`)}</Badge> : health.records.length ? <Badge tone="ok">in sync</Badge> : ''}
            </p>
            {health.error ? (
              <Notice kind="error">
                <span safe>{health.error}</span>
              </Notice>
            ) : (
              ''
            )}
            {health.records.length ? (
              <Table id="dns-records" columns={['Name', 'Type', 'At the provider', 'Active member needs', '']}>
                {health.records.map((r) => (
                  <tr class={r.match ? '' : 'drift'}>
                    <td safe>{r.name}</td>
                    <td safe>{r.type}</td>
                    <td>
                      <code>{escapeHtml(r.actual ? r.actual.join(', ') : 'missing')}</code>
                    </td>
                    <td>
                      <code safe>{r.expected.join(', ')}</code>
                    </td>
                    <td>{r.match ? <Badge tone="ok">match</Badge> : <Badge tone="bad">drift</Badge>}</td>
                  </tr>
                ))}
              </Table>
            ) : (
              ''
            )}
            {addRecord}
            {drift ? (
              <PostForm action={`/pools/${poolId}/dns/fix`} csrf={csrf} attrs={{ 'hx-confirm': 'Rewrite the drifted records to the active member\u2019s values?' }}>
                <input type="hidden" name="back" value={back} />
                <button type="submit" class="button primary">
                  Fix drift
                </button>
              </PostForm>
            ) : (
              ''
            )}
          </div>
        )}
      </Card>
    </div>
  )
}
