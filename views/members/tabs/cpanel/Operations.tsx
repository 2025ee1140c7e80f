// cPanel Operations: restart cPanel's services through WHM, check its
// configuration (and read the last check), WHM's backup settings, what
// listens on which port, and disk use.
import type { CpanelOperationsData } from '../../../../src/cpanel/model'
import type { CpanelService } from '../../../../agent/cpanel/protocol'
import type { CpanelBackupConfig, Listener, ServiceState } from '../../../../agent/protocol'
import type { Job } from '../../../../src/jobs/store'
import type { JobStep } from '../../../../src/db/schema'
import type { ConfigCheck } from '../../../../agent/jobs/handlers/cpanel-services'
import { formatBytes } from '../../../../src/members/view-model'
import { Badge, Card, EmptyState, PostForm, Table, Time } from '../../../components/ui'
import { JobLink } from '../../../jobs/JobTimeline'
import { JobStatusBadge, isActive } from '../../../jobs/parts'
import { CpanelTab } from './CpanelTab'
import { FormError, JustQueued, echoOf, innerHref, type CpanelPage } from './parts'

export function CpanelOperations({ page, data }: { page: CpanelPage; data: CpanelOperationsData }) {
  return (
    <CpanelTab page={page} inner="operations">
      <JustQueued job={page.queued} />
      <ServicesCard page={page} data={data} />
      <ConfigCheckCard page={page} job={data.lastCheck} />
      <BackupCard backup={data.backup} />
      <ListenersCard listeners={data.listeners} />
      <DiskCard data={data} />
    </CpanelTab>
  )
}

/** The systemd units the agent may report for each service WHM restarts. */
const UNITS: Record<CpanelService, string[]> = {
  httpd: ['httpd', 'apache2'],
  exim: ['exim'],
  imap: ['dovecot'],
  cpsrvd: ['cpanel', 'cpsrvd'],
  named: ['named', 'pdns'],
  mysql: ['mariadb', 'mysql', 'mysqld'],
}

const STATE_TONE = { active: 'ok', failed: 'bad', inactive: 'warn', unknown: 'muted' } as const

function stateOf(service: CpanelService, services: ServiceState[]): ServiceState | undefined {
  return services.find((s) => UNITS[service].includes(s.unit))
}

function ServicesCard({ page, data }: { page: CpanelPage; data: CpanelOperationsData }) {
  const action = `${innerHref(page, 'operations')}/restart`
  return (
    <Card title="Services" id="cpanel-services">
      <Table id="cpanel-services-table" columns={['Service', 'State', '']}>
        {data.restartable.map(({ service, label }) => {
          const state = stateOf(service, data.services)
          const echo = echoOf(page, 'restart', service)
          return (
            <tr data-service={service}>
              <td>
                <strong safe>{label}</strong>
                <div class="muted small">
                  <code>{service}</code>
                </div>
              </td>
              <td>
                {state ? (
                  <Badge tone={STATE_TONE[state.state] ?? 'muted'}>
                    <code safe>{state.unit}</code>
                    <span safe>{`: ${state.state === 'unknown' ? 'not known' : state.state}`}</span>
                  </Badge>
                ) : (
                  <span class="muted small">not reported</span>
                )}
              </td>
              <td class="num">
                <PostForm action={action} csrf={page.csrf} class="row-actions">
                  <input type="hidden" name="service" value={service} />
                  <button type="submit" class="button small" aria-label={`Restart ${label}`}>
                    Restart
                  </button>
                </PostForm>
                {echo ? (
                  <p class="field-error" safe>
                    {echo.errors.service ?? echo.errors.form ?? ''}
                  </p>
                ) : (
                  ''
                )}
              </td>
            </tr>
          )
        })}
      </Table>
      <p class="hint">Each restart is a job for the agent: WHM restarts the service (whmapi1 restartservice) and the job says how that went.</p>
    </Card>
  )
}

