// The member tab bar of the Generic Linux preset: every tab always in the
// bar; stack tabs show a "not detected" overlay when the agent has not found
// that stack.
export type MemberTabKey =
  | 'control' | 'security' | 'openlitespeed' | 'mariadb' | 'cpanel' | 'status'
  | 'jobs' | 'backups' | 'recipes' | 'monitoring' | 'settings'

export const MEMBER_TABS: { key: MemberTabKey; label: string }[] = [
  { key: 'control', label: 'Control panel' },
  { key: 'security', label: 'Security' },
  { key: 'openlitespeed', label: 'OpenLiteSpeed' },
  { key: 'mariadb', label: 'MariaDB' },
  { key: 'cpanel', label: 'cPanel' },
  { key: 'status', label: 'Status' },
  { key: 'jobs', label: 'Cron & Jobs' },
  { key: 'backups', label: 'Restore Backups' },
  { key: 'recipes', label: 'Recipes' },
  { key: 'monitoring', label: 'Monitoring' },
  { key: 'settings', label: 'Settings' },
]

export const memberTabHref = (poolId: string, memberId: string, tab: MemberTabKey) =>
  `/pools/${poolId}/members/${memberId}/${tab === 'control' ? '' : tab}`
