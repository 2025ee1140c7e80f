// The job catalogue as both sides know it: names, titles, whether a job may be
// run again after its agent vanished, its timeout, and the steps it will show.
// Parameter schemas live on the server (src/jobs/params.ts), which refuses bad
// parameters before anything is queued; agent handlers live in ./handlers.

export type CatalogueEntry = {
  title: string
  /** Retried after a lost lease only when running it twice does no harm. */
  safeToRepeat: boolean
  timeoutSeconds: number
  /** Shown before running and reported as the job goes. */
  steps: (params: Record<string, any>) => string[]
  /** Needs a confirmation naming the server before it is queued from the UI. */
  confirm?: boolean
  /** A recipe: listed on the Recipes tab. */
  recipe?: { summary: string; installs?: 'openlitespeed' | 'mariadb' | 'cpanel' }
}

const one = (title: string) => () => [title]

// Recipes that wrap a job show the same steps, because they run the same handler.
const letsencryptSteps = () => ['Install certbot if missing', 'Request the certificate']
const agentUpdateSteps = () => ['Download the current agent', 'Verify its checksum', 'Replace the binary and restart']
// Backups stream for as long as a large database takes; a restore first reads back and checks every chunk.
const BACKUP_SECONDS = 6 * 3600
const CHECK = 'Download and check every chunk'

