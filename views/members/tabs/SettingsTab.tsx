import type { MemberView } from '../MemberWorkspace'
import { Card, ConfirmByName, Field, Notice, PostForm, Time } from '../../components/ui'
import { ActivityList } from './parts'
import { NavLink } from '../../layout/Layout'

export type MemberSettingsForm = {
  values: Record<string, string>
  errors: Record<string, string>
}

export function SettingsTab({ view }: { view: MemberView }) {
  const m = view.card.member
  const base = `/pools/${m.poolId}/members/${m.id}/settings`
  const form = view.form ?? { values: {}, errors: {} }
  const v = (name: string, fallback: string) => form.values[name] ?? fallback
  const err = (name: string) => form.errors[name] ?? null
  const loc = m.location
  const refusals = view.refusals
  return (
    <div class="stack">
      <Card title="Identity">
        <PostForm action={`${base}/identity`} csrf={view.csrf} class="stack">
          {err('form') ? (
            <Notice kind="error">
              <span safe>{err('form')!}</span>
            </Notice>
          ) : (
            ''
          )}
          <div class="grid-2">
            <Field label="Display name" name="name" value={v('name', m.name)} error={err('name')} required maxlength={80} />
            <Field
              label="Hostname"
              name="hostname"
              value={v('hostname', m.hostname)}
              error={err('hostname')}
              required
            >
              Must match what the agent reports; <code>BALCTL_HOSTNAME</code> overrides it on the server.
            </Field>
            <Field
              label="Allowed source IPs"
              name="egressIps"
              value={v('egressIps', m.egressIps.join(', '))}
              error={err('egressIps')}
              required
              hint="The member's egress IPv4 addresses allowed to call this control plane, separated by commas."
            />
            <Field
              label="Public IPv4"
              name="publicIpv4"
              value={v('publicIpv4', m.publicIpv4 ?? '')}
              error={err('publicIpv4')}
              hint="Where the pool's DNS points while this member is active. Empty: the first egress IP."
            />
            <Field
              label="Public IPv6 (optional)"
              name="publicIpv6"
              value={v('publicIpv6', m.publicIpv6 ?? '')}
              error={err('publicIpv6')}
              hint="Where a failover hostname's AAAA record points while this member is active."
            />
          </div>
          <div>
            <button type="submit" class="button primary">
              Save
            </button>
          </div>
        </PostForm>
      </Card>
      <Card title="Server location">
        <PostForm action={`${base}/location`} csrf={view.csrf} class="stack">
          <p class="muted">Places the member on the pool's geography maps. Leave both numbers empty to clear it.</p>
          <div class="grid-3">
            <Field label="Latitude" name="lat" value={v('lat', loc ? String(loc.lat) : '')} error={err('lat')} placeholder="52.37" />
            <Field label="Longitude" name="lon" value={v('lon', loc ? String(loc.lon) : '')} error={err('lon')} placeholder="4.90" />
            <Field label="Label" name="label" value={v('label', loc?.label ?? '')} error={err('label')} placeholder="Amsterdam" />
          </div>
          <div>
            <button type="submit" class="button primary">
              Save location
            </button>
          </div>
        </PostForm>
      </Card>
      <Card title="Agent enrolment">
        <p>
          {m.enrolledAt ? (
            <span>
              Enrolled <Time at={m.enrolledAt} />.{' '}
            </span>
          ) : (
            <span>Not enrolled yet. </span>
          )}
          {view.enrollment ? (
            <span>
              An install command is waiting to be used until <Time at={view.enrollment.expiresAt} />:{' '}
              <NavLink href={view.enrollment.href}>show the install command</NavLink>.
            </span>
          ) : (
            ''
          )}
        </p>
        {refusals.length ? (
          <div class="stack">
            <h3>Recent refusals</h3>
            <ActivityList events={refusals} />
          </div>
        ) : (
          ''
        )}
        <PostForm
          action={`${base}/install-command`}
          csrf={view.csrf}
          attrs={{ 'hx-confirm': 'Issue a new install command? Any older command stops working.' }}
        >
          <button type="submit" class="button">
            New install command
          </button>
        </PostForm>
      </Card>
      <Card title="Remove member">
        <ConfirmByName
          action={`${base}/remove`}
          csrf={view.csrf}
          name={m.name}
          what="member"
          error={err('confirmName')}
          typed={v('confirmName', '')}
          button="Remove member"
        >
          <p>
            Detaches this server from the pool and revokes its agent's token. Nothing on the server itself is changed;
            uninstall the agent there with <code>systemctl disable --now serversctl-agent</code>.
          </p>
        </ConfirmByName>
      </Card>
    </div>
  )
}
