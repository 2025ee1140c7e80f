// Security: the host firewall as the last heartbeat saw it, with the jobs
// that change it, and the SSH keys of one account as the last read found them.
import { escapeHtml } from '@kitajs/html'
import type { MemberView } from '../MemberWorkspace'
import type { Firewall, FirewallRule } from '../../../agent/protocol'
import type { SshKeys, TabJobs } from '../../../src/jobs/member-tabs'
import { portRange, sourceProblem } from '../../../agent/jobs/patterns'
import { memberTabHref } from '../../../src/members/tabs'
import { Badge, Card, EmptyState, Field, Kpi, Notice, Table, Time } from '../../components/ui'
import { ConfirmDialog, JobForm, JobStatusBadge, RecentJobs, Refused, SelectField, TextareaField, echoFor, errorOf, isActive, pollWhile } from './actions'

const rulesOf = (fw: Firewall | undefined): FirewallRule[] | null => (Array.isArray(fw?.rules) ? fw.rules : null)

/** Only a rule the add form could have written can be removed by the same parameters. */
const removable = (r: FirewallRule) =>
  !!portRange(r.port) &&
  ['tcp', 'udp', 'any'].includes(r.protocol ?? '') &&
  ['allow', 'deny'].includes(r.action) &&
  (!r.source || !sourceProblem(r.source))

export function SecurityTab({ view }: { view: MemberView }) {
  return (
    <div class="stack">
      <FirewallCard view={view} />
      <SshKeysCard view={view} />
    </div>
  )
}

function FirewallCard({ view }: { view: MemberView }) {
  const state = view.card.state
  const fw = state?.firewall
  const jobs = view.jobs
  const m = view.card.member
  const securityHref = memberTabHref(m.poolId, m.id, 'security')
  if (!state) {
    return (
      <Card title="Firewall" id="firewall">
        <EmptyState title="No heartbeat yet">
          <p>The firewall summary arrives with the agent's first heartbeat.</p>
        </EmptyState>
      </Card>
    )
  }
  const kpis = (
    <div class="kpis" id="firewall-kpis">
      <Kpi label="Firewall" value={fw?.kind ?? 'none found'} />
      <Kpi label="State" value={fw?.kind ? (fw.active ? 'enabled' : fw.active === false ? 'disabled' : 'unknown') : '–'} />
      <Kpi label="Rules" value={fw?.kind ? (fw.ruleCount ?? '–') : '–'} />
      <div class="kpi">
        <div class="kpi-value kpi-time">
          <Time at={fw ? m.lastHeartbeatAt : null} />
        </div>
        <div class="kpi-label">Last sync</div>
      </div>
    </div>
  )
  if (!fw?.kind) {
    return (
      <Card title="Firewall" id="firewall">
        {kpis}
        <EmptyState title="No firewall manager found">
          <p safe>{`The agent found neither ufw nor firewalld on ${m.name}, so there is nothing here to enable or add rules to. Install one (apt install ufw, or dnf install firewalld) and the next heartbeat shows it here.`}</p>
        </EmptyState>
      </Card>
    )
  }
  const refusals = jobs?.refusals ?? {}
  return (
    <Card title="Firewall" id="firewall">
      {kpis}
      <div class="actions wrap" id="firewall-actions">
        {fw.active !== true ? (
          <ConfirmDialog
            view={view}
            id="confirm-firewall-enable"
            name="firewall.enable"
            tab="security"
            label="Enable firewall…"
            title={`Enable the firewall on ${m.name}?`}
            button={`Enable on ${m.name}`}
          >
            <p>{fw.kind === 'ufw' ? 'ufw denies incoming connections by default. The agent allows SSH first (the port in sshd_config), so enabling it does not cut off your sessions; other services need their own rules.' : 'firewalld starts with its default zone: services not allowed there stop answering from outside.'}</p>
          </ConfirmDialog>
        ) : (
          ''
        )}
        {fw.active !== false ? (
          <ConfirmDialog
            view={view}
            id="confirm-firewall-disable"
            name="firewall.disable"
            tab="security"
            label="Disable firewall…"
            title={`Disable the firewall on ${m.name}?`}
            button={`Disable on ${m.name}`}
            danger
          >
            <p>Every port a service listens on becomes reachable from anywhere until the firewall is enabled again. The rules are kept.</p>
          </ConfirmDialog>
        ) : (
          ''
        )}
        {refusals['firewall.backup'] ? (
          <Refused label="Back up firewall configuration" reason={refusals['firewall.backup']} />
        ) : (
          <JobForm view={view} name="firewall.backup" tab="security">
            <button type="submit" class="button">
              Back up firewall configuration
            </button>
          </JobForm>
        )}
      </div>
      <h3>Rules</h3>
      <FirewallRules view={view} rules={rulesOf(fw)} />
      <AddRuleForm view={view} refusal={refusals['firewall.rule.add']} />
      <h3>Latest firewall jobs</h3>
      <RecentJobs view={view} id="firewall-jobs" jobs={jobs?.recent ?? []} empty="No firewall jobs yet" pollUrl={securityHref} />
    </Card>
  )
}

