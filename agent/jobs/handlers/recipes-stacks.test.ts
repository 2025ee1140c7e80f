import { describe, expect, test } from 'bun:test'
import { cpSync, existsSync, mkdirSync, mkdtempSync, readFileSync, readdirSync, statSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join, resolve } from 'node:path'
import { catalogue } from '../catalogue'
import { JobFailure } from '../types'
import { APT_ENV } from './common'
import { CPANEL_INSTALLER, hardenCpanel, installCpanel } from './recipes-cpanel'
import { DROP_USER, hardenMariaDb, installMariaDb, LIST_UNSAFE_ACCOUNTS, LOCAL_INFILE_CNF, MARIADB_REPO_SCRIPT } from './recipes-mariadb'
import { hardenOpenLiteSpeed, installOpenLiteSpeed, LITESPEED_REPO_SCRIPT, setDirective } from './recipes-openlitespeed'
import { fakeContext, type FakeOptions } from './test-context'
import { missingMariaDb, testNeeding } from '../../../src/testing/needs'

const FIXTURES = resolve(import.meta.dir, '../../fixtures')
const allSteps = (name: keyof typeof catalogue) => catalogue[name].steps({}).map((_, i) => i)

/** A root with these files (path → content); '' makes an empty file, a trailing '/' a folder. */
function rootWith(files: Record<string, string> = {}, from?: string) {
  const root = mkdtempSync(join(tmpdir(), 'recipe-'))
  if (from) cpSync(join(FIXTURES, from), root, { recursive: true })
  for (const [path, text] of Object.entries(files)) {
    if (path.endsWith('/')) mkdirSync(join(root, path), { recursive: true })
    else {
      mkdirSync(join(root, path, '..'), { recursive: true })
      writeFileSync(join(root, path), text)
    }
  }
  return root
}

/** fetch that serves a script for each of these URLs and records what was asked. */
function installers(scripts: Record<string, string>) {
  const urls: string[] = []
  const fetch = (async (url: string) => {
    urls.push(String(url))
    const body = scripts[String(url)]
    return body === undefined ? new Response('nope', { status: 404 }) : new Response(body)
  }) as unknown as typeof globalThis.fetch
  return { fetch, urls }
}

const active = (cmd: string[]) => (cmd[1] === 'is-active' ? 'active\n' : undefined)

describe('recipe.install_openlitespeed', () => {
  test('debian: prerequisites, the repository script from a file, the package, the unit', async () => {
    const { fetch, urls } = installers({ [LITESPEED_REPO_SCRIPT]: '#!/bin/bash\necho repo\n' })
    const f = fakeContext({ family: 'debian', root: rootWith(), fetch, answer: active })
    await installOpenLiteSpeed(f.ctx)
    expect(urls).toEqual([LITESPEED_REPO_SCRIPT])
    const script = join(f.ctx.root, 'var/tmp/serversctl/litespeed-repo.sh')
    expect(readFileSync(script, 'utf8')).toBe('#!/bin/bash\necho repo\n')
    expect(statSync(script).mode & 0o777).toBe(0o700)
    expect(f.argv()).toEqual([
      'apt-get update',
      'apt-get install -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold -- wget gnupg',
      'bash /var/tmp/serversctl/litespeed-repo.sh',
      'apt-get update',
      'apt-get install -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold -- openlitespeed',
      'systemctl enable --now lshttpd',
      'systemctl is-active -- lshttpd',
    ])
    expect(f.calls.filter((c) => c.cmd[0] === 'apt-get').every((c) => c.opts.env === APT_ENV)).toBe(true)
    expect(f.steps).toEqual(allSteps('recipe.install_openlitespeed'))
  })

  test('rhel: dnf, and nothing installed that is already there', async () => {
    const { fetch } = installers({ [LITESPEED_REPO_SCRIPT]: 'echo repo\n' })
    const f = fakeContext({ family: 'rhel', root: rootWith({ 'usr/bin/dnf': '', 'usr/bin/wget': '' }), fetch, answer: active })
    await installOpenLiteSpeed(f.ctx)
    expect(f.argv()).toEqual([
      'bash /var/tmp/serversctl/litespeed-repo.sh',
      'dnf install -y -- openlitespeed',
      'systemctl enable --now lshttpd',
      'systemctl is-active -- lshttpd',
    ])
  })

  test.each([
    ['OpenLiteSpeed', 'usr/local/lsws/', 'OpenLiteSpeed is already installed here; OpenLiteSpeed installs only on clean servers.'],
    ['cPanel', 'usr/local/cpanel/', 'cPanel is already installed here; OpenLiteSpeed installs only on clean servers.'],
  ])('refused where %s is already installed, before anything is fetched or run', async (_, path, message) => {
    const { fetch, urls } = installers({})
    const f = fakeContext({ root: rootWith({ [path]: '' }), fetch })
    await expect(installOpenLiteSpeed(f.ctx)).rejects.toThrow(new JobFailure(message))
    expect(f.calls).toEqual([])
    expect(urls).toEqual([])
  })

  test('a server that will not start is a failure', async () => {
    const { fetch } = installers({ [LITESPEED_REPO_SCRIPT]: 'echo\n' })
    const f = fakeContext({ root: rootWith(), fetch, answer: (cmd) => (cmd[1] === 'is-active' ? { code: 3, stdout: 'failed\n' } : undefined) })
    await expect(installOpenLiteSpeed(f.ctx)).rejects.toThrow('OpenLiteSpeed is installed but lshttpd is failed')
  })

  test('an installer that cannot be fetched stops the recipe', async () => {
    const { fetch } = installers({})
    const f = fakeContext({ root: rootWith({ 'usr/bin/wget': '', 'usr/bin/gpg': '' }), fetch })
    await expect(installOpenLiteSpeed(f.ctx)).rejects.toThrow('https://repo.litespeed.sh answered 404.')
    expect(f.argv()).toEqual([])
  })
})