const STEP_TONE: Partial<Record<JobStep['state'], 'ok' | 'bad' | 'info' | 'muted'>> = { done: 'ok', failed: 'bad', running: 'info' }

type Finding = { label: string; value: string; ok: boolean | null }

/** What a finished cpanel.config.check found: WHM's version, each service, the web server configuration, the problems it names. */
export function checkFindings(result: unknown): { findings: Finding[]; problems: string[] } {
  const r = (result && typeof result === 'object' ? result : {}) as Partial<ConfigCheck>
  const findings: Finding[] = []
  if (r.version) findings.push({ label: 'WHM version', value: r.version, ok: null })
  for (const s of r.services ?? []) {
    // A service switched off in WHM is not a fault when it is not running.
    findings.push({ label: s.name, value: s.running ? 'running' : s.enabled ? 'not running' : 'disabled', ok: s.running ? true : s.enabled ? false : null })
  }
  if (r.web) findings.push({ label: 'Web server configuration', value: r.web.message, ok: r.web.ok })
  return { findings, problems: r.problems ?? [] }
}

function ConfigCheckCard({ page, job }: { page: CpanelPage; job: Job | null }) {
  const echo = echoOf(page, 'check')
  const { findings, problems } = checkFindings(job?.status === 'succeeded' ? job.result : null)
  return (
    <Card
      title="Configuration check"
      id="cpanel-config-check"
      actions={
        <PostForm action={`${innerHref(page, 'operations')}/check`} csrf={page.csrf}>
          <button type="submit" class="button" disabled={!!job && isActive(job.status)}>
            Check configuration
          </button>
        </PostForm>
      }
    >
      <FormError echo={echo} />
      {!job ? (
        <p class="muted">No check has run yet. It asks WHM for its version, checks cPanel's services and tests the web server configuration.</p>
      ) : (
        <div class="stack tight">
          <p>
            <span>Last check: </span>
            <JobLink job={job} /> <JobStatusBadge status={job.status} /> <Time at={job.finishedAt ?? job.createdAt} />
          </p>
          <ul class="plain cpanel-check-steps">
            {job.steps.map((s) => (
              <li>
                <Badge tone={STEP_TONE[s.state] ?? 'muted'}>
                  <span safe>{s.state.replace('_', ' ')}</span>
                </Badge>{' '}
                <span safe>{s.title}</span>
              </li>
            ))}
          </ul>
          {findings.length ? (
            <Table id="cpanel-check-findings" columns={['Checked', 'Found']}>
              {findings.map((f) => (
                <tr>
                  <td safe>{f.label}</td>
                  <td>
                    {f.ok === null ? (
                      <span safe>{f.value}</span>
                    ) : (
                      <Badge tone={f.ok ? 'ok' : 'bad'}>
                        <span safe>{f.value || (f.ok ? 'ok' : 'not ok')}</span>
                      </Badge>
                    )}
                  </td>
                </tr>
              ))}
            </Table>
          ) : (
            ''
          )}
          {problems.length ? (
            <ul class="plain stack tight" id="cpanel-check-problems">
              {problems.map((p) => (
                <li class="field-error" safe>
                  {p}
                </li>
              ))}
            </ul>
          ) : job.status === 'succeeded' ? (
            <p class="muted">No problems found.</p>
          ) : (
            ''
          )}
          {job.error ? (
            <p class="field-error" safe>
              {job.error}
            </p>
          ) : (
            ''
          )}
        </div>
      )}
    </Card>
  )
}

