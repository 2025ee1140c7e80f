// The server rejects a whole heartbeat when one field is over its limits
// (src/agent-api/schema.ts), so we trim here: lists are cut to their maximum
// length, items whose name or path is too long are dropped (a cut name would
// be wrong), and free text is shortened.
import type { Inspection } from '../protocol'
import type { HostState } from '../inspect'

const cut = (s: string | null, max: number) => (s === null || s.length <= max ? s : s.slice(0, max))
const orNull = (s: string | null, max: number) => (s !== null && s.length > max ? null : s)
const num = (n: number | null) => (n === null || Number.isFinite(n) ? n : null)

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
      cpanel: cpanel && {
        version: cut(cpanel.version, 64),
        accounts: cpanel.accounts.filter((a) => a.user.length <= 64).slice(0, 5000).map((a) => ({ user: a.user, domain: orNull(a.domain, 253) })),
      },
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
  }
}
