import type { PoolView } from '../PoolPage'
import { NavLink } from '../../layout/Layout'
import { Card, EmptyState, Kpi, Time } from '../../components/ui'
import { MemberTiles, TilesMore } from '../../members/MemberTile'
import type { FleetStatus } from '../../../src/members/cards'
import { FleetMap } from './FleetMap'
import type { PoolJobFigures } from '../../../src/jobs/service'
import type { PoolBackupSummary } from '../../../src/backups/service'
import { formatBytes } from '../../../src/members/view-model'
import { behindText } from '../../../src/protection/tab-model'
import type { PoolProtectionNote } from '../../../src/protection/tab-data'

/** The pool's snapshots: how many, what they take in the store, and the newest. */
function BackupsKpi({ backups }: { backups: PoolBackupSummary }) {
  const n = backups.snapshots
  return (
    <div class="kpi" data-kpi="backups">
      <div class="kpi-value" safe>{String(n)}</div>
      <div class="kpi-label">Snapshots</div>
      <div class="kpi-hint">
        {n ? (
          <>
            <span safe>{`${formatBytes(backups.storedBytes)} stored · last `}</span>
            <Time at={backups.lastBackupAt} />
          </>
        ) : (
          'no backup yet'
        )}
      </div>
    </div>
  )
}

/** The Fleet status figures; the tiles' poll refreshes them too. */
export function FleetKpis({ status, jobs, backups }: { status: FleetStatus; jobs?: PoolJobFigures; backups?: PoolBackupSummary }) {
  return (
    <div class="kpis" id="fleet-kpis">
      <Kpi label="Members" value={status.members} />
      <Kpi label="Healthy agents" value={status.healthy} />
      <Kpi label="Last check-in" value={status.lastCheckIn} />
      {backups ? <BackupsKpi backups={backups} /> : ''}
      {jobs ? (
        <>
          <Kpi label="Backup schedules" value={jobs.backupSchedules} hint={jobs.backupSchedules ? undefined : 'none yet'} />
          <Kpi label="Cron jobs" value={jobs.schedules} />
          <Kpi label="Running jobs" value={jobs.running} hint={jobs.queued ? `${jobs.queued} queued` : undefined} />
        </>
      ) : (
        ''
      )}
      <Kpi label="Outdated agents" value={status.outdated} />
    </div>
  )
}

/** Protected accounts at a glance: how many, how many are stale or without a copy, and the standby furthest behind. */
function ProtectionLine({ poolId, note }: { poolId: string; note: PoolProtectionNote }) {
  const worst = note.worstRecoveryPointSeconds
  const text = [
    `${note.protected} protected account${note.protected === 1 ? '' : 's'}`,
    worst === null ? 'no standby holds a copy yet' : `worst recovery point: standby ${behindText(worst)} behind`,
    // The worst figure covers only accounts with a copy; one still waiting for its first would hide behind it.
    worst !== null && note.neverCopied ? `${note.neverCopied} without a copy yet` : '',
    note.stale ? `${note.stale} stale` : '',
    note.failing ? `${note.failing} failing` : '',
  ].filter(Boolean)
  return (
    <p class={note.stale || note.failing ? 'notice notice-warn' : 'hint'} id="fleet-protection" data-stale={String(note.stale)}>
      <NavLink href={`/pools/${poolId}/protection`}>Protection</NavLink>
      <span safe>{`: ${text.join(' · ')}.`}</span>
    </p>
  )
}

export function OverviewTab({ view }: { view: PoolView }) {
  const id = view.pool.id
  const fleet = view.fleet!
  return (
    <div class="stack">
      <Card
        title="Fleet status"
        // Add server is in the member row (or the empty state below), pool
        // settings are the Settings tab: one control for each, not two.
        actions={
          <div class="card-actions">
            <NavLink href={`/pools/${id}/runs`} class="button">
              Run a job
            </NavLink>
          </div>
        }
      >
        <FleetKpis status={fleet.status} jobs={view.jobFigures} backups={view.backupFigures} />
        {view.protection ? <ProtectionLine poolId={id} note={view.protection} /> : ''}
      </Card>
      {fleet.status.members ? (
        <Card title="Fleet geography">
          <FleetMap poolId={id} cells={fleet.cells} />
          {/* A cluster's members, on demand; outside the map, which the poll replaces. */}
          <div id="map-cell" aria-live="polite"></div>
        </Card>
      ) : (
        ''
      )}
      <Card title="Servers">
        {fleet.status.members === 0 ? (
          <EmptyState title="No servers in this pool yet">
            <p>
              Add a server, then paste its install command on the VM. Each server shows here as a tile with its status,
              heartbeat age, operating system, detected stacks and resource use.
            </p>
            <NavLink href={`/pools/${id}/members/new`} class="button primary">
              Add server
            </NavLink>
          </EmptyState>
        ) : (
          <>
            <MemberTiles poolId={id} cards={fleet.tiles} notes={view.notes} ptag={view.ptag} page={fleet.page.page} />
            <TilesMore poolId={id} page={fleet.page} first={fleet.page.page} />
          </>
        )}
      </Card>
    </div>
  )
}
