// `bun run bench:replicate`: a generated cPanel account (1 GiB of home by
// default, BENCH_MB to change it) replicated twice from one member to a
// standby by compiled agents, through the real server and s3rver: first as
// it is, then after 1 % of its bytes were rewritten in place. Prints each
// run's wall time, its backup and restore, the bytes read and uploaded and
// the rate, and the second run's time as a share of the first.
//
// The protected-accounts API (POST /api/v1/pools/:poolId/protected-accounts,
// /replicate, GET /api/v1/replication-runs/:id) had not landed when this was
// written, so a run here is what a replication run queues, step by step:
// backup.cpanel_account {user, uncompressed: true} on the source through the
// jobs API, then the snapshot restored on the standby with
// POST /api/v1/snapshots/:id/restore {memberId, replace: true}. Switch to the
// protected-accounts API once it is there; the figures should not move much,
// as the jobs are the same.
//
// The hosts are fake cPanel roots (src/testing/standins/cpanel) with the
// stand-in pkgacct and restorepkg on the agents' PATH: pkgacct there is
// GNU tar over the home, restorepkg is tar extracting and a copy over the
// existing home, so their share of the time is about what tar and the disk
// take, not what cPanel's own scripts take on a real server.
import { join } from 'node:path'
import { startBackupFleet } from '../testing/backup-fleet'
import { ok } from '../testing/drill'
import { changeAccountHome, generateAccountHome } from '../testing/standins/cpanel/account-data'
import { FIXTURE_UID, makeCpanelHost, treeDigest } from '../testing/standins/cpanel/host'

const TARGET_MB = Number(process.env.BENCH_MB ?? 1024)
const USER = 'shop'
const LIMIT_MS = 3_600_000

const mb = (bytes: number) => bytes / 1e6
const seconds = (job: any) => (Date.parse(job.finishedAt) - Date.parse(job.startedAt)) / 1000
const since = (t: number) => (performance.now() - t) / 1000

type Run = { wall: number; backup: any; restore: any; snapshot: any }

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

    const replicate = async (): Promise<Run> => {
      const t0 = performance.now()
      const backup = await f.runJob(from, 'backup.cpanel_account', { user: USER, uncompressed: true }, LIMIT_MS)
      if (backup.status !== 'succeeded') throw new Error(`backup ${backup.status}: ${backup.error}\n${backup.output}`)
      const snapshot = ok(await f.api('GET', `/api/v1/snapshots/${backup.result.snapshotId}`), 'snapshot')
      const queued = ok(await f.api('POST', `/api/v1/snapshots/${snapshot.id}/restore`, { memberId: to, replace: true }), 'restore')
      const restore = await f.waitJob(queued.id, LIMIT_MS)
      if (restore.status !== 'succeeded') throw new Error(`restore ${restore.status}: ${restore.error}\n${restore.output}`)
      const wall = since(t0)
      if (treeDigest(join(standby.root, 'home', USER)) !== treeDigest(home)) throw new Error('the standby home does not hash equal to the source')
      return { wall, backup, restore, snapshot }
    }

    const first = await replicate()
    t = performance.now()
    const changed = changeAccountHome(home, 0.01)
    console.log(`changed ${changed.files.length} files, ${mb(changed.bytes).toFixed(1)} MB, in ${since(t).toFixed(1)} s`)
    const second = await replicate()

    const line = (label: string, r: Run) => {
      const size = r.snapshot.sizeBytes
      return [
        `${label}  wall ${r.wall.toFixed(1)} s, ${(mb(size) / r.wall).toFixed(1)} MB/s end to end`,
        `    backup   ${seconds(r.backup).toFixed(1)} s (pkgacct + upload; the upload stream alone ${r.backup.result.seconds} s), read ${mb(size).toFixed(0)} MB, uploaded ${mb(r.snapshot.uploadedBytes).toFixed(1)} MB, ${(mb(size) / seconds(r.backup)).toFixed(1)} MB/s`,
        `    restore  ${seconds(r.restore).toFixed(1)} s (download, check, restorepkg), ${mb(r.restore.result.sizeBytes).toFixed(0)} MB, ${(mb(r.restore.result.sizeBytes) / seconds(r.restore)).toFixed(1)} MB/s`,
      ].join('\n')
    }
    console.log(
      [
        `account              ${mb(first.snapshot.sizeBytes).toFixed(0)} MB archive (${first.snapshot.chunkCount} chunks), stored ${mb(first.snapshot.storedBytes).toFixed(0)} MB`,
        line('first run (all new)', first),
        line('second run (1 % changed)', second),
        `second run           ${((100 * second.wall) / first.wall).toFixed(1)} % of the first's time, uploaded ${((100 * second.snapshot.uploadedBytes) / first.snapshot.uploadedBytes).toFixed(2)} % of its bytes`,
      ].join('\n'),
    )
  } finally {
    await fleet?.cleanup()
    source.cleanup()
    standby.cleanup()
  }
}

await main()
