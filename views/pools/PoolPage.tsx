// A pool's page: its header, the pool tab bar, the member tab row, and the
// panel of the tab in the URL. Tab links swap only #pool-panel (and refresh
// the tab bar's current mark); a reload renders the same view whole.
import type { PoolPageData } from '../../src/pools/service'
import type { PoolJobFigures } from '../../src/jobs/service'
import { MEMBER_ROW_LIMIT, POOL_TABS, type PoolTab } from '../../src/pools/tabs'
import { NavLink } from '../layout/Layout'
import { Badge, TabBar } from '../components/ui'
import { presetLabel } from './presets'
import { OverviewTab } from './tabs/OverviewTab'
import { ProtectionTab } from './tabs/ProtectionTab'
import { ManagedDnsTab } from './tabs/ManagedDnsTab'
import { MonitoringTab } from './tabs/MonitoringTab'
import { SettingsTab, type SettingsForm } from './tabs/SettingsTab'
import { HiddenTab } from './tabs/HiddenTab'
import type { MemberCard } from '../../src/members/view-model'
import type { PoolBackupSummary } from '../../src/backups/service'
import type { PoolProtectionNote } from '../../src/protection/tab-data'
import { memberTabHref } from '../../src/members/tabs'
import { MemberWorkspace, type MemberView } from '../members/MemberWorkspace'
import { STATUS_TONE } from '../members/MemberTile'
import type { FailoverSection } from '../../src/failover/view'
import { FailoverBanner } from '../failover/FailoverBanner'
import type { AlertSection } from '../../src/alerts/view'
import type { PoolAlerts } from '../../src/alerts/settings'

export type PoolView = PoolPageData & {
  csrf: string | null
  settings?: SettingsForm
  /** The member row's cards (the Overview's tiles and map are in `fleet`). */
  cards: MemberCard[]
  /** Overview: the latest refusal per pending member, for its tile. */
  notes: Record<string, string>
  /** The tiles' fingerprint: polling gets 304 while it holds. */
  ptag: string
  /** Set on a member's page. */
  member?: MemberView
  /** Failover state for the header; settings, providers and log on the tabs that show them. */
  failover: FailoverSection
  /** On the Monitoring tab. */
  alerts?: AlertSection<PoolAlerts>
  /** Overview: schedules and jobs of the pool, for Fleet status. */
  jobFigures?: PoolJobFigures
  /** Overview: the pool's snapshots, for Fleet status. */
  backupFigures?: PoolBackupSummary
  /** Overview: protected accounts, how many are stale and the worst recovery point; null when none is protected. */
  protection?: PoolProtectionNote | null
  /** A pool tab with its own handler (Protection: src/protection/tab-routes.tsx) renders its panel here. */
  panel?: JSX.Element
}

export const poolTabHref = (poolId: string, tab: PoolTab) => `/pools/${poolId}${tab.path}`

export function PoolTabBar({ view }: { view: PoolView }) {
  const tabs = view.tabs.map((tab) => ({ key: tab.key, label: tab.label, href: poolTabHref(view.pool.id, tab) }))
  return <TabBar id="pool-tabs" label="Pool tabs" class="pool-tabs" target="#pool-panel" tabs={tabs} current={view.member ? null : view.tab} />
}

/** The first members for the row, always including the one on screen. */
function memberRow(cards: MemberCard[], currentId: string | undefined): MemberCard[] {
  const shown = cards.slice(0, MEMBER_ROW_LIMIT)
  const current = cards.find((c) => c.member.id === currentId)
  return current && !shown.includes(current) ? [...shown.slice(0, -1), current] : shown
}

/** An empty pool's Overview offers Add server in its empty state; the row then leaves it out. */
const emptyStateAddsServer = (view: PoolView) =>
  view.pool.memberCount === 0 && !view.member && view.tabVisible && (view.tab === null || view.tab === 'overview')

/** The lower layer: one tab per member, subtitle "Member". */
export function MemberTabs({ view }: { view: PoolView }) {
  const currentId = view.member?.card.member.id
  const total = view.pool.memberCount
  return (
    <nav class="member-tabs" id="member-tabs" aria-label="Members">
      <span class="member-tabs-label">Members</span>
      {total === 0 ? <span class="muted">No members enrolled yet.</span> : ''}
      {memberRow(view.cards, currentId).map((card) => {
        const href = memberTabHref(view.pool.id, card.member.id, view.member?.tab ?? 'control')
        const current = card.member.id === currentId
        return (
          <a
            href={href}
            hx-get={href}
            hx-target="#pool-panel"
            hx-push-url="true"
            class={current ? 'member-tab current' : 'member-tab'}
            aria-current={current ? 'page' : undefined}
            data-member-id={card.member.id}
          >
            <span class={`dot dot-${STATUS_TONE[card.status]}`}></span>
            <span safe>{card.member.name}</span>
            <small>Member</small>
          </a>
        )
      })}
      {total > MEMBER_ROW_LIMIT ? (
        <a href={`/pools/${view.pool.id}#member-tiles`} class="member-tab more" safe>
          {`${total - MEMBER_ROW_LIMIT} more on the overview`}
        </a>
      ) : (
        ''
      )}
      {emptyStateAddsServer(view) ? (
        ''
      ) : (
        <a href={`/pools/${view.pool.id}/members/new`} hx-get={`/pools/${view.pool.id}/members/new`} hx-target="#main" hx-push-url="true" class="member-tab add">
          + Add server
        </a>
      )}
    </nav>
  )
}

export function PoolPanel({ view }: { view: PoolView }) {
  if (view.member) return <MemberWorkspace view={view.member} />
  if (!view.tabVisible) return <HiddenTab view={view} />
  switch (view.tab) {
    case null:
    case 'overview':
      return <OverviewTab view={view} />
    case 'protection':
      return <ProtectionTab view={view} />
    case 'dns':
      return <ManagedDnsTab view={view} />
    case 'monitoring':
      return <MonitoringTab view={view} />
    case 'settings':
      return <SettingsTab view={view} />
  }
}

/** The answer to a tab click: the panel, and the tab bar with its new current tab. */
export function PoolPanelSwap({ view }: { view: PoolView }) {
  return (
    <>
      <PoolPanel view={view} />
      <hx-partial hx-target="#pool-tabs" hx-swap="outerHTML">
        <PoolTabBar view={view} />
      </hx-partial>
      <hx-partial hx-target="#member-tabs" hx-swap="outerHTML">
        <MemberTabs view={view} />
      </hx-partial>
    </>
  )
}

export function PoolPage({ view }: { view: PoolView }) {
  return (
    <div class="page" id="pool-view" data-pool-id={view.pool.id}>
      <nav class="crumbs">
        <NavLink href="/pools">Pools</NavLink> / <span safe>{view.pool.name}</span>
      </nav>
      <header class="page-head">
        <div>
          <h1 safe>{view.pool.name}</h1>
          <p class="muted">
            <Badge tone="info">
              <span safe>{presetLabel(view.pool.preset)}</span>
            </Badge>{' '}
            {view.pool.memberCount} member{view.pool.memberCount === 1 ? '' : 's'}
          </p>
        </div>
      </header>
      <FailoverBanner section={view.failover} />
      <PoolTabBar view={view} />
      <MemberTabs view={view} />
      <div id="pool-panel" class="panel">
        <PoolPanel view={view} />
      </div>
    </div>
  )
}

export const poolTitle = (view: PoolView) => {
  if (view.member) return `${view.member.card.member.name} · ${view.pool.name}`
  const tab = POOL_TABS.find((t) => t.key === view.tab)!
  return `${tab.label} · ${view.pool.name}`
}
