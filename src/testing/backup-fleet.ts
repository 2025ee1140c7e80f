// Backups with real parts: the server as its own process (folder storage or
// S3 through s3rver), compiled agents enrolled on this machine, each seeing
// the local MariaDB as a real member would. Used by the backup drill tests
// and `bun run bench:backup`.
//
//   const fleet = await startBackupFleet({ s3: true })
//   try { const job = await fleet.runJob(fleet.agents[0].id, 'backup.database', { database }) }
//   finally { await fleet.cleanup() }
import postgres from 'postgres'
import { ensureAgentBinary } from './agent-binary'
import { addEnrolledMember, freePort, httpApi, ok, removeTempDir, startServerProcess, tempDir, waitFor, type Api, type DrillAgent, type ServerProcess } from './drill'
import { startS3rver } from '../storage/s3rver-for-tests'

const TERMINAL = new Set(['succeeded', 'failed', 'cancelled', 'timed_out'])
let fleets = 0

export type BackupFleet = {
  api: Api
  server: ServerProcess
  poolId: string
  agents: DrillAgent[]
  /** The s3rver endpoint when the fleet stores in S3. */
  s3Endpoint: string | null
  dataDir: string
  /** Queues a catalogue job through the API and waits for it to end; answers the job as the API shows it. */
  runJob: (memberId: string, name: string, params: Record<string, unknown>, timeoutMs?: number) => Promise<any>
  waitJob: (jobId: string, timeoutMs?: number) => Promise<any>
  cleanup: () => Promise<void>
}

type FleetOptions = {
  s3?: boolean
  members?: string[]
  /** The server's environment. */
  env?: Record<string, string>
  /** Each agent's own environment, by member name and host name, asked in the order of `members`. */
  agentEnv?: (name: string, hostname: string) => Record<string, string>
  /** What every member must have reported before the fleet is ready (default: MariaDB running). */
  ready?: (member: any) => boolean
  readyText?: string
}

export async function startBackupFleet(opts: FleetOptions = {}): Promise<BackupFleet> {
  const bin = ensureAgentBinary()
  const dir = tempDir('sctl-backups-')
  const label = `backups-${process.pid}-${++fleets}`
  const s3 = opts.s3 ? await startS3rver() : null
  const pg = opts.env?.DATABASE_URL ? null : await fleetDatabase(label)
  let server: ServerProcess | null = null
  const agents: DrillAgent[] = []
  const cleanup = async () => {
    await Promise.all(agents.map((a) => a.stop('SIGKILL').catch(() => {})))
    await server?.stop().catch(() => {})
    await s3?.stop().catch(() => {})
    await pg?.drop().catch(() => {})
    removeTempDir(dir)
  }
  try {
    // Folder storage hands agents links on PUBLIC_URL, so the port is chosen before the server starts.
    const port = await freePort()
    const dataDir = `${dir}/data`
    server = await startServerProcess({ PORT: String(port), PUBLIC_URL: `http://127.0.0.1:${port}`, DATA_DIR: dataDir, ...(pg?.env ?? {}), ...(s3?.env ?? {}), ...opts.env })
    const api = httpApi(server.url)
    const poolId = ok(await api('POST', '/api/v1/pools', { name: label, preset: 'generic' }), 'create pool').id as string
    const names = opts.members ?? ['a']
    for (const [i, name] of names.entries()) {
      const at = { api, serverUrl: server.url, poolId, label, dir, bin, heartbeatSeconds: 2 }
      const agent = await addEnrolledMember(at, { name, publicIpv4: `192.0.2.${10 + i}` })
      agent.extraEnv = opts.agentEnv?.(name, agent.hostname) ?? {}
      agents.push(agent)
    }
    const ready = opts.ready ?? ((m: any) => !!m.stacks?.mariadb?.running)
    for (const a of agents) a.start()
    // The agent reports the local MariaDB (or cPanel) in its first heartbeats; their jobs are refused until then.
    await waitFor(
      async () => {
        const members = await Promise.all(agents.map(async (a) => ok(await api('GET', `/api/v1/members/${a.id}`), 'member')))
        return members.every(ready) || null
      },
      30_000,
      `every agent to report ${opts.readyText ?? 'MariaDB'}`,
      200,
    ).catch((err) => {
      throw new Error(`${err.message}\n${agents.map((a) => `--- agent ${a.name} ---\n${a.output}`).join('\n')}`)
    })
    const waitJob = (jobId: string, timeoutMs = 120_000) =>
      waitFor(
        async () => {
          const job = ok(await api('GET', `/api/v1/jobs/${jobId}`), 'job')
          return TERMINAL.has(job.status) ? job : null
        },
        timeoutMs,
        `job ${jobId} to end`,
        100,
      )
    const runJob = async (memberId: string, name: string, params: Record<string, unknown>, timeoutMs?: number) =>
      waitJob(ok(await api('POST', `/api/v1/members/${memberId}/jobs`, { name, params }), `queue ${name}`).id, timeoutMs)
    return { api, server, poolId, agents, s3Endpoint: s3?.endpoint ?? null, dataDir, runJob, waitJob, cleanup }
  } catch (err) {
    await cleanup()
    throw err
  }
}

