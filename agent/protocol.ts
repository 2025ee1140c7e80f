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

export type CpanelStack = {
  version: string | null
  accounts: { user: string; domain: string | null }[]
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
