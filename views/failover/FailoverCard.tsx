import { escapeHtml } from '@kitajs/html'
// Failover settings (the Dynamic DNS card on Managed DNS, or the Failover
// card on pool Settings), the active member, and "Make active".
import type { DnsProviderRow } from '../../src/dns/store'
import type { FailoverStatus } from '../../src/failover/service'
import type { MemberCard } from '../../src/members/view-model'
import { orderMembers } from '../../src/failover/decide'
import { kindLabel } from '../../src/dns/provider'
import { Badge, Card, Field, Notice, PostForm } from '../components/ui'
import { StatusBadge } from '../members/MemberTile'

export type FailoverForm = { values: Record<string, string>; errors: Record<string, string> }

const STATE_TEXT: Record<FailoverStatus['state'], [string, 'ok' | 'warn' | 'bad' | 'muted' | 'info']> = {
  disabled: ['off', 'muted'],
  no_active_member: ['waiting for a healthy member', 'warn'],
  active: ['watching', 'ok'],
  cutting: ['cut in progress', 'warn'],
  held_back: ['active member down, no safe standby', 'bad'],
  failover_active: ['failover active', 'warn'],
}

export function FailoverStateBadge({ state }: { state: FailoverStatus['state'] }) {
  const [text, tone] = STATE_TEXT[state]
  return (
    <Badge tone={tone}>
      <span safe>{text}</span>
    </Badge>
  )
}

function MakeActive({ poolId, cards, activeId, csrf, back, movesDns }: { poolId: string; cards: MemberCard[]; activeId: string | null; csrf: string | null; back: string; movesDns: boolean }) {
  const others = cards.filter((c) => c.member.id !== activeId)
  if (others.length === 0) return ''
  // Never offer a worse place: only healthy members can be made active.
  const choices = others.filter((c) => c.status === 'healthy')
  if (choices.length === 0) return <p class="muted">No other member is healthy, so none can be made active now.</p>
  return (
    <PostForm
      action={`/pools/${poolId}/failover/make-active`}
      csrf={csrf}
      class="inline-form"
      attrs={{ 'hx-confirm': movesDns ? 'Make this member active now? DNS for the failover hostnames moves to it.' : 'Make this member active now? No DNS provider is set, so no DNS record changes.' }}
    >
      <input type="hidden" name="back" value={back} />
      <div class="field">
        <label for="make-active-member">Make active</label>
        <select id="make-active-member" name="memberId">
          {choices.map((c) => (
            <option value={c.member.id} safe>
              {c.member.name}
            </option>
          ))}
        </select>
      </div>
      <button type="submit" class="button">
        Make active
      </button>
    </PostForm>
  )
}