describe('recipe.harden_openlitespeed', () => {
  test('backs up, sets the directives, restarts gracefully', async () => {
    const root = rootWith({ 'usr/local/lsws/admin/conf/htpasswd': 'admin:$1$xyz\n' }, 'ols-host')
    const httpd = join(root, 'usr/local/lsws/conf/httpd_config.conf')
    const before = readFileSync(httpd, 'utf8')
    const f = fakeContext({ root })
    await hardenOpenLiteSpeed(f.ctx)
    const after = readFileSync(httpd, 'utf8')
    expect(after).toContain('showVersionNumber         0\n')
    expect(after.replace(/showVersionNumber\s+0\n\n/, '')).toBe(before)
    expect(readFileSync(join(root, 'usr/local/lsws/admin/conf/admin_config.conf'), 'utf8')).toMatch(/^enableCoreDump            0$/m)
    expect(statSync(join(root, 'usr/local/lsws/admin/conf/htpasswd')).mode & 0o777).toBe(0o600)
    const { backup } = f.results[0] as { backup: string }
    expect(readFileSync(join(root, backup, 'conf/httpd_config.conf'), 'utf8')).toBe(before)
    expect(readdirSync(join(root, backup)).sort()).toEqual(['admin-conf', 'conf'])
    expect(f.argv()).toEqual(['/usr/local/lsws/bin/lswsctrl restart'])
    expect(f.steps).toEqual(allSteps('recipe.harden_openlitespeed'))
  })

  test('twice is the same as once', async () => {
    const root = rootWith({}, 'ols-host')
    await hardenOpenLiteSpeed(fakeContext({ root }).ctx)
    const once = readFileSync(join(root, 'usr/local/lsws/conf/httpd_config.conf'), 'utf8')
    await hardenOpenLiteSpeed(fakeContext({ root }).ctx)
    expect(readFileSync(join(root, 'usr/local/lsws/conf/httpd_config.conf'), 'utf8')).toBe(once)
  })

  test('without OpenLiteSpeed', async () => {
    await expect(hardenOpenLiteSpeed(fakeContext().ctx)).rejects.toThrow('OpenLiteSpeed is not installed on this server.')
  })

  test.each([
    ['replaces a value, keeping the spacing', 'a 1\nshowVersionNumber   1\n', 'a 1\nshowVersionNumber   0\n'],
    ['adds before the first block', 'serverName x\n\nmodule cache {\n  showVersionNumber 1\n}\n', 'serverName x\n\nshowVersionNumber         0\n\nmodule cache {\n  showVersionNumber 1\n}\n'],
    ['adds at the end when there is no block', 'serverName x', 'serverName x\nshowVersionNumber         0\n'],
  ])('setDirective %s', (_, text, want) => {
    expect(setDirective(text, 'showVersionNumber', '0')).toBe(want)
  })
})