function BackupCard({ backup }: { backup: CpanelBackupConfig | null }) {
  if (!backup) {
    return (
      <Card title="WHM backups" id="cpanel-whm-backup">
        <p class="muted">Not reported: the agent has not read WHM's backup configuration on this server.</p>
      </Card>
    )
  }
  if (!backup.enabled) {
    return (
      <Card title="WHM backups" id="cpanel-whm-backup">
        <p>
          <Badge tone="warn">off</Badge> <span>WHM backups are off on this server.</span>
        </p>
        <p class="hint">Account copies and backups queued from this tab do not depend on them.</p>
      </Card>
    )
  }
  const when = [backup.daily ? 'daily' : '', backup.weekly ? 'weekly' : '', backup.monthly ? 'monthly' : ''].filter(Boolean).join(', ') || 'no schedule set'
  return (
    <Card title="WHM backups" id="cpanel-whm-backup">
      <dl class="cpanel-facts">
        <div>
          <dt>State</dt>
          <dd>
            <Badge tone="ok">on</Badge>
          </dd>
        </div>
        <div>
          <dt>Type</dt>
          <dd safe>{backup.type ?? 'not reported'}</dd>
        </div>
        <div>
          <dt>Runs</dt>
          <dd safe>{when}</dd>
        </div>
        <div>
          <dt>Daily backups kept</dt>
          <dd safe>{backup.retention == null ? 'not reported' : String(backup.retention)}</dd>
        </div>
        <div>
          <dt>Folder</dt>
          <dd class="break" safe>
            {backup.dir ?? 'not reported'}
          </dd>
        </div>
      </dl>
    </Card>
  )
}

/** cPanel's well-known ports, by what listens there. */
export const PORT_NAMES: Record<number, string> = {
  21: 'FTP',
  22: 'SSH',
  25: 'SMTP',
  53: 'DNS',
  80: 'Web (HTTP)',
  110: 'POP3',
  143: 'IMAP',
  443: 'Web (HTTPS)',
  465: 'SMTP (SSL)',
  587: 'SMTP (submission)',
  993: 'IMAP (SSL)',
  995: 'POP3 (SSL)',
  2082: 'cPanel',
  2083: 'cPanel',
  2086: 'WHM',
  2087: 'WHM',
  2095: 'Webmail',
  2096: 'Webmail',
  3306: 'MySQL',
}

function ListenersCard({ listeners }: { listeners: Listener[] }) {
  return (
    <Card title="Listening ports" id="cpanel-listeners">
      {listeners.length === 0 ? (
        <p class="muted">The agent has reported no listening ports (agents before port reporting send none).</p>
      ) : (
        <Table id="cpanel-listeners-table" columns={[{ label: 'Port', num: true }, 'What', 'Address', 'Process']}>
          {listeners.map((l) => (
            <tr data-port={String(l.port)}>
              <td class="num" safe>
                {String(l.port)}
              </td>
              <td safe>{PORT_NAMES[l.port] ?? ''}</td>
              <td class="break" safe>
                {l.address}
              </td>
              <td safe>{l.process ?? ''}</td>
            </tr>
          ))}
        </Table>
      )}
    </Card>
  )
}

const percent = (used: number, total: number) => (total > 0 ? `${Math.round((used / total) * 100)}%` : '–')

function DiskCard({ data }: { data: CpanelOperationsData }) {
  return (
    <Card title="Disk" id="cpanel-disk">
      {data.disks.length === 0 ? (
        <EmptyState title="No disks reported" />
      ) : (
        <Table id="cpanel-disk-table" columns={['Mount', { label: 'Used', num: true }, { label: 'Total', num: true }, { label: 'Use', num: true }]}>
          {data.disks.map((d) => (
            <tr>
              <td class="break" safe>
                {d.mount}
              </td>
              <td class="num nowrap" safe>
                {formatBytes(d.usedBytes)}
              </td>
              <td class="num nowrap" safe>
                {formatBytes(d.totalBytes)}
              </td>
              <td class="num" safe>
                {percent(d.usedBytes, d.totalBytes)}
              </td>
            </tr>
          ))}
        </Table>
      )}
      <p class="hint" safe>{`cPanel accounts use ${formatBytes(data.accountsDiskBytes)} in all (their home folders, as the agent last measured them).`}</p>
    </Card>
  )
}
