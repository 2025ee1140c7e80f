// cPanel Overview: WHM's version and account counts, cPanel's services, where
// the accounts' domains point (looked up after the tab shows, in its own
// request), the recent cPanel actions on this server, and which accounts are
// protected from here or keep their standby copy here.
import type { CpanelOverviewData, DnsBanner } from '../../../../src/cpanel/model'
import { Badge, Card, EmptyState, Kpi, Table, Time } from '../../../components/ui'
import { JobList } from '../../../jobs/JobList'
import { CpanelTab } from './CpanelTab'
import type { MemberTopology } from '../../../../src/protection/tab-data'
import { behindText } from '../../../../src/protection/tab-model'
import { JustQueued, ServiceBadges, dnsHref, innerHref, type CpanelPage } from './parts'

export function CpanelOverview({ page, data }: { page: CpanelPage; data: CpanelOverviewData & { protection: MemberTopology } }) {
  return (
    <CpanelTab page={page} inner="overview">
      <JustQueued job={page.queued} />
      <div class="kpis" id="cpanel-kpis">
        <Kpi label="WHM version" value={data.version ?? 'not reported'} />
        <Kpi label="Active accounts" value={data.active} />
        <Kpi label="Suspended accounts" value={data.suspended} />
      </div>
      <Card title="Services">
        <ServiceBadges services={data.services} />
      </Card>
      {data.dns ? <DnsBannerCard dns={data.dns} /> : <DnsBannerLoading page={page} />}
      <Card title="Recent cPanel actions" id="cpanel-recent">
        <JobList
          id="cpanel-recent-jobs"
          jobs={data.recentJobs}
          columns={['Action', 'Status', 'Asked']}
          showAsker
          errorClass="field-error small"
          empty={
            <EmptyState title="No cPanel actions yet">
              <p>Account changes, restarts, checks, copies and transfers queued on this server show here with their status.</p>
            </EmptyState>
          }
        />
      </Card>
      <ProtectionCard page={page} topology={data.protection} />
    </CpanelTab>
  )
}

/** Which accounts here are kept warm elsewhere, and which accounts elsewhere keep their standby copy here. */
function ProtectionCard({ page, topology }: { page: CpanelPage; topology: MemberTopology }) {
  const tab = `/pools/${page.poolId}/protection`
  const link = (
    <a href={tab} hx-get={tab} hx-target="#pool-panel" hx-push-url="true">
      the pool's Protection tab
    </a>
  )
  if (!topology.here.length && !topology.copies.length) {
    return (
      <Card title="Protection" id="cpanel-protection">
        <EmptyState title="No account here is protected">
          <p>
            <span>Keep an account warm on another member (copied on a schedule, with a DNS cut when this server fails) on </span>
            {link}
            <span>. To copy one account once, use Push copy on </span>
            <a href={innerHref(page, 'migrate')} hx-get={innerHref(page, 'migrate')} hx-target="#member-panel" hx-push-url="true">
              Migrate &amp; Recovery
            </a>
            <span>.</span>
          </p>
        </EmptyState>
      </Card>
    )
  }
  const behind = (s: number | null) => (s === null ? 'no copy yet' : `${behindText(s)} behind`)
  return (
    <Card title="Protection" id="cpanel-protection">
      {topology.here.length ? (
        <Table id="cpanel-protected-here" columns={['Protected from here', 'Standby', 'Standby copy']}>
          {topology.here.map((r) => (
            <tr data-user={r.user} data-health={r.health}>
              <td safe>{r.user}</td>
              <td safe>{r.standbyName}</td>
              <td class={r.health === 'stale' || r.health === 'failing' ? 'field-error' : ''} safe>{`${behind(r.behindSeconds)}${r.health === 'stale' || r.health === 'failing' ? ` · ${r.health}` : ''}`}</td>
            </tr>
          ))}
        </Table>
      ) : (
        <p class="muted">No account on this server is protected.</p>
      )}
      {topology.copies.length ? (
        <Table id="cpanel-standby-here" columns={['Standby copy kept here', 'Lives on', 'Copy']}>
          {topology.copies.map((r) => (
            <tr data-user={r.user} data-health={r.health}>
              <td safe>{r.user}</td>
              <td safe>{r.sourceName}</td>
              <td safe>{`${behind(r.behindSeconds)}${r.health === 'stale' || r.health === 'failing' ? ` · ${r.health}` : ''}`}</td>
            </tr>
          ))}
        </Table>
      ) : (
        <p class="muted">This server keeps no standby copy of accounts elsewhere.</p>
      )}
      <p class="hint">
        <span>Schedules, Replicate now and Cut DNS are on </span>
        {link}
        <span>.</span>
      </p>
    </Card>
  )
}

