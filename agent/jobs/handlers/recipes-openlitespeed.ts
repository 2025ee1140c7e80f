// OpenLiteSpeed: installed from LiteSpeed's repository, and hardened.
import { chmodSync, cpSync, existsSync, mkdirSync, readFileSync } from 'node:fs'
import { join } from 'node:path'
import { JobFailure, type JobHandler } from '../types'
import { installFromVendorRepository, requireStack, rewriteFile, stamp, stepper } from './common'

export const LITESPEED_REPO_SCRIPT = 'https://repo.litespeed.sh'
const LSWS = 'usr/local/lsws'
// The package's systemd unit; lsws is an alias of it, and an alias cannot be enabled.
const UNIT = 'lshttpd'

export const installOpenLiteSpeed = installFromVendorRepository({
  job: 'recipe.install_openlitespeed',
  product: 'OpenLiteSpeed',
  conflicts: ['openlitespeed', 'cpanel'],
  // The repository script fetches LiteSpeed's signing key with wget.
  prerequisites: (tool) => ({ wget: 'wget', ...(tool === 'apt' ? { gpg: 'gnupg' } : {}) }),
  repository: { step: "Add LiteSpeed's repository", script: LITESPEED_REPO_SCRIPT, saveAs: 'var/tmp/serversctl/litespeed-repo.sh' },
  packages: { step: 'Install OpenLiteSpeed', names: () => ['openlitespeed'] },
  unit: UNIT,
  notRunning: (state) => `OpenLiteSpeed is installed but ${UNIT} is ${state}; see journalctl -u ${UNIT}.`,
  running: 'OpenLiteSpeed is running. Its WebAdmin console is on port 7080; set its password with /usr/local/lsws/admin/misc/admpass.sh.',
})

/** Sets a top-level `key value` line of a LiteSpeed config, adding it before the first block when missing. */
export function setDirective(text: string, key: string, value: string): string {
  const line = new RegExp(`^${key}([ \\t]+)\\S.*$`, 'm')
  if (line.test(text)) return text.replace(line, `${key}$1${value}`)
  const lines = text.split('\n')
  const firstBlock = lines.findIndex((l) => /^\S.*\{\s*$/.test(l))
  const entry = `${key.padEnd(25)} ${value}`
  if (firstBlock < 0) return `${text.replace(/\n*$/, '\n')}${entry}\n`
  lines.splice(firstBlock, 0, entry, '')
  return lines.join('\n')
}

function setIn(path: string, key: string, value: string) {
  rewriteFile(path, setDirective(readFileSync(path, 'utf8'), key, value))
}

export const hardenOpenLiteSpeed: JobHandler = async (ctx) => {
  const step = stepper(ctx, 'recipe.harden_openlitespeed')
  const httpdConfig = join(ctx.root, LSWS, 'conf/httpd_config.conf')
  const adminConf = join(ctx.root, LSWS, 'admin/conf')

  step('Check that OpenLiteSpeed is installed')
  requireStack(ctx, 'openlitespeed')
  if (!existsSync(httpdConfig)) throw new JobFailure(`/${LSWS}/conf/httpd_config.conf is missing.`)

  step('Back up its configuration')
  const rel = `var/backups/serversctl/openlitespeed/${stamp()}`
  const dest = join(ctx.root, rel)
  mkdirSync(dest, { recursive: true, mode: 0o700 })
  chmodSync(join(ctx.root, 'var/backups/serversctl/openlitespeed'), 0o700)
  cpSync(join(ctx.root, LSWS, 'conf'), join(dest, 'conf'), { recursive: true, preserveTimestamps: true })
  if (existsSync(adminConf)) cpSync(adminConf, join(dest, 'admin-conf'), { recursive: true, preserveTimestamps: true })
  ctx.log(`Saved /${LSWS}/conf and /${LSWS}/admin/conf to /${rel}.`)

  step('Hide the version in server headers')
  setIn(httpdConfig, 'showVersionNumber', '0')

  step('Lock down the admin console files')
  // A core dump of the admin server can hold the admin password in clear.
  if (existsSync(join(adminConf, 'admin_config.conf'))) setIn(join(adminConf, 'admin_config.conf'), 'enableCoreDump', '0')
  if (existsSync(join(adminConf, 'htpasswd'))) chmodSync(join(adminConf, 'htpasswd'), 0o600)

  step('Restart OpenLiteSpeed')
  // lswsctrl restarts gracefully: requests in flight finish on the old processes.
  await ctx.exec([`/${LSWS}/bin/lswsctrl`, 'restart'])
  ctx.result({ backup: `/${rel}` })
}