function FirewallRules({ view, rules }: { view: MemberView; rules: FirewallRule[] | null }) {
  const m = view.card.member
  if (!rules) return <p class="muted">This agent reports only how many rules there are. Update the agent to see and remove them here.</p>
  if (rules.length === 0) return <EmptyState title="No rules" />
  return (
    <Table id="firewall-rules" columns={['Port', 'Protocol', 'Source', 'Action', '']}>
      {rules.map((r, i) => (
        <tr title={r.raw}>
          <td>
            <code safe>{r.port}</code>
          </td>
          {/* Heartbeat data: typed, but from the agent. */}
          <td>{escapeHtml(r.protocol ?? 'by service')}</td>
          <td safe>{r.source ?? 'anywhere'}</td>
          <td>
            <Badge tone={r.action === 'allow' ? 'ok' : r.action.startsWith('limit') ? 'warn' : 'bad'}>
              <span>{escapeHtml(r.action)}</span>
            </Badge>
          </td>
          <td class="num">
            {removable(r) ? (
              <ConfirmDialog
                view={view}
                id={`confirm-rule-remove-${i}`}
                name="firewall.rule.remove"
                tab="security"
                params={{ port: r.port, protocol: r.protocol, source: r.source, action: r.action }}
                label="Remove…"
                buttonClass="button small danger"
                title={`Remove this rule from ${m.name}?`}
                button={`Remove from ${m.name}`}
                danger
              >
                <p safe>{`${r.action} ${r.port}/${r.protocol} from ${r.source ?? 'anywhere'}`}</p>
                <p class="hint">Connections this rule lets in stop being accepted, unless another rule allows them.</p>
              </ConfirmDialog>
            ) : (
              <span class="hint">remove on the server</span>
            )}
          </td>
        </tr>
      ))}
    </Table>
  )
}

function AddRuleForm({ view, refusal }: { view: MemberView; refusal?: string | null }) {
  if (refusal) return <Refused label="Add rule" reason={refusal} />
  const echo = echoFor(view, 'firewall.rule.add')
  const v = (k: string, d: string) => echo?.values[k] ?? d
  return (
    <JobForm view={view} name="firewall.rule.add" tab="security" class="stack" attrs={{ id: 'add-rule-form' }}>
      <h3>Add a rule</h3>
      {echo && !echo.field ? (
        <Notice kind="error">
          <span safe>{echo.message}</span>
        </Notice>
      ) : (
        ''
      )}
      <div class="inline-form">
        <Field id="rule-port" label="Port or range" name="p.port" value={v('port', '')} error={errorOf(echo, 'port')} placeholder="443 or 8000:8100" required />
        <SelectField id="rule-protocol" label="Protocol" name="p.protocol" value={v('protocol', 'tcp')} options={[['tcp', 'tcp'], ['udp', 'udp'], ['any', 'tcp and udp']]} error={errorOf(echo, 'protocol')} />
        <Field id="rule-source" label="Source (optional)" name="p.source" value={v('source', '')} error={errorOf(echo, 'source')} placeholder="203.0.113.0/24" hint="An address or network; anywhere when empty." />
        <SelectField id="rule-action" label="Action" name="p.action" value={v('action', 'allow')} options={[['allow', 'allow'], ['deny', 'deny']]} error={errorOf(echo, 'action')} />
        <button type="submit" class="button primary">
          Add rule
        </button>
      </div>
    </JobForm>
  )
}

function SshKeysCard({ view }: { view: MemberView }) {
  const jobs: TabJobs | undefined = view.jobs
  const ssh = jobs?.ssh
  if (!ssh) return ''
  const m = view.card.member
  const url = `${memberTabHref(m.poolId, m.id, 'security')}?user=${encodeURIComponent(ssh.user)}`
  const listEcho = echoFor(view, 'ssh.key.list')
  return (
    <Card title="SSH authorized keys" id="ssh-keys">
      <div class="stack">
        <JobForm view={view} name="ssh.key.list" tab="security" after="tab" class="inline-form">
          <Field
            id="ssh-user"
            label="User"
            name="p.user"
            value={listEcho?.values.user ?? ssh.user}
            error={errorOf(listEcho, 'user')}
            hint="The account whose ~/.ssh/authorized_keys to read."
            autocomplete="off"
            required
          />
          <button type="submit" class="button">
            Load keys
          </button>
        </JobForm>
        {/* Only the keys refresh while a read runs: the forms keep what is being typed. */}
        <div id="ssh-keys-list" class="stack" {...pollWhile(!!ssh.pending, url, 'ssh-keys-list')}>
          <KeysState view={view} ssh={ssh} />
          {ssh.read ? <KeysTable view={view} ssh={ssh} /> : ''}
        </div>
        <AddKeyForm view={view} user={ssh.user} />
      </div>
    </Card>
  )
}

