// Which tables a control-plane export carries, in the order an import writes
// them: every table comes after the tables its foreign keys point at
// (tables.test.ts checks that against the schema, and fails when a table in
// schema.ts is in neither list, so a new table is always a decision).
//
// Rows are read whole (to_jsonb of the row), so a column added to a table
// later travels without a change here.
import { getTableName } from 'drizzle-orm'
import { getTableConfig, PgTable } from 'drizzle-orm/pg-core'
import * as schema from '../db/schema'

export const EXPORTED: PgTable[] = [
  // Who signs in, and the API tokens scripts use (hashes only, as stored).
  schema.users,
  schema.apiTokens,
  schema.pools,
  // Before members: a member's down deadline, computed as it is written,
  // reads its pool's failover delay.
  schema.dnsProviders,
  schema.failoverConfigs,
  // Members carry token_hash, so enrolled agents keep working.
  schema.members,
  // Pending install commands keep working (their secret is re-sealed).
  schema.enrollmentSecrets,
  schema.memberEvents,
  schema.auditEvents,
  schema.failoverEvents,
  schema.memberAlertSettings,
  schema.poolAlertSettings,
  schema.alertStates,
  schema.alertHistory,
  // Alert emails not sent yet go out from the new server, under the same Message-ID.
  schema.alertNotices,
  schema.outbox,
  schema.jobRuns,
  schema.jobSchedules,
  schema.jobs,
  schema.jobOutput,
  // The pool's data key: without it no snapshot in storage can be opened.
  schema.poolBackups,
  schema.backupChunks,
  schema.snapshots,
  schema.snapshotChunks,
  // A queued transfer's handed-over login: re-sealed like the other secrets.
  schema.cpanelSecrets,
  schema.cpanelCopies,
  schema.poolProtection,
  schema.protectedAccounts,
  schema.replicationRuns,
  schema.protectionEvents,
  schema.managedDnsStatus,
]

/** Left out on purpose, and why: each is ephemeral or refills by itself. */
export const SKIPPED: Record<string, string> = {
  sessions: 'signed-in browsers; people sign in again on the new server',
  login_failures: 'sign-in throttle counters, a window of minutes',
  app_settings: 'only the one-time setup code, void once users exist',
  leader_terms: 'who led when; the import moves the term counter past the exported one instead, so old claims stay older',
  member_metrics: 'a point a minute per member for 30 days (43,200 rows each); the charts refill from the next heartbeats',
}

export const tableName = (t: PgTable) => getTableName(t)

/** Every table schema.ts declares, by name. */
export function schemaTables(): PgTable[] {
  return (Object.values(schema) as unknown[]).filter((v): v is PgTable => v instanceof PgTable)
}

/**
 * Columns holding a value sealed with the server's key (crypto/secret-box):
 * they travel opened, inside the passphrase-sealed file, and the import seals
 * them again with the new server's key. The schema names them all *_sealed.
 */
export function sealedColumns(t: PgTable): string[] {
  return getTableConfig(t)
    .columns.map((c) => c.name)
    .filter((name) => name.endsWith('_sealed'))
}

/** The tables a table's foreign keys point at. */
export function referencedTables(t: PgTable): string[] {
  return getTableConfig(t).foreignKeys.map((fk) => getTableName(fk.reference().foreignTable))
}
