// What the agent and the server say to each other. The server validates every
// payload against its own schema (src/agent-api); these types are the agent's
// side of the same shapes. Field names follow CONTRACT.md.

export type OsFamily = 'debian' | 'rhel'

export type OsInfo = {
  id: string | null
  versionId: string | null
  family: OsFamily | null
  prettyName: string | null
  kernel: string | null
}

export type OpenLiteSpeedStack = {
  version: string | null
  running: boolean
  adminPort: number | null
  vhosts: { name: string; root: string | null; domains: string[] }[]
}

export type MariaDbStack = {
  version: string | null
  flavor: 'mariadb' | 'mysql' | null
  running: boolean
  databases: { name: string; sizeBytes: number | null }[]
  managedBy: 'cpanel' | null
}

export type GaleraStack = {
  clusterStatus: string | null
  clusterSize: number | null
  localState: string | null
  ready: boolean | null
}

/** One cPanel account as /var/cpanel/users/<user> keeps it (/etc/trueuserdomains only as a fallback). */
export type CpanelAccount = {
  user: string
  /** The main domain (DNS=). */
  domain: string | null
  /** The other domains (DNS1=, DNS2=, ...), without the main one. */
  domains: string[]
  plan: string | null
  /** The reseller (or root) that owns it. */
  owner: string | null
  suspended: boolean
  /** Why, when WHM recorded a reason (/var/cpanel/suspended/<user>). */
  suspendReason?: string | null
  contactEmail?: string | null
  ip?: string | null
  /** STARTDATE, seconds since the epoch. */
  startDate?: number | null
  /** Bytes under its home directory; null when it could not be measured. */
  diskBytes: number | null
}

/** WHM's backup configuration (/var/cpanel/backups/config), as the Operations tab shows it. */
export type CpanelBackupConfig = {
  enabled: boolean
  /** compressed, uncompressed or incremental. */
  type: string | null
  daily: boolean
  weekly: boolean
  monthly: boolean
  /** Daily backups kept. */
  retention: number | null
  dir: string | null
}

export type CpanelStack = {
  version: string | null
  accounts: CpanelAccount[]
  /** Hosting packages (plans) from /var/cpanel/packages, for the create and modify forms. */
  packages?: string[]
  backup?: CpanelBackupConfig | null
  /** Accounts found; `accounts` is capped, this is not. */
  accountCount?: number
}

export type Stacks = {
  openlitespeed: OpenLiteSpeedStack | null
  mariadb: MariaDbStack | null
  galera: GaleraStack | null
  cpanel: CpanelStack | null
}

export type App = { kind: 'wordpress'; path: string; dbName: string | null; dbUser: string | null; dbHost: string | null }

/** `serversctl-agent inspect --json` prints this. */
export type Inspection = { os: OsInfo; stacks: Stacks; apps: App[] }

export type ServiceState = { unit: string; stack: keyof Stacks | 'host'; state: 'active' | 'inactive' | 'failed' | 'unknown' }

export type Certificate = { domain: string; path: string; notAfter: string | null; issuer: string | null }

export type HostStats = {
  uptimeSeconds: number | null
  cpuPercent: number | null
  load: [number, number, number] | null
  memory: { totalBytes: number; usedBytes: number; availableBytes: number } | null
  disks: { mount: string; fsType: string; totalBytes: number; usedBytes: number }[]
}

export type Updates = {
  manager: 'apt' | 'dnf' | 'yum' | null
  pending: number | null
  security: number | null
  checkedAt: string | null
}

/**
 * One rule as the firewall lists it. port: a number, a range lo:hi, a list
 * (80,443), a service or app profile name (ssh, OpenSSH), or "any" for all
 * ports; protocol null when a service name decides it; source null for
 * anywhere; action allow, deny, reject or limit (ufw adds " out" for outgoing).
 */
export type FirewallRule = { port: string; protocol: string | null; source: string | null; action: string; raw: string }

/** rules: at most MAX_FIREWALL_RULES, in the firewall's order; absent from agents older than rule reporting. */
export type Firewall = { kind: 'ufw' | 'firewalld' | null; active: boolean | null; ruleCount: number | null; rules?: FirewallRule[] }

export const MAX_FIREWALL_RULES = 500

/** A TCP socket listening on this host (`ss -ltnp`), for the cPanel Operations tab. */
export type Listener = { port: number; address: string; process: string | null }
export const MAX_LISTENERS = 200

/** POST /api/v1/agent/heartbeat, every interval. */
export type Heartbeat = Inspection &
  HostStats & {
    agentVersion: string
    hostname: string
    /** The agent's own heartbeat interval, so the server judges freshness by it. */
    heartbeatSeconds?: number
    updates: Updates
    firewall: Firewall
    services: ServiceState[]
    certificates: Certificate[]
    /** At most MAX_LISTENERS; absent from agents older than listener reporting. */
    listeners?: Listener[]
  }

/** POST /api/v1/agent/enroll */
export type EnrollRequest = { secret: string; hostname: string; agentVersion: string; os: OsInfo }
export type EnrollResponse = { memberId: string; poolId: string; token: string; heartbeatSeconds: number }

/** POST /api/v1/agent/jobs/claim answers one of these, or null. */
export type ClaimedJob = {
  id: string
  name: string
  params: Record<string, unknown>
  timeoutSeconds: number
  leaseSeconds: number
  steps: string[]
  attempt: number
}

export type JobLine = { stream: 'stdout' | 'stderr' | 'agent'; line: string }
export type JobReport = { lines?: JobLine[]; progress?: number; step?: number; result?: unknown }
export type JobFinish = JobReport & { status: 'succeeded' | 'failed' | 'cancelled' | 'timed_out'; exitCode?: number | null; error?: string | null }

/** /etc/serversctl/agent.json, mode 0600. */
export type AgentConfig = { server: string; memberId: string; token: string }
