// `bun run start`: read the environment, open the database, serve.
import { ConfigError, loadConfig } from '../config'
import { openDatabase } from '../db'
import { loadSecretKey, secretBox } from '../crypto/secret-box'
import { prepareFirstRun } from '../auth/service'
import { buildApp, MAX_AGENT_BODY_BYTES } from './app'
import { MAX_STORAGE_BODY_BYTES } from './body-limit'
import { createStorage } from '../storage'
import { consoleLog, type Log } from './log'
import { DataDirLocked, lockDataDir } from './data-dir-lock'
import { closeToOthers, prepareDataDir, UnsafeDataDir, usesDataDir } from './data-dir'
import { startScheduler } from '../scheduler'
import { plainHttpWarning } from './public-url'
import { startingUp } from '../health/startup'
import { forgiveOutage, outageBefore } from '../failover/outage'
import { heartbeatsOf } from '../agent-api/service'
import type { Deps } from './deps'
import { createMetrics } from '../metrics'
import { countStorageErrors } from '../metrics/providers'
import { createLifecycle } from './lifecycle'
import { stopGracefully } from './shutdown'

// Text until the settings are read: a bad LOG_FORMAT is itself reported.
let log: Log = consoleLog()

async function main() {
  // Whatever the server writes (database files, key file, lock) is its user's alone.
  process.umask(0o077)
  const config = loadConfig()
  log = consoleLog(config.logFormat)
  if (usesDataDir(config)) {
    const warning = prepareDataDir(config.dataDir)
    if (warning) log.warn('server.data-dir', warning)
  }
  const unlock = config.databaseUrl ? () => {} : lockDataDir(config.dataDir)
  const started = performance.now()
  const database = await openDatabase(config)
  if (usesDataDir(config)) closeToOthers(config.dataDir)
  log.info('db.open', `${database.kind === 'pglite' ? `embedded database in ${config.dataDir}` : 'PostgreSQL'} ready in ${Math.round(performance.now() - started)} ms`)
  const secretKey = loadSecretKey(config.secretKey, config.dataDir)
  const secrets = secretBox(secretKey)
  const metrics = createMetrics({ db: database.db, log }, { processMetrics: true })
  const storage = countStorageErrors(createStorage(config, secretKey), metrics)
  const startup = startingUp('Finishing start-up: the first admin and ADMIN_API_TOKEN (from ADMIN_*) or the setup code, then the scheduler')
  const lifecycle = createLifecycle()
  const deps: Deps = { db: database.db, config, log, secrets, storage, isLeader: database.isLeader, leaderTerm: database.leaderTerm, startup, metrics, lifecycle }
  const app = buildApp(deps)
  const outageUntil = await outageBefore(database.db, database.othersServing)
  app.listen({
    port: config.port,
    hostname: config.host,
    // Hard cap; the app itself refuses smaller bodies with a clear 413.
    maxRequestBodySize: Math.max(MAX_AGENT_BODY_BYTES, MAX_STORAGE_BODY_BYTES) * 2,
  })
  // Before any request is handled: heartbeats from now on were heard, the ones before could not be.
  const outage = outageUntil(new Date())
  if (outage?.heardUntil) {
    const forgiven = await forgiveOutage(database.db, outage)
    log.info('failover.outage', `no server listened from ${outage.heardUntil.toISOString()} (the newest heartbeat) to now: ${forgiven} member(s) still beating then are not blamed for that silence`)
  }
  // Agents are answered only once their batch is written, so this finds little; it is the last word before the database closes.
  lifecycle.onStop('heartbeats', () => heartbeatsOf(database.db).drain())
  const server = app.server!
  // With PORT=0 the real port is known only now.
  if (!config.publicUrlSet) config.publicUrl = `http://localhost:${server.port}`
  const inClear = plainHttpWarning(config.publicUrl)
  if (inClear) log.warn('server.public-url', inClear)
  await prepareFirstRun(database.db, config.admin, log, `${config.publicUrl}/setup`)
  const stopScheduler = startScheduler(deps)

  let stopping = false
  const stop = (signal: string) => {
    // A second signal is someone who will not wait: go now, and say it was not clean.
    if (stopping) {
      log.warn('server.stop', `${signal} again: exiting at once without finishing`)
      process.exit(1)
    }
    stopping = true
    void stopGracefully({ log, lifecycle, stopScheduler, server, database, signal }).finally(() => {
      unlock()
      // Ends by itself once nothing is left open, as a CPU profile (bun
      // --cpu-prof, the load bench's) is written only then; anything still
      // holding the event loop gets two seconds.
      process.exitCode = 0
      setTimeout(() => process.exit(0), 2000).unref()
    })
  }
  process.on('SIGTERM', () => stop('SIGTERM'))
  process.on('SIGINT', () => stop('SIGINT'))
  startup.waitingFor = null
  // Last: scripts and tests take this line to mean ready, and a SIGTERM sent
  // on seeing it must find its handler in place.
  log.info('server.listen', `serversctl listening on http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${server.port} (public address ${config.publicUrl})`)
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof DataDirLocked || err instanceof UnsafeDataDir) {
    log.error('server.start', err.message)
  } else {
    log.error('server.start', 'could not start', err)
  }
  process.exit(1)
})
