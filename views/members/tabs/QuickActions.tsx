// The Control panel's quick actions: each one a job (Back up now: one per
// detected database, else the configuration), confirmed in a dialog by
// typing the server's name.
import type { MemberView } from '../MemberWorkspace'
import type { MariaDbStack } from '../../../agent/protocol'
import { Card, Time } from '../../components/ui'
import { ConfirmDialog, LetsencryptFields, RecentJobs, echoFor } from './actions'
import { BackUpNowDialog, backUpNowSummary } from './BackupsNow'
import { memberTabHref } from '../../../src/members/tabs'

export function QuickActions({ view }: { view: MemberView }) {
  const jobs = view.jobs
  if (!jobs) return ''
  const m = view.card.member
  const updates = view.card.state?.updates
  const pending = updates?.pending
  const security = updates?.security
  return (
    <Card title="Quick actions" id="quick-actions">
      {!m.lastHeartbeatAt ? (
        <p class="muted" id="quick-actions-pending">
          The agent has not checked in yet. Reboot and Shut down wait for its first heartbeat; other actions wait in the queue for up to an hour, then
          are cancelled rather than run late.
        </p>
      ) : (
        ''
      )}
      <div class="grid-2 quick-actions">
        <div class="quick-action" id="qa-reboot">
          <h3>Reboot</h3>
          <p class="hint">Restarts the server; its sites are down until it is back.</p>
          <ConfirmDialog
            view={view}
            id="confirm-reboot"
            name="system.reboot"
            tab="control"
            label="Reboot…"
            title={`Reboot ${m.name}?`}
            button={`Reboot ${m.name}`}
            danger
          >
            <p safe>{`${m.name} (${m.hostname}) restarts now. Everything it serves is down until it has booted, usually a minute or two.`}</p>
          </ConfirmDialog>
        </div>
        <div class="quick-action" id="qa-shutdown">
          <h3>Shut down</h3>
          <p class="hint">Powers the server off; only its provider's console starts it again.</p>
          <ConfirmDialog
            view={view}
            id="confirm-shutdown"
            name="system.shutdown"
            tab="control"
            label="Shut down…"
            title={`Shut down ${m.name}?`}
            button={`Shut down ${m.name}`}
            danger
          >
            <p safe>{`${m.name} (${m.hostname}) powers off and stays off: the agent cannot start it again. Start it from your provider's console.`}</p>
          </ConfirmDialog>
        </div>
        <div class="quick-action" id="qa-updates">
          <h3>Install updates</h3>
          <p class="hint">
            {pending == null ? (
              <span>No update count from the agent yet.</span>
            ) : (
              <span safe>{`${pending} pending, ${security ?? 0} security`}</span>
            )}
            {updates?.checkedAt && !Number.isNaN(Date.parse(updates.checkedAt)) ? (
              <span>
                {' · checked '}
                <Time at={new Date(updates.checkedAt)} />
              </span>
            ) : (
              ''
            )}
          </p>
          <ConfirmDialog
            view={view}
            id="confirm-updates"
            name="system.updates.install"
            tab="control"
            label={pending ? `Install ${pending} update${pending === 1 ? '' : 's'}…` : 'Install updates…'}
            title={`Install updates on ${m.name}?`}
            button={`Install on ${m.name}`}
          >
            <p safe>{`${pending == null ? 'Pending' : `${pending}`} package updates${security ? ` (${security} security)` : ''} are installed with ${updates?.manager ?? 'the package manager'}. Services may restart; the server does not reboot by itself.`}</p>
          </ConfirmDialog>
        </div>
        <div class="quick-action" id="qa-letsencrypt">
          <h3>Let's Encrypt</h3>
          <p class="hint">A certificate for this server's domains, by certbot.</p>
          <ConfirmDialog
            view={view}
            id="confirm-letsencrypt"
            name="tls.letsencrypt.issue"
            tab="control"
            label="Issue certificate…"
            title={`Issue a certificate on ${m.name}?`}
            button={`Issue on ${m.name}`}
          >
            {jobs.letsencrypt ? <LetsencryptFields id="qa-le" defaults={jobs.letsencrypt} echo={echoFor(view, 'tls.letsencrypt.issue')} /> : ''}
          </ConfirmDialog>
        </div>
        <BackUpNowAction view={view} />
      </div>
      <h3>Latest</h3>
      <RecentJobs view={view} id="quick-action-jobs" jobs={jobs.recent} empty="No quick actions have run here yet" pollUrl={`/pools/${m.poolId}/members/${m.id}`} />
    </Card>
  )
}

/** Back up now: what it takes follows the detected stacks; it posts to the Restore Backups tab. */
function BackUpNowAction({ view }: { view: MemberView }) {
  const m = view.card.member
  const mariadb = view.card.stacks.mariadb as MariaDbStack | null
  const databases = mariadb ? mariadb.databases.map((d) => d.name) : null
  const echo = view.jobForm?.name === 'backup.now' ? { confirm: view.jobForm.values.confirm ?? '', message: view.jobForm.message } : undefined
  const tab = memberTabHref(m.poolId, m.id, 'backups')
  return (
    <div class="quick-action" id="qa-backup">
      <h3>Back up now</h3>
      <p class="hint">
        <span class="backup-sources" safe>
          {backUpNowSummary(databases)}
        </span>{' '}
        <a href={tab} hx-get={tab} hx-target="#member-panel" hx-push-url="true">
          Snapshots
        </a>
      </p>
      <BackUpNowDialog
        poolId={m.poolId}
        member={m}
        csrf={view.csrf}
        databases={databases}
        from="control"
        id="confirm-backup-now"
        buttonClass="button"
        echo={echo}
        refusal={m.lastHeartbeatAt ? null : `The agent on ${m.name} has not checked in yet: backups wait for its first heartbeat.`}
      />
    </div>
  )
}
