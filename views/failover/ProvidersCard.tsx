import { escapeHtml } from '@kitajs/html'
import type { DnsProviderRow } from '../../src/dns/store'
import { kindLabel } from '../../src/dns/provider'
import { Badge, Card, EmptyState, Field, Notice, PostForm, Table } from '../components/ui'

const PRIVATE_HINT = 'A public address. One on this server or a private network needs the server setting ALLOW_PRIVATE_PROVIDER_HOSTS=true.'

export type ProviderForm = { values: Record<string, string>; errors: Record<string, string> }

function AddProvider({ poolId, csrf, back, form }: { poolId: string; csrf: string | null; back: string; form?: ProviderForm }) {
  const v = (k: string) => form?.values[k] ?? ''
  const e = (k: string) => form?.errors[k] ?? null
  // Only known kinds reach the Alpine expression below.
  const kind = ['cloudflare', 'whm', 'powerdns'].includes(v('kind')) ? v('kind') : 'cloudflare'
  return (
    <details class="add-provider" open={!!form}>
      <summary class="button">Add API provider</summary>
      <PostForm action={`/pools/${poolId}/dns-providers`} csrf={csrf} class="stack" attrs={{ 'x-data': `{ kind: '${kind}' }` }}>
        <input type="hidden" name="back" value={back} />
        {e('form') ? (
          <Notice kind="error">
            <span safe>{e('form')!}</span>
          </Notice>
        ) : (
          ''
        )}
        <div class="field">
          <label for="provider-kind">Provider</label>
          <select id="provider-kind" name="kind" x-model="kind">
            <option value="cloudflare" selected={kind === 'cloudflare'}>Cloudflare</option>
            <option value="whm" selected={kind === 'whm'}>WHM DNS (cPanel DNS cluster key)</option>
            <option value="powerdns" selected={kind === 'powerdns'}>PowerDNS</option>
          </select>
        </div>
        <Field idPrefix="provider" label="Name" name="name" value={v('name')} error={e('name')} required maxlength={80} placeholder="Production Cloudflare" />
        <div x-show="kind === 'cloudflare'" class="stack">
          <Field idPrefix="provider-cloudflare" label="API token" name="apiToken" type="password" value="" error={e('apiToken')} hint="A token scoped to DNS edit on the zones of this pool." attrs={{ 'x-bind:disabled': "kind !== 'cloudflare'" }} />
          <label class="check">
            <input type="checkbox" name="global" checked={v('global') === 'on'} {...{ 'x-bind:disabled': "kind !== 'cloudflare'" }} /> Global key for this pool
          </label>
        </div>
        <div x-show="kind === 'whm'" class="stack" x-cloak>
          <Field idPrefix="provider" label="WHM host" name="host" value={v('host')} error={e('host')} placeholder="dns1.example.com" hint={PRIVATE_HINT} attrs={{ 'x-bind:disabled': "kind !== 'whm'" }} />
          <Field idPrefix="provider" label="WHM user" name="username" value={v('username')} error={e('username')} placeholder="root" attrs={{ 'x-bind:disabled': "kind !== 'whm'" }} />
          <Field idPrefix="provider-whm" label="API token" name="apiToken" type="password" value="" error={e('apiToken')} hint="A DNS-only cPanel DNS cluster key, not your production WHM key." attrs={{ 'x-bind:disabled': "kind !== 'whm'" }} />
        </div>
        <div x-show="kind === 'powerdns'" class="stack" x-cloak>
          <Field idPrefix="provider" label="API URL" name="apiUrl" value={v('apiUrl')} error={e('apiUrl')} placeholder="http://pdns.example.com:8081" hint={PRIVATE_HINT} attrs={{ 'x-bind:disabled': "kind !== 'powerdns'" }} />
          <Field idPrefix="provider" label="API key" name="apiKey" type="password" value="" error={e('apiKey')} attrs={{ 'x-bind:disabled': "kind !== 'powerdns'" }} />
          <Field idPrefix="provider" label="Server id" name="serverId" value={v('serverId') || 'localhost'} error={e('serverId')} attrs={{ 'x-bind:disabled': "kind !== 'powerdns'" }} />
        </div>
        <div>
          <button type="submit" class="button primary">
            Save provider
          </button>
        </div>
      </PostForm>
    </details>
  )
}

export function ProvidersCard({ poolId, providers, csrf, back, form }: { poolId: string; providers: DnsProviderRow[]; csrf: string | null; back: string; form?: ProviderForm }) {
  return (
    <Card title="API providers" id="api-providers">
      <p class="muted">DNS-only keys: Cloudflare (one may be Global), a WHM DNS cluster key, or PowerDNS. Keys are encrypted at rest and only their last four characters are shown.</p>
      {providers.length === 0 ? (
        <EmptyState title="No API providers yet" />
      ) : (
        <Table id="providers-table" columns={['Name', 'Kind', 'Key', '', '']}>
          {providers.map((p) => (
            <tr>
              <td>
                <span safe>{p.name}</span> {p.isGlobal ? <Badge tone="info">Global</Badge> : ''}
              </td>
              <td>{escapeHtml(kindLabel(p.kind))}</td>
              <td>
                <code safe>{`••••${p.secretLastFour}`}</code>
              </td>
              <td>
                <button
                  type="button"
                  class="button small"
                  hx-post={`/pools/${poolId}/dns-providers/${p.id}/test`}
                  hx-target={`#test-${p.id}`}
                  hx-indicator={`#test-${p.id}`}
                >
                  Test connection
                </button>
                <div id={`test-${p.id}`} class="test-result"></div>
              </td>
              <td class="num">
                <PostForm
                  action={`/pools/${poolId}/dns-providers/${p.id}/remove`}
                  csrf={csrf}
                  attrs={{ 'hx-confirm': `Remove the provider "${p.name}"? Failover that uses it stops changing DNS.` }}
                >
                  <input type="hidden" name="back" value={back} />
                  <button type="submit" class="button small danger">
                    Remove
                  </button>
                </PostForm>
              </td>
            </tr>
          ))}
        </Table>
      )}
      <AddProvider poolId={poolId} csrf={csrf} back={back} form={form} />
    </Card>
  )
}

export function TestResult({ result }: { result: { ok: true; zones: string[] } | { ok: false; error: string } }) {
  if (!result.ok) {
    return (
      <span class="field-error" safe>
        {result.error}
      </span>
    )
  }
  return (
    <span class="ok-text">
      {escapeHtml(result.zones.length ? `Connected. Zones: ${result.zones.join(', ')}` : 'Connected, but this key sees no zones.')}
    </span>
  )
}