describe('recipe.install_mariadb', () => {
  test.each([
    [
      'debian',
      {},
      ['apt-get update', 'apt-get install -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold -- curl gnupg'],
      ['apt-get update', 'apt-get install -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold -- mariadb-server mariadb-client'],
    ],
    ['rhel', { 'usr/bin/dnf': '', 'usr/bin/curl': '' }, [], ['dnf install -y -- MariaDB-server MariaDB-client']],
    ['rhel', { 'usr/bin/curl': '' }, [], ['yum install -y -- MariaDB-server MariaDB-client']],
  ] as const)('%s %j', async (family, files, prereqs, install) => {
    const { fetch, urls } = installers({ [MARIADB_REPO_SCRIPT]: '#!/usr/bin/env bash\n' })
    const f = fakeContext({ family, root: rootWith(files), fetch, answer: active })
    await installMariaDb(f.ctx)
    expect(urls).toEqual([MARIADB_REPO_SCRIPT])
    expect(f.argv()).toEqual([...prereqs, 'bash /var/tmp/serversctl/mariadb_repo_setup', ...install, 'systemctl enable --now mariadb', 'systemctl is-active -- mariadb'])
    expect(f.steps).toEqual(allSteps('recipe.install_mariadb'))
  })

  test.each([['usr/sbin/mariadbd'], ['usr/sbin/mysqld'], ['etc/my.cnf']])('refused where %s shows a database server', async (path) => {
    const f = fakeContext({ root: rootWith({ [path]: '' }) })
    await expect(installMariaDb(f.ctx)).rejects.toThrow('A MariaDB or MySQL server is already installed here; MariaDB installs only on clean servers.')
    expect(f.calls).toEqual([])
  })
})

