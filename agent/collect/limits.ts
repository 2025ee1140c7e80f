// The server rejects a whole heartbeat when one field is over its limits
// (src/agent-api/schema.ts), so we trim here: lists are cut to their maximum
// length, items whose name or path is too long are dropped (a cut name would
// be wrong), and free text is shortened.
import { MAX_LISTENERS, type CpanelAccount, type CpanelStack, type Inspection } from '../protocol'
import type { HostState } from '../inspect'

const cut = (s: string | null, max: number) => (s === null || s.length <= max ? s : s.slice(0, max))
const orNull = (s: string | null, max: number) => (s !== null && s.length > max ? null : s)
const num = (n: number | null) => (n === null || Number.isFinite(n) ? n : null)
// Sizes and times land in integer fields of the schema.
const whole = (n: number | null) => (n !== null && Number.isSafeInteger(n) && n >= 0 ? n : null)
const MAX_CPANEL_ACCOUNTS = 5000
/**
 * The server refuses a whole heartbeat past 256 KiB (src/server/body-limit.ts),
 * and a refused heartbeat reads as a member down. A shared host's accounts
 * would pass that long before MAX_CPANEL_ACCOUNTS, so they get this share of
 * it and accountCount tells the server how many were left out.
 */
export const CPANEL_ACCOUNTS_BYTES = 128 * 1024

function withinBytes<T>(items: T[], maxBytes: number): T[] {
  let used = 2
  const kept: T[] = []
  for (const item of items) {
    used += Buffer.byteLength(JSON.stringify(item)) + 1
    if (used > maxBytes) break
    kept.push(item)
  }
  return kept
}

const fitAccount = (a: CpanelAccount): CpanelAccount => ({
  user: a.user,
  domain: orNull(a.domain, 253),
  domains: a.domains.filter((d) => d.length <= 253).slice(0, 1000),
  plan: orNull(a.plan, 200),
  owner: orNull(a.owner, 64),
  suspended: a.suspended,
  suspendReason: cut(a.suspendReason ?? null, 256),
  contactEmail: orNull(a.contactEmail ?? null, 254),
  ip: orNull(a.ip ?? null, 45),
  startDate: whole(a.startDate ?? null),
  diskBytes: whole(a.diskBytes),
})

function fitCpanel(cp: CpanelStack): CpanelStack {
  const b = cp.backup
  return {
    version: cut(cp.version, 64),
    accounts: withinBytes(cp.accounts.filter((a) => a.user.length <= 64).slice(0, MAX_CPANEL_ACCOUNTS).map(fitAccount), CPANEL_ACCOUNTS_BYTES),
    packages: (cp.packages ?? []).filter((p) => p.length <= 200).slice(0, 2000),
    backup: b ? { ...b, type: orNull(b.type, 64), retention: whole(b.retention), dir: orNull(b.dir, 1024) } : null,
    accountCount: cp.accountCount ?? cp.accounts.length,
  }
}

export function fitInspection({ os, stacks, apps }: Inspection): Inspection {
  const { openlitespeed: ols, mariadb: db, galera, cpanel } = stacks
  return {
    os: { id: cut(os.id, 64), versionId: cut(os.versionId, 64), family: os.family, prettyName: cut(os.prettyName, 200), kernel: cut(os.kernel, 200) },
    stacks: {
      openlitespeed: ols && {
        ...ols,
        version: cut(ols.version, 64),
        vhosts: ols.vhosts
          .filter((v) => v.name.length <= 200)
          .slice(0, 1000)
          .map((v) => ({ name: v.name, root: orNull(v.root, 1024), domains: v.domains.filter((d) => d.length <= 253).slice(0, 200) })),
      },
      mariadb: db && {
        ...db,
        version: cut(db.version, 64),
        databases: db.databases.filter((d) => d.name.length <= 200).slice(0, 5000).map((d) => ({ name: d.name, sizeBytes: num(d.sizeBytes) })),
      },
      galera: galera && { ...galera, clusterStatus: cut(galera.clusterStatus, 64), localState: cut(galera.localState, 64), clusterSize: num(galera.clusterSize) },
      cpanel: cpanel && fitCpanel(cpanel),
    },
    apps: apps
      .filter((a) => a.path.length <= 1024)
      .slice(0, 2000)
      .map((a) => ({ ...a, dbName: orNull(a.dbName, 200), dbUser: orNull(a.dbUser, 200), dbHost: orNull(a.dbHost, 253) })),
  }
}

export function fitHostState(s: HostState): HostState {
  return {
    ...s,
    disks: s.disks.filter((d) => d.mount.length <= 1024 && d.fsType.length <= 64).slice(0, 100),
    services: s.services.filter((v) => v.unit.length <= 128).slice(0, 100),
    certificates: s.certificates
      .filter((c) => c.domain.length <= 253 && c.path.length <= 1024)
      .slice(0, 2000)
      .map((c) => ({ ...c, issuer: cut(c.issuer, 256) })),
    listeners: s.listeners
      .filter((l) => l.address.length <= 64)
      .slice(0, MAX_LISTENERS)
      .map((l) => ({ ...l, process: cut(l.process, 64) })),
  }
}
