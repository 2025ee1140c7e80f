// The agent's payloads, validated before anything is stored. Mirrors
// agent/protocol.ts; limits keep one member from filling the database.
import { t } from 'elysia'
import { Type } from '@sinclair/typebox'
import { MAX_FIREWALL_RULES, MAX_LISTENERS } from '../../agent/protocol'
import { Text } from '../http/api-schemas'

const Str = (max = 256) => Text({ maxLength: max })
/**
 * A plain JSON integer. Elysia's t.Integer also takes "12" and converts it,
 * which makes every heartbeat walk its whole body a second time to decode;
 * agents send numbers.
 */
export const Int = Type.Integer
const NStr = (max = 256) => t.Nullable(Str(max))
const NNum = t.Nullable(t.Number())
/** Sizes land in bigint columns: whole bytes, exact in a double. */
const Bytes = Int({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER })
const NBool = t.Nullable(t.Boolean())
/** Load averages land in a real column, which overflows past 3.4e38. */
const Load = t.Number({ minimum: 0, maximum: 1_000_000 })
const Obj = <T extends Parameters<typeof t.Object>[0]>(props: T) => t.Object(props, { additionalProperties: false })

export const OsSchema = Obj({
  id: NStr(64),
  versionId: NStr(64),
  family: t.Nullable(t.Union([t.Literal('debian'), t.Literal('rhel')])),
  prettyName: NStr(200),
  kernel: t.Optional(NStr(200)),
})

const OpenLiteSpeed = Obj({
  version: NStr(64),
  running: t.Boolean(),
  adminPort: t.Nullable(Int({ minimum: 0, maximum: 65535 })),
  vhosts: t.Array(Obj({ name: Str(200), root: NStr(1024), domains: t.Array(Str(253), { maxItems: 200 }) }), { maxItems: 1000 }),
})

const MariaDb = Obj({
  version: NStr(64),
  flavor: t.Nullable(t.Union([t.Literal('mariadb'), t.Literal('mysql')])),
  running: t.Boolean(),
  databases: t.Array(Obj({ name: Str(200), sizeBytes: NNum }), { maxItems: 5000 }),
  managedBy: t.Nullable(t.Literal('cpanel')),
})

const Galera = Obj({ clusterStatus: NStr(64), clusterSize: NNum, localState: NStr(64), ready: NBool })

// Everything past user and domain is optional: agents older than account
// details send only those two, and readers fill the rest in (members/stacks.ts).
const CpanelAccount = Obj({
  user: Str(64),
  domain: NStr(253),
  domains: t.Optional(t.Array(Str(253), { maxItems: 1000 })),
  plan: t.Optional(NStr(200)),
  owner: t.Optional(NStr(64)),
  suspended: t.Optional(t.Boolean()),
  suspendReason: t.Optional(NStr(256)),
  contactEmail: t.Optional(NStr(254)),
  ip: t.Optional(NStr(45)),
  startDate: t.Optional(t.Nullable(Int({ minimum: 0, maximum: Number.MAX_SAFE_INTEGER }))),
  diskBytes: t.Optional(t.Nullable(Bytes)),
})

const CpanelBackup = Obj({
  enabled: t.Boolean(),
  type: NStr(64),
  daily: t.Boolean(),
  weekly: t.Boolean(),
  monthly: t.Boolean(),
  retention: t.Nullable(Int({ minimum: 0, maximum: 100_000 })),
  dir: NStr(1024),
})

const Cpanel = Obj({
  version: NStr(64),
  accounts: t.Array(CpanelAccount, { maxItems: 5000 }),
  packages: t.Optional(t.Array(Str(200), { maxItems: 2000 })),
  backup: t.Optional(t.Nullable(CpanelBackup)),
  accountCount: t.Optional(Int({ minimum: 0, maximum: 10_000_000 })),
})

export const StacksSchema = Obj({
  openlitespeed: t.Nullable(OpenLiteSpeed),
  mariadb: t.Nullable(MariaDb),
  galera: t.Nullable(Galera),
  cpanel: t.Nullable(Cpanel),
})

const Apps = t.Array(
  Obj({ kind: t.Literal('wordpress'), path: Str(1024), dbName: NStr(200), dbUser: NStr(200), dbHost: NStr(253) }),
  { maxItems: 2000 },
)

export const EnrollSchema = Obj({
  secret: Text({ minLength: 10, maxLength: 200 }),
  hostname: Text({ minLength: 1, maxLength: 253 }),
  agentVersion: Str(64),
  os: OsSchema,
})

export const HeartbeatSchema = Obj({
  agentVersion: Str(64),
  heartbeatSeconds: t.Optional(t.Number({ minimum: 1, maximum: 3600 })),
  hostname: Text({ minLength: 1, maxLength: 253 }),
  os: OsSchema,
  stacks: StacksSchema,
  apps: Apps,
  uptimeSeconds: NNum,
  cpuPercent: t.Nullable(t.Number({ minimum: 0, maximum: 100 })),
  load: t.Nullable(t.Tuple([Load, Load, Load])),
  memory: t.Nullable(Obj({ totalBytes: Bytes, usedBytes: Bytes, availableBytes: Bytes })),
  disks: t.Array(Obj({ mount: Str(1024), fsType: Str(64), totalBytes: Bytes, usedBytes: Bytes }), { maxItems: 100 }),
  updates: Obj({
    manager: t.Nullable(t.Union([t.Literal('apt'), t.Literal('dnf'), t.Literal('yum')])),
    pending: NNum,
    security: NNum,
    checkedAt: NStr(40),
  }),
  firewall: Obj({
    kind: t.Nullable(t.Union([t.Literal('ufw'), t.Literal('firewalld')])),
    active: NBool,
    ruleCount: NNum,
    // Optional: agents older than rule reporting send only the count.
    rules: t.Optional(
      t.Array(Obj({ port: Str(128), protocol: NStr(16), source: NStr(128), action: Str(32), raw: Str(512) }), { maxItems: MAX_FIREWALL_RULES }),
    ),
  }),
  services: t.Array(
    Obj({
      unit: Str(128),
      stack: t.Union([t.Literal('openlitespeed'), t.Literal('mariadb'), t.Literal('galera'), t.Literal('cpanel'), t.Literal('host')]),
      state: t.Union([t.Literal('active'), t.Literal('inactive'), t.Literal('failed'), t.Literal('unknown')]),
    }),
    { maxItems: 100 },
  ),
  certificates: t.Array(Obj({ domain: Str(253), path: Str(1024), notAfter: NStr(40), issuer: NStr(256) }), { maxItems: 2000 }),
  // Optional: agents older than listener reporting do not send it.
  listeners: t.Optional(
    t.Array(Obj({ port: Int({ minimum: 0, maximum: 65535 }), address: Str(64), process: NStr(64) }), { maxItems: MAX_LISTENERS }),
  ),
})

export type HeartbeatBody = (typeof HeartbeatSchema)['static']
