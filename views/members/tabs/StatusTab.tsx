import type { MemberView } from '../MemberWorkspace'
import { SERVER_AGENT_VERSION, formatBytes } from '../../../src/members/view-model'
import { Badge, Card, EmptyState, Notice, Time } from '../../components/ui'
import { FirewallSummary, MemberActivity } from './parts'

function Row({ label, children }: { label: string; children: JSX.Element }) {
  return (
    <tr>
      <th safe>{label}</th>
      <td>{children}</td>
    </tr>
  )
}

export function StatusTab({ view }: { view: MemberView }) {
  const { card } = view
  const m = card.member
  const s = card.state
  const os = (view.card.full?.os ?? {}) as { id?: string; versionId?: string; family?: string; kernel?: string }
  const updates = s?.updates
  return (
    <div class="stack">
      {card.outdated ? (
        <Notice kind="warn">
          <span safe>{`Agent ${m.agentVersion} is older than this server's ${SERVER_AGENT_VERSION}. Update it from Recipes once available, or run the install command again.`}</span>
        </Notice>
      ) : (
        ''
      )}
      <Card title="OS and agent">
        <table class="table kv" id="status-os">
          <tbody>
            <Row label="Operating system">
              <span safe>{card.osName}</span>
            </Row>
            <Row label="Family">
              <span safe>{os.family ?? m.osFamily ?? 'unknown'}</span>
            </Row>
            <Row label="Kernel">
              <span safe>{os.kernel ?? '–'}</span>
            </Row>
            <Row label="Uptime">
              <span>{s?.uptimeSeconds != null ? `${Math.floor(s.uptimeSeconds / 86400)}d ${Math.floor((s.uptimeSeconds % 86400) / 3600)}h` : '–'}</span>
            </Row>
            <Row label="Agent version">
              <span>
                <span safe>{m.agentVersion ?? 'not enrolled'}</span> {card.outdated ? <Badge tone="warn">outdated</Badge> : ''}
              </span>
            </Row>
            <Row label="Last heartbeat">
              <span>
                <Time at={m.lastHeartbeatAt} /> <span class="muted" safe>{`(${card.age}) from ${m.lastHeartbeatIp ?? '–'}`}</span>
              </span>
            </Row>
          </tbody>
        </table>
      </Card>
      <Card title="Live stats">
        {!s ? (
          <EmptyState title="No heartbeat yet" />
        ) : (
          <table class="table kv" id="status-stats">
            <tbody>
              <Row label="CPU">
                <span safe>{card.cpu == null ? '–' : `${card.cpu.toFixed(1)}%`}</span>
              </Row>
              <Row label="Memory">
                <span safe>{`${formatBytes(s.memory?.usedBytes)} of ${formatBytes(s.memory?.totalBytes)}`}</span>
              </Row>
              <Row label="Load">
                <span>{s.load ? s.load.map((l) => l.toFixed(2)).join(' / ') : '–'}</span>
              </Row>
              {s.disks.map((d) => (
                <Row label={`Disk ${d.mount}`}>
                  <span safe>{`${formatBytes(d.usedBytes)} of ${formatBytes(d.totalBytes)} (${d.fsType})`}</span>
                </Row>
              ))}
            </tbody>
          </table>
        )}
      </Card>
      <Card title="Updates and firewall">
        <table class="table kv" id="status-updates">
          <tbody>
            <Row label="Pending updates">
              <span>
                {updates?.manager
                  ? `${updates.pending ?? '?'} pending${updates.security ? `, ${updates.security} security` : ''} (${updates.manager})`
                  : 'unknown'}
              </span>
            </Row>
            <Row label="Firewall">
              <FirewallSummary firewall={s?.firewall} />
            </Row>
          </tbody>
        </table>
      </Card>
      <MemberActivity view={view} />
    </div>
  )
}
