// The pool tab bar of the Generic Linux preset ("Pool tab visibility" in the
// product documentation): Overview, Monitoring and Settings always; Protection
// and Managed DNS once two or more members report cPanel.
import type { MemberSummary } from '../db/schema'

type Reporting = { summary: MemberSummary }

export type PoolTabKey = 'overview' | 'protection' | 'dns' | 'monitoring' | 'settings'

export type PoolTab = { key: PoolTabKey; label: string; path: string }

export const POOL_TABS: PoolTab[] = [
  { key: 'overview', label: 'Overview', path: '' },
  { key: 'protection', label: 'Protection', path: '/protection' },
  { key: 'dns', label: 'Managed DNS', path: '/dns' },
  { key: 'monitoring', label: 'Monitoring', path: '/monitoring' },
  { key: 'settings', label: 'Settings', path: '/settings' },
]

export const CPANEL_MEMBERS_FOR_PROTECTION = 2

export function cpanelMemberCount(members: Reporting[]): number {
  return members.filter((m) => m.summary?.stacks?.includes('cpanel')).length
}

export function isTabVisible(key: PoolTabKey, members: Reporting[]): boolean {
  if (key === 'protection' || key === 'dns') return cpanelMemberCount(members) >= CPANEL_MEMBERS_FOR_PROTECTION
  return true
}

export function visiblePoolTabs(members: Reporting[]): PoolTab[] {
  return POOL_TABS.filter((tab) => isTabVisible(tab.key, members))
}

export function tabByKey(key: PoolTabKey): PoolTab {
  return POOL_TABS.find((t) => t.key === key)!
}
