// One member's workspace: its tab bar and the panel of the tab in the URL.
// Tab clicks swap #member-panel and refresh the bar's current mark.
import type { MemberCard } from '../../src/members/view-model'
import type { Member, MemberEvent } from '../../src/members/store'
import type { Activity } from '../../src/members/activity'
import { MEMBER_TABS, memberTabHref, type MemberTabKey } from '../../src/members/tabs'
import { StatusBadge } from './MemberTile'
import { Notice, TabBar } from '../components/ui'
import { ControlTab } from './tabs/ControlTab'
import { SecurityTab } from './tabs/SecurityTab'
import { OpenLiteSpeedTab } from './tabs/OpenLiteSpeedTab'
import { MariaDbTab } from './tabs/MariaDbTab'
import { CpanelNotDetected } from './tabs/cpanel/CpanelTab'
import { StatusTab } from './tabs/StatusTab'
import { SettingsTab, type MemberSettingsForm } from './tabs/SettingsTab'
import { PlannedTab } from './tabs/PlannedTab'
import { MemberMonitoringTab } from './tabs/MonitoringTab'
import type { AlertSection } from '../../src/alerts/view'
import type { MemberAlerts } from '../../src/alerts/settings'
import type { Series } from '../../src/members/charts'
import type { JobFormEcho, TabJobs } from '../../src/jobs/member-tabs'
import { RecipesTab } from './tabs/RecipesTab'
import { CronJobsTab } from './tabs/CronJobsTab'
import { JobPage } from '../jobs/JobPage'
import type { CronTab } from '../../src/jobs/cron-tab'
import type { JobPageData } from '../../src/jobs/job-page'

/** A job's page, shown in the Cron & Jobs tab's place. */
export type JobPanel = { data: JobPageData; following: boolean }

export type MemberView = {
  card: MemberCard<Member>
  tab: MemberTabKey
  /** Control panel and Status: a page of the member's history. */
  activity?: Activity
  /** Settings: why its agent was last refused. */
  refusals: MemberEvent[]
  /** The install command still waiting to be used: until when, and the page that shows it. */
  enrollment: { expiresAt: Date; href: string } | null
  csrf: string | null
  form?: MemberSettingsForm
  /** On the Monitoring tab. */
  alerts?: AlertSection<MemberAlerts>
  /** On the Control panel: 24 hours of CPU, memory, disk and load. */
  charts?: Series[]
  /** Why the last action on this tab was refused. */
  notice?: string
  /** Security, Control panel and Recipes: their jobs and what can run here. */
  jobs?: TabJobs
  /** The job form a refused post came from, to fill in again. */
  jobForm?: JobFormEcho
  /** Cron & Jobs: schedules, figures and the latest jobs. */
  cron?: CronTab
  /** Cron & Jobs: one job's page. */
  job?: JobPanel
  /** A tab served by its own handler (Restore Backups, cPanel), rendered from its own data. */
  panel?: JSX.Element
}

export function MemberTabBar({ view }: { view: MemberView }) {
  const m = view.card.member
  const tabs = MEMBER_TABS.map((tab) => ({ key: tab.key, label: tab.label, href: memberTabHref(m.poolId, m.id, tab.key) }))
  return <TabBar id="member-tab-bar" label="Member tabs" class="member-tab-bar" target="#member-panel" tabs={tabs} current={view.tab} />
}

export function MemberPanel({ view }: { view: MemberView }) {
  return (
    <>
      {view.notice ? (
        <Notice kind="error">
          <span safe>{view.notice}</span>
        </Notice>
      ) : (
        ''
      )}
      <MemberTabPanel view={view} />
    </>
  )
}

function MemberTabPanel({ view }: { view: MemberView }) {
  if (view.panel) return view.panel
  switch (view.tab) {
    case 'control':
      return <ControlTab view={view} />
    case 'security':
      return <SecurityTab view={view} />
    case 'openlitespeed':
      return <OpenLiteSpeedTab view={view} />
    case 'mariadb':
      return <MariaDbTab view={view} />
    case 'cpanel':
      return <CpanelNotDetected view={view} />
    case 'status':
      return <StatusTab view={view} />
    case 'settings':
      return <SettingsTab view={view} />
    case 'monitoring':
      return <MemberMonitoringTab view={view} />
    case 'recipes':
      return <RecipesTab view={view} />
    case 'jobs':
      return <CronJobsPanel view={view} />
    default:
      return <PlannedTab view={view} />
  }
}

function CronJobsPanel({ view }: { view: MemberView }) {
  const m = view.card.member
  if (view.job) return <JobPage poolId={m.poolId} memberName={m.name} data={view.job.data} following={view.job.following} csrf={view.csrf} />
  if (view.cron) return <CronJobsTab poolId={m.poolId} member={m} data={view.cron} csrf={view.csrf} />
  return <PlannedTab view={view} />
}

export function MemberPanelSwap({ view }: { view: MemberView }) {
  return (
    <>
      <MemberPanel view={view} />
      <hx-partial hx-target="#member-tab-bar" hx-swap="outerHTML">
        <MemberTabBar view={view} />
      </hx-partial>
    </>
  )
}

export function MemberWorkspace({ view }: { view: MemberView }) {
  const m = view.card.member
  return (
    <div class="workspace" data-member-id={m.id}>
      <header class="workspace-head">
        <h2 safe>{m.name}</h2>
        <StatusBadge status={view.card.status} />
        <span class="muted" safe>
          {m.hostname}
        </span>
      </header>
      <MemberTabBar view={view} />
      <div id="member-panel" class="panel">
        <MemberPanel view={view} />
      </div>
    </div>
  )
}
