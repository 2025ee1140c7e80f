import { escapeHtml } from '@kitajs/html'
// The Managed DNS tab's protected part, loaded after the page (it asks every
// provider): DNS health for the protected accounts (zones, provider linkage,
// drift, provider → primary → standby) and the protected account records,
// each account with its three-dot menu.
import type { AccountDns, Catalogue, RecordRow } from '../../../../src/managed-dns/service'
import type { ManagedDnsDiff } from '../../../../src/managed-dns/store'
import { kindLabel } from '../../../../src/dns/provider'
import { Badge, Card, EmptyState, Field, Notice, PostForm, Table, Time } from '../../../components/ui'
import { SelectField } from '../../../members/tabs/actions'
import { accountHref, addRecordHref, echoIn, importHref, protectedDnsHref, refreshHref, syncAllHref, type DnsEcho } from './parts'

/** `echo`: a refused Add record or Cut DNS, whose dialog opens again at what was typed. */
export type ProtectedDnsData = { poolId: string; csrf: string | null; catalogue: Catalogue; echo?: DnsEcho }

const CUT_TYPES = ['A', 'AAAA', 'MX', 'SRV'] as const
const ADD_TYPES = ['A', 'AAAA', 'MX', 'SRV', 'CNAME', 'TXT'] as const
const menuId = (a: AccountDns) => `mdns-menu-${a.account.id}`
const plural = (n: number, one: string) => `${n} ${one}${n === 1 ? '' : 's'}`

/** What the page shows until the fragment arrives. */
export function ProtectedDnsLoader({ poolId }: { poolId: string }) {
  return (
    <div id="managed-dns" hx-get={protectedDnsHref(poolId)} hx-trigger="load" hx-swap="outerHTML">
      <Card title="Protected account records">
        <p class="muted">Reading the protected accounts' records from their DNS providers…</p>
      </Card>
    </div>
  )
}

function Topology({ c }: { c: Catalogue }) {
  if (!c.accounts.length) return ''
  return (
    <div class="stack" aria-label="Topology">
      {c.topology.map((t) => (
        <div class="topology">
          <span class="node" safe>{t.provider}</span>
          <span class="arrow">→</span>
          <span class="node primary">
            Primary: <strong safe>{t.source}</strong>
          </span>
          <span class="arrow">→</span>
          <span class="node">
            Standby: <strong safe>{t.standby}</strong>
          </span>
        </div>
      ))}
    </div>
  )
}

/** Which WHM a sync and an import read for the account, and why that one; with none, what to add. */
function WhmCell({ a }: { a: AccountDns }) {
  if (!a.whm) {
    return (
      <span class={a.account.managed ? 'field-error' : 'muted'} safe>
        {a.whmWhy ?? `${a.account.sourceName} is not a member of this pool any more.`}
      </span>
    )
  }
  return (
    <div>
      <strong safe>{a.whm.name}</strong>
      <div class="muted small" safe>
        {a.whmWhy}
      </div>
    </div>
  )
}

