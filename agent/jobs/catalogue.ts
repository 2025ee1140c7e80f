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

export const catalogue = {
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
  'tls.letsencrypt.issue': { title: "Issue a Let's Encrypt certificate", safeToRepeat: true, timeoutSeconds: 600, confirm: true, steps: () => ['Install certbot if missing', 'Request the certificate'] },
  'agent.update': { title: 'Update the agent', safeToRepeat: true, timeoutSeconds: 300, steps: () => ['Download the current agent', 'Verify its checksum', 'Replace the binary and restart'] },
} satisfies Record<string, CatalogueEntry>

export type JobName = keyof typeof catalogue
export const jobNames = Object.keys(catalogue) as JobName[]
export const isJobName = (name: string): name is JobName => Object.hasOwn(catalogue, name)
export const catalogueEntry = (name: JobName): CatalogueEntry => catalogue[name]
