// Restores an export onto a fresh server: `bun run import --in FILE
// [--passphrase-file PATH]` (usage and what travels: see export.ts).
import { existsSync } from 'node:fs'
import { join, resolve } from 'node:path'
import { openExport, readExportFile, readHeader } from './envelope'
import { restoreDatabase } from './restore'
import { formatCounts, getPassphrase, openServerDatabase, parseArgs, run } from './cli'

const USAGE = 'usage: bun run import --in FILE [--passphrase-file PATH]   (or EXPORT_PASSPHRASE, or asked on a terminal)'

run(async () => {
  const args = parseArgs(process.argv.slice(2), '--in', USAGE)
  const path = resolve(args.file)
  // Everything that can be checked without the database is checked first: a
  // wrong passphrase or a damaged file never opens (or creates) one.
  const parts = readHeader(readExportFile(path), path)
  const body = openExport(parts, await getPassphrase(args, false))
  const opened = await openServerDatabase(false)
  try {
    const started = performance.now()
    const counts = await restoreDatabase(opened.database.db, opened.secrets, body)
    const rows = Object.values(counts).reduce((a, b) => a + b, 0)
    console.log(`Imported ${path} (exported ${parts.header.createdAt} by serversctl ${parts.header.serverVersion}): ${rows.toLocaleString('en-US')} rows in ${Math.round(performance.now() - started)} ms:`)
    console.log(formatCounts(counts))
    if (!opened.config.s3 && counts.backup_chunks && !existsSync(join(opened.config.dataDir, 'objects'))) {
      console.log(`The backups name ${counts.backup_chunks.toLocaleString('en-US')} chunks, but ${join(opened.config.dataDir, 'objects')} does not exist: copy the old server's DATA_DIR/objects there (or set S3_BUCKET as it had it) before restoring from them.`)
    }
    console.log('Secrets are sealed again with this server\'s key. Start the server: enrolled agents carry on with their tokens.')
  } finally {
    await opened.close()
  }
})
