// The Protection dashboard: the KPIs (protected accounts, replication health,
// last sync, the worst recovery point) and the server cards.
import type { Figures, ProtectionTabData, ServerCard } from '../../../../src/protection/tab-data'
import { behindText } from '../../../../src/protection/tab-model'
import type { StorageInfo } from '../../../../src/storage/service'
import { STATUS_TONE } from '../../../members/MemberTile'
import { Badge, Kpi, Time } from '../../../components/ui'

export function ProtectionKpis({ figures: f }: { figures: Figures }) {
  const health = f.enabled ? `${f.healthy} healthy · ${f.stale} stale · ${f.failing} failing` : 'nothing to replicate'
  const healthValue: string = f.enabled ? `${f.healthy}/${f.enabled}` : '–'
  const running: string = f.running ? `${f.running} run${f.running === 1 ? '' : 's'} in progress` : 'no run in progress'
  const worstValue: string = f.worst ? behindText(f.worst.seconds) : '–'
  const worstHint: string = f.worst ? `${f.worst.user}: standby ${f.worst.standbyName} is ${behindText(f.worst.seconds)} behind` : 'no standby holds a copy yet'
  return (
    <div class="kpis" id="protection-kpis">
      <Kpi label="Protected accounts" value={f.total} hint={f.total > f.enabled ? `${f.total - f.enabled} paused` : undefined} />
      <div class="kpi" data-kpi="health" data-stale={String(f.stale)} data-failing={String(f.failing)}>
        <div class="kpi-value" safe>
          {healthValue}
        </div>
        <div class="kpi-label">Replication health</div>
        <div class="kpi-hint" safe>
          {f.waiting ? `${health} · ${f.waiting} without a copy yet` : health}
        </div>
      </div>
      <div class="kpi" data-kpi="last-sync">
        <div class="kpi-value">{f.lastSync ? <Time at={f.lastSync} /> : 'never'}</div>
        <div class="kpi-label">Last sync</div>
        <div class="kpi-hint" safe>
          {running}
        </div>
      </div>
      <div class={f.stale ? 'kpi kpi-warn' : 'kpi'} data-kpi="recovery-point">
        <div class="kpi-value" safe>
          {worstValue}
        </div>
        <div class="kpi-label">Worst recovery point</div>
        <div class="kpi-hint" safe>
          {worstHint}
        </div>
      </div>
    </div>
  )
}

function StorageLine({ storage }: { storage: StorageInfo }) {
  return (
    <span>
      <span>Storage: </span>
      {storage.backend === 'folder' ? (
        <span>folder on the control plane</span>
      ) : (
        <span safe>{`S3-compatible, bucket ${storage.bucket}`}</span>
      )}{' '}
      <a href="/account/storage">(storage page)</a>
    </span>
  )
}

function Readiness({ s }: { s: ServerCard }) {
  const agentOk = s.status === 'healthy'
  return (
    <ul class="plain small">
      <li>
        <Badge tone={STATUS_TONE[s.status]}>
          <span safe>{`agent ${s.status}`}</span>
        </Badge>{' '}
        <span class="muted" safe>{`heard ${s.age}${s.agentVersion ? ` · agent ${s.agentVersion}` : ''}`}</span>
      </li>
      <li safe>{`cPanel ${s.cpanelVersion ?? 'detected (version not reported)'} · ${s.accounts} account${s.accounts === 1 ? '' : 's'}`}</li>
      <li safe>{`${s.sources} protected from here · ${s.standbys} standby cop${s.standbys === 1 ? 'y' : 'ies'} kept here`}</li>
      {agentOk ? '' : <li class="field-error">Runs from or to this server wait until its agent reports again.</li>}
    </ul>
  )
}

export function ServerCards({ data }: { data: ProtectionTabData }) {
  return (
    <div class="tiles protection-servers" id="protection-servers">
      {data.servers.map((s) => (
        <article class="tile" data-member-id={s.id} data-status={s.status}>
          <header class="tile-head">
            <a href={s.href} hx-get={s.href} hx-target="#pool-panel" hx-push-url="true">
              <strong safe>{s.name}</strong>
            </a>
            <div class="muted small" safe>
              {s.hostname}
            </div>
          </header>
          <Readiness s={s} />
          <p class="small">
            <StorageLine storage={data.storage} />
          </p>
          <p class="small" data-geo={s.location ? 'set' : 'unset'}>
            {s.location ? <span safe>{`Location: ${s.location}`}</span> : <span class="muted">No location set (member Settings tab).</span>}
          </p>
        </article>
      ))}
    </div>
  )
}
