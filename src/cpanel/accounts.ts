// The cPanel accounts a member's last heartbeat reported, as the server's
// rules read them (which accounts exist where). Agents before the full
// account report sent only {user, domain}; anything else reads as absent.
import type { Member } from '../members/store'

export type ReportedAccounts = {
  /** Each reported account's user and main domain. */
  accounts: { user: string; domain: string | null }[]
  users: Set<string>
  /** False when the agent capped its list (accountCount above what it sent): an absent user may still exist. */
  complete: boolean
  /** Accounts on the server, reported or not. */
  count: number
}

/** null when cPanel is not detected on the member. */
export function reportedAccounts(member: Pick<Member, 'stacks'>): ReportedAccounts | null {
  const raw = (member.stacks as { cpanel?: { accounts?: unknown; accountCount?: unknown } | null } | null)?.cpanel
  if (!raw || typeof raw !== 'object') return null
  const accounts = (Array.isArray(raw.accounts) ? raw.accounts : [])
    .filter((a): a is { user: string; domain?: unknown } => !!a && typeof a === 'object' && typeof (a as { user?: unknown }).user === 'string')
    .map((a) => ({ user: a.user, domain: typeof a.domain === 'string' && a.domain ? a.domain : null }))
  const count = typeof raw.accountCount === 'number' && raw.accountCount > accounts.length ? raw.accountCount : accounts.length
  return { accounts, users: new Set(accounts.map((a) => a.user)), complete: count <= accounts.length, count }
}

export const hasCpanel = (member: Pick<Member, 'stacks'>) => reportedAccounts(member) !== null
