// Backs up the control plane itself: pools, members (with their agent token
// hashes), providers, schedules, alert settings, users, history and every
// secret, in one file sealed with a passphrase. Usage:
//
//   bun run export --out FILE [--passphrase-file PATH]
//   bun run import --in FILE [--passphrase-file PATH]
//
// Both read the server's environment (DATA_DIR, DATABASE_URL, SECRET_KEY).
// The passphrase comes from --passphrase-file, else EXPORT_PASSPHRASE, else
// it is asked on the terminal; never as an argument (ps would show it). On
// the embedded database stop the server first (it holds DATA_DIR's lock);
// with DATABASE_URL export runs beside a live server. Import writes only into
// an empty database, with that server's own key, and enrolled agents carry on
// without enrolling again. Left out: sessions, sign-in throttles, the setup
// code, leadership terms and the per-minute chart points (see tables.ts).
// Backup chunks stay where they are stored: in S3, or in DATA_DIR/objects,
// which is copied to the new server's DATA_DIR by hand.
import { statSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { dumpDatabase } from './dump'
import { sealExport, writeAtomically } from './envelope'
import { formatCounts, getPassphrase, openServerDatabase, parseArgs, run } from './cli'

const USAGE = 'usage: bun run export --out FILE [--passphrase-file PATH]   (or EXPORT_PASSPHRASE, or asked on a terminal)'

run(async () => {
  const args = parseArgs(process.argv.slice(2), '--out', USAGE)
  const out = resolve(args.file)
  const passphrase = await getPassphrase(args, true)
  const opened = await openServerDatabase(true)
  try {
    const started = performance.now()
    const { body, counts } = await dumpDatabase(opened.database.db, opened.secrets)
    writeAtomically(out, sealExport(body, passphrase, { database: opened.database.kind, tables: counts }))
    const rows = Object.values(counts).reduce((a, b) => a + b, 0)
    console.log(`Wrote ${out} (${statSync(out).size.toLocaleString('en-US')} bytes, ${rows.toLocaleString('en-US')} rows, ${Math.round(performance.now() - started)} ms):`)
    console.log(formatCounts(counts))
    if (!opened.config.s3 && counts.backup_chunks) {
      console.log(`Backups' chunks are not in this file: they live in ${join(opened.config.dataDir, 'objects')} (no S3_BUCKET set). Copy that folder to the new server's DATA_DIR/objects.`)
    }
    console.log('Keep the passphrase apart from the file: the file holds every secret of the fleet, readable with it.')
  } finally {
    await opened.close()
  }
})
