import type { Config } from '../config'
import type { SecretBox } from '../crypto/secret-box'
import type { Db } from '../db'
import type { Log } from './log'
import type { Lifecycle } from './lifecycle'
import type { Metrics } from '../metrics'
import type { Startup } from '../health/startup'
import type { ObjectStore } from '../storage/types'

/** What every domain's routes are built with; tests pass their own. */
export type Deps = {
  db: Db
  config: Config
  log: Log
  secrets: SecretBox
  /** Whether this process runs the scheduler's ticks now (see db/index.ts). */
  isLeader: () => Promise<boolean>
  /** Where backup chunks live: a folder in DATA_DIR or an S3 bucket (storage/index.ts). */
  storage: ObjectStore
  /** This process's leadership term while it leads; failover records it on cuts. */
  leaderTerm?: () => Promise<number | null>
  /** Set by main.ts while it finishes starting; tests build servers that are ready at once. */
  startup?: Startup
  /** This app's own Prometheus registry and counters (metrics/index.ts), read by GET /metrics. */
  metrics: Metrics
  /** The server stopping: a signal for long waits, and hooks to flush before the database closes (lifecycle.ts). */
  lifecycle: Lifecycle
}