/** Runs SQL on the local MariaDB as root (the socket, as the agent does) and answers its tab-separated rows. */
export async function mariadbSql(sql: string, database?: string): Promise<string[][]> {
  const proc = Bun.spawn(['mariadb', '-u', 'root', '--batch', '--skip-column-names', ...(database ? [database] : [])], { stdin: 'pipe', stdout: 'pipe', stderr: 'pipe' })
  proc.stdin.write(sql)
  proc.stdin.end()
  const [out, err, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  if (code !== 0) throw new Error(`mariadb failed (${code}): ${err}`)
  return out
    .split('\n')
    .filter((l) => l)
    .map((l) => l.split('\t'))
}

/** CHECKSUM TABLE of every base table of a database, by table name. */
export async function tableChecksums(database: string): Promise<Record<string, string>> {
  const tables = await mariadbSql(`select table_name from information_schema.tables where table_schema = '${database}' and table_type = 'BASE TABLE' order by 1`)
  if (!tables.length) return {}
  const rows = await mariadbSql(`checksum table ${tables.map(([t]) => `\`${database}\`.\`${t}\``).join(', ')}`)
  return Object.fromEntries(rows.map(([name, sum]) => [name!.split('.').pop()!, sum!]))
}

/**
 * In the PostgreSQL pass (TEST_DATABASE_URL) the fleet's server gets a
 * database of its own there, so these end-to-end tests run their SQL on both
 * databases; otherwise it uses the embedded one in its DATA_DIR.
 */
async function fleetDatabase(label: string): Promise<OwnDatabase | null> {
  const base = process.env.TEST_DATABASE_URL
  return base ? databaseOfItsOwn(base, label) : null
}

export type OwnDatabase = { env: Record<string, string>; drop: () => Promise<void> }

/** A fresh PostgreSQL database beside `base`'s (dropped first if a crashed run left it), for one server process. */
export async function databaseOfItsOwn(base: string, label: string): Promise<OwnDatabase> {
  const name = `sctl_${label.replace(/[^a-z0-9]+/gi, '_').toLowerCase()}`
  const admin = postgres(base, { max: 1, onnotice: () => {} })
  await admin.unsafe(`drop database if exists ${name} with (force)`)
  await admin.unsafe(`create database ${name}`)
  const url = new URL(base)
  url.pathname = `/${name}`
  return {
    env: { DATABASE_URL: url.toString() },
    drop: async () => {
      await admin.unsafe(`drop database if exists ${name} with (force)`).catch(() => {})
      await admin.end({ timeout: 2 })
    },
  }
}
