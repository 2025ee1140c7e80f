// A member's stacks as readers use them. They are stored as the agent sent
// them, and agents older than the full cPanel account report sent only
// {user, domain} per account: the rest is filled in here, once, so the API and
// the views can rely on the whole shape. Pure: no queries.
import type { CpanelAccount, CpanelStack, Stacks } from '../../agent/protocol'

type Raw = Record<string, unknown>
const isRaw = (v: unknown): v is Raw => !!v && typeof v === 'object' && !Array.isArray(v)
const text = (v: unknown) => (typeof v === 'string' && v ? v : null)
const count = (v: unknown) => (typeof v === 'number' && Number.isSafeInteger(v) && v >= 0 ? v : null)
const texts = (v: unknown) => (Array.isArray(v) ? v.filter((s): s is string => typeof s === 'string') : [])

export function storedCpanelAccount(a: Raw & { user: string }): CpanelAccount {
  return {
    user: a.user,
    domain: text(a.domain),
    domains: texts(a.domains),
    plan: text(a.plan),
    owner: text(a.owner),
    suspended: a.suspended === true,
    suspendReason: text(a.suspendReason),
    contactEmail: text(a.contactEmail),
    ip: text(a.ip),
    startDate: count(a.startDate),
    diskBytes: count(a.diskBytes),
  }
}

/** null when cPanel was not detected. */
export function storedCpanel(raw: unknown): CpanelStack | null {
  if (!isRaw(raw)) return null
  const accounts = (Array.isArray(raw.accounts) ? raw.accounts : [])
    .filter((a): a is Raw & { user: string } => isRaw(a) && typeof a.user === 'string')
    .map(storedCpanelAccount)
  return {
    version: text(raw.version),
    accounts,
    packages: texts(raw.packages),
    backup: isRaw(raw.backup) ? (raw.backup as CpanelStack['backup']) : null,
    accountCount: count(raw.accountCount) ?? accounts.length,
  }
}

/** Every stack key present (null when not detected), cPanel with its full account shape. */
export function storedStacks(raw: unknown): Stacks {
  const s = isRaw(raw) ? (raw as Partial<Stacks>) : {}
  return {
    openlitespeed: s.openlitespeed ?? null,
    mariadb: s.mariadb ?? null,
    galera: s.galera ?? null,
    cpanel: storedCpanel(s.cpanel),
  }
}
