// What each inner tab of a member's cPanel tab shows, loaded for that tab
// alone: accounts from the member's heartbeat (stacks.cpanel), services,
// listeners and disks from its host state, jobs from the queue, copies from
// the copies service. Views only lay these out.
import type { Db } from '../db'
import type { Member } from '../members/store'
import { listMembers } from '../members/service'
import * as jobStore from '../jobs/store'
import type { JobName } from '../../agent/jobs/catalogue'
import { CPANEL_SERVICES, type CpanelService } from '../../agent/cpanel/protocol'
import type { CpanelAccount, CpanelStack, HostStats, Listener, ServiceState } from '../../agent/protocol'
import { storedCpanel } from '../members/stacks'
import type { CpanelAccountsData, CpanelMigrateData, CpanelOperationsData, CpanelOverviewData } from './model'
import { listCopies } from './copies'
import { memberProtection, type MemberTopology } from '../protection/tab-data'

const RECENT_JOBS = 10
const RECENT_TRANSFERS = 20
/** Jobs about one account (params.user): shown beside its row while queued or running. */
const ACCOUNT_JOBS: JobName[] = [
  'cpanel.account.create',
  'cpanel.account.modify',
  'cpanel.account.suspend',
  'cpanel.account.unsuspend',
  'cpanel.account.terminate',
  'cpanel.account.autossl',
  'cpanel.account.login',
  'cpanel.account.transfer',
  'backup.cpanel_account',
]
const PENDING_MAX = 200
/** The longest search kept from ?q=. */
export const QUERY_MAX = 100

/** The member's cPanel as its last heartbeat reported it (accounts by user), or null when cPanel is not detected there. */
export function cpanelOf(member: Pick<Member, 'stacks'>): CpanelStack | null {
  const cp = storedCpanel((member.stacks as { cpanel?: unknown } | null)?.cpanel)
  return cp && { ...cp, accounts: [...cp.accounts].sort((a, b) => a.user.localeCompare(b.user)) }
}

type HostState = Partial<HostStats> & { services?: ServiceState[]; listeners?: Listener[] }
const hostOf = (member: Pick<Member, 'hostState'>) => (member.hostState ?? {}) as HostState

/** cPanel's own services and the MySQL it runs, as systemd reported them. */
function servicesOf(member: Pick<Member, 'hostState'>): ServiceState[] {
  return (hostOf(member).services ?? []).filter((s) => s.stack === 'cpanel' || s.stack === 'mariadb')
}

/** Every word of the search in the account's user, domains, plan or owner. */
export function matchesQuery(a: CpanelAccount, query: string): boolean {
  const words = query.toLowerCase().split(/\s+/).filter(Boolean)
  if (!words.length) return true
  const hay = [a.user, a.domain, ...a.domains, a.plan, a.owner].filter(Boolean).join(' ').toLowerCase()
  return words.every((w) => hay.includes(w))
}

export async function overviewData(db: Db, member: Member): Promise<CpanelOverviewData & { protection: MemberTopology }> {
  const cp = cpanelOf(member)
  const accounts = cp?.accounts ?? []
  const suspended = accounts.filter((a) => a.suspended).length
  return {
    version: cp?.version ?? null,
    active: accounts.length - suspended,
    suspended,
    services: servicesOf(member),
    // The DNS banner loads on its own (dnsFragment): lookups must not hold up the tab.
    dns: null,
    recentJobs: await jobStore.listMemberJobsNamed(db, member.id, ['cpanel.', 'backup.cpanel_account', 'restore.cpanel_account'], RECENT_JOBS),
    protection: await memberProtection(db, member),
  }
}

export async function operationsData(db: Db, member: Member): Promise<CpanelOperationsData> {
  const cp = cpanelOf(member)
  const host = hostOf(member)
  const [lastCheck] = await jobStore.listMemberJobsNamed(db, member.id, ['cpanel.config.check'], 1)
  return {
    services: servicesOf(member),
    restartable: (Object.entries(CPANEL_SERVICES) as [CpanelService, string][]).map(([service, label]) => ({ service, label })),
    backup: cp?.backup ?? null,
    listeners: [...(host.listeners ?? [])].sort((a, b) => a.port - b.port || a.address.localeCompare(b.address)),
    disks: (host.disks ?? []).map(({ mount, totalBytes, usedBytes }) => ({ mount, totalBytes, usedBytes })),
    accountsDiskBytes: (cp?.accounts ?? []).reduce((n, a) => n + (a.diskBytes ?? 0), 0),
    lastCheck: lastCheck ?? null,
  }
}

/**
 * A job that ended after the member's last heartbeat is not in its account
 * list yet (the agent re-reads its accounts after every job, for the next
 * heartbeat): the table keeps it as pending until then, for a minute at most.
 */
function notReportedSince(member: Member, now = Date.now()): Date {
  const minuteAgo = now - 60_000
  return new Date(Math.max(member.lastHeartbeatAt?.getTime() ?? minuteAgo, minuteAgo))
}

export async function accountsData(db: Db, member: Member, q: string): Promise<CpanelAccountsData> {
  const cp = cpanelOf(member)
  const query = q.trim().slice(0, QUERY_MAX)
  const all = cp?.accounts ?? []
  return {
    accounts: all.filter((a) => matchesQuery(a, query)),
    query,
    total: cp?.accountCount ?? all.length,
    packages: cp?.packages ?? [],
    pending: await jobStore.listMemberActiveJobs(db, member.id, ACCOUNT_JOBS, PENDING_MAX, notReportedSince(member)),
  }
}

export async function migrateData(db: Db, member: Member): Promise<CpanelMigrateData> {
  const [poolMembers, transfers, copies] = await Promise.all([
    listMembers(db, member.poolId),
    jobStore.listMemberJobsNamed(db, member.id, ['cpanel.account.transfer'], RECENT_TRANSFERS),
    listCopies(db, { memberId: member.id }),
  ])
  const peers = poolMembers.flatMap((m) => {
    const cp = m.id === member.id ? null : cpanelOf(m)
    return cp ? [{ id: m.id, name: m.name, hostname: m.hostname, accounts: cp.accounts.map((a) => a.user) }] : []
  })
  return { peers, accounts: (cpanelOf(member)?.accounts ?? []).map((a) => a.user), transfers, copies }
}