function HealthCard({ data }: { data: ProtectedDnsData }) {
  const c = data.catalogue
  const managed = c.accounts.filter((a) => a.account.managed)
  const actions = (
    <div class="card-actions">
      <form hx-post={refreshHref(data.poolId)} hx-target="#managed-dns" hx-swap="outerHTML" method="post" action={refreshHref(data.poolId)}>
        <input type="hidden" name="_csrf" value={data.csrf ?? ''} />
        <button type="submit" class="button small">
          Refresh DNS
        </button>
      </form>
      <PostForm action={syncAllHref(data.poolId)} csrf={data.csrf}>
        <button type="submit" class="button small primary" disabled={!managed.length} title={managed.length ? undefined : 'No protected account is marked Managed'}>
          Sync WHM→CF
        </button>
      </PostForm>
      <button type="button" class="button small" disabled={!c.accounts.length} {...{ commandfor: 'mdns-add-record', command: 'show-modal' }}>
        Add record
      </button>
    </div>
  )
  return (
    <Card title="DNS health: protected accounts" id="mdns-health" actions={actions}>
      {!c.accounts.length ? (
        <p class="muted">No account of this pool is protected: protect accounts on the Protection tab, then their records show here.</p>
      ) : (
        <div class="stack">
          <Topology c={c} />
          <div>
            <h4>Zones</h4>
            <ul class="plain" id="mdns-zones">
              {c.zones.map((z) => (
                <li>
                  <strong safe>{z.provider.name}</strong> <span class="muted" safe>{`(${kindLabel(z.provider.kind)}):`}</span>{' '}
                  {z.zones ? <span>{escapeHtml(z.zones.length ? `${plural(z.zones.length, 'zone')}: ${z.zones.slice(0, 8).join(', ')}${z.zones.length > 8 ? ', …' : ''}` : 'no zones')}</span> : <span class="field-error" safe>{`cannot be reached: ${z.error}`}</span>}
                </li>
              ))}
              {!c.zones.length ? <li class="muted">No DNS API provider: add one under API providers below.</li> : ''}
            </ul>
            <p safe>{`${c.withZone} of ${plural(c.domainCount, 'protected domain')} ${c.withZone === 1 ? 'has' : 'have'} a zone at its account's provider.`}</p>
            {c.missing.length ? (
              <p class="field-error" safe>
                {`Without a zone: ${c.missing.map((m) => `${m.domain} (${m.user}, ${m.provider})`).join(', ')}`}
              </p>
            ) : (
              ''
            )}
          </div>
          <div>
            <h4>Provider linkage</h4>
            <Table id="mdns-linkage" columns={['Account', 'DNS provider', 'WHM read (source of truth)', 'Managed']}>
              {c.accounts.map((a) => (
                <tr>
                  <td data-label="Account" safe>{a.account.user}</td>
                  <td data-label="DNS provider">{a.provider ? <span safe>{`${a.provider.name} (${kindLabel(a.provider.kind)})`}</span> : <span class="muted">none</span>}</td>
                  <td data-label="WHM read" data-whm={a.whm?.id ?? ''}>
                    <WhmCell a={a} />
                  </td>
                  <td data-label="Managed">{a.account.managed ? 'yes' : <span class="muted">no</span>}</td>
                </tr>
              ))}
            </Table>
          </div>
          <p id="mdns-drift">
            {!managed.length ? (
              <span class="muted">Drift: no account is marked Managed, so WHM is not compared and Sync WHM→CF has nothing to copy. Mark an account Managed in its ⋯ menu.</span>
            ) : c.driftCheckedAt ? (
              <>
                <span>Drift: </span>
                {c.drift ? (
                  <Badge tone="bad">
                    <span safe>{`${plural(c.drift, 'set')} differ from WHM`}</span>
                  </Badge>
                ) : (
                  <Badge tone="ok">in sync with WHM</Badge>
                )}
                <span class="muted"> at the last sync or refresh, </span>
                <Time at={c.driftCheckedAt} />
              </>
            ) : (
              <span class="muted">Drift: not compared yet. Refresh DNS compares WHM with each Managed account's provider.</span>
            )}
          </p>
        </div>
      )}
    </Card>
  )
}

/** A refusal not about one field, at the top of its dialog. */
function FormError({ echo }: { echo?: DnsEcho }) {
  if (!echo?.errors.form) return ''
  return (
    <Notice kind="error">
      <span safe>{echo.errors.form}</span>
    </Notice>
  )
}

const SIDE_TONE = { source: 'info', standby: 'warn', neither: 'muted' } as const

function ActiveOn({ a, r }: { a: AccountDns; r: RecordRow }) {
  if (!r.activeOn) return <span class="muted">—</span>
  const who = r.activeOn === 'source' ? a.account.sourceName : r.activeOn === 'standby' ? a.account.standbyName : null
  return (
    <Badge tone={SIDE_TONE[r.activeOn]}>
      <span data-active-on={r.activeOn}>
        {who ? `${r.activeOn} (${who})` : 'neither member'}
      </span>
    </Badge>
  )
}

