// `bun run start`: read the environment, open the database, serve.
import { ConfigError, loadConfig } from '../config'
import { openDatabase } from '../db'
import { loadSecretKey, secretBox } from '../crypto/secret-box'
import { prepareFirstRun } from '../auth/service'
import { buildApp, MAX_AGENT_BODY_BYTES } from './app'
import { consoleLog as log } from './log'
import { DataDirLocked, lockDataDir } from './data-dir-lock'
import { startScheduler } from '../scheduler'

async function main() {
  const config = loadConfig()
  const unlock = config.databaseUrl ? () => {} : lockDataDir(config.dataDir)
  const started = performance.now()
  const database = await openDatabase(config)
  log.info('db.open', `${database.kind === 'pglite' ? `embedded database in ${config.dataDir}` : 'PostgreSQL'} ready in ${Math.round(performance.now() - started)} ms`)
  const secrets = secretBox(loadSecretKey(config.secretKey, config.dataDir))
  const deps = { db: database.db, config, log, secrets, isLeader: database.isLeader }
  const app = buildApp(deps)
  app.listen({
    port: config.port,
    hostname: config.host,
    // Hard cap; the app itself refuses smaller bodies with a clear 413.
    maxRequestBodySize: MAX_AGENT_BODY_BYTES * 2,
  })
  const server = app.server!
  // With PORT=0 the real port is known only now.
  if (!config.publicUrlSet) config.publicUrl = `http://localhost:${server.port}`
  await prepareFirstRun(database.db, config.admin, log, `${config.publicUrl}/setup`)
  log.info('server.listen', `serversctl listening on http://${config.host === '0.0.0.0' ? '127.0.0.1' : config.host}:${server.port} (public address ${config.publicUrl})`)

  const stopScheduler = startScheduler(deps)

  let stopping = false
  const stop = async (signal: string) => {
    if (stopping) return
    stopping = true
    log.info('server.stop', `${signal}: stopping`)
    stopScheduler()
    await server.stop()
    await database.close()
    unlock()
    process.exit(0)
  }
  process.on('SIGTERM', () => void stop('SIGTERM'))
  process.on('SIGINT', () => void stop('SIGINT'))
}

main().catch((err) => {
  if (err instanceof ConfigError || err instanceof DataDirLocked) {
    log.error('server.start', err.message)
  } else {
    log.error('server.start', 'could not start', err)
  }
  process.exit(1)
})
