import type { Config } from '../config'
import type { SecretBox } from '../crypto/secret-box'
import type { Db } from '../db'
import type { Log } from './log'
import type { Startup } from '../health/startup'

/** What every domain's routes are built with; tests pass their own. */
export type Deps = {
  db: Db
  config: Config
  log: Log
  secrets: SecretBox
  /** Whether this process runs the scheduler's ticks now (see db/index.ts). */
  isLeader: () => Promise<boolean>
  /** Set by main.ts while it finishes starting; tests build servers that are ready at once. */
  startup?: Startup
}
