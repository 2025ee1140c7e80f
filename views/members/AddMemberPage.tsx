import { NavLink } from '../layout/Layout'
import { Card, Field, Notice, PostForm } from '../components/ui'
import { PlainHttpNotice } from './InstallCommand'

export type AddMemberForm = { values: Record<string, string>; errors: Record<string, string> }

export function AddMemberPage({
  pool,
  form,
  csrf,
  publicUrl,
}: {
  pool: { id: string; name: string }
  form: AddMemberForm
  csrf: string | null
  /** Where the new server's agent will report. */
  publicUrl: string
}) {
  const v = (k: string) => form.values[k] ?? ''
  const e = (k: string) => form.errors[k] ?? null
  const family = v('osFamily') || 'debian'
  return (
    <div class="page narrow">
      <nav class="crumbs">
        <NavLink href="/pools">Pools</NavLink> / <NavLink href={`/pools/${pool.id}`}><span safe>{pool.name}</span></NavLink> / <span>Add server</span>
      </nav>
      <h1>Add server</h1>
      <PlainHttpNotice url={publicUrl} />
      <Card>
        <PostForm action={`/pools/${pool.id}/members`} csrf={csrf} class="stack">
          {e('form') ? (
            <Notice kind="error">
              <span safe>{e('form')!}</span>
            </Notice>
          ) : (
            ''
          )}
          <fieldset class="presets">
            <legend>Operating system</legend>
            <label class="preset">
              <input type="radio" name="osFamily" value="debian" checked={family === 'debian'} />
              <span class="preset-body">
                <span class="preset-title">Debian-like</span>
                <span class="preset-text">Ubuntu, Debian</span>
              </span>
            </label>
            <label class="preset">
              <input type="radio" name="osFamily" value="rhel" checked={family === 'rhel'} />
              <span class="preset-body">
                <span class="preset-title">RHEL-like</span>
                <span class="preset-text">Rocky Linux, AlmaLinux, CentOS, RHEL</span>
              </span>
            </label>
          </fieldset>
          <Field label="Display name" name="name" value={v('name')} error={e('name')} required maxlength={80} autofocus placeholder="web-1" />
          <Field label="Hostname" name="hostname" value={v('hostname')} error={e('hostname')} required placeholder="web-1.example.com">
            As <code>hostname -f</code> prints it on the server.
          </Field>
          <Field label="Allowed egress IPs" name="egressIps" value={v('egressIps')} error={e('egressIps')} required placeholder="203.0.113.7" hint="The server's outgoing IPv4 addresses, separated by commas. Only these may enrol and send heartbeats." />
          <Field label="Public IPv4 (optional)" name="publicIpv4" value={v('publicIpv4')} error={e('publicIpv4')} placeholder="same as the first egress IP" hint="Where DNS points while this member is active." />
          <div class="actions">
            <button type="submit" class="button primary">
              Add server
            </button>
            <NavLink href={`/pools/${pool.id}`} class="button">
              Cancel
            </NavLink>
          </div>
        </PostForm>
      </Card>
    </div>
  )
}