const entries = {
  'system.updates.check': { title: 'Check for updates', safeToRepeat: true, timeoutSeconds: 600, steps: one('Refresh package lists and count updates') },
  'system.updates.install': { title: 'Install updates', safeToRepeat: true, timeoutSeconds: 3600, confirm: true, steps: () => ['Refresh package lists', 'Install updates'] },
  'system.reboot': { title: 'Reboot', safeToRepeat: false, timeoutSeconds: 120, confirm: true, steps: one('Reboot') },
  'system.shutdown': { title: 'Shut down', safeToRepeat: false, timeoutSeconds: 120, confirm: true, steps: one('Shut down') },
  'service.restart': { title: 'Restart a service', safeToRepeat: true, timeoutSeconds: 180, steps: one('Restart the unit') },
  'firewall.enable': { title: 'Enable the firewall', safeToRepeat: true, timeoutSeconds: 120, confirm: true, steps: one('Enable the firewall') },
  'firewall.disable': { title: 'Disable the firewall', safeToRepeat: true, timeoutSeconds: 120, confirm: true, steps: one('Disable the firewall') },
  'firewall.rule.add': { title: 'Add a firewall rule', safeToRepeat: true, timeoutSeconds: 120, steps: one('Add the rule') },
  'firewall.rule.remove': { title: 'Remove a firewall rule', safeToRepeat: true, timeoutSeconds: 120, confirm: true, steps: one('Remove the rule') },
  'firewall.backup': { title: 'Back up the firewall configuration', safeToRepeat: true, timeoutSeconds: 120, steps: one('Save the firewall configuration') },
  'ssh.key.list': { title: 'List SSH authorized keys', safeToRepeat: true, timeoutSeconds: 60, steps: one('Read authorized_keys') },
  'ssh.key.add': { title: 'Add an SSH key', safeToRepeat: true, timeoutSeconds: 60, steps: one('Add the key to authorized_keys') },
  'ssh.key.remove': { title: 'Remove an SSH key', safeToRepeat: true, timeoutSeconds: 60, confirm: true, steps: one('Remove the key from authorized_keys') },
  'tls.letsencrypt.issue': { title: "Issue a Let's Encrypt certificate", safeToRepeat: true, timeoutSeconds: 600, confirm: true, steps: letsencryptSteps },
  'agent.update': { title: 'Update the agent', safeToRepeat: true, timeoutSeconds: 300, steps: agentUpdateSteps },
  'backup.database': { title: 'Back up a database', safeToRepeat: true, timeoutSeconds: BACKUP_SECONDS, steps: () => ['Record table checksums', 'Dump, encrypt and upload'] },
  'backup.files': { title: 'Back up files', safeToRepeat: true, timeoutSeconds: BACKUP_SECONDS, steps: one('Archive, encrypt and upload') },
  'backup.config': { title: 'Back up the configuration', safeToRepeat: true, timeoutSeconds: BACKUP_SECONDS, steps: one('Archive, encrypt and upload') },
  'restore.database': {
    title: 'Restore a database',
    safeToRepeat: false,
    timeoutSeconds: BACKUP_SECONDS,
    confirm: true,
    steps: (p) => (p.replace ? [CHECK, 'Import into a scratch database', 'Replace the database'] : [CHECK, 'Import the database']),
  },
  'restore.files': { title: 'Restore files', safeToRepeat: false, timeoutSeconds: BACKUP_SECONDS, steps: () => [CHECK, 'Extract the files', 'Move them into place'] },
  'snapshot.verify': { title: 'Verify a snapshot', safeToRepeat: true, timeoutSeconds: 3 * 3600, steps: one(CHECK) },
  'snapshot.drill': { title: 'Restore drill', safeToRepeat: true, timeoutSeconds: BACKUP_SECONDS, steps: () => [CHECK, 'Import into a scratch database', 'Compare table checksums', 'Drop the scratch database'] },

  // cPanel & WHM, through whmapi1 on the member (no WHM port opened, no WHM token stored).
  'cpanel.account.create': { title: 'Create a cPanel account', safeToRepeat: false, timeoutSeconds: 600, steps: () => ['Create the account in WHM', 'Hand over its password'] },
  'cpanel.account.modify': { title: "Change a cPanel account's plan", safeToRepeat: true, timeoutSeconds: 300, steps: one('Change the plan in WHM') },
  'cpanel.account.suspend': { title: 'Suspend a cPanel account', safeToRepeat: true, timeoutSeconds: 300, steps: one('Suspend the account in WHM') },
  'cpanel.account.unsuspend': { title: 'Unsuspend a cPanel account', safeToRepeat: true, timeoutSeconds: 300, steps: one('Unsuspend the account in WHM') },
  'cpanel.account.terminate': { title: 'Terminate a cPanel account', safeToRepeat: false, timeoutSeconds: 900, confirm: true, steps: one('Terminate the account in WHM') },
  'cpanel.account.autossl': { title: 'Run AutoSSL for a cPanel account', safeToRepeat: true, timeoutSeconds: 1800, steps: one('Run AutoSSL for the account') },
  'cpanel.account.login': { title: 'Open cPanel as an account', safeToRepeat: false, timeoutSeconds: 120, steps: one('Create a one-time login session') },
  'cpanel.account.transfer': {
    title: 'Transfer a cPanel account here',
    safeToRepeat: false,
    timeoutSeconds: BACKUP_SECONDS,
    steps: () => ['Create the transfer session', 'Queue the account', 'Start the transfer', 'Follow the transfer'],
  },
  'cpanel.service.restart': { title: 'Restart a cPanel service', safeToRepeat: true, timeoutSeconds: 300, steps: one('Restart the service through WHM') },
  'cpanel.config.check': {
    title: 'Check the cPanel configuration',
    safeToRepeat: true,
    timeoutSeconds: 300,
    steps: () => ['Ask WHM for its version', "Check cPanel's services", 'Check the web server configuration'],
  },
  'backup.cpanel_account': { title: 'Back up a cPanel account', safeToRepeat: true, timeoutSeconds: BACKUP_SECONDS, steps: () => ['Package the account (pkgacct)', 'Encrypt and upload'] },
  'restore.cpanel_account': { title: 'Restore a cPanel account', safeToRepeat: false, timeoutSeconds: BACKUP_SECONDS, confirm: true, steps: () => [CHECK, 'Restore the account (restorepkg)'] },

  // Protection: the pool's post-failover hook, run on the standby after an account's DNS was cut to it.
  'protection.hook': { title: 'Run the post-failover hook', safeToRepeat: false, timeoutSeconds: 600, steps: one('Run the hook') },

  // Recipes. Install recipes run only on clean servers: both sides refuse when the stack is already there.
  'recipe.ssh_hardening': {
    title: 'SSH hardening',
    safeToRepeat: true,
    timeoutSeconds: 300,
    confirm: true,
    steps: () => ['Check that someone can log in with a key', 'Write the hardening settings', 'Test the sshd configuration', 'Reload sshd'],
    recipe: { summary: 'Key-only SSH: no password or keyboard-interactive logins, root only with a key, fewer tries per connection. Refused while no account has a key.' },
  },
  'recipe.agent_update': {
    title: 'Agent update',
    safeToRepeat: true,
    timeoutSeconds: 300,
    steps: agentUpdateSteps,
    recipe: { summary: 'Replaces this agent with the build the server hands out, checked against its SHA-256, and restarts it.' },
  },
  'recipe.whm_link_check': {
    title: 'WHM link check',
    safeToRepeat: true,
    timeoutSeconds: 120,
    steps: () => ['Check that cPanel is installed', 'Ask WHM for its version and hostname', 'Check that WHM answers on port 2087'],
    recipe: { summary: 'Checks that WHM answers on this server, through whmapi1 and on port 2087, before the pool relies on its API.' },
  },
  'recipe.letsencrypt': {
    title: "Let's Encrypt certificate",
    safeToRepeat: true,
    timeoutSeconds: 600,
    confirm: true,
    steps: letsencryptSteps,
    recipe: { summary: "Issues a certificate for this server's domains with certbot, by webroot or standalone, and keeps it renewing." },
  },
  'recipe.install_openlitespeed': {
    title: 'Install OpenLiteSpeed',
    safeToRepeat: false,
    timeoutSeconds: 1800,
    confirm: true,
    steps: () => ['Check that this is a clean server', 'Install prerequisites', "Add LiteSpeed's repository", 'Install OpenLiteSpeed', 'Start OpenLiteSpeed'],
    recipe: { summary: "OpenLiteSpeed from LiteSpeed's own repository (repo.litespeed.sh). Only on clean servers.", installs: 'openlitespeed' },
  },
  'recipe.harden_openlitespeed': {
    title: 'Harden OpenLiteSpeed',
    safeToRepeat: true,
    timeoutSeconds: 300,
    confirm: true,
    steps: () => ['Check that OpenLiteSpeed is installed', 'Back up its configuration', 'Hide the version in server headers', 'Lock down the admin console files', 'Restart OpenLiteSpeed'],
    recipe: { summary: 'Hides the version number, turns off admin core dumps and makes the admin password file private, after a backup of the configuration.' },
  },
  'recipe.install_mariadb': {
    title: 'Install MariaDB',
    safeToRepeat: false,
    timeoutSeconds: 1800,
    confirm: true,
    steps: () => ['Check that this is a clean server', 'Install prerequisites', "Add MariaDB's repository", 'Install MariaDB server', 'Start MariaDB'],
    recipe: { summary: "MariaDB server from MariaDB's own repository (mariadb_repo_setup). Only on clean servers.", installs: 'mariadb' },
  },
  'recipe.harden_mariadb': {
    title: 'Harden MariaDB',
    safeToRepeat: true,
    timeoutSeconds: 300,
    confirm: true,
    steps: () => ['Check that MariaDB is running', 'Remove anonymous and remote root accounts', 'Drop the test database', 'Turn off LOCAL INFILE', 'Reload privileges'],
    recipe: { summary: 'What mysql_secure_installation does, without prompts: no anonymous or remote root accounts, no test database, no LOCAL INFILE. No restart.' },
  },
  'recipe.install_cpanel': {
    title: 'Install cPanel & WHM',
    safeToRepeat: false,
    timeoutSeconds: 4 * 3600,
    confirm: true,
    steps: () => ['Check that this is a clean, supported server', 'Install prerequisites', "Download cPanel's installer", 'Run the installer', 'Check that WHM answers'],
    recipe: { summary: "cPanel & WHM by cPanel's official installer (securedownloads.cpanel.net/latest), on AlmaLinux, Rocky, CloudLinux or Ubuntu LTS. Only on clean servers; takes up to an hour.", installs: 'cpanel' },
  },
  'recipe.harden_cpanel': {
    title: 'Harden cPanel & WHM',
    safeToRepeat: true,
    timeoutSeconds: 600,
    confirm: true,
    steps: () => ['Check that cPanel is installed', 'Turn on cPHulk brute-force protection', 'Tighten WHM security settings', 'Turn on shell fork bomb protection', 'Turn off compilers for unprivileged users'],
    recipe: { summary: "cPHulk on, referrer and cookie IP checks strict, fork bomb protection, compilers for root only: cPanel's own security advice, through its own tools." },
  },
} satisfies Record<string, CatalogueEntry>

export type JobName = keyof typeof entries
// Typed by name but read as CatalogueEntry, so `catalogue[name].recipe` works for any name.
export const catalogue: Record<JobName, CatalogueEntry> = entries
export const jobNames = Object.keys(catalogue) as JobName[]
export const isJobName = (name: string): name is JobName => Object.hasOwn(catalogue, name)
export const catalogueEntry = (name: JobName): CatalogueEntry => catalogue[name]
