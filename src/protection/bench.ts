// `bun run bench:replicate`: a generated cPanel account (1 GiB of home by
// default, BENCH_MB to change it) protected on a standby and replicated twice
// by compiled agents, through the real server and s3rver: first as it is,
// then after 1 % of its bytes were rewritten in place. It drives the
// protected-accounts API as a person would (POST
// /api/v1/pools/:poolId/protected-accounts, POST
// /api/v1/protected-accounts/:id/replicate, GET /api/v1/replication-runs/:id)
// and prints each run's time from queued to done, its backup and restore
// jobs, the bytes read, uploaded and downloaded, and the second run's time as
// a share of the first. Protecting may queue the first copy by itself (the
// schedule's first run is due at once): the bench takes that run when one
// shows up, and asks for one otherwise.
//
// The hosts are fake cPanel roots (src/testing/standins/cpanel) with the
// stand-in pkgacct and restorepkg on the agents' PATH: pkgacct there is
// GNU tar over the home, restorepkg is tar extracting over the existing
// home, so their share of the time is about what tar and the disk take, not
// what cPanel's own scripts take on a real server.
import { join } from 'node:path'
import { startBackupFleet } from '../testing/backup-fleet'
import { ok, waitFor } from '../testing/drill'
import { changeAccountHome, generateAccountHome } from '../testing/standins/cpanel/account-data'
import { FIXTURE_UID, makeCpanelHost, treeDigest } from '../testing/standins/cpanel/host'

const TARGET_MB = Number(process.env.BENCH_MB ?? 1024)
const USER = 'shop'
const LIMIT_MS = 3_600_000

const mb = (bytes: number) => bytes / 1e6
const seconds = (job: any) => (Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000
const since = (t: number) => (performance.now() - t) / 1000

type Run = { wall: number; backup: any; restore: any; run: any }

async function main() {
  const source = makeCpanelHost({ hostname: 'source.example.test' })
  const standby = makeCpanelHost({ account: null, hostname: 'standby.example.test' })
  const home = join(source.root, 'home', USER)
  let fleet: Awaited<ReturnType<typeof startBackupFleet>> | null = null
  try {
    console.log(`generating a ${TARGET_MB} MiB account home...`)
    let t = performance.now()
    const made = generateAccountHome(home, TARGET_MB << 20, { uid: FIXTURE_UID, user: USER })
    console.log(`generated ${made.files.toLocaleString()} files, ${mb(made.bytes).toFixed(0)} MB, in ${since(t).toFixed(1)} s`)

    fleet = await startBackupFleet({
      s3: true,
      members: ['source', 'standby'],
      agentEnv: (name) => (name === 'source' ? source.env : standby.env),
      ready: (m) => !!m.stacks?.cpanel,
      readyText: 'cPanel',
    })
    const [from, to] = fleet.agents.map((a) => a.id) as [string, string]
    const f = fleet

    const pa = ok(await f.api('POST', `/api/v1/pools/${f.poolId}/protected-accounts`, { sourceMemberId: from, user: USER, standbyMemberId: to, schedule: '1w', ttl: 300, providerId: null }), 'protect')
    const account = async () => ok(await f.api('GET', `/api/v1/protected-accounts/${pa.id}`), 'protected account')
    const ended = (runId: string) =>
      waitFor(
        async () => {
          const run = ok(await f.api('GET', `/api/v1/replication-runs/${runId}`), 'run')
          return ['succeeded', 'failed', 'skipped'].includes(run.status) ? run : null
        },
        LIMIT_MS,
        `replication run ${runId} to end`,
        250,
      )
    /** Asks for a run; 409 means one is queued or going already, which is the one to time. */
    const requestRun = async (): Promise<string> => {
      const res = await f.api('POST', `/api/v1/protected-accounts/${pa.id}/replicate`, {})
      if (res.status === 409) return (await waitFor(async () => (await account()).lastRun, 60_000, 'the run under way', 200)).id
      return ok(res, 'replicate').id
    }
    const measure = async (runId: string): Promise<Run> => {
      const run = await ended(runId)
      if (run.status !== 'succeeded') throw new Error(`run ${run.status}: ${run.error}`)
      const backup = ok(await f.api('GET', `/api/v1/jobs/${run.backupJobId}`), 'backup job')
      const restore = ok(await f.api('GET', `/api/v1/jobs/${run.restoreJobId}`), 'restore job')
      const wall = (Date.parse(run.finishedAt) - Date.parse(run.createdAt)) / 1000
      if (treeDigest(join(standby.root, 'home', USER)) !== treeDigest(home)) throw new Error('the standby home does not hash equal to the source')
      return { wall, backup, restore, run }
    }

    // The first copy: the one protecting queued, or one asked for if none shows up within a few seconds.
    const queued = await waitFor(async () => (await account()).lastRun, 5_000, 'a first run', 200).catch(() => null)
    const first = await measure(queued ? queued.id : await requestRun())
    t = performance.now()
    const changed = changeAccountHome(home, 0.01)
    console.log(`changed ${changed.files.length} files, ${mb(changed.bytes).toFixed(1)} MB, in ${since(t).toFixed(1)} s`)
    const second = await measure(await requestRun())

    const line = (label: string, r: Run) => {
      const size = r.run.sizeBytes
      const res = r.restore.result ?? {}
      return [
        `${label}  wall ${r.wall.toFixed(1)} s (queued to done), ${(mb(size) / r.wall).toFixed(1)} MB/s end to end`,
        `    backup   ${seconds(r.backup).toFixed(1)} s (pkgacct + upload; the upload stream alone ${r.backup.result.seconds} s), read ${mb(size).toFixed(0)} MB, uploaded ${mb(r.run.bytesUploaded).toFixed(1)} MB, ${(mb(size) / seconds(r.backup)).toFixed(1)} MB/s`,
        `    restore  ${seconds(r.restore).toFixed(1)} s (assemble and check ${res.assembleSeconds ?? '?'} s, restorepkg ${res.restorepkgSeconds ?? '?'} s), ${mb(res.sizeBytes ?? 0).toFixed(0)} MB, downloaded ${mb(res.bytesDownloaded ?? 0).toFixed(1)} MB (${res.chunksDownloaded ?? '?'} chunks, ${res.chunksFromCache ?? '?'} from the standby's cache), ${(mb(res.sizeBytes ?? 0) / seconds(r.restore)).toFixed(1)} MB/s`,
        `    between  ${(r.wall - seconds(r.backup) - seconds(r.restore)).toFixed(1)} s (queueing, the hand-over from backup to restore, the snapshot's deletion)`,
      ].join('\n')
    }
    console.log(
      [
        `account              ${mb(first.run.sizeBytes).toFixed(0)} MB archive`,
        line('first run (all new)', first),
        line('second run (1 % changed)', second),
        `second run           ${((100 * second.wall) / first.wall).toFixed(1)} % of the first's time, uploaded ${((100 * second.run.bytesUploaded) / first.run.bytesUploaded).toFixed(2)} % of its bytes`,
      ].join('\n'),
    )
  } finally {
    await fleet?.cleanup()
    source.cleanup()
    standby.cleanup()
  }
}

await main()
