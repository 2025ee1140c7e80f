// Parameter schemas for every catalogue job, and the refusals that depend on
// what the member is (its OS family, the stacks it runs). Both are checked
// before a job is queued: a job that cannot be right never reaches an agent.
import { GetErrorFunction, SetErrorFunction, ValueErrorType } from '@sinclair/typebox/errors'
import { t, type TSchema } from 'elysia'
import type { JobName } from '../../agent/jobs/catalogue'
import { cpanelSupportedText, cpanelSupports } from '../../agent/jobs/cpanel-support'
import { patterns, portRange, sourceProblem } from '../../agent/jobs/patterns'
import { PUBLIC_KEY_PATTERN, parsePublicKey } from '../../agent/jobs/ssh-keys'
import { atSentenceStart } from '../../agent/jobs/words'
import { CPANEL_SERVICES, CPANEL_USER } from '../../agent/cpanel/protocol'

export type MemberFacts = {
  family: 'debian' | 'rhel' | null
  firewall: 'ufw' | 'firewalld' | null
  stacks: { openlitespeed: boolean; mariadb: boolean; galera: boolean; cpanel: boolean }
  /** systemd units of the detected stacks, as the heartbeat reports them. */
  serviceUnits: string[]
  /** os-release ID and VERSION_ID, when known: cPanel installs only on the distributions it supports. */
  os?: { id: string | null; versionId: string | null }
  /** Its agent has sent a heartbeat at least once. */
  checkedIn: boolean
  /** The MariaDB databases the heartbeat names, when it names them. */
  databases?: string[]
}

export type JobRule = {
  params: TSchema
  /** A sentence saying why this member cannot take this job, or null. */
  refuse?: (params: any, facts: MemberFacts) => string | null
  /** Queued only through another API (this sentence says which); the jobs API and schedules refuse it. */
  onlyThrough?: string
}

// A regex in an error is no help to the person who typed the value: schemas
// here carry an `error` sentence (Elysia reads the same key), and TypeBox's
// messages use it too. Schemas without one keep the default message.
const fallback = GetErrorFunction()
SetErrorFunction((e) => {
  if (typeof e.schema.error !== 'string') return fallback(e)
  return e.errorType === ValueErrorType.ObjectRequiredProperty ? `required: ${e.schema.error}` : e.schema.error
})

const Obj = <T extends Parameters<typeof t.Object>[0]>(props: T) => t.Object(props, { additionalProperties: false })
const none = Obj({})
const Pattern = (pattern: string, maxLength: number, error: string, extra: Record<string, unknown> = {}) =>
  t.String({ pattern, maxLength, error, ...extra })

const User = Pattern(patterns.user, 32, 'a user name: letters, digits, "_", "." or "-", up to 32, not starting with "-"', {
  description: 'A local account, as /etc/passwd names it',
})
const Port = t.Union(
  // Not t.Integer: Elysia's also takes any string that looks like an integer ("99999").
  [t.Number({ minimum: 1, maximum: 65535, multipleOf: 1 }), Pattern(patterns.port, 11, 'a port 1-65535 or a range like 8000:8100')],
  { error: 'a port 1-65535 or a range like 8000:8100', description: 'A port, or a range lo:hi' },
)
const SOURCE_ERROR = 'an IPv4 or IPv6 address, optionally with a /prefix'
const FirewallRule = Obj({
  port: Port,
  protocol: t.Union([t.Literal('tcp'), t.Literal('udp'), t.Literal('any')], { error: 'tcp, udp or any' }),
  source: t.Optional(
    t.Union([Pattern(patterns.source, 49, SOURCE_ERROR), t.Null()], {
      error: SOURCE_ERROR,
      description: 'Only from this address or network; anywhere when left out or null',
    }),
  ),
  action: t.Optional(t.Union([t.Literal('allow'), t.Literal('deny')], { error: 'allow or deny', description: 'allow when left out' })),
})
const Letsencrypt = Obj({
  domains: t.Array(Pattern(patterns.hostname, 253, 'a domain name like www.example.com (no wildcards)'), {
    minItems: 1,
    maxItems: 100,
    uniqueItems: true,
    error: '1 to 100 different domain names like www.example.com',
  }),
  email: Pattern(patterns.email, 254, "an email address for Let's Encrypt's expiry notices"),
  method: t.Union([t.Literal('webroot'), t.Literal('standalone')], { error: 'webroot or standalone' }),
  webroot: t.Optional(Pattern(patterns.absolutePath, 1024, 'an absolute path like /var/www/html, without "..", spaces or quotes')),
  staging: t.Optional(t.Boolean({ error: 'true or false' })),
  acmeServer: t.Optional(Pattern(patterns.httpsUrl, 512, 'the https:// address of an ACME directory')),
})

