import { describe, expect, test } from 'bun:test'
import { existsSync, mkdirSync, readFileSync, statSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { JobFailure } from '../types'
import { backup, disable, enable, firewalldArgv, ruleAdd, ruleOf, ruleRemove, sshPort, ufwArgv, type Rule } from './firewall'
import { fakeContext } from './test-context'
import { testNeeding } from '../../../src/testing/needs'

const rule = (r: Partial<Rule> & { port: string }): Rule => ({ protocol: 'tcp', source: null, action: 'allow', ...r })

// Each case: the rule, the argv we build for ufw, and the tuples ufw itself
// derives from that argv (its "### tuple ###" lines: action proto dport dst sport src direction).
const UFW_CASES: [string, Rule, string[][], string[]][] = [
  ['a tcp port from anywhere', rule({ port: '8080' }), [['ufw', 'allow', 'proto', 'tcp', 'from', 'any', 'to', 'any', 'port', '8080']], ['allow tcp 8080 0.0.0.0/0 any 0.0.0.0/0 in', 'allow tcp 8080 ::/0 any ::/0 in']],
  ['any protocol', rule({ port: '53', protocol: 'any' }), [['ufw', 'allow', 'from', 'any', 'to', 'any', 'port', '53']], ['allow any 53 0.0.0.0/0 any 0.0.0.0/0 in', 'allow any 53 ::/0 any ::/0 in']],
  ['a udp range from a network', rule({ port: '60000:61000', protocol: 'udp', source: '203.0.113.0/24' }), [['ufw', 'allow', 'proto', 'udp', 'from', '203.0.113.0/24', 'to', 'any', 'port', '60000:61000']], ['allow udp 60000:61000 0.0.0.0/0 any 203.0.113.0/24 in']],
  [
    'a range with any protocol is two rules',
    rule({ port: '8000:8100', protocol: 'any' }),
    [
      ['ufw', 'allow', 'proto', 'tcp', 'from', 'any', 'to', 'any', 'port', '8000:8100'],
      ['ufw', 'allow', 'proto', 'udp', 'from', 'any', 'to', 'any', 'port', '8000:8100'],
    ],
    ['allow tcp 8000:8100 0.0.0.0/0 any 0.0.0.0/0 in', 'allow tcp 8000:8100 ::/0 any ::/0 in', 'allow udp 8000:8100 0.0.0.0/0 any 0.0.0.0/0 in', 'allow udp 8000:8100 ::/0 any ::/0 in'],
  ],
  ['deny from an IPv6 network', rule({ port: '3306', action: 'deny', source: '2001:db8::/32' }), [['ufw', 'deny', 'proto', 'tcp', 'from', '2001:db8::/32', 'to', 'any', 'port', '3306']], ['deny tcp 3306 ::/0 any 2001:db8::/32 in']],
  ['from one address', rule({ port: '22', source: '198.51.100.7' }), [['ufw', 'allow', 'proto', 'tcp', 'from', '198.51.100.7', 'to', 'any', 'port', '22']], ['allow tcp 22 0.0.0.0/0 any 198.51.100.7 in']],
]

const asRoot = process.getuid?.() === 0
const ufwBin = Bun.which('ufw') ?? (existsSync('/usr/sbin/ufw') ? '/usr/sbin/ufw' : null)
const noDryRun = !asRoot ? 'ufw --dry-run needs root' : ufwBin ? null : "Debian's ufw is not installed (.ci/install-test-deps.sh installs it)"
const withUfw = testNeeding(noDryRun)

/** The argv as ufw would run it, but with --dry-run: ufw parses it fully and prints the rules, changing nothing. */
function dryRun(argv: string[]) {
  const proc = Bun.spawnSync([ufwBin!, '--dry-run', ...argv.slice(1)], { env: { ...process.env, LC_ALL: 'C' } })
  const stdout = proc.stdout.toString()
  const stderr = proc.stderr.toString()
  return { code: proc.exitCode, stdout, stderr, tuples: [...stdout.matchAll(/^### tuple ### (.*)$/gm)].map((m) => m[1]!.trim()) }
}

describe('ufw argv', () => {
  test.each(UFW_CASES)('%s', (_, r, want) => {
    expect(ufwArgv(r, 'add')).toEqual(want)
    expect(ufwArgv(r, 'remove')).toEqual(want.map(([ufw, ...rest]) => [ufw!, 'delete', ...rest]))
  })

  for (const [name, r, , tuples] of UFW_CASES) withUfw(`the real ufw --dry-run takes it: ${name}`, () => {
    const got = ufwArgv(r, 'add').flatMap((argv) => {
      const res = dryRun(argv)
      expect(res.stderr).not.toContain('ERROR')
      expect(res.code).toBe(0)
      return res.tuples
    })
    expect(got.sort()).toEqual([...tuples].sort())
    for (const argv of ufwArgv(r, 'remove')) {
      const res = dryRun(argv)
      expect(res.stderr).not.toContain('ERROR')
      expect(res.code).toBe(0)
    }
  })

  withUfw('ufw --dry-run is a fair judge: it refuses what we never build', () => {
    expect(dryRun(['ufw', 'allow', 'from', 'any', 'to', 'any', 'port', '8000:8100']).stderr).toContain("Must specify 'tcp' or 'udp' with multiple ports")
    expect(dryRun(['ufw', 'allow', 'proto', 'tcp', 'from', 'any', 'to', 'any', 'port', '99999']).code).not.toBe(0)
  })

  withUfw('enable: the SSH rule and the enable itself', async () => {
    const f = fakeContext({ firewall: 'ufw' })
    await enable(f.ctx)
    for (const { cmd } of f.calls) {
      const res = dryRun(cmd)
      expect(res.stderr).not.toContain('ERROR')
      expect(res.code).toBe(0)
    }
  })
})

describe('firewalld argv', () => {
  test.each([
    ['a port', rule({ port: '8080' }), 'add', ['--add-port=8080/tcp']],
    ['a range, any protocol', rule({ port: '8000:8100', protocol: 'any' }), 'add', ['--add-port=8000-8100/tcp', '--add-port=8000-8100/udp']],
    ['remove a port', rule({ port: '443' }), 'remove', ['--remove-port=443/tcp']],
    ['from an IPv4 network', rule({ port: '3306', source: '10.0.0.0/8' }), 'add', ['--add-rich-rule=rule family="ipv4" source address="10.0.0.0/8" port port="3306" protocol="tcp" accept']],
    ['deny from IPv6', rule({ port: '25', action: 'deny', source: '2001:db8::/32' }), 'remove', ['--remove-rich-rule=rule family="ipv6" source address="2001:db8::/32" port port="25" protocol="tcp" drop']],
    ['deny from anywhere', rule({ port: '23', action: 'deny', protocol: 'any' }), 'add', ['--add-rich-rule=rule port port="23" protocol="tcp" drop', '--add-rich-rule=rule port port="23" protocol="udp" drop']],
  ] as const)('%s', (_, r, op, want) => {
    expect(firewalldArgv(r, op)).toEqual([...want.map((w) => ['firewall-cmd', '--permanent', w]), ['firewall-cmd', '--reload']])
  })
})

describe('rule handlers', () => {
  test('ufw add; a null source is anywhere', async () => {
    const f = fakeContext({ firewall: 'ufw', params: { port: 443, protocol: 'tcp', source: null } })
    await ruleAdd(f.ctx)
    expect(f.argv()).toEqual(['ufw allow proto tcp from any to any port 443'])
    expect(f.steps).toEqual([0])
  })

  test('firewalld remove with a source', async () => {
    const f = fakeContext({ family: 'rhel', firewall: 'firewalld', params: { port: '5432', protocol: 'tcp', source: '192.0.2.0/24', action: 'allow' } })
    await ruleRemove(f.ctx)
    expect(f.argv()).toEqual([
      'firewall-cmd --permanent --remove-rich-rule=rule family="ipv4" source address="192.0.2.0/24" port port="5432" protocol="tcp" accept',
      'firewall-cmd --reload',
    ])
  })

  test('a firewall-cmd failure fails the job', async () => {
    const f = fakeContext({ firewall: 'firewalld', params: { port: 80, protocol: 'tcp' }, answer: (cmd) => (cmd[2]?.startsWith('--add-port') ? { code: 252, stderr: 'FirewallD is not running' } : undefined) })
    await expect(ruleAdd(f.ctx)).rejects.toBeInstanceOf(JobFailure)
  })

  test.each([
    [{ port: '22; reboot', protocol: 'tcp' }],
    [{ port: 22, protocol: 'tcp', source: '$(id)' }],
    [{ port: 22, protocol: 'tcp', source: '10.0.0.1/8' }],
    [{ port: '9:1', protocol: 'tcp' }],
    [{ port: 22, protocol: 'icmp' }],
    [{ port: 22, protocol: 'tcp', action: 'reject' }],
  ])('the agent refuses %j itself, running nothing', async (params) => {
    expect(() => ruleOf(params)).toThrow(JobFailure)
    const f = fakeContext({ firewall: 'ufw', params })
    await expect(ruleAdd(f.ctx)).rejects.toBeInstanceOf(JobFailure)
    expect(f.calls).toEqual([])
  })

  test('no firewall manager', async () => {
    const f = fakeContext({ firewall: null, params: { port: 22, protocol: 'tcp' } })
    await expect(ruleAdd(f.ctx)).rejects.toThrow('Neither ufw nor firewalld is installed on this server.')
  })
})

describe('enable and disable', () => {
  test('ufw: SSH is allowed first, on the port sshd listens on', async () => {
    const f = fakeContext({ firewall: 'ufw' })
    mkdirSync(join(f.ctx.root, 'etc/ssh'), { recursive: true })
    writeFileSync(join(f.ctx.root, 'etc/ssh/sshd_config'), 'Include /etc/ssh/sshd_config.d/*.conf\n#Port 22\nPort 2222\n')
    await enable(f.ctx)
    expect(f.argv()).toEqual(['ufw allow proto tcp from any to any port 2222', 'ufw --force enable'])
  })

  test('sshPort defaults to 22', () => {
    expect(sshPort('/nonexistent')).toBe('22')
  })

  test('firewalld', async () => {
    const on = fakeContext({ family: 'rhel', firewall: 'firewalld' })
    await enable(on.ctx)
    const off = fakeContext({ family: 'rhel', firewall: 'firewalld' })
    await disable(off.ctx)
    expect([...on.argv(), ...off.argv()]).toEqual(['systemctl enable --now firewalld', 'systemctl disable --now firewalld'])
  })

  test('ufw disable', async () => {
    const f = fakeContext({ firewall: 'ufw' })
    await disable(f.ctx)
    expect(f.argv()).toEqual(['ufw disable'])
  })
})

describe('backup', () => {
  test('ufw: the *.rules files, timestamped', async () => {
    const f = fakeContext({ firewall: 'ufw' })
    const etc = join(f.ctx.root, 'etc/ufw')
    mkdirSync(join(etc, 'applications.d'), { recursive: true })
    for (const name of ['user.rules', 'user6.rules', 'before.rules']) writeFileSync(join(etc, name), `# ${name}\n`)
    writeFileSync(join(etc, 'ufw.conf'), 'ENABLED=yes\n')
    await backup(f.ctx)
    const { path, files } = f.results[0] as { path: string; files: string[] }
    expect(path).toMatch(/^\/var\/backups\/serversctl\/firewall\/ufw-\d{4}-\d\d-\d\dT\d\d-\d\d-\d\dZ$/)
    expect(files).toEqual(['before.rules', 'user.rules', 'user6.rules'])
    expect(readFileSync(join(f.ctx.root, path, 'user6.rules'), 'utf8')).toBe('# user6.rules\n')
    expect(existsSync(join(f.ctx.root, path, 'ufw.conf'))).toBe(false)
    expect(statSync(join(f.ctx.root, path)).mode & 0o777).toBe(0o700)
    expect(f.calls).toEqual([])
  })

  test('firewalld: the whole of /etc/firewalld', async () => {
    const f = fakeContext({ family: 'rhel', firewall: 'firewalld' })
    mkdirSync(join(f.ctx.root, 'etc/firewalld/zones'), { recursive: true })
    writeFileSync(join(f.ctx.root, 'etc/firewalld/firewalld.conf'), 'DefaultZone=public\n')
    writeFileSync(join(f.ctx.root, 'etc/firewalld/zones/public.xml'), '<zone/>\n')
    await backup(f.ctx)
    const { path } = f.results[0] as { path: string }
    expect(path).toMatch(/^\/var\/backups\/serversctl\/firewall\/firewalld-/)
    expect(readFileSync(join(f.ctx.root, path, 'zones/public.xml'), 'utf8')).toBe('<zone/>\n')
  })

  test('nothing to back up is a clear failure', async () => {
    const f = fakeContext({ firewall: 'ufw' })
    await expect(backup(f.ctx)).rejects.toThrow('There are no /etc/ufw/*.rules files to back up.')
  })
})
