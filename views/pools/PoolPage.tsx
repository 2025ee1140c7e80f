// A pool's page: its header, the pool tab bar, the member tab row, and the
// panel of the tab in the URL. Tab links swap only #pool-panel (and refresh
// the tab bar's current mark); a reload renders the same view whole.
import type { PoolPageData } from '../../src/pools/service'
import { POOL_TABS, type PoolTab } from '../../src/pools/tabs'
import { NavLink } from '../layout/Layout'
import { Badge } from '../components/ui'
import { presetLabel } from './presets'
import { OverviewTab } from './tabs/OverviewTab'
import { ProtectionTab } from './tabs/ProtectionTab'
import { ManagedDnsTab } from './tabs/ManagedDnsTab'
import { MonitoringTab } from './tabs/MonitoringTab'
import { SettingsTab, type SettingsForm } from './tabs/SettingsTab'
import { HiddenTab } from './tabs/HiddenTab'

export type PoolView = PoolPageData & { csrf: string | null; settings?: SettingsForm }

export const poolTabHref = (poolId: string, tab: PoolTab) => `/pools/${poolId}${tab.path}`

export function PoolTabBar({ view }: { view: PoolView }) {
  return (
    <nav class="tabs pool-tabs" id="pool-tabs" aria-label="Pool tabs">
      {view.tabs.map((tab) => {
        const href = poolTabHref(view.pool.id, tab)
        const current = tab.key === view.tab
        return (
          <a
            href={href}
            hx-get={href}
            hx-target="#pool-panel"
            hx-push-url="true"
            class={current ? 'tab current' : 'tab'}
            aria-current={current ? 'page' : undefined}
            data-tab={tab.key}
            safe
          >
            {tab.label}
          </a>
        )
      })}
    </nav>
  )
}

function MemberTabs({ view }: { view: PoolView }) {
  return (
    <nav class="member-tabs" aria-label="Members">
      <span class="member-tabs-label">Members</span>
      {view.members.length === 0 ? (
        <span class="muted">No members enrolled yet.</span>
      ) : (
        view.members.map((m) => (
          <span class="member-tab">
            <span safe>{m.name}</span>
            <small>Member</small>
          </span>
        ))
      )}
    </nav>
  )
}

export function PoolPanel({ view }: { view: PoolView }) {
  if (!view.tabVisible) return <HiddenTab view={view} />
  switch (view.tab) {
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
      <PoolTabBar view={view} />
      <MemberTabs view={view} />
      <div id="pool-panel" class="panel">
        <PoolPanel view={view} />
      </div>
    </div>
  )
}

export const poolTitle = (view: PoolView) => {
  const tab = POOL_TABS.find((t) => t.key === view.tab)!
  return `${tab.label} · ${view.pool.name}`
}