function ProxiedCell({ data, a, r }: { data: ProtectedDnsData; a: AccountDns; r: RecordRow }) {
  if (r.proxied === null) return <span class="muted">—</span>
  return (
    <PostForm action={accountHref(data.poolId, a.account.id, 'proxied')} csrf={data.csrf} class="inline-form">
      <input type="hidden" name="name" value={r.name} />
      <input type="hidden" name="type" value={r.type} />
      <input type="hidden" name="proxied" value={r.proxied ? 'off' : 'on'} />
      <span>{r.proxied ? 'proxied' : 'DNS only'}</span>{' '}
      <button type="submit" class="button small" aria-label={`${r.proxied ? 'Make DNS only' : 'Proxy'} ${r.name} ${r.type}`}>
        {r.proxied ? 'Make DNS only' : 'Proxy it'}
      </button>
    </PostForm>
  )
}

function DiffList({ diffs, after }: { diffs: ManagedDnsDiff[]; after?: boolean }) {
  return (
    <ul class="plain small">
      {diffs.map((d) => (
        <li>
          <code safe>{`${d.name} ${d.type}`}</code>{' '}
          <span safe>{`${d.have ? d.have.join(', ') : 'none'} → ${d.want ? d.want.join(', ') : 'none'}${after ? '' : ' (WHM)'}`}</span>
        </li>
      ))}
    </ul>
  )
}

function SyncState({ a }: { a: AccountDns }) {
  const st = a.status
  if (!a.account.managed) return ''
  if (!st) return <div class="muted small">Managed: not compared with WHM yet.</div>
  return (
    <div class="small" data-drift={String(st.drift)}>
      {st.error ? (
        <div class="field-error" safe>
          {st.error}
        </div>
      ) : (
        ''
      )}
      {st.lastSyncAt ? (
        <details>
          <summary>
            <span>Last sync </span>
            <Time at={st.lastSyncAt} />
            <span safe>{`: wrote ${plural(st.lastWritten?.length ?? 0, 'set')}`}</span>
          </summary>
          <DiffList diffs={st.lastWritten ?? []} after />
        </details>
      ) : (
        ''
      )}
      {st.drift ? (
        <details>
          <summary safe>{`${plural(st.drift, 'set')} differ from WHM`}</summary>
          <DiffList diffs={st.diffs} />
        </details>
      ) : (
        <span class="muted">In sync with WHM at the last check.</span>
      )}
    </div>
  )
}

function AccountRows({ data, a }: { data: ProtectedDnsData; a: AccountDns }) {
  const records = a.fqdns.flatMap((f) => (f.records.length ? f.records : [null]).map((r) => ({ f, r })))
  return (
    <>
      <tr class="group" data-protected-id={a.account.id} data-user={a.account.user}>
        <td colspan="7">
          <strong safe>{a.account.user}</strong>{' '}
          <button type="button" class="button small" aria-label={`Actions for ${a.account.user}`} title="Cut types, Managed, Sync now, Import from Cloudflare, Cut DNS" {...{ commandfor: menuId(a), command: 'show-modal' }}>
            ⋯
          </button>{' '}
          <span class="muted" safe>{`${a.account.sourceName} → ${a.account.standbyName} · ${a.provider ? a.provider.name : 'no DNS provider'}`}</span>{' '}
          {a.account.managed ? <Badge tone="info">Managed</Badge> : ''} {a.cut ? <Badge tone="warn">cut to standby</Badge> : ''}{' '}
          <span class="muted small" safe>{`cuts over: ${a.account.records.join(', ')}`}</span>
          {a.error ? (
            <div class="field-error" role="alert" safe>
              {`${a.provider?.name ?? 'The provider'} cannot be reached: ${a.error}`}
            </div>
          ) : (
            ''
          )}
          {!a.provider ? <div class="muted small">Choose its DNS provider on the Protection tab (Manage).</div> : ''}
          <SyncState a={a} />
          <div id={`mdns-import-${a.account.id}`}></div>
        </td>
      </tr>
      {records.map(({ f, r }) =>
        r ? (
          <tr data-fqdn={f.name} data-type={r.type}>
            <td safe>{f.name}</td>
            <td>{r.type}</td>
            <td>
              <code safe>{r.values.join(', ')}</code>
            </td>
            <td>
              <ProxiedCell data={data} a={a} r={r} />
            </td>
            <td>{r.cutOver ? <Badge tone="ok">yes</Badge> : <span class="muted">no</span>}</td>
            <td>
              <ActiveOn a={a} r={r} />
            </td>
            <td class="num" safe>{r.ttl === 1 ? 'auto' : `${r.ttl} s`}</td>
          </tr>
        ) : (
          <tr>
            <td safe>{f.name}</td>
            <td colspan="6" class="muted" safe>
              {a.error ? 'not read' : f.zone ? 'no record at the provider' : a.provider ? `no zone at ${a.provider.name}` : 'no provider'}
            </td>
          </tr>
        ),
      )}
    </>
  )
}

