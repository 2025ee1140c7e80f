// A member's install page: its install command while the command waits to be
// used, or why there is none, and a way to issue a new one. "Add server" and
// "New install command" land here (redirect after POST), so a reload or a
// second look still finds the command.
import type { InstallState } from '../../src/members/service'
import { memberTabHref } from '../../src/members/tabs'
import { NavLink } from '../layout/Layout'
import { Card, PostForm, Time } from '../components/ui'
import { InstallCommand } from './InstallCommand'

type Props = {
  pool: { id: string; name: string }
  member: { id: string; name: string; enrolledAt: Date | null }
  state: InstallState
  csrf: string | null
}

export const installPageHref = (poolId: string, memberId: string) => `/pools/${poolId}/members/${memberId}/install`

/** A member still waiting for its agent was just added, as far as anyone can tell; an enrolled one is being installed again. */
export const installPageHeading = (member: { name: string; enrolledAt: Date | null }) =>
  member.enrolledAt ? `Install the agent on ${member.name}` : `${member.name} added`

export function InstallPage({ pool, member, state, csrf }: Props) {
  return (
    <div class="page narrow" id="install-page">
      <nav class="crumbs">
        <NavLink href="/pools">Pools</NavLink> / <NavLink href={`/pools/${pool.id}`}><span safe>{pool.name}</span></NavLink> /{' '}
        <NavLink href={memberTabHref(pool.id, member.id, 'control')}>
          <span safe>{member.name}</span>
        </NavLink>{' '}
        / <span>Install the agent</span>
      </nav>
      <h1 safe>{installPageHeading(member)}</h1>
      <Card title="Install command">
        {state.kind === 'waiting' ? (
          <div class="stack">
            <InstallCommand command={state.enrollment.installCommand} expiresAt={state.enrollment.expiresAt} />
            <p class="muted" id="install-kept">
              Until it is used, replaced or expired, this page shows the command again to anyone signed in here: the secret is kept sealed
              with this server's key (AES-256-GCM), and erased then, leaving only its hash.
            </p>
          </div>
        ) : (
          <NoCommand state={state} />
        )}
        <p class="muted">
          The agent reports the server's OS and any cPanel, OpenLiteSpeed or MariaDB it finds. The member turns healthy with its first
          heartbeat.
        </p>
        <div class="actions">
          <NavLink href={memberTabHref(pool.id, member.id, 'status')} class="button primary">
            Open the member
          </NavLink>
          <NavLink href={`/pools/${pool.id}`} class="button">
            Back to the pool
          </NavLink>
          <PostForm
            action={`/pools/${pool.id}/members/${member.id}/settings/install-command`}
            csrf={csrf}
            attrs={{ 'hx-confirm': 'Issue a new install command? Any older command stops working.' }}
          >
            <button type="submit" class="button">
              New install command
            </button>
          </PostForm>
        </div>
      </Card>
    </div>
  )
}

function NoCommand({ state }: { state: Exclude<InstallState, { kind: 'waiting' }> }) {
  switch (state.kind) {
    case 'enrolled':
      return (
        <p id="install-none">
          Its agent enrolled <Time at={state.at} />: the install command was used and no longer works. To install the agent again (a rebuilt
          server), issue a new one.
        </p>
      )
    case 'expired':
      return (
        <p id="install-none">
          The install command expired <Time at={state.at} /> without being used. Issue a new one.
        </p>
      )
    case 'unreadable':
      return (
        <p id="install-none">
          An install command is waiting, but this page cannot show it: it was issued before commands were kept, or under another SECRET_KEY.
          Issue a new one; the old one stops working.
        </p>
      )
    default:
      return <p id="install-none">No install command is waiting: the last one was used or replaced. Issue a new one.</p>
  }
}
