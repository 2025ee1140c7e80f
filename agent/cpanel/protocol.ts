// What an agent running a cPanel job says to the server beside the job's own
// report/finish calls. Every call is under /api/v1/agent/cpanel/:jobId/ and
// answers only the member's own agent, while that job runs on it.
//
//   POST reveal       Reveal             -> { ok: true }
//        A secret made inside the job that the person who asked for it sees
//        once: the password of an account just created, or a one-time cPanel
//        login link. It never goes into the job's output or result; the
//        server keeps it sealed until it is shown once, at most REVEAL_SECONDS.
//   POST credentials  {}                 -> Credentials
//        cpanel.account.transfer only: the source server's login the operator
//        typed, handed over once (the server forgets it as it answers).

export type Reveal = { kind: 'password' | 'login'; value: string }

/** How long an unshown secret is kept. cPanel's own login sessions expire sooner. */
export const REVEAL_SECONDS = 10 * 60

export type Credentials = { user: string; password: string }

/** WHM's names for the services cpanel.service.restart may restart (whmapi1 restartservice). */
export const CPANEL_SERVICES = {
  httpd: 'Web server',
  exim: 'Mail (Exim)',
  imap: 'Mailboxes (Dovecot)',
  cpsrvd: 'cPanel & WHM (cpsrvd)',
  named: 'DNS server',
  mysql: 'MySQL / MariaDB',
} as const
export type CpanelService = keyof typeof CPANEL_SERVICES

/**
 * A cPanel user name as WHM allows it: lower-case letters and digits, starting
 * with a letter, at most 16 characters, not starting with "test"; the handler
 * checks again (agent/jobs/handlers/cpanel*.ts).
 */
export const CPANEL_USER = '^(?!test)[a-z][a-z0-9]{0,15}$'