function RecordsCard({ data }: { data: ProtectedDnsData }) {
  const c = data.catalogue
  return (
    <Card title="Protected account records" id="mdns-records">
      {!c.accounts.length ? (
        <EmptyState title="No protected accounts">
          <p>
            Protect cPanel accounts on the <a href={`/pools/${data.poolId}/protection`}>Protection</a> tab; each one's
            names (its domains, www and cPanel's SRV names) then show here as its DNS provider holds them.
          </p>
        </EmptyState>
      ) : (
        <Table id="mdns-records-table" columns={['Name', 'Type', 'Value', 'Proxied', 'Cut over', 'Active IP', { label: 'TTL', num: true }]}>
          {c.accounts.map((a) => (
            <AccountRows data={data} a={a} />
          ))}
        </Table>
      )}
    </Card>
  )
}

function AccountMenu({ data, a }: { data: ProtectedDnsData; a: AccountDns }) {
  const id = menuId(a)
  const canSync = a.account.managed && a.provider?.kind === 'cloudflare'
  const e = echoIn(data.echo, 'cut', a.account.id)
  return (
    <dialog id={id} class="confirm-dialog" aria-labelledby={`${id}-title`} data-reopen={e ? '' : undefined}>
      <div class="stack">
        <h3 id={`${id}-title`} safe>{`${a.account.user} · DNS`}</h3>
        <PostForm action={accountHref(data.poolId, a.account.id, 'settings')} csrf={data.csrf} class="stack">
          <fieldset>
            <legend>Record types that cut over to the standby</legend>
            {CUT_TYPES.map((t) => (
              <label class="check">
                <input type="checkbox" name="records" value={t} checked={a.account.records.includes(t)} /> <span>{t}</span>
              </label>
            ))}
          </fieldset>
          <label class="check">
            <input type="checkbox" name="managed" value="on" checked={a.account.managed} /> Managed: WHM is the source of truth, copied to the linked Cloudflare
          </label>
          <div class="actions">
            <button type="submit" class="button primary">
              Save
            </button>
          </div>
        </PostForm>
        <div class="actions">
          <PostForm action={accountHref(data.poolId, a.account.id, 'sync')} csrf={data.csrf}>
            <button type="submit" class="button" disabled={!canSync} title={canSync ? undefined : 'Mark it Managed, with a Cloudflare provider, to sync'}>
              Sync now
            </button>
          </PostForm>
          {canSync ? '' : <p class="muted small">{a.provider?.kind === 'cloudflare' ? 'Sync copies WHM to Cloudflare once the account is marked Managed (above).' : 'Sync and Import need a Cloudflare provider for the account (Protection tab, Manage).'}</p>}
          {a.provider?.kind === 'cloudflare' ? (
            <button
              type="button"
              class="button"
              hx-get={importHref(data.poolId, a.account.id)}
              hx-target={`#mdns-import-${a.account.id}`}
              {...{ commandfor: id, command: 'close' }}
            >
              Import from Cloudflare
            </button>
          ) : (
            ''
          )}
        </div>
        <PostForm
          action={accountHref(data.poolId, a.account.id, 'cut')}
          csrf={data.csrf}
          class="stack danger"
          attrs={{ 'x-data': "{ typed: '' }", 'x-init': "typed = $el.querySelector('[name=confirm]').value", 'data-name': a.account.user }}
        >
          <FormError echo={e} />
          <p class="small" safe>{`Cut DNS points ${a.account.user}'s ${a.account.records.join(', ')} records at ${a.account.standbyName} now and reads them back; the result opens on the Protection tab.`}</p>
          <Field
            id={`${id}-confirm`}
            label={`Type ${a.account.user} to cut its DNS`}
            name="confirm"
            value={e?.values.confirm ?? ''}
            error={e?.errors.confirm}
            autocomplete="off"
            placeholder={a.account.user}
            attrs={{ 'x-model': 'typed' }}
          />
          <div>
            {a.provider ? (
              <button type="submit" class="button danger" {...{ 'x-bind:disabled': 'typed.trim() !== $root.dataset.name' }}>
                Cut DNS
              </button>
            ) : (
              <button type="submit" class="button danger" disabled>
                Cut DNS (no DNS provider)
              </button>
            )}
          </div>
        </PostForm>
        <div class="actions">
          <button type="button" class="button" {...{ commandfor: id, command: 'close' }}>
            Close
          </button>
        </div>
      </div>
    </dialog>
  )
}

function AddRecordDialog({ data }: { data: ProtectedDnsData }) {
  const c = data.catalogue
  const e = echoIn(data.echo, 'add')
  const v = (field: string, fallback: string) => e?.values[field] ?? fallback
  const accounts: [string, string][] = c.accounts.filter((a) => a.provider).map((a) => [a.account.id, `${a.account.user} (${a.provider!.name})`])
  return (
    <dialog id="mdns-add-record" class="confirm-dialog" aria-labelledby="mdns-add-record-title" data-reopen={e ? '' : undefined}>
      <PostForm action={addRecordHref(data.poolId)} csrf={data.csrf} class="stack">
        <h3 id="mdns-add-record-title">Add record</h3>
        <p class="muted small">One record set, written to the account's DNS provider and read back. The name must be inside one of its zones.</p>
        <FormError echo={e} />
        <SelectField id="mdns-add-account" label="Protected account" name="protectedAccountId" value={v('protectedAccountId', accounts[0]?.[0] ?? '')} options={accounts} error={e?.errors.protectedAccountId} />
        <Field id="mdns-add-name" label="Name" name="name" value={v('name', '')} placeholder="shop.example.com" required error={e?.errors.name} />
        <SelectField id="mdns-add-type" label="Type" name="type" value={v('type', 'A')} options={ADD_TYPES.map((t) => [t, t] as [string, string])} error={e?.errors.type} />
        <Field
          id="mdns-add-values"
          label="Value (several A, AAAA, MX or SRV values: separate by commas)"
          name="values"
          value={v('values', '')}
          placeholder='203.0.113.7 · 10 mail.example.com · "v=spf1 a mx -all"'
          required
          error={e?.errors.values}
        />
        <Field id="mdns-add-ttl" label="TTL (seconds)" name="ttl" type="number" value={v('ttl', '300')} attrs={{ min: '30', max: '86400' }} error={e?.errors.ttl} />
        <label class="check">
          <input type="checkbox" name="proxied" value="on" checked={v('proxied', '') === 'on'} /> Proxied (Cloudflare: A, AAAA, CNAME)
        </label>
        {e?.errors.proxied ? (
          <p class="field-error" safe>
            {e.errors.proxied}
          </p>
        ) : (
          ''
        )}
        <div class="actions">
          <button type="submit" class="button primary">
            Add record
          </button>
          <button type="button" class="button" {...{ commandfor: 'mdns-add-record', command: 'close' }}>
            Cancel
          </button>
        </div>
      </PostForm>
    </dialog>
  )
}

/** The fragment: health, records, and the dialogs their buttons open. */
export function ProtectedDns({ data }: { data: ProtectedDnsData }) {
  return (
    <div id="managed-dns" class="stack">
      <HealthCard data={data} />
      <RecordsCard data={data} />
      {data.catalogue.accounts.map((a) => (
        <AccountMenu data={data} a={a} />
      ))}
      {data.catalogue.accounts.length ? <AddRecordDialog data={data} /> : ''}
    </div>
  )
}