function KeysState({ view, ssh }: { view: MemberView; ssh: SshKeys }) {
  const p = ssh.pending
  if (p) {
    return (
      <Notice kind="info">
        <span safe>{`Reading ${ssh.user}'s keys: `}</span>
        <JobStatusBadge job={p} />
      </Notice>
    )
  }
  if (ssh.failed) {
    return (
      <Notice kind="error">
        <span safe>{`Reading ${ssh.user}'s keys did not work (${ssh.failed.status.replace('_', ' ')})${ssh.failed.error ? `: ${ssh.failed.error}` : '.'}`}</span>
      </Notice>
    )
  }
  if (!ssh.read) {
    return (
      <EmptyState title={`${ssh.user}'s keys have not been read yet`}>
        <p>Load keys asks the agent to read the account's authorized_keys; they show here when it answers.</p>
      </EmptyState>
    )
  }
  return ''
}

function KeysTable({ view, ssh }: { view: MemberView; ssh: SshKeys }) {
  const m = view.card.member
  const read = ssh.read!
  return (
    <div class="stack">
      <p class="muted">
        <span safe>{`${ssh.keys.length} key${ssh.keys.length === 1 ? '' : 's'} for ${ssh.user}, read `}</span>
        <Time at={read.finishedAt ?? read.createdAt} />
      </p>
      {ssh.changedSince.length ? (
        <Notice kind="warn">
          <span safe>{`${ssh.changedSince.length} key change${ssh.changedSince.length === 1 ? '' : 's'} queued since this read${ssh.changedSince.some(isActive) ? ' (not all done yet)' : ''}: load the keys again to see the result.`}</span>
        </Notice>
      ) : (
        ''
      )}
      {ssh.keys.length === 0 ? (
        <EmptyState title={`No keys: ${ssh.user} cannot log in with a key`} />
      ) : (
        <Table id="ssh-keys-table" columns={['Type', 'Fingerprint', 'Comment', '']}>
          {ssh.keys.map((k, i) => (
            <tr>
              <td safe>{k.type}</td>
              <td>
                <code safe>{k.fingerprint}</code>
              </td>
              <td class="muted" safe>
                {k.comment ?? ''}
              </td>
              <td class="num">
                <ConfirmDialog
                  view={view}
                  id={`confirm-key-remove-${i}`}
                  name="ssh.key.remove"
                  tab="security"
                  params={{ user: ssh.user, fingerprint: k.fingerprint }}
                  label="Remove…"
                  buttonClass="button small danger"
                  title={`Remove this key of ${ssh.user} from ${m.name}?`}
                  button={`Remove from ${m.name}`}
                  danger
                >
                  <p>
                    <code safe>{k.fingerprint}</code> <span class="muted" safe>{k.comment ?? ''}</span>
                  </p>
                  <p class="hint">Whoever holds this key can no longer log in with it. Keep another way in before removing the last key.</p>
                </ConfirmDialog>
              </td>
            </tr>
          ))}
        </Table>
      )}
    </div>
  )
}

function AddKeyForm({ view, user }: { view: MemberView; user: string }) {
  const echo = echoFor(view, 'ssh.key.add')
  return (
    <JobForm view={view} name="ssh.key.add" tab="security" params={{ user }} class="stack" attrs={{ id: 'add-key-form' }}>
      <h3 safe>{`Add a key for ${user}`}</h3>
      {echo && echo.field !== 'key' ? (
        <Notice kind="error">
          <span safe>{echo.message}</span>
        </Notice>
      ) : (
        ''
      )}
      <TextareaField
        id="ssh-key"
        label="Public key"
        name="p.key"
        value={echo?.values.key ?? ''}
        error={errorOf(echo, 'key')}
        hint="One line as in id_ed25519.pub: type, key, optional comment."
        placeholder="ssh-ed25519 AAAAC3Nz... you@laptop"
      />
      <div>
        <button type="submit" class="button primary">
          Add key
        </button>
      </div>
    </JobForm>
  )
}
