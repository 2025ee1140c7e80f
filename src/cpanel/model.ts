// The member's cPanel tab as its routes and views share it: the four inner
// tabs, their addresses, and the data each one shows. The service side
// (src/cpanel/*.ts) fills these; views only lay them out.
import type { CpanelAccount, CpanelBackupConfig, Listener, ServiceState } from '../../agent/protocol'
import type { CpanelService } from '../../agent/cpanel/protocol'
import type { Job } from '../jobs/store'

export type CpanelInnerTab = 'overview' | 'operations' | 'accounts' | 'migrate'

export const CPANEL_INNER_TABS: { key: CpanelInnerTab; label: string }[] = [
  { key: 'overview', label: 'Overview' },
  { key: 'operations', label: 'Operations' },
  { key: 'accounts', label: 'Accounts' },
  { key: 'migrate', label: 'Migrate & Recovery' },
]

/** /pools/:poolId/members/:memberId/cpanel, /cpanel/operations, /cpanel/accounts, /cpanel/migrate */
export const cpanelHref = (poolId: string, memberId: string, inner: CpanelInnerTab = 'overview') =>
  `/pools/${poolId}/members/${memberId}/cpanel${inner === 'overview' ? '' : `/${inner}`}`

/** Which accounts' main domains resolve to this member (checked by the server, cached a few minutes). */
export type DnsBanner = {
  checkedAt: Date
  /** The member's addresses the domains were compared with (publicIpv4 and egress IPs). */
  addresses: string[]
  here: { user: string; domain: string; addresses: string[] }[]
  elsewhere: { user: string; domain: string; addresses: string[] }[]
  /** NXDOMAIN, no A record, timeout. */
  unresolved: { user: string; domain: string; problem: string }[]
  /** Accounts past the cap were not looked up. */
  skipped: number
}

/** An account copy pushed from one member to another: pkgacct → snapshot → restorepkg. */
export type AccountCopy = {
  id: string
  poolId: string
  user: string
  sourceMemberId: string
  sourceName: string
  targetMemberId: string
  targetName: string
  state: 'backing_up' | 'restoring' | 'succeeded' | 'failed'
  backupJobId: string
  restoreJobId: string | null
  snapshotId: string | null
  error: string | null
  requestedBy: string
  createdAt: Date
  finishedAt: Date | null
}

export type CpanelOverviewData = {
  version: string | null
  active: number
  suspended: number
  services: ServiceState[]
  dns: DnsBanner | null
  /** Recent audited cPanel actions on this member (WHM audit summary). */
  recentJobs: Job[]
}

export type CpanelOperationsData = {
  services: ServiceState[]
  restartable: { service: CpanelService; label: string }[]
  backup: CpanelBackupConfig | null
  listeners: Listener[]
  disks: { mount: string; totalBytes: number; usedBytes: number }[]
  accountsDiskBytes: number
  /** The newest cpanel.config.check job on this member, with its result. */
  lastCheck: Job | null
}

export type CpanelAccountsData = {
  accounts: CpanelAccount[]
  /** The search the table is filtered by (?q=), matched against user, domains, plan and owner. */
  query: string
  total: number
  packages: string[]
  /** Jobs on this member's accounts still queued or running, to show as pending. */
  pending: Job[]
}

export type CpanelMigrateData = {
  /** Other cPanel members of the pool: targets for a push copy and sources for a transfer. */
  peers: { id: string; name: string; hostname: string; accounts: string[] }[]
  accounts: string[]
  transfers: Job[]
  copies: AccountCopy[]
}