describe('recipe.harden_mariadb', () => {
  const DROPS = "DROP USER ''@'localhost';\nDROP USER 'root'@'%';\nDROP USER 'root'@'db1.example.net';\n"
  const sqlAnswer = (drops = DROPS) => (cmd: string[], opts: { input?: string }) => {
    if (opts.input?.startsWith('SELECT VERSION()')) return '10.11.6-MariaDB-0+deb12u1\n'
    if (opts.input === LIST_UNSAFE_ACCOUNTS) return drops
  }

  test('drops what the server itself lists, the test database, LOCAL INFILE; no restart', async () => {
    const root = rootWith({ 'usr/sbin/mariadbd': '', 'usr/bin/mariadb': '', 'etc/mysql/mariadb.conf.d/': '' })
    const f = fakeContext({ root, answer: sqlAnswer() })
    await hardenMariaDb(f.ctx)
    expect(f.calls.map((c) => c.cmd.join(' '))).toEqual(Array(6).fill('mariadb --batch --raw --skip-column-names'))
    expect(f.calls.map((c) => c.opts.input)).toEqual([
      'SELECT VERSION();\n',
      LIST_UNSAFE_ACCOUNTS,
      DROPS,
      "DROP DATABASE IF EXISTS test;\nDELETE FROM mysql.db WHERE Db = 'test' OR Db = 'test\\\\_%';\n",
      'SET GLOBAL local_infile = 0;\n',
      'FLUSH PRIVILEGES;\n',
    ])
    expect(readFileSync(join(root, 'etc/mysql/mariadb.conf.d/90-serversctl-hardening.cnf'), 'utf8')).toBe(LOCAL_INFILE_CNF)
    expect(f.results).toEqual([{ droppedAccounts: 3, config: '/etc/mysql/mariadb.conf.d/90-serversctl-hardening.cnf' }])
    expect(f.argv().some((a) => a.includes('restart'))).toBe(false)
    expect(f.steps).toEqual(allSteps('recipe.harden_mariadb'))
  })

  test('rhel: /etc/my.cnf.d and the mysql client of older systems; nothing to drop', async () => {
    const root = rootWith({ 'usr/sbin/mysqld': '', 'etc/my.cnf.d/': '' })
    const f = fakeContext({ family: 'rhel', root, answer: sqlAnswer('') })
    await hardenMariaDb(f.ctx)
    expect(f.calls[0]!.cmd[0]).toBe('mysql')
    expect(f.calls).toHaveLength(5)
    expect(existsSync(join(root, 'etc/my.cnf.d/90-serversctl-hardening.cnf'))).toBe(true)
  })

  test('an answer that is not a DROP USER statement stops it before anything is dropped', async () => {
    const root = rootWith({ 'usr/sbin/mariadbd': '', 'etc/mysql/conf.d/': '' })
    const f = fakeContext({ root, answer: sqlAnswer("DROP USER 'x'@'%'; DROP DATABASE important;\n") })
    await expect(hardenMariaDb(f.ctx)).rejects.toThrow('Unexpected answer while listing accounts')
    expect(f.calls).toHaveLength(2)
  })

  test('refused under cPanel, and without a database server', async () => {
    const cp = fakeContext({ root: rootWith({ 'usr/sbin/mariadbd': '', 'usr/local/cpanel/': '' }) })
    await expect(hardenMariaDb(cp.ctx)).rejects.toThrow('cPanel manages this database server')
    await expect(hardenMariaDb(fakeContext().ctx)).rejects.toThrow('No MariaDB or MySQL server is installed on this server.')
  })

  test.each([
    ["DROP USER ''@'localhost';", true],
    ["DROP USER 'o\\'brien'@'%';", true],
    ["DROP USER 'x'@'%'; DROP DATABASE y;", false],
    ["DROP USER 'x'@'%'", false],
  ])('DROP_USER %s → %s', (line, ok) => {
    expect(DROP_USER.test(line)).toBe(ok)
  })

  // Read-only, against the real server on this machine: the listing query runs,
  // and QUOTE() output for awkward names is what DROP_USER accepts.
  testNeeding(missingMariaDb())('the listing query and QUOTE() on the local MariaDB', () => {
    const sql = (input: string) => {
      const p = Bun.spawnSync(['mariadb', '--batch', '--raw', '--skip-column-names'], { stdin: new TextEncoder().encode(input) })
      expect(p.stderr.toString()).toBe('')
      return p.stdout.toString()
    }
    for (const line of sql(LIST_UNSAFE_ACCOUNTS).split('\n').filter(Boolean)) expect(line).toMatch(DROP_USER)
    const quoted = sql("SELECT CONCAT('DROP USER ', QUOTE('o''brien\\\\x'), '@', QUOTE('10.0.%'), ';');\n").trim()
    expect(quoted).toBe("DROP USER 'o\\'brien\\\\x'@'10.0.%';")
    expect(quoted).toMatch(DROP_USER)
  })
})