// Refusals, each one sentence the person can act on.
const needsFamily = (_: unknown, f: MemberFacts) =>
  f.family ? null : 'The agent has not reported a Debian- or RHEL-family OS here, so it cannot tell which package tools to use.'
const needsFirewall = (_: unknown, f: MemberFacts) =>
  f.firewall ? null : 'Neither ufw nor firewalld is installed on this server.'
// A reboot asked for now must not happen whenever the agent first enrols, days
// later perhaps, on a server someone is still setting up.
const needsCheckIn = (what: string) => (_: unknown, f: MemberFacts) =>
  f.checkedIn
    ? null
    : `This server has not checked in yet (its agent has never sent a heartbeat): queued now, ${what} would run whenever the agent first enrols. Install the agent first.`

const needsStack = (stack: keyof MemberFacts['stacks'], label: string) => (_: unknown, f: MemberFacts) =>
  f.stacks[stack] ? null : `${label} is not installed on this server.`

/** Install recipes run only on clean servers. */
const cleanFor = (label: string, ...present: [keyof MemberFacts['stacks'], string][]) => (_: unknown, f: MemberFacts) => {
  const found = present.filter(([stack]) => f.stacks[stack]).map(([, name]) => name)
  if (!found.length) return null
  const what = found.join(' and ')
  return `${atSentenceStart(what)} ${found.length > 1 ? 'are' : 'is'} already installed here; ${label} installs only on clean servers.`
}

const first =
  (...checks: ((params: any, facts: MemberFacts) => string | null)[]) =>
  (params: any, facts: MemberFacts) => {
    for (const check of checks) {
      const why = check(params, facts)
      if (why) return why
    }
    return null
  }

function firewallRuleProblem(p: { port: number | string; protocol: string; source?: string }): string | null {
  const range = portRange(p.port)
  if (range && range[0] > range[1]) return `The port range ${p.port} runs backwards; write it low:high.`
  if (p.source) return sourceProblem(p.source)
  return null
}

function letsencryptProblem(p: { method: string; webroot?: string }, f: MemberFacts): string | null {
  if (p.method === 'webroot' && !p.webroot) return 'The webroot method needs the webroot: the folder the site serves /.well-known/ from.'
  if (p.method === 'standalone' && p.webroot) return 'The standalone method answers by itself on port 80 and takes no webroot.'
  if (p.method === 'standalone' && (f.stacks.openlitespeed || f.stacks.cpanel))
    return 'A web server already listens on port 80 here; use the webroot method.'
  return null
}

const cpanelDistro = (_: unknown, f: MemberFacts) =>
  !f.os || cpanelSupports(f.os)
    ? null
    : `cPanel installs only on ${cpanelSupportedText()}; this server runs ${f.os.id ?? 'an unknown OS'} ${f.os.versionId ?? ''}.`.replace(' .', '.')

// Backups and restores. A database name as MariaDB allows it unquoted in our
// dumps: letters, digits, "_", "$" and "-", up to 64; not starting with "-"
// or "$", which a command line would read as an option or a variable. The
// agent checks the same pattern. A name the agent has not reported is not
// refused here: it reports databases once a minute, and one made since is real.
const DATABASE_ERROR = 'a database name: letters, digits, "_", "$" or "-", up to 64 characters, starting with a letter, digit or "_"'
const Database = Pattern('^[A-Za-z0-9_][A-Za-z0-9_$-]{0,63}$', 64, DATABASE_ERROR)
const AbsolutePath = Pattern(patterns.absolutePath, 1024, 'an absolute path like /var/www/html, without "..", spaces or quotes')
const SnapshotId = Pattern('^snap_[A-Za-z0-9]{1,40}$', 45, 'a snapshot id like snap_ab12cd34ef56')
const needsMariadb = needsStack('mariadb', 'MariaDB')
const THROUGH_SNAPSHOTS = 'Restores, verifies and drills are queued through the snapshot they read: POST /api/v1/snapshots/{snapshotId}/restore or /verify.'

// Restoring over a database that exists needs `replace`, which the UI asks for with a typed confirmation.
const restoreTarget = (p: { database: string; replace?: boolean }, f: MemberFacts) =>
  !p.replace && f.databases?.includes(p.database)
    ? `A database called ${p.database} exists here; restore under a new name, or replace it (replace: true).`
    : null