export function FailoverCard({
  title,
  poolId,
  status,
  cards,
  providers,
  csrf,
  back,
  form,
}: {
  title: string
  poolId: string
  status: FailoverStatus
  cards: MemberCard[]
  providers: DnsProviderRow[]
  csrf: string | null
  back: string
  form?: FailoverForm
}) {
  const c = status.config
  const v = (k: string, fallback: string) => form?.values[k] ?? fallback
  const e = (k: string) => form?.errors[k] ?? null
  const hasCloudflare = providers.some((p) => p.kind === 'cloudflare')
  const ordered = orderMembers(cards.map((card) => ({ ...card, id: card.member.id })), c.memberOrder)
  const active = cards.find((card) => card.member.id === status.activeMemberId)
  const probeKind = v('probeKind', c.probe?.kind ?? 'none')
  return (
    <Card title={title} id="failover">
      <div class="strip">
        <span>
          State <FailoverStateBadge state={status.state} />
        </span>
        <span>
          Active member{' '}
          {active ? (
            <>
              <strong safe>{active.member.name}</strong> <StatusBadge status={active.status} />
            </>
          ) : (
            <span class="muted">none yet</span>
          )}
        </span>
      </div>
      {status.warnings.map((w) => (
        <Notice kind="warn">
          <span safe>{w}</span>
        </Notice>
      ))}
      <MakeActive poolId={poolId} cards={cards} activeId={status.activeMemberId} csrf={csrf} back={back} movesDns={!!c.providerId} />
      <PostForm action={`/pools/${poolId}/failover`} csrf={csrf} class="stack">
        <input type="hidden" name="back" value={back} />
        {e('form') ? (
          <Notice kind="error">
            <span safe>{e('form')!}</span>
          </Notice>
        ) : (
          ''
        )}
        <label class="check">
          <input type="checkbox" name="enabled" checked={v('enabled', c.enabled ? 'on' : '') === 'on'} /> Automatic failover: move DNS to a healthy standby
          when the active member goes silent
        </label>
        <div class="grid-2">
          <Field label="Failover hostnames" name="hostnames" value={v('hostnames', c.hostnames.join(', '))} error={e('hostname')} placeholder="www.example.com" hint="FQDNs whose A record follows the active member, separated by commas." />
          <Field label="Zone" name="zone" value={v('zone', c.zone ?? '')} error={e('zone')} placeholder="example.com" />
          <div class="field">
            <label for="failover-provider">DNS provider</label>
            <select id="failover-provider" name="providerId">
              <option value="">None: track the active member only</option>
              {providers.map((p) => (
                <option value={p.id} selected={v('providerId', c.providerId ?? '') === p.id} safe>
                  {`${p.name} (${kindLabel(p.kind)})`}
                </option>
              ))}
            </select>
          </div>
          <Field label="Failover delay (seconds)" name="delaySeconds" type="number" value={v('delaySeconds', String(c.delaySeconds))} error={e('delaySeconds')} hint="10–120. Silence longer than this makes the active member down." />
          <Field label="TTL (seconds)" name="ttl" type="number" value={v('ttl', String(c.ttl))} error={e('ttl')} hint="1–86400. Cloudflare: 1 (automatic) or 60 and up; 30 and up on an Enterprise zone." />
        </div>
        {hasCloudflare ? (
          <fieldset>
            <legend>Cloudflare</legend>
            <label class="check">
              <input type="checkbox" name="cloudflareEnterprise" checked={v('cloudflareEnterprise', c.cloudflareEnterprise ? 'on' : '') === 'on'} /> Enterprise zone (TTL from 30 s)
            </label>
            <input type="hidden" name="proxiedShown" value="1" />
            {c.hostnames.map((h) => (
              <label class="check">
                <input type="checkbox" name={`proxied_${h}`} checked={v(`proxied_${h}`, c.hostnameRecords[h]?.proxied ? 'on' : '') === 'on'} /> <span safe>{h}</span> is proxied (orange cloud): a record recreated by a cut stays behind the proxy
              </label>
            ))}
          </fieldset>
        ) : (
          ''
        )}
        <fieldset>
          <legend>Member order (priority)</legend>
          {e('memberOrder') ? <p class="field-error" safe>{e('memberOrder')!}</p> : ''}
          {ordered.length === 0 ? <p class="muted">No members yet.</p> : ''}
          <ol class="order-list">
            {ordered.map((card, i) => (
              <li>
                <input type="number" min="1" name={`order_${card.member.id}`} value={v(`order_${card.member.id}`, String(i + 1))} aria-label={`Priority of ${card.member.name}`} class="order-input" />
                <span safe>{card.member.name}</span> <StatusBadge status={card.status} />
              </li>
            ))}
          </ol>
        </fieldset>
        <div class="grid-2">
          <label class="check">
            <input type="checkbox" name="autoFailback" checked={v('autoFailback', c.autoFailback ? 'on' : '') === 'on'} /> Automatic failback to the first member
          </label>
          <Field label="Failback after healthy for (seconds)" name="failbackAfterSeconds" type="number" value={v('failbackAfterSeconds', String(c.failbackAfterSeconds))} error={e('failbackAfterSeconds')} />
        </div>
        <fieldset class="grid-3">
          <legend>Confirmation probe (optional)</legend>
          <div class="field">
            <label for="probe-kind">Probe</label>
            <select id="probe-kind" name="probeKind">
              <option value="none" selected={probeKind === 'none'}>None</option>
              <option value="tcp" selected={probeKind === 'tcp'}>TCP port</option>
              <option value="http" selected={probeKind === 'http'}>HTTP URL</option>
            </select>
          </div>
          <Field label="Port" name="probePort" type="number" value={v('probePort', c.probe ? String(c.probe.port) : '')} error={e('probePort')} placeholder="443" />
          <Field label="HTTP path" name="probePath" value={v('probePath', c.probe?.kind === 'http' ? c.probe.path : '')} error={e('probePath')} placeholder="/" />
        </fieldset>
        <p class="hint">Before cutting away from a silent agent, the server checks this port on the active member's public address; if the host still answers, it raises "agent silent, host answers" instead of cutting.</p>
        <ExtraRecords cards={ordered} extra={c.extraRecords} values={form?.values} error={e('extraRecords')} />
        <div>
          <button type="submit" class="button primary">
            Save failover settings
          </button>
        </div>
      </PostForm>
    </Card>
  )
}

const EXTRA_ROWS = 3

function ExtraRecords({ cards, extra, values, error }: { cards: MemberCard[]; extra: FailoverStatus['config']['extraRecords']; values?: Record<string, string>; error: string | null }) {
  const rows = Math.max(extra.length + 1, EXTRA_ROWS)
  const val = (key: string, fallback: string) => values?.[key] ?? fallback
  return (
    <fieldset>
      <legend>Extra records cut with the A record</legend>
      <p class="hint">AAAA, MX or SRV records, with the value each member should have when it is active. MX: "10 mail.example.com"; SRV: "10 5 5060 sip.example.com".</p>
      {error ? <p class="field-error" safe>{error}</p> : ''}
      <div class="table-wrap">
        <table class="table" id="extra-records">
          <thead>
            <tr>
              <th>Type</th>
              <th>Name</th>
              {cards.map((c) => (
                <th safe>{c.member.name}</th>
              ))}
            </tr>
          </thead>
          <tbody>
            {Array.from({ length: rows }, (_, i) => {
              const rec = extra[i]
              const type = val(`x${i}_type`, rec?.type ?? 'AAAA')
              return (
                <tr>
                  <td>
                    <select name={`x${i}_type`} aria-label={`Type of extra record ${i + 1}`}>
                      {['AAAA', 'MX', 'SRV'].map((t) => (
                        <option value={t} selected={type === t}>
                          {escapeHtml(t)}
                        </option>
                      ))}
                    </select>
                  </td>
                  <td>
                    <input name={`x${i}_name`} value={val(`x${i}_name`, rec?.name ?? '')} aria-label={`Name of extra record ${i + 1}`} placeholder="example.com" />
                  </td>
                  {cards.map((c) => (
                    <td>
                      <input name={`x${i}_v_${c.member.id}`} value={val(`x${i}_v_${c.member.id}`, rec?.values[c.member.id] ?? '')} aria-label={`Value for ${c.member.name}`} />
                    </td>
                  ))}
                </tr>
              )
            })}
          </tbody>
        </table>
      </div>
    </fieldset>
  )
}