describe('recipe.install_cpanel', () => {
  const cpanelRun = (root: string) => (cmd: string[]) => {
    if (cmd[0] === 'hostname') return 'cp1.example.net\n'
    // What the installer leaves behind.
    if (cmd[0] === 'sh') {
      mkdirSync(join(root, 'usr/local/cpanel'), { recursive: true })
      writeFileSync(join(root, 'usr/local/cpanel/version'), '11.126.0.5\n')
    }
  }

  test('AlmaLinux 9: the official installer, run from /home', async () => {
    const root = rootWith({ 'usr/bin/perl': '' }, 'almalinux-9')
    const { fetch, urls } = installers({ [CPANEL_INSTALLER]: '#!/bin/sh\n# cPanel installer\n' })
    const f = fakeContext({ family: 'rhel', root, fetch, answer: cpanelRun(root) })
    await installCpanel(f.ctx)
    expect(urls).toEqual([CPANEL_INSTALLER])
    expect(readFileSync(join(root, 'home/latest'), 'utf8')).toBe('#!/bin/sh\n# cPanel installer\n')
    expect(f.argv()).toEqual(['hostname -f', 'sh -c cd /home && exec sh latest'])
    expect(f.results).toEqual([{ version: '11.126.0.5', whm: 'https://cp1.example.net:2087/' }])
    expect(f.steps).toEqual(allSteps('recipe.install_cpanel'))
  })

  test('Ubuntu 22.04 installs perl first when it is missing', async () => {
    const root = rootWith({}, 'ubuntu-22.04')
    const f = fakeContext({ family: 'debian', root, fetch: installers({ [CPANEL_INSTALLER]: 'x' }).fetch, answer: cpanelRun(root) })
    await installCpanel(f.ctx)
    expect(f.argv().slice(0, 3)).toEqual(['hostname -f', 'apt-get update', 'apt-get install -y -o Dpkg::Options::=--force-confdef -o Dpkg::Options::=--force-confold -- perl'])
  })

  test.each([
    ['debian-12', 'cPanel installs only on almalinux 8/9, rocky 8/9, cloudlinux 8/9, ubuntu 22.04/24.04; this server runs Debian GNU/Linux 12 (bookworm).'],
    ['centos-7', 'this server runs CentOS Linux 7 (Core).'],
  ])('refused on %s', async (fixture, message) => {
    const f = fakeContext({ root: rootWith({}, fixture) })
    await expect(installCpanel(f.ctx)).rejects.toThrow(message)
    expect(f.calls).toEqual([])
  })

  test('refused where a database server is installed', async () => {
    const f = fakeContext({ root: rootWith({ 'usr/sbin/mariadbd': '' }, 'rocky-9') })
    await expect(installCpanel(f.ctx)).rejects.toThrow('A MariaDB or MySQL server is already installed here; cPanel installs only on clean servers.')
  })

  test('refused without a fully qualified hostname', async () => {
    const f = fakeContext({ root: rootWith({}, 'rocky-9'), answer: (cmd) => (cmd[0] === 'hostname' ? 'localhost\n' : undefined) })
    await expect(installCpanel(f.ctx)).rejects.toThrow('cPanel needs a fully qualified hostname')
    expect(f.argv()).toEqual(['hostname -f'])
  })

  test('an installer that leaves no cPanel behind is a failure', async () => {
    const root = rootWith({ 'usr/bin/perl': '' }, 'rocky-9')
    const f = fakeContext({ root, fetch: installers({ [CPANEL_INSTALLER]: 'x' }).fetch, answer: (cmd) => (cmd[0] === 'hostname' ? 'cp1.example.net\n' : undefined) })
    await expect(installCpanel(f.ctx)).rejects.toThrow('see /var/log/cpanel-install.log')
  })
})

describe('recipe.harden_cpanel', () => {
  const ok = JSON.stringify({ metadata: { result: 1, reason: 'OK' }, data: {} })
  test("cPanel's own tools, in order", async () => {
    const root = rootWith({ 'usr/local/cpanel/version': '11.126.0.5\n' })
    const f = fakeContext({ family: 'rhel', root, answer: (cmd) => (cmd[0]!.endsWith('whmapi1') ? ok : undefined) })
    await hardenCpanel(f.ctx)
    expect(f.argv()).toEqual([
      '/usr/local/cpanel/bin/whmapi1 --output=json enable_cphulk',
      '/usr/local/cpanel/bin/whmapi1 --output=json set_tweaksetting key=referrersafety value=1',
      '/usr/local/cpanel/bin/whmapi1 --output=json set_tweaksetting key=referrerblanksafety value=1',
      '/usr/local/cpanel/bin/whmapi1 --output=json set_tweaksetting key=cookieipvalidation value=strict',
      '/usr/local/cpanel/bin/install-login-profile --install limits',
      '/scripts/compilers off',
    ])
    expect(f.steps).toEqual(allSteps('recipe.harden_cpanel'))
  })

  test('cPHulk already on is fine; a refused tweak is not', async () => {
    const root = rootWith({ 'usr/local/cpanel/version': '11.126.0.5\n' })
    const f = fakeContext({
      root,
      answer: (cmd) => {
        if (cmd[2] === 'enable_cphulk') return JSON.stringify({ metadata: { result: 0, reason: 'cPHulk is already enabled.' } })
        if (cmd[2] === 'set_tweaksetting') return JSON.stringify({ metadata: { result: 0, reason: 'Permission denied' } })
      },
    })
    await expect(hardenCpanel(f.ctx)).rejects.toThrow('whmapi1 set_tweaksetting failed: Permission denied')
  })

  test('without cPanel', async () => {
    await expect(hardenCpanel(fakeContext().ctx)).rejects.toThrow('cPanel is not installed on this server.')
  })
})
