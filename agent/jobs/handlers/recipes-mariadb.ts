// MariaDB: installed from MariaDB's repository, and hardened the way
// mysql_secure_installation would, without its prompts and without a restart.
import { existsSync, mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { exists } from '../../detect/files'
import { JobFailure, type JobContext, type JobHandler } from '../types'
import { installFromVendorRepository, requireStack, stepper } from './common'

export const MARIADB_REPO_SCRIPT = 'https://r.mariadb.com/downloads/mariadb_repo_setup'

export const installMariaDb = installFromVendorRepository({
  job: 'recipe.install_mariadb',
  product: 'MariaDB',
  conflicts: ['mariadb', 'cpanel'],
  // RHEL 9 ships curl-minimal, which a plain "install curl" would conflict with: only when missing.
  prerequisites: (tool) => ({ curl: 'curl', ...(tool === 'apt' ? { gpg: 'gnupg' } : {}) }),
  repository: { step: "Add MariaDB's repository", script: MARIADB_REPO_SCRIPT, saveAs: 'var/tmp/serversctl/mariadb_repo_setup' },
  packages: {
    step: 'Install MariaDB server',
    // MariaDB's own RPM repository spells its packages with capitals.
    names: (tool) => (tool === 'apt' ? ['mariadb-server', 'mariadb-client'] : ['MariaDB-server', 'MariaDB-client']),
  },
  unit: 'mariadb',
  notRunning: (state) => `MariaDB is installed but not running (${state}); see journalctl -u mariadb.`,
  running: 'MariaDB is running. root logs in through the local socket only; run Harden MariaDB next.',
})

/** The client program: mariadb on current systems, mysql on older ones. */
const client = (ctx: JobContext) => (['usr/bin/mariadb', 'bin/mariadb'].some((p) => exists(ctx.root, p)) ? 'mariadb' : 'mysql')

async function sql(ctx: JobContext, statements: string, quiet = true) {
  // --raw: batch mode would otherwise escape the backslashes QUOTE() wrote, and the statements would change.
  return ctx.exec([client(ctx), '--batch', '--raw', '--skip-column-names'], { input: statements, quiet })
}

// Built by the server's own QUOTE(), so odd user and host names come back as
// valid SQL; nothing from outside the database goes into these statements.
export const LIST_UNSAFE_ACCOUNTS = `SELECT CONCAT('DROP USER ', QUOTE(User), '@', QUOTE(Host), ';') FROM mysql.user
WHERE User = '' OR (User = 'root' AND Host NOT IN ('localhost', '127.0.0.1', '::1'));
`
export const DROP_USER = /^DROP USER '(?:[^'\\]|\\.|'')*'@'(?:[^'\\]|\\.|'')*';$/

export const LOCAL_INFILE_CNF = `# Written by serversctl (Harden MariaDB): no LOAD DATA LOCAL, which lets a
# compromised client read files from whatever host its connection comes from.
[mysqld]
local-infile = 0
`

/** The folder my.cnf includes on this family. */
function confDir(root: string): string {
  const dir = ['etc/mysql/mariadb.conf.d', 'etc/mysql/conf.d', 'etc/my.cnf.d'].find((d) => existsSync(join(root, d)))
  if (!dir) throw new JobFailure('Found none of /etc/mysql/mariadb.conf.d, /etc/mysql/conf.d or /etc/my.cnf.d to put the setting in.')
  return dir
}

export const hardenMariaDb: JobHandler = async (ctx) => {
  const step = stepper(ctx, 'recipe.harden_mariadb')

  step('Check that MariaDB is running')
  requireStack(ctx, 'mariadb')
  if (exists(ctx.root, 'usr/local/cpanel')) throw new JobFailure('cPanel manages this database server; harden it through WHM instead.')
  const version = (await sql(ctx, 'SELECT VERSION();\n')).stdout.trim()
  ctx.log(`Connected to ${version}.`)

  step('Remove anonymous and remote root accounts')
  const drops = (await sql(ctx, LIST_UNSAFE_ACCOUNTS)).stdout.split('\n').map((l) => l.trim()).filter(Boolean)
  const bad = drops.find((d) => !DROP_USER.test(d))
  if (bad) throw new JobFailure(`Unexpected answer while listing accounts: ${bad.slice(0, 200)}`)
  if (drops.length) {
    await sql(ctx, drops.join('\n') + '\n', false)
    ctx.log(`Dropped ${drops.length} account${drops.length === 1 ? '' : 's'}: ${drops.map((d) => d.slice('DROP USER '.length, -1)).join(', ')}.`)
  } else ctx.log('No anonymous or remote root accounts.')

  step('Drop the test database')
  await sql(ctx, "DROP DATABASE IF EXISTS test;\nDELETE FROM mysql.db WHERE Db = 'test' OR Db = 'test\\\\_%';\n", false)

  step('Turn off LOCAL INFILE')
  const rel = `${confDir(ctx.root)}/90-serversctl-hardening.cnf`
  mkdirSync(join(ctx.root, rel, '..'), { recursive: true })
  writeFileSync(join(ctx.root, rel), LOCAL_INFILE_CNF, { mode: 0o644 })
  // The file holds it across restarts; SET GLOBAL makes it true now, without one.
  await sql(ctx, 'SET GLOBAL local_infile = 0;\n', false)
  ctx.log(`Wrote /${rel}.`)

  step('Reload privileges')
  await sql(ctx, 'FLUSH PRIVILEGES;\n', false)
  ctx.result({ droppedAccounts: drops.length, config: `/${rel}` })
}