const backupRules = {
  'backup.database': { params: Obj({ database: Database }), refuse: needsMariadb },
  'backup.files': { params: Obj({ path: AbsolutePath }) },
  'backup.config': { params: none },
  'restore.database': {
    params: Obj({ snapshotId: SnapshotId, database: Database, replace: t.Optional(t.Boolean({ error: 'true or false' })) }),
    refuse: first(needsMariadb, restoreTarget),
    onlyThrough: THROUGH_SNAPSHOTS,
  },
  'restore.files': { params: Obj({ snapshotId: SnapshotId, path: AbsolutePath }), onlyThrough: THROUGH_SNAPSHOTS },
  'snapshot.verify': { params: Obj({ snapshotId: SnapshotId }), onlyThrough: THROUGH_SNAPSHOTS },
  'snapshot.drill': { params: Obj({ snapshotId: SnapshotId }), refuse: needsMariadb, onlyThrough: THROUGH_SNAPSHOTS },
} satisfies Record<string, JobRule>

// cPanel accounts. Names as WHM allows them; plans as /var/cpanel/packages
// names them (letters, digits, spaces, "_", "-", "." and a reseller's "name_"
// prefix); a reason is one line.
const needsCpanel = needsStack('cpanel', 'cPanel')
const CpanelUser = Pattern(CPANEL_USER, 16, 'a cPanel user name: lower-case letters and digits, starting with a letter, up to 16, not starting with "test"')
const Plan = Pattern('^[A-Za-z0-9_][A-Za-z0-9_ .-]{0,63}$', 64, 'a hosting plan (package) name from this server')
const Domain = Pattern(patterns.hostname, 253, 'a domain name like example.com')
const oneUser = { params: Obj({ user: CpanelUser }), refuse: needsCpanel }
const THROUGH_COPIES = 'Account restores are queued through the snapshot (POST /api/v1/snapshots/{snapshotId}/restore) or a push copy on the cPanel tab.'
const THROUGH_TRANSFER = "Transfers are started from the target member's cPanel tab (Migrate & Recovery), which hands the source's login to the job."

const cpanelRules = {
  'cpanel.account.create': {
    params: Obj({ user: CpanelUser, domain: Domain, plan: Plan, contactEmail: Pattern(patterns.email, 254, 'an email address for the account') }),
    refuse: needsCpanel,
  },
  'cpanel.account.modify': { params: Obj({ user: CpanelUser, plan: Plan }), refuse: needsCpanel },
  'cpanel.account.suspend': {
    params: Obj({ user: CpanelUser, reason: Pattern('^[^\\x00-\\x1f\\x7f]{1,256}$', 256, 'a reason of one line, up to 256 characters') }),
    refuse: needsCpanel,
  },
  'cpanel.account.unsuspend': oneUser,
  'cpanel.account.terminate': oneUser,
  'cpanel.account.autossl': oneUser,
  'cpanel.account.login': oneUser,
  'cpanel.account.transfer': {
    params: Obj({ user: CpanelUser, sourceMemberId: Pattern('^mem_[A-Za-z0-9_-]{1,40}$', 45, 'a member id'), sourceHost: t.Union([Domain, Pattern('^(?:(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])\\.){3}(?:25[0-5]|2[0-4][0-9]|1?[0-9]?[0-9])$', 15, 'an IPv4 address')], { error: 'the source server: a host name or an IPv4 address' }) }),
    refuse: needsCpanel,
    onlyThrough: THROUGH_TRANSFER,
  },
  'cpanel.service.restart': {
    params: Obj({ service: t.Union(Object.keys(CPANEL_SERVICES).map((k) => t.Literal(k)), { error: Object.keys(CPANEL_SERVICES).join(', ') }) }),
    refuse: needsCpanel,
  },
  'cpanel.config.check': { params: none, refuse: needsCpanel },
  'backup.cpanel_account': { params: Obj({ user: CpanelUser, uncompressed: t.Optional(t.Boolean({ error: 'true or false' })) }), refuse: needsCpanel },
  'restore.cpanel_account': {
    params: Obj({ snapshotId: SnapshotId, replace: t.Optional(t.Boolean({ error: 'true or false' })) }),
    refuse: needsCpanel,
    onlyThrough: THROUGH_COPIES,
  },
} satisfies Record<string, JobRule>

