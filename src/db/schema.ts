// The only place tables are declared. Migrations in ../../migrations are
// generated from this file by drizzle-kit; a shipped migration is never edited.
import { sql } from 'drizzle-orm'
import {
  bigint,
  index,
  integer,
  jsonb,
  pgTable,
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
    stacks: jsonb('stacks').$type<MemberStacks>().notNull().default({}),
    lastHeartbeatAt: at('last_heartbeat_at'),
    createdAt: createdAt(),
  },
  (t) => [index('members_pool_idx').on(t.poolId)],
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
