import { afterAll, afterEach, beforeAll, describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { pebbleMissing, startPebble, type Pebble } from '../../../src/testing/pebble'
import { describeNeeding } from '../../../src/testing/needs'
import { JobFailure, type ExecOptions, type ExecResult, type JobContext } from '../types'
import { certbotArgs, certbotError, letsencryptHandler, type LetsencryptParams } from './letsencrypt'

type Seen = { steps: number[]; logs: string[]; results: unknown[]; calls: { cmd: string[]; opts?: ExecOptions }[] }

function makeCtx(
  params: LetsencryptParams,
  exec: (cmd: string[], opts?: ExecOptions) => Promise<ExecResult>,
  over: Partial<JobContext> = {},
): { ctx: JobContext; seen: Seen } {
  const seen: Seen = { steps: [], logs: [], results: [], calls: [] }
  const ctx: JobContext = {
    jobId: 'job-1',
    name: 'tls.letsencrypt.issue',
    params,
    family: 'debian',
    firewall: null,
    root: '/',
    server: 'http://127.0.0.1:1',
    exec: (cmd, opts) => {
      seen.calls.push({ cmd, opts })
      return exec(cmd, opts)
    },
    log: (line) => seen.logs.push(line),
    step: (i) => seen.steps.push(i),
    progress: () => {},
    result: (v) => seen.results.push(v),
    requestRestart: () => {},
    signal: new AbortController().signal,
    fetch,
    agentCall: async () => Promise.reject(new Error('no server calls in these tests')),
    ...over,
  }
  return { ctx, seen }
}

/** Runs programs for real, as the agent's exec does, minus streaming and cancel. */
async function realExec(cmd: string[], opts: ExecOptions = {}): Promise<ExecResult> {
  const proc = Bun.spawn(cmd, {
    stdin: opts.input === undefined ? 'ignore' : new TextEncoder().encode(opts.input),
    stdout: 'pipe',
    stderr: 'pipe',
    env: { ...process.env, LC_ALL: 'C', ...opts.env },
  })
  const [stdout, stderr, code] = await Promise.all([new Response(proc.stdout).text(), new Response(proc.stderr).text(), proc.exited])
  if (!(opts.okCodes ?? [0]).includes(code)) throw new JobFailure(`${cmd[0]} exited with ${code}: ${stderr.trim()}`)
  return { code, stdout, stderr }
}

const base: LetsencryptParams = { domains: ['example.com', 'www.example.com'], email: 'ops@example.com', method: 'standalone' }

describe('certbotArgs', () => {
  test('test_it_builds_a_standalone_request_with_every_domain_and_the_first_as_cert_name', () => {
    expect(certbotArgs(base)).toEqual([
      'certbot', 'certonly', '--non-interactive', '--agree-tos', '--email', 'ops@example.com',
      '--cert-name', 'example.com', '-d', 'example.com', '-d', 'www.example.com',
      '--standalone', '--keep-until-expiring',
    ])
  })

  test('test_it_uses_the_webroot_given', () => {
    const args = certbotArgs({ ...base, method: 'webroot', webroot: '/var/www/example' })
    expect(args).toContain('--webroot')
    expect(args.slice(args.indexOf('-w'), args.indexOf('-w') + 2)).toEqual(['-w', '/var/www/example'])
    expect(args).not.toContain('--standalone')
  })

  test('test_it_refuses_webroot_without_an_absolute_path', () => {
    expect(() => certbotArgs({ ...base, method: 'webroot' })).toThrow(JobFailure)
    expect(() => certbotArgs({ ...base, method: 'webroot', webroot: 'var/www' })).toThrow('absolute')
  })

  test('test_it_adds_staging_or_server', () => {
    expect(certbotArgs({ ...base, staging: true })).toContain('--staging')
    expect(certbotArgs(base)).not.toContain('--staging')
    const args = certbotArgs({ ...base, acmeServer: 'https://acme.example.net/directory' })
    expect(args.slice(args.indexOf('--server'), args.indexOf('--server') + 2)).toEqual(['--server', 'https://acme.example.net/directory'])
    expect(() => certbotArgs({ ...base, staging: true, acmeServer: 'https://acme.example.net/directory' })).toThrow('not both')
    expect(() => certbotArgs({ ...base, acmeServer: 'http://acme.example.net/directory' })).toThrow('https')
  })

  test('test_it_keeps_certbot_defaults_on_a_real_root_and_moves_everything_under_a_test_root', () => {
    expect(certbotArgs(base).some((a) => a.endsWith('-dir'))).toBe(false)
    const args = certbotArgs({ ...base, method: 'webroot', webroot: '/srv/site' }, '/tmp/r', ['--http-01-port', '5002'])
    expect(args).toContain('/tmp/r/srv/site')
    expect(args.join(' ')).toContain('--config-dir /tmp/r/etc/letsencrypt --work-dir /tmp/r/var/lib/letsencrypt --logs-dir /tmp/r/var/log/letsencrypt')
    expect(args.slice(-2)).toEqual(['--http-01-port', '5002'])
  })

  test('test_it_refuses_values_that_would_read_as_options', () => {
    expect(() => certbotArgs({ ...base, domains: ['--staging'] })).toThrow('Not a host name')
    expect(() => certbotArgs({ ...base, domains: [] })).toThrow(JobFailure)
    expect(() => certbotArgs({ ...base, email: '--register-unsafely-without-email' })).toThrow('Not an email')
  })
})

describe('certbotError', () => {
  test('test_it_names_each_domain_the_ca_refused', () => {
    const stdout = [
      'Requesting a certificate for bad.example.com',
      '',
      'Certbot failed to authenticate some domains (authenticator: standalone). The Certificate Authority reported these problems:',
      '  Domain: bad.example.com',
      '  Type:   connection',
      '  Detail: 192.0.2.1: Fetching http://bad.example.com/.well-known/acme-challenge/x: Connection refused',
      '',
      'Hint: The Certificate Authority failed to download the challenge files.',
    ].join('\n')
    const stderr = 'Saving debug log to /var/log/letsencrypt/letsencrypt.log\nSome challenges have failed.\nAsk for help or search for solutions at https://community.letsencrypt.org. See the logfile /var/log/letsencrypt/letsencrypt.log or re-run Certbot with -v for more details.\n'
    expect(certbotError(stdout, stderr)).toBe('bad.example.com: connection: 192.0.2.1: Fetching http://bad.example.com/.well-known/acme-challenge/x: Connection refused')
  })

  test('test_it_takes_the_last_meaningful_line_otherwise', () => {
    const stderr = 'Saving debug log to /var/log/letsencrypt/letsencrypt.log\nAn unexpected error occurred:\nValueError: Requesting 127.0.0.1/dir: Connection refused\nAsk for help or search for solutions at https://community.letsencrypt.org. See the logfile x or re-run Certbot with -v for more details.\n'
    expect(certbotError('', stderr)).toBe('ValueError: Requesting 127.0.0.1/dir: Connection refused')
    expect(certbotError('', 'Saving debug log to /x\n')).toBeNull()
  })
})

describe('installing certbot', () => {
  /** A machine without certbot whose package manager works, and whose certbot then fails. */
  function bareMachine(opts: { dnf?: boolean; epel?: boolean } = {}) {
    let installed = false
    return async (cmd: string[]): Promise<ExecResult> => {
      const ok = { code: 0, stdout: '', stderr: '' }
      if (cmd[0] === 'sh') {
        const program = cmd.at(-1)
        const found = program === 'certbot' ? installed : program === 'dnf' ? !!opts.dnf : true
        return { ...ok, code: found ? 0 : 1 }
      }
      if (cmd.includes('epel-release') && opts.epel === false) return { ...ok, code: 1, stderr: 'No match for argument: epel-release' }
      if (cmd.at(-1) === 'certbot' && cmd.includes('install')) installed = true
      if (cmd[0] === 'certbot') return { code: 1, stdout: '', stderr: 'An unexpected error occurred:\nValueError: stub CA\n' }
      return ok
    }
  }
  const commands = (seen: Seen) => seen.calls.filter((c) => c.cmd[0] !== 'sh').map((c) => c.cmd.join(' '))

  test('test_it_installs_with_apt_noninteractively_on_debian', async () => {
    const { ctx, seen } = makeCtx(base, bareMachine())
    await expect(letsencryptHandler()(ctx)).rejects.toThrow('certbot failed: ValueError: stub CA')
    expect(commands(seen).slice(0, 2)).toEqual(['apt-get update -q', 'apt-get install -y -q certbot'])
    expect(seen.calls.find((c) => c.cmd[1] === 'install')?.opts?.env).toEqual({ DEBIAN_FRONTEND: 'noninteractive' })
    expect(commands(seen)[2]).toStartWith('certbot certonly')
    expect(seen.steps).toEqual([0, 1])
  })

  test('test_it_installs_epel_then_certbot_with_dnf_on_rhel', async () => {
    const { ctx, seen } = makeCtx(base, bareMachine({ dnf: true }), { family: 'rhel' })
    await expect(letsencryptHandler()(ctx)).rejects.toThrow(JobFailure)
    expect(commands(seen).slice(0, 2)).toEqual(['dnf install -y epel-release', 'dnf install -y certbot'])
  })

  test('test_it_falls_back_to_yum_and_goes_on_without_epel', async () => {
    const { ctx, seen } = makeCtx(base, bareMachine({ dnf: false, epel: false }), { family: 'rhel' })
    await expect(letsencryptHandler()(ctx)).rejects.toThrow('stub CA')
    expect(commands(seen).slice(0, 2)).toEqual(['yum install -y epel-release', 'yum install -y certbot'])
    expect(seen.logs.join('\n')).toContain('epel-release is not available')
  })

  test('test_it_installs_nothing_when_certbot_is_there', async () => {
    const { ctx, seen } = makeCtx(base, async (cmd) =>
      cmd[0] === 'certbot' ? { code: 1, stdout: '', stderr: 'Error: boom\n' } : { code: 0, stdout: '/usr/bin/certbot\n', stderr: '' },
    )
    await expect(letsencryptHandler()(ctx)).rejects.toThrow('certbot failed: Error: boom')
    expect(commands(seen)).toHaveLength(1)
  })

  test('test_it_fails_clearly_without_a_known_package_manager', async () => {
    const { ctx, seen } = makeCtx(base, bareMachine(), { family: null })
    await expect(letsencryptHandler()(ctx)).rejects.toThrow('install certbot first')
    expect(commands(seen)).toEqual([])
  })

  test('test_it_refuses_bad_parameters_before_installing_anything', async () => {
    const { ctx, seen } = makeCtx({ ...base, method: 'webroot' }, bareMachine())
    await expect(letsencryptHandler()(ctx)).rejects.toThrow('absolute')
    expect(seen.calls).toEqual([])
    expect(seen.steps).toEqual([])
  })
})

// Real certbot against a real ACME CA (Pebble) on loopback, with real http-01
// validation: Pebble resolves every name to 127.0.0.1 through its mock DNS and
// fetches the challenge from the port certbot (or the test's web server) answers on.
const missing = pebbleMissing() ?? (Bun.which('certbot') ? null : 'certbot not found: install Debian certbot')

describeNeeding(missing)('against Pebble and certbot', () => {
  let ca: Pebble
  let root: string

  beforeAll(async () => {
    ca = await startPebble()
  })
  afterAll(async () => {
    await ca?.stop()
  })

  const handler = () =>
    letsencryptHandler({
      extraArgs: ['--http-01-port', String(ca.httpPort), '--http-01-address', '127.0.0.1'],
      env: { REQUESTS_CA_BUNDLE: ca.caBundle },
    })

  /** A job context on a fresh temp root, running programs for real. */
  function job(params: Omit<LetsencryptParams, 'email' | 'acmeServer'> & { acmeServer?: string }) {
    root = mkdtempSync(join(tmpdir(), 'sctl-le-'))
    return makeCtx({ email: 'ops@example.com', acmeServer: ca.directoryUrl, ...params }, realExec, { root })
  }
  afterEach(() => rmSync(root, { recursive: true, force: true }))

  test('test_it_issues_a_certificate_with_certbot_standalone', async () => {
    const { ctx, seen } = job({ domains: ['www.sctl.test', 'sctl.test'], method: 'standalone' })
    await handler()(ctx)
    const cert = join(root, 'etc/letsencrypt/live/www.sctl.test/fullchain.pem')
    expect(readFileSync(cert, 'utf8')).toContain('BEGIN CERTIFICATE')
    const result = seen.results[0] as { certificate: string; notAfter: string }
    expect(result.certificate).toBe(cert)
    expect(Date.parse(result.notAfter)).toBeGreaterThan(Date.now() + 30 * 86400_000)
    expect(seen.steps).toEqual([0, 1])
    expect(ca.log()).toContain(`Attempting to validate w/ HTTP: http://www.sctl.test:${ca.httpPort}/.well-known/acme-challenge/`)

    // Asked again, certbot keeps the certificate it has and the job still reports it.
    const again = makeCtx(ctx.params as LetsencryptParams, realExec, { root })
    await handler()(again.ctx)
    expect(again.seen.results).toEqual([result])
  })

  test('test_it_issues_through_a_web_servers_document_root', async () => {
    const { ctx, seen } = job({ domains: ['site.sctl.test'], method: 'webroot', webroot: '/var/www/site' })
    const docroot = join(root, 'var/www/site')
    mkdirSync(docroot, { recursive: true })
    const web = Bun.serve({
      hostname: '127.0.0.1',
      port: ca.httpPort,
      fetch: async (req) => {
        const path = new URL(req.url).pathname
        const file = Bun.file(join(docroot, path))
        if (!path.startsWith('/.well-known/acme-challenge/') || path.includes('..') || !(await file.exists())) return new Response('not found', { status: 404 })
        return new Response(file)
      },
    })
    try {
      await handler()(ctx)
    } finally {
      web.stop(true)
    }
    const result = seen.results[0] as { certificate: string; notAfter: string }
    expect(result.certificate).toBe(join(root, 'etc/letsencrypt/live/site.sctl.test/fullchain.pem'))
    expect(existsSync(result.certificate)).toBe(true)
    expect(Date.parse(result.notAfter)).toBeGreaterThan(Date.now())
  })

  test('test_it_fails_with_the_cas_reason_when_the_domain_does_not_point_here', async () => {
    // Nothing answers on 127.0.0.2 at the challenge port: like a name whose A record points elsewhere.
    await ca.mapHost('elsewhere.sctl.test', ['127.0.0.2'])
    const { ctx, seen } = job({ domains: ['elsewhere.sctl.test'], method: 'standalone' })
    const err = await handler()(ctx).then(() => null, (e: unknown) => e)
    expect(err).toBeInstanceOf(JobFailure)
    expect((err as Error).message).toMatch(/^certbot failed: elsewhere\.sctl\.test: connection: .*127\.0\.0\.2.*connection refused/)
    expect(seen.results).toEqual([])
  })

  test('test_it_fails_clearly_when_the_ca_cannot_be_reached', async () => {
    const closed = Bun.serve({ hostname: '127.0.0.1', port: 0, fetch: () => new Response() })
    const port = closed.port
    closed.stop(true)
    const { ctx } = job({ domains: ['down.sctl.test'], method: 'standalone', acmeServer: `https://127.0.0.1:${port}/dir` })
    await expect(handler()(ctx)).rejects.toThrow(/^certbot failed: .*Connection refused/)
  })
})