// Protection. The hook is the pool's own shell command, set by its operators;
// the account and its domains reach it as arguments ($1, $2, ...), never inside it.
const THROUGH_CUT = "The post-failover hook runs after an account's DNS cut: POST /api/v1/protected-accounts/{protectedAccountId}/cut."
const protectionRules = {
  'protection.hook': {
    params: Obj({
      command: Pattern('^[^\\x00\\n\\r]{1,2000}$', 2000, 'a shell command of one line, up to 2000 characters'),
      user: CpanelUser,
      domains: t.Array(Domain, { maxItems: 100, error: 'up to 100 domain names like example.com' }),
    }),
    onlyThrough: THROUGH_CUT,
  },
} satisfies Record<string, JobRule>

export const jobRules: Record<JobName, JobRule> = {
  ...backupRules,
  ...cpanelRules,
  ...protectionRules,
  'system.updates.check': { params: none, refuse: needsFamily },
  'system.updates.install': { params: none, refuse: needsFamily },
  'system.reboot': { params: none, refuse: needsCheckIn('a reboot') },
  'system.shutdown': { params: none, refuse: needsCheckIn('a shutdown') },
  'service.restart': {
    params: Obj({ unit: Pattern(patterns.unit, 128, 'a systemd unit name like mariadb.service or lshttpd.service') }),
    // Only the units behind a detected stack: this is not a way to restart sshd or the agent itself.
    refuse: (p: { unit: string }, f) => {
      const name = p.unit.replace(/\.service$/, '')
      return f.serviceUnits.some((u) => u.replace(/\.service$/, '') === name)
        ? null
        : `${p.unit} is not one of this server's stack services${f.serviceUnits.length ? ` (${f.serviceUnits.join(', ')})` : ''}.`
    },
  },
  'firewall.enable': { params: none, refuse: needsFirewall },
  'firewall.disable': { params: none, refuse: needsFirewall },
  'firewall.rule.add': { params: FirewallRule, refuse: first(needsFirewall, firewallRuleProblem) },
  'firewall.rule.remove': { params: FirewallRule, refuse: first(needsFirewall, firewallRuleProblem) },
  'firewall.backup': { params: none, refuse: needsFirewall },
  'ssh.key.list': { params: Obj({ user: User }) },
  'ssh.key.add': {
    params: Obj({
      user: User,
      key: Pattern(PUBLIC_KEY_PATTERN, 16_384, 'one OpenSSH public key line: "ssh-ed25519 AAAA... comment" (no options, no line breaks)'),
    }),
    refuse: (p: { key: string }) =>
      parsePublicKey(p.key) ? null : 'That key is damaged: its base64 body does not hold a key of the type written before it.',
  },
  'ssh.key.remove': {
    params: Obj({ user: User, fingerprint: Pattern(patterns.fingerprint, 50, 'a key fingerprint as ssh-keygen -l prints it: SHA256: and 43 characters') }),
  },
  'tls.letsencrypt.issue': { params: Letsencrypt, refuse: first(needsFamily, letsencryptProblem) },
  'agent.update': { params: none },

  'recipe.ssh_hardening': { params: none, refuse: needsFamily },
  'recipe.agent_update': { params: none },
  'recipe.whm_link_check': { params: none, refuse: needsStack('cpanel', 'cPanel') },
  'recipe.letsencrypt': { params: Letsencrypt, refuse: first(needsFamily, letsencryptProblem) },
  'recipe.install_openlitespeed': {
    params: none,
    refuse: first(needsFamily, cleanFor('OpenLiteSpeed', ['openlitespeed', 'OpenLiteSpeed'], ['cpanel', 'cPanel'])),
  },
  'recipe.harden_openlitespeed': { params: none, refuse: needsStack('openlitespeed', 'OpenLiteSpeed') },
  'recipe.install_mariadb': {
    params: none,
    refuse: first(needsFamily, cleanFor('MariaDB', ['mariadb', 'a MariaDB or MySQL server'], ['cpanel', 'cPanel'])),
  },
  'recipe.harden_mariadb': {
    params: none,
    refuse: first(needsStack('mariadb', 'MariaDB'), (_, f) =>
      f.stacks.cpanel ? "cPanel manages this database server; use Harden cPanel & WHM and WHM's own MySQL settings." : null,
    ),
  },
  'recipe.install_cpanel': {
    params: none,
    refuse: first(
      needsFamily,
      cpanelDistro,
      cleanFor('cPanel', ['cpanel', 'cPanel'], ['openlitespeed', 'OpenLiteSpeed'], ['mariadb', 'a MariaDB or MySQL server']),
    ),
  },
  'recipe.harden_cpanel': { params: none, refuse: needsStack('cpanel', 'cPanel') },
}
