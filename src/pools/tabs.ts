// The pool tab bar of the Generic Linux preset ("Pool tab visibility" in the
// product documentation): Overview, Monitoring and Settings always; Protection
// and Managed DNS once two or more members report cPanel.
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

/** `cpanel`: how many of the pool's members report cPanel. */
export function isTabVisible(key: PoolTabKey, cpanel: number): boolean {
  if (key === 'protection' || key === 'dns') return cpanel >= CPANEL_MEMBERS_FOR_PROTECTION
  return true
}

export function visiblePoolTabs(cpanel: number): PoolTab[] {
  return POOL_TABS.filter((tab) => isTabVisible(tab.key, cpanel))
}

// A pool of hundreds would bury the page under its member row; the overview lists them all.
export const MEMBER_ROW_LIMIT = 24

export function tabByKey(key: PoolTabKey): PoolTab {
  return POOL_TABS.find((t) => t.key === key)!
}