const DNS_TITLE = 'Where the domains point'

/** Until the lookups answer: the card asks for itself once the tab is on screen. */
function DnsBannerLoading({ page }: { page: CpanelPage }) {
  return (
    <section class="card" id="cpanel-dns" hx-get={dnsHref(page)} hx-trigger="load" hx-swap="outerHTML" aria-busy="true">
      <header class="card-head">
        <h2>{DNS_TITLE}</h2>
      </header>
      <p class="muted">Looking up each account's main domain…</p>
    </section>
  )
}

const plural = (n: number, one: string, many = `${one}s`) => `${n} ${n === 1 ? one : many}`

/** Which accounts' main domains resolve to this server, elsewhere, or not at all. */
export function DnsBannerCard({ dns }: { dns: DnsBanner }) {
  const total = dns.here.length + dns.elsewhere.length + dns.unresolved.length
  return (
    <Card title={DNS_TITLE} id="cpanel-dns">
      {total === 0 && !dns.skipped ? (
        <p class="muted">No account has a main domain to look up.</p>
      ) : (
        <>
          <p class="cpanel-dns-summary">
            <Badge tone="ok">
              <span safe>{`${dns.here.length} here`}</span>
            </Badge>{' '}
            <Badge tone={dns.elsewhere.length ? 'warn' : 'muted'}>
              <span safe>{`${dns.elsewhere.length} elsewhere`}</span>
            </Badge>{' '}
            <Badge tone={dns.unresolved.length ? 'bad' : 'muted'}>
              <span safe>{`${dns.unresolved.length} not resolving`}</span>
            </Badge>
          </p>
          {dns.elsewhere.length ? (
            <Table id="cpanel-dns-elsewhere" columns={['Resolves elsewhere', 'Account', 'To']}>
              {dns.elsewhere.map((d) => (
                <tr>
                  <td class="break" safe>{d.domain}</td>
                  <td safe>{d.user}</td>
                  <td class="break" safe>{d.addresses.join(', ')}</td>
                </tr>
              ))}
            </Table>
          ) : (
            ''
          )}
          {dns.unresolved.length ? (
            <Table id="cpanel-dns-unresolved" columns={['Not resolving', 'Account', 'Why']}>
              {dns.unresolved.map((d) => (
                <tr>
                  <td class="break" safe>{d.domain}</td>
                  <td safe>{d.user}</td>
                  <td safe>{d.problem}</td>
                </tr>
              ))}
            </Table>
          ) : (
            ''
          )}
          {dns.here.length ? (
            <details class="cpanel-dns-here">
              <summary safe>{`${plural(dns.here.length, 'domain')} resolving here`}</summary>
              <ul class="plain">
                {dns.here.map((d) => (
                  <li safe>{`${d.domain} (${d.user})`}</li>
                ))}
              </ul>
            </details>
          ) : (
            ''
          )}
        </>
      )}
      <p class="hint">
        <span>Checked </span>
        <Time at={dns.checkedAt} />
        {dns.addresses.length ? (
          <>
            <span> against this server's addresses: </span>
            <span safe>{dns.addresses.join(', ')}</span>
            <span>.</span>
          </>
        ) : (
          <span>: this server has no address to compare with.</span>
        )}
        {dns.skipped ? <span safe>{` ${plural(dns.skipped, 'account')} past the lookup limit were not checked.`}</span> : ''}
      </p>
    </Card>
  )
}
