// The only place tables are declared. Migrations in ../../migrations are
// generated from this file by drizzle-kit; a shipped migration is never edited.
import { sql } from 'drizzle-orm'
import {
  bigint,
  boolean,
  foreignKey,
  index,
  integer,
  jsonb,
  pgTable,
  primaryKey,
  real,
  text,
  timestamp,
  uniqueIndex,
} from 'drizzle-orm/pg-core'

const at = (name: string) => timestamp(name, { withTimezone: true, mode: 'date' })
const createdAt = () => at('created_at').notNull().defaultNow()

export const users = pgTable(
  'users',
  {
    id: text('id').primaryKey(),
    email: text('email').notNull(),
    passwordHash: text('password_hash').notNull(),
    role: text('role', { enum: ['admin', 'operator'] }).notNull().default('admin'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('users_email_unique').on(sql`lower(${t.email})`)],
)

export const sessions = pgTable(
  'sessions',
  {
    // sha-256 of the cookie value: a database leak does not hand out live sessions
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    csrfToken: text('csrf_token').notNull(),
    ip: text('ip'),
    userAgent: text('user_agent'),
    createdAt: createdAt(),
    lastSeenAt: at('last_seen_at').notNull().defaultNow(),
    expiresAt: at('expires_at').notNull(),
  },
  (t) => [index('sessions_user_idx').on(t.userId)],
)

export const apiTokens = pgTable(
  'api_tokens',
  {
    id: text('id').primaryKey(),
    userId: text('user_id')
      .notNull()
      .references(() => users.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    tokenHash: text('token_hash').notNull(),
    lastFour: text('last_four').notNull(),
    createdAt: createdAt(),
    lastUsedAt: at('last_used_at'),
    revokedAt: at('revoked_at'),
  },
  (t) => [uniqueIndex('api_tokens_hash_unique').on(t.tokenHash)],
)

// Failed sign-ins per key (address, or address + email) inside a window.
export const loginFailures = pgTable('login_failures', {
  key: text('key').primaryKey(),
  failures: integer('failures').notNull(),
  windowStartedAt: at('window_started_at').notNull(),
  lockedUntil: at('locked_until'),
})

// Small installation-wide values (the one-time setup code's hash, ...).
export const appSettings = pgTable('app_settings', {
  key: text('key').primaryKey(),
  value: text('value').notNull(),
  updatedAt: at('updated_at').notNull().defaultNow(),
})

export const pools = pgTable(
  'pools',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    preset: text('preset', { enum: ['generic'] }).notNull(),
    activeMemberId: text('active_member_id'),
    createdAt: createdAt(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [uniqueIndex('pools_name_unique').on(sql`lower(${t.name})`)],
)

export type MemberStacks = {
  openlitespeed?: unknown
  mariadb?: unknown
  galera?: unknown
  cpanel?: unknown
}

export type MemberLocation = { lat: number; lon: number; label: string | null }

/**
 * What lists of members show, kept small and written with each heartbeat, so
 * a pool of a thousand renders without reading every member's full state.
 */
export type MemberSummary = {
  osName?: string | null
  cpu?: number | null
  memPercent?: number | null
  diskPercent?: number | null
  stacks?: ('openlitespeed' | 'mariadb' | 'galera' | 'cpanel')[]
  galera?: { clusterStatus: string | null; localState: string | null } | null
  /** The agent's heartbeat interval in seconds. */
  interval?: number
}

export const members = pgTable(
  'members',
  {
    id: text('id').primaryKey(),
    poolId: text('pool_id')
      .notNull()
      .references(() => pools.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    hostname: text('hostname').notNull(),
    egressIps: jsonb('egress_ips').$type<string[]>().notNull().default([]),
    publicIpv4: text('public_ipv4'),
    /** Written beside publicIpv4 wherever a failover hostname has an AAAA record. */
    publicIpv6: text('public_ipv6'),
    /** What the operator said when adding it; the agent's report wins once it exists. */
    osFamily: text('os_family', { enum: ['debian', 'rhel'] }),
    location: jsonb('location').$type<MemberLocation>(),
    // The agent's bearer token, hashed; null until enrolled and after removal.
    tokenHash: text('token_hash'),
    enrolledAt: at('enrolled_at'),
    agentVersion: text('agent_version'),
    lastHeartbeatAt: at('last_heartbeat_at'),
    lastHeartbeatIp: text('last_heartbeat_ip'),
    /** Start of the current unbroken run of heartbeats; failover picks only members stable for a while. */
    healthySince: at('healthy_since'),
    /**
     * The one health rule as deadlines (members/status.ts): healthy until
     * late_at, late until down_at, down after. A trigger (migration 0009)
     * sets them whenever last_heartbeat_at or the summary is written, and
     * again for a pool whose failover delay changes, so every reader (badge,
     * failover, Overview, alerts, /metrics) compares timestamps.
     */
    lateAt: at('late_at'),
    downAt: at('down_at'),
    os: jsonb('os').$type<Record<string, unknown>>(),
    stacks: jsonb('stacks').$type<MemberStacks>().notNull().default({}),
    apps: jsonb('apps').$type<unknown[]>().notNull().default([]),
    /** The latest heartbeat's host state: stats, updates, firewall, services, certificates. */
    hostState: jsonb('host_state').$type<Record<string, unknown>>(),
    summary: jsonb('summary').$type<MemberSummary>().notNull().default({}),
    /**
     * Which inventory (os, stacks, apps, host state but its stats) the row
     * holds, so heartbeats that repeat it need not send it (agent-api/
     * heartbeat-batch.ts). Whoever writes those columns otherwise sets it
     * to null, and the next heartbeat writes them whole.
     */
    inventoryFingerprint: text('inventory_fingerprint'),
    createdAt: createdAt(),
  },
  (t) => [
    index('members_pool_idx').on(t.poolId),
    uniqueIndex('members_token_unique').on(t.tokenHash),
  ],
)

// One-time secrets an install command carries; a new one voids the old.
export const enrollmentSecrets = pgTable(
  'enrollment_secrets',
  {
    id: text('id').primaryKey(),
    memberId: text('member_id')
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    secretHash: text('secret_hash').notNull(),
    expiresAt: at('expires_at').notNull(),
    usedAt: at('used_at'),
    voidedAt: at('voided_at'),
    /**
     * The secret itself, sealed with the server's key, so the member's install
     * page can show the command again until it is used, replaced or expired;
     * erased then, leaving only the hash.
     */
    secretSealed: text('secret_sealed'),
    createdAt: createdAt(),
  },
  (t) => [uniqueIndex('enrollment_secrets_hash_unique').on(t.secretHash), index('enrollment_secrets_member_idx').on(t.memberId)],
)

// What happened to a member that an operator should see: enrolments, refusals.
export const memberEvents = pgTable(
  'member_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    memberId: text('member_id')
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    at: at('at').notNull().defaultNow(),
    kind: text('kind').notNull(),
    level: text('level', { enum: ['info', 'warn', 'error'] }).notNull(),
    message: text('message').notNull(),
    ip: text('ip'),
  },
  (t) => [
    index('member_events_member_idx').on(t.memberId, t.id),
    // The outage log asks every 5 s, for every member, whether its latest outage-or-recovery is an outage.
    index('member_events_outage_idx').on(t.memberId, t.id).where(sql`kind in ('outage', 'recovered')`),
  ],
)

// One point a minute per member, kept 30 days, for the charts.
export const memberMetrics = pgTable(
  'member_metrics',
  {
    memberId: text('member_id')
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    minute: at('minute').notNull(),
    cpuPercent: real('cpu_percent'),
    memUsedBytes: bigint('mem_used_bytes', { mode: 'number' }),
    memTotalBytes: bigint('mem_total_bytes', { mode: 'number' }),
    diskUsedBytes: bigint('disk_used_bytes', { mode: 'number' }),
    diskTotalBytes: bigint('disk_total_bytes', { mode: 'number' }),
    load1: real('load1'),
  },
  (t) => [primaryKey({ columns: [t.memberId, t.minute] }), index('member_metrics_minute_idx').on(t.minute)],
)

export const auditEvents = pgTable(
  'audit_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    at: at('at').notNull().defaultNow(),
    actorUserId: text('actor_user_id'),
    // Kept as text so the log still reads after a user or token is deleted.
    actorLabel: text('actor_label').notNull(),
    action: text('action').notNull(),
    targetType: text('target_type').notNull(),
    targetId: text('target_id'),
    targetLabel: text('target_label'),
    // No foreign key: the log outlives the pools it mentions.
    poolId: text('pool_id'),
    detail: jsonb('detail').$type<Record<string, unknown>>(),
    ip: text('ip'),
  },
  (t) => [index('audit_events_pool_idx').on(t.poolId, t.id), index('audit_events_at_idx').on(t.at)],
)

// DNS API keys of a pool. Settings hold what is not secret; the key itself is
// sealed (AES-256-GCM) and only its last four characters are ever shown.
export const dnsProviders = pgTable(
  'dns_providers',
  {
    id: text('id').primaryKey(),
    poolId: text('pool_id')
      .notNull()
      .references(() => pools.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['powerdns', 'cloudflare', 'whm'] }).notNull(),
    name: text('name').notNull(),
    settings: jsonb('settings').$type<Record<string, string | boolean>>().notNull(),
    secretSealed: text('secret_sealed').notNull(),
    secretLastFour: text('secret_last_four').notNull(),
    isGlobal: boolean('is_global').notNull().default(false),
    createdAt: createdAt(),
  },
  (t) => [index('dns_providers_pool_idx').on(t.poolId)],
)

export type FailoverProbe = { kind: 'tcp'; port: number } | { kind: 'http'; port: number; path: string }
export type ExtraRecord = { type: 'AAAA' | 'MX' | 'SRV'; name: string; values: Record<string, string> }
/**
 * What a failover hostname is beyond its name, as imported or set on the
 * Managed DNS tab: a cut writes it as the operator had it.
 */
export type HostnameRecord = {
  /** Cloudflare: behind the proxy; a record recreated DNS-only would expose the origin. */
  proxied?: boolean
  /** The name has an AAAA record too, which follows the member's publicIpv6. */
  aaaa?: boolean
  /** Round robin: the other A addresses of the set, kept beside the active member's. */
  alongside?: string[]
}

// One per pool: how DNS follows the active member.
export const failoverConfigs = pgTable('failover_configs', {
  poolId: text('pool_id')
    .primaryKey()
    .references(() => pools.id, { onDelete: 'cascade' }),
  enabled: boolean('enabled').notNull().default(false),
  hostnames: jsonb('hostnames').$type<string[]>().notNull().default([]),
  zone: text('zone'),
  providerId: text('provider_id').references(() => dnsProviders.id, { onDelete: 'set null' }),
  delaySeconds: integer('delay_seconds').notNull().default(30),
  ttl: integer('ttl').notNull().default(60),
  memberOrder: jsonb('member_order').$type<string[]>().notNull().default([]),
  autoFailback: boolean('auto_failback').notNull().default(false),
  failbackAfterSeconds: integer('failback_after_seconds').notNull().default(300),
  probe: jsonb('probe').$type<FailoverProbe | null>(),
  extraRecords: jsonb('extra_records').$type<ExtraRecord[]>().notNull().default([]),
  /** By hostname; a hostname without an entry is a plain single A record. */
  hostnameRecords: jsonb('hostname_records').$type<Record<string, HostnameRecord>>().notNull().default({}),
  /** Cloudflare Enterprise zones accept a TTL from 30 s; the others from 60 s. */
  cloudflareEnterprise: boolean('cloudflare_enterprise').notNull().default(false),
  updatedAt: at('updated_at').notNull().defaultNow(),
})

// Every change of active member, and every outage where failover held back.
// status: pending (a cut in flight), done, blocked (no cut: why in reason).
export const failoverEvents = pgTable(
  'failover_events',
  {
    id: text('id').primaryKey(),
    poolId: text('pool_id')
      .notNull()
      .references(() => pools.id, { onDelete: 'cascade' }),
    fromMemberId: text('from_member_id'),
    toMemberId: text('to_member_id'),
    reason: text('reason').notNull(),
    status: text('status', { enum: ['pending', 'done', 'blocked'] }).notNull(),
    detectedAt: at('detected_at').notNull(),
    completedAt: at('completed_at'),
    dnsResult: jsonb('dns_result').$type<Record<string, unknown>>(),
    attempts: integer('attempts').notNull().default(0),
    nextAttemptAt: at('next_attempt_at'),
    leaseUntil: at('lease_until'),
    lastError: text('last_error'),
    requestedBy: text('requested_by'),
    /** When the failover email went out (alerts send it once). */
    notifiedAt: at('notified_at'),
    /** The leadership term that holds the lease; a newer term may take the cut over at once (its holder is gone). */
    claimTerm: integer('claim_term'),
    /** The term that last started writing DNS for this cut: from then on the records may already name the target. */
    dnsWriteTerm: integer('dns_write_term'),
  },
  (t) => [
    index('failover_events_pool_idx').on(t.poolId, t.detectedAt),
    // A pool never has two cuts in flight.
    uniqueIndex('failover_events_one_pending').on(t.poolId).where(sql`status = 'pending'`),
  ],
)

// Each leadership term: a number that grows every time a process takes the
// scheduler (each start on the embedded database, each advisory-lock win on
// PostgreSQL). Cuts record the term that claimed them and wrote DNS, so a new
// leader knows an older term's lease belongs to a process that is gone.
export const leaderTerms = pgTable('leader_terms', {
  term: integer('term').primaryKey().generatedAlwaysAsIdentity(),
  /** host:pid of the process, for the log. */
  holder: text('holder').notNull(),
  startedAt: at('started_at').notNull().defaultNow(),
})

// Alert settings: per member (heartbeat, resources, services, certificates)
// and per pool (fleet-wide presets). jsonb, merged over defaults on read.
export const memberAlertSettings = pgTable('member_alert_settings', {
  memberId: text('member_id')
    .primaryKey()
    .references(() => members.id, { onDelete: 'cascade' }),
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull(),
  updatedAt: at('updated_at').notNull().defaultNow(),
})

export const poolAlertSettings = pgTable('pool_alert_settings', {
  poolId: text('pool_id')
    .primaryKey()
    .references(() => pools.id, { onDelete: 'cascade' }),
  settings: jsonb('settings').$type<Record<string, unknown>>().notNull(),
  updatedAt: at('updated_at').notNull().defaultNow(),
})

// Where each alert stands: ok -> pending -> firing -> resolving -> ok.
export const alertStates = pgTable(
  'alert_states',
  {
    key: text('key').primaryKey(),
    poolId: text('pool_id')
      .notNull()
      .references(() => pools.id, { onDelete: 'cascade' }),
    memberId: text('member_id').references(() => members.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    state: text('state', { enum: ['ok', 'pending', 'firing', 'resolving'] }).notNull(),
    since: at('since').notNull(),
    firedAt: at('fired_at'),
    summary: text('summary'),
  },
  (t) => [index('alert_states_pool_idx').on(t.poolId)],
)

// What fired and resolved, and who was told.
export const alertHistory = pgTable(
  'alert_history',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    poolId: text('pool_id').notNull(),
    memberId: text('member_id'),
    kind: text('kind').notNull(),
    event: text('event', { enum: ['fired', 'resolved', 'failover', 'test'] }).notNull(),
    at: at('at').notNull().defaultNow(),
    summary: text('summary').notNull(),
    recipients: jsonb('recipients').$type<string[]>().notNull().default([]),
    delivery: text('delivery', { enum: ['sent', 'outbox', 'failed', 'nobody'] }).notNull(),
  },
  (t) => [index('alert_history_pool_idx').on(t.poolId, t.id), index('alert_history_member_idx').on(t.memberId, t.id)],
)

// Alert emails on their way out. Each is written in the same transaction as
// the change that caused it (an alert's state, a finished cut), and a separate
// step (alerts.send) claims it with a lease, sends it and marks it done: a
// slow mail server never holds the evaluation, and a crash between the two
// neither loses the email nor makes it a different one.
export const alertNotices = pgTable(
  'alert_notices',
  {
    id: text('id').primaryKey(),
    poolId: text('pool_id')
      .notNull()
      .references(() => pools.id, { onDelete: 'cascade' }),
    memberId: text('member_id').references(() => members.id, { onDelete: 'cascade' }),
    kind: text('kind').notNull(),
    event: text('event', { enum: ['fired', 'resolved', 'failover'] }).notNull(),
    /** The email as rendered when it happened: every try sends these same bytes. */
    recipients: jsonb('recipients').$type<string[]>().notNull(),
    subject: text('subject').notNull(),
    text: text('text').notNull(),
    html: text('html').notNull(),
    /** The Message-ID header, fixed at once: a resend after a crash is the same message to the receiving side. */
    messageId: text('message_id').notNull(),
    /** When it happened: the alert history's time. */
    createdAt: createdAt(),
    /** Null: at once. Later after a failed try (backoff). */
    nextAttemptAt: at('next_attempt_at'),
    /** A sender's lease; past it, the notice is taken again (that sender stopped). */
    claimedUntil: at('claimed_until'),
    attempts: integer('attempts').notNull().default(0),
    lastError: text('last_error'),
    /** When it left the queue, and how: sent, kept in the Outbox, nobody to tell, or failed after its tries. */
    doneAt: at('done_at'),
    delivery: text('delivery', { enum: ['sent', 'outbox', 'failed', 'nobody'] }),
  },
  (t) => [index('alert_notices_waiting_idx').on(t.createdAt).where(sql`done_at is null`)],
)

// Every email, sent or not: the Outbox page when no SMTP server is set.
export const outbox = pgTable('outbox', {
  id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
  at: at('at').notNull().defaultNow(),
  to: jsonb('to').$type<string[]>().notNull(),
  subject: text('subject').notNull(),
  text: text('text').notNull(),
  html: text('html').notNull(),
  status: text('status', { enum: ['sent', 'outbox', 'failed'] }).notNull(),
  error: text('error'),
})

export type JobStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled' | 'timed_out'
/** A step the job was in when it was cancelled or timed out ends so, not "failed". */
export type JobStep = { title: string; state: 'pending' | 'running' | 'done' | 'failed' | 'skipped' | 'cancelled' | 'timed_out' }

// Several members given the same job at once (Fleet-wide runs): one row here,
// one job per member.
export const jobRuns = pgTable(
  'job_runs',
  {
    id: text('id').primaryKey(),
    poolId: text('pool_id')
      .notNull()
      .references(() => pools.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    params: jsonb('params').$type<Record<string, unknown>>().notNull().default({}),
    requestedBy: text('requested_by').notNull(),
    /** Members that were chosen but could not take the job, and why. */
    refused: jsonb('refused').$type<{ memberId: string; memberName: string; reason: string }[]>().notNull().default([]),
    createdAt: createdAt(),
  },
  (t) => [index('job_runs_pool_idx').on(t.poolId, t.createdAt)],
)

// Cron schedules of a member: a catalogue job queued at each tick (UTC).
export const jobSchedules = pgTable(
  'job_schedules',
  {
    id: text('id').primaryKey(),
    memberId: text('member_id')
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    name: text('name').notNull(),
    params: jsonb('params').$type<Record<string, unknown>>().notNull().default({}),
    cron: text('cron').notNull(),
    enabled: boolean('enabled').notNull().default(true),
    label: text('label'),
    /** The last minute this schedule queued a job for: a restart or a second replica never queues it twice. */
    lastFiredAt: at('last_fired_at'),
    lastJobId: text('last_job_id'),
    createdBy: text('created_by').notNull(),
    createdAt: createdAt(),
    /** Backup schedules: how many daily, weekly and monthly snapshots to keep (null: the defaults, 7 / 4 / 6). */
    keepDaily: integer('keep_daily'),
    keepWeekly: integer('keep_weekly'),
    keepMonthly: integer('keep_monthly'),
  },
  (t) => [index('job_schedules_member_idx').on(t.memberId)],
)

// The job queue. Agents claim rows with FOR UPDATE SKIP LOCKED and hold them
// by a lease they renew while running; the leader's sweep marks jobs whose
// lease ran out, and retries only those the catalogue says are safe to repeat.
export const jobs = pgTable(
  'jobs',
  {
    id: text('id').primaryKey(),
    memberId: text('member_id')
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    poolId: text('pool_id').notNull(),
    name: text('name').notNull(),
    params: jsonb('params').$type<Record<string, unknown>>().notNull().default({}),
    status: text('status').$type<JobStatus>().notNull().default('queued'),
    attempts: integer('attempts').notNull().default(0),
    maxAttempts: integer('max_attempts').notNull().default(1),
    timeoutSeconds: integer('timeout_seconds').notNull(),
    leaseExpiresAt: at('lease_expires_at'),
    /**
     * A queued job not taken by then is cancelled, not run: a reboot asked
     * for today must not happen days later when the agent first checks in.
     */
    expiresAt: at('expires_at'),
    cancelRequestedAt: at('cancel_requested_at'),
    // Who asked, as text: the history still reads after the user is gone.
    requestedBy: text('requested_by').notNull(),
    runId: text('run_id'),
    scheduleId: text('schedule_id'),
    progress: integer('progress').notNull().default(0),
    steps: jsonb('steps').$type<JobStep[]>().notNull().default([]),
    exitCode: integer('exit_code'),
    error: text('error'),
    result: jsonb('result'),
    outputBytes: integer('output_bytes').notNull().default(0),
    createdAt: createdAt(),
    startedAt: at('started_at'),
    finishedAt: at('finished_at'),
  },
  (t) => [
    index('jobs_member_idx').on(t.memberId, t.createdAt),
    // The claim query: the oldest queued job of one member.
    index('jobs_claim_idx').on(t.memberId, t.status, t.createdAt),
    index('jobs_status_idx').on(t.status),
    index('jobs_run_idx').on(t.runId),
  ],
)

// What a job printed, a line a row, in order.
export const jobOutput = pgTable(
  'job_output',
  {
    jobId: text('job_id')
      .notNull()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    seq: integer('seq').notNull(),
    stream: text('stream', { enum: ['stdout', 'stderr', 'agent'] }).notNull(),
    line: text('line').notNull(),
    at: at('at').notNull().defaultNow(),
  },
  (t) => [primaryKey({ columns: [t.jobId, t.seq] })],
)

// ---- backups ---------------------------------------------------------------

// Per pool: the data key agents seal chunks with (32 random bytes, made on
// first use and kept sealed under SECRET_KEY) and how often restore drills run.
export const poolBackups = pgTable('pool_backups', {
  poolId: text('pool_id')
    .primaryKey()
    .references(() => pools.id, { onDelete: 'cascade' }),
  dataKeySealed: text('data_key_sealed'),
  /** Days between restore drills of a database's latest snapshot; 0 turns drills off. */
  drillIntervalDays: integer('drill_interval_days').notNull().default(7),
  updatedAt: at('updated_at').notNull().defaultNow(),
})

// Every chunk a pool's agents asked about, named by its keyed hash. `stored`
// turns true once its object is seen in storage; touchedAt is bumped by every
// check and commit that names it, and prune keeps what was touched within its
// grace period, so an upload in progress never loses a chunk it counts on.
export const backupChunks = pgTable(
  'backup_chunks',
  {
    poolId: text('pool_id')
      .notNull()
      .references(() => pools.id, { onDelete: 'cascade' }),
    id: text('id').notNull(),
    size: integer('size').notNull(),
    stored: boolean('stored').notNull().default(false),
    touchedAt: at('touched_at').notNull().defaultNow(),
    createdAt: createdAt(),
  },
  (t) => [primaryKey({ columns: [t.poolId, t.id] }), index('backup_chunks_touched_idx').on(t.touchedAt)],
)

// A snapshot is a manifest over chunks. It outlives its member (member_id set
// null, member_name kept): a removed server's backups are what restores it.
export const snapshots = pgTable(
  'snapshots',
  {
    id: text('id').primaryKey(),
    poolId: text('pool_id')
      .notNull()
      .references(() => pools.id, { onDelete: 'cascade' }),
    memberId: text('member_id').references(() => members.id, { onDelete: 'set null' }),
    memberName: text('member_name').notNull(),
    kind: text('kind', { enum: ['database', 'files', 'config', 'cpanel_account'] }).notNull(),
    source: text('source').notNull(),
    sizeBytes: bigint('size_bytes', { mode: 'number' }).notNull(),
    /** The sealed sizes of its distinct chunks. */
    storedBytes: bigint('stored_bytes', { mode: 'number' }).notNull(),
    /** What this backup uploaded itself; the rest was in the pool already. */
    uploadedBytes: bigint('uploaded_bytes', { mode: 'number' }).notNull().default(0),
    chunkCount: integer('chunk_count').notNull(),
    sha256: text('sha256').notNull(),
    chunkIds: jsonb('chunk_ids').$type<string[]>().notNull(),
    tables: jsonb('tables').$type<Record<string, string | null> | null>(),
    jobId: text('job_id'),
    scheduleId: text('schedule_id'),
    createdAt: createdAt(),
    verifiedAt: at('verified_at'),
    verifyFailedAt: at('verify_failed_at'),
    verifyProblem: text('verify_problem'),
    provenAt: at('proven_at'),
    drillFailedAt: at('drill_failed_at'),
    drillProblem: text('drill_problem'),
    /** Set when the drill failure's email was claimed: it goes out once. */
    drillNotifiedAt: at('drill_notified_at'),
  },
  (t) => [
    index('snapshots_member_idx').on(t.memberId, t.createdAt),
    index('snapshots_pool_idx').on(t.poolId, t.createdAt),
    index('snapshots_schedule_idx').on(t.scheduleId, t.createdAt),
  ],
)

// Which chunks each snapshot references. The foreign key to backup_chunks is
// the last line of defence: a referenced chunk's row cannot be deleted. The
// migration makes it DEFERRABLE INITIALLY DEFERRED (drizzle cannot say so):
// deleting a pool cascades to chunks and snapshots in an order that would
// otherwise trip it midway.
export const snapshotChunks = pgTable(
  'snapshot_chunks',
  {
    snapshotId: text('snapshot_id')
      .notNull()
      .references(() => snapshots.id, { onDelete: 'cascade' }),
    poolId: text('pool_id').notNull(),
    chunkId: text('chunk_id').notNull(),
  },
  (t) => [
    primaryKey({ columns: [t.snapshotId, t.chunkId] }),
    index('snapshot_chunks_chunk_idx').on(t.poolId, t.chunkId),
    foreignKey({ columns: [t.poolId, t.chunkId], foreignColumns: [backupChunks.poolId, backupChunks.id], name: 'snapshot_chunks_chunk_fk' }),
  ],
)

// ---- cPanel ----------------------------------------------------------------

// A secret made inside a cPanel job and handed over once: an account's new
// password or a one-time login link for the person who queued the job, or the
// source server's login for a transfer, for its agent. Sealed under
// SECRET_KEY; the row is deleted as it is read, and swept once expired.
export const cpanelSecrets = pgTable(
  'cpanel_secrets',
  {
    id: text('id').primaryKey(),
    jobId: text('job_id')
      .notNull()
      .references(() => jobs.id, { onDelete: 'cascade' }),
    memberId: text('member_id')
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    kind: text('kind', { enum: ['password', 'login', 'credentials'] }).notNull(),
    valueSealed: text('value_sealed').notNull(),
    /** The actor label of who queued the job: the only one it is shown to. */
    requestedBy: text('requested_by').notNull(),
    createdAt: createdAt(),
    expiresAt: at('expires_at').notNull(),
  },
  (t) => [uniqueIndex('cpanel_secrets_job_unique').on(t.jobId), index('cpanel_secrets_expires_idx').on(t.expiresAt)],
)

// An account pushed from one cPanel member to another: backup.cpanel_account
// on the source, then restore.cpanel_account of that snapshot on the target.
export const cpanelCopies = pgTable(
  'cpanel_copies',
  {
    id: text('id').primaryKey(),
    poolId: text('pool_id')
      .notNull()
      .references(() => pools.id, { onDelete: 'cascade' }),
    user: text('user').notNull(),
    sourceMemberId: text('source_member_id')
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    targetMemberId: text('target_member_id')
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    state: text('state', { enum: ['backing_up', 'restoring', 'succeeded', 'failed'] }).notNull(),
    backupJobId: text('backup_job_id').notNull(),
    restoreJobId: text('restore_job_id'),
    snapshotId: text('snapshot_id'),
    error: text('error'),
    requestedBy: text('requested_by').notNull(),
    /** Restore over an account of that name on the target. */
    replace: boolean('replace').notNull().default(false),
    createdAt: createdAt(),
    finishedAt: at('finished_at'),
  },
  (t) => [
    index('cpanel_copies_pool_idx').on(t.poolId, t.createdAt),
    index('cpanel_copies_source_idx').on(t.sourceMemberId, t.createdAt),
    index('cpanel_copies_target_idx').on(t.targetMemberId, t.createdAt),
    // One copy of an account between two members at a time; also what the tick scans.
    uniqueIndex('cpanel_copies_in_flight_unique')
      .on(t.sourceMemberId, t.targetMemberId, t.user)
      .where(sql`${t.state} in ('backing_up', 'restoring')`),
  ],
)

// ---- Protection ------------------------------------------------------------

export const PROTECTION_SCHEDULES = ['1h', '6h', '12h', '1d', '3d', '1w', '1mo'] as const
export type ProtectionSchedule = (typeof PROTECTION_SCHEDULES)[number]

// A pool's Protection settings, beside the pool row (which lists and pages
// read everywhere): one row once anything is set.
export const poolProtection = pgTable('pool_protection', {
  poolId: text('pool_id')
    .primaryKey()
    .references(() => pools.id, { onDelete: 'cascade' }),
  /** The post-failover hook: a shell command the standby's agent runs after an account's DNS is cut to it. */
  hook: text('hook'),
  updatedAt: at('updated_at').notNull().defaultNow(),
})

// A cPanel account kept warm on a standby member of its pool: copied there on
// a schedule (replication_runs). Two deadline columns carry the rules, so the
// ticks read only due rows: next_run_at (the schedule) and stale_at (twice the
// schedule past the last good copy, or past the creation before any).
export const protectedAccounts = pgTable(
  'protected_accounts',
  {
    id: text('id').primaryKey(),
    poolId: text('pool_id')
      .notNull()
      .references(() => pools.id, { onDelete: 'cascade' }),
    sourceMemberId: text('source_member_id')
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    user: text('user').notNull(),
    standbyMemberId: text('standby_member_id')
      .notNull()
      .references(() => members.id, { onDelete: 'cascade' }),
    schedule: text('schedule', { enum: PROTECTION_SCHEDULES }).notNull(),
    /** The DNS TTL the account's records get, in seconds. */
    ttl: integer('ttl').notNull(),
    providerId: text('provider_id').references(() => dnsProviders.id, { onDelete: 'set null' }),
    enabled: boolean('enabled').notNull().default(true),
    /** Managed DNS: WHM's zone replicated to the provider for this account. */
    managed: boolean('managed').notNull().default(false),
    /** The record types a cut moves to the standby. */
    records: text('records').array().notNull().default(sql`'{A}'::text[]`),
    /** When the copy now on the standby was taken (its backup's start). */
    lastGoodCopyAt: at('last_good_copy_at'),
    lastRunAt: at('last_run_at'),
    lastRunId: text('last_run_id'),
    nextRunAt: at('next_run_at').notNull(),
    staleAt: at('stale_at').notNull(),
    /** Set when this staleness was mailed: once per episode, cleared by a good copy. */
    staleNotifiedAt: at('stale_notified_at'),
    createdAt: createdAt(),
    updatedAt: at('updated_at').notNull().defaultNow(),
  },
  (t) => [
    uniqueIndex('protected_accounts_source_user_unique').on(t.sourceMemberId, t.user),
    index('protected_accounts_pool_idx').on(t.poolId, t.createdAt),
    index('protected_accounts_next_run_idx').on(t.nextRunAt),
    index('protected_accounts_stale_idx').on(t.staleAt),
  ],
)

// One copy of a protected account: backup.cpanel_account on the source, then
// restore.cpanel_account of that snapshot on the standby, then the snapshot
// deleted. phase says which job is current while the run is queued or running.
export const replicationRuns = pgTable(
  'replication_runs',
  {
    id: text('id').primaryKey(),
    protectedAccountId: text('protected_account_id')
      .notNull()
      .references(() => protectedAccounts.id, { onDelete: 'cascade' }),
    poolId: text('pool_id')
      .notNull()
      .references(() => pools.id, { onDelete: 'cascade' }),
    user: text('user').notNull(),
    sourceMemberId: text('source_member_id').notNull(),
    standbyMemberId: text('standby_member_id').notNull(),
    status: text('status', { enum: ['queued', 'running', 'succeeded', 'failed', 'skipped'] }).notNull(),
    phase: text('phase', { enum: ['backup', 'restore'] }),
    trigger: text('trigger', { enum: ['schedule', 'manual'] }).notNull(),
    requestedBy: text('requested_by').notNull(),
    backupJobId: text('backup_job_id'),
    restoreJobId: text('restore_job_id'),
    snapshotId: text('snapshot_id'),
    bytesUploaded: bigint('bytes_uploaded', { mode: 'number' }),
    sizeBytes: bigint('size_bytes', { mode: 'number' }),
    startedAt: at('started_at'),
    finishedAt: at('finished_at'),
    error: text('error'),
    createdAt: createdAt(),
  },
  (t) => [
    index('replication_runs_account_idx').on(t.protectedAccountId, t.createdAt),
    index('replication_runs_pool_idx').on(t.poolId, t.createdAt),
    // One run of an account at a time; also what the tick scans.
    uniqueIndex('replication_runs_in_flight_unique')
      .on(t.protectedAccountId)
      .where(sql`${t.status} in ('queued', 'running')`),
  ],
)

// The replication log of a pool. failure and stale rows are mailed by a
// separate step that claims them (notified_at), once.
export const protectionEvents = pgTable(
  'protection_events',
  {
    id: bigint('id', { mode: 'number' }).primaryKey().generatedAlwaysAsIdentity(),
    poolId: text('pool_id')
      .notNull()
      .references(() => pools.id, { onDelete: 'cascade' }),
    protectedAccountId: text('protected_account_id').references(() => protectedAccounts.id, { onDelete: 'set null' }),
    kind: text('kind', { enum: ['sync', 'skipped', 'failure', 'cut', 'transfer', 'stale'] }).notNull(),
    message: text('message').notNull(),
    detail: jsonb('detail').$type<Record<string, unknown>>(),
    at: at('at').notNull().defaultNow(),
    /** Mail still to send for this event (failure, stale); set null by the step that claims it. */
    notifyPending: boolean('notify_pending').notNull().default(false),
  },
  (t) => [
    index('protection_events_pool_idx').on(t.poolId, t.id),
    index('protection_events_notify_idx').on(t.id).where(sql`${t.notifyPending}`),
  ],
)

// Managed DNS: per protected account, what the last sync or refresh found
// different between WHM (the source of truth) and the account's provider, and
// what the last sync wrote. Only those differences are kept, never a zone.
export type ManagedDnsDiff = {
  name: string
  type: string
  /** What WHM holds (after the cut's swap while the account is cut); null when WHM has no such set. */
  want: string[] | null
  /** What the provider holds; null when it has no such set. */
  have: string[] | null
  wantTtl: number | null
  haveTtl: number | null
}
export const managedDnsStatus = pgTable('managed_dns_status', {
  protectedAccountId: text('protected_account_id')
    .primaryKey()
    .references(() => protectedAccounts.id, { onDelete: 'cascade' }),
  poolId: text('pool_id')
    .notNull()
    .references(() => pools.id, { onDelete: 'cascade' }),
  /** When WHM and the provider were last compared (a sync or "Refresh DNS"). */
  checkedAt: at('checked_at').notNull(),
  /** Sets that differed then (after a sync: those left different). */
  drift: integer('drift').notNull(),
  diffs: jsonb('diffs').$type<ManagedDnsDiff[]>().notNull().default([]),
  /** Why the comparison failed (a provider's words); null when it worked. */
  error: text('error'),
  lastSyncAt: at('last_sync_at'),
  /** The sets the last sync wrote, as they were before and after. */
  lastWritten: jsonb('last_written').$type<ManagedDnsDiff[]>(),
})
