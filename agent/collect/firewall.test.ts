import { describe, expect, test } from 'bun:test'
import { cannedRun } from '../run-command'
import { detectFirewall, parseFirewalldList, parseFirewalldRules, parseRichRule, parseUfwRules, parseUfwStatus } from './firewall'

const UFW_ACTIVE = `Status: active

To                         Action      From
--                         ------      ----
22/tcp                     ALLOW       Anywhere
80,443/tcp                 ALLOW       Anywhere
7080                       ALLOW       203.0.113.0/24
22/tcp (v6)                ALLOW       Anywhere (v6)
80,443/tcp (v6)            ALLOW       Anywhere (v6)

`
// `ufw status numbered` (ufw 0.36): rules added with and without a protocol,
// from a network, a range, an app profile, an outgoing rule, a comment.
const UFW_NUMBERED = `Status: active

     To                         Action      From
     --                         ------      ----
[ 1] 22/tcp                     ALLOW IN    Anywhere
[ 2] 80,443/tcp                 ALLOW IN    Anywhere
[ 3] 7080                       ALLOW IN    203.0.113.0/24
[ 4] 3306/tcp                   DENY IN     10.0.0.0/8                 # old app servers
[ 5] 8000:8100/udp              ALLOW IN    Anywhere
[ 6] Apache Full                ALLOW IN    Anywhere
[ 7] Anywhere                   ALLOW IN    192.168.1.0/24
[ 8] 10.0.0.5 443/tcp           ALLOW IN    Anywhere
[ 9] 25/tcp                     ALLOW OUT   Anywhere                   (out)
[10] 2222/tcp                   LIMIT IN    Anywhere
[11] 22/tcp (v6)                ALLOW IN    Anywhere (v6)
[12] 53 (v6)                    DENY IN     2001:db8::/32
[13] 22/tcp on eth0             ALLOW IN    Anywhere

`

const FIREWALLD = `public (active)
  target: default
  icmp-block-inversion: no
  interfaces: eth0
  sources: 
  services: cockpit dhcpv6-client ssh
  ports: 8080/tcp 7080/tcp
  protocols: 
  forward: yes
  masquerade: no
  forward-ports: 
	port=8443:proto=tcp:toport=443:toaddr=
  source-ports: 
  icmp-blocks: 
  rich rules: 
	rule family="ipv4" source address="10.0.0.0/8" accept
	rule family="ipv6" source address="2001:db8::/32" port port="3306" protocol="tcp" accept
`

describe('parseUfwStatus', () => {
  test.each([
    ['active with rules', UFW_ACTIVE, { active: true, ruleCount: 5 }],
    ['active, no rules', 'Status: active\n', { active: true, ruleCount: 0 }],
    ['inactive', 'Status: inactive\n', { active: false, ruleCount: null }],
    ['garbage', 'ERROR: You need to be root to run this script', { active: null, ruleCount: null }],
  ])('%s', (_, text, want) => {
    expect(parseUfwStatus(text)).toEqual(want)
  })
})

describe('parseFirewalldList', () => {
  test.each([
    ['services, ports and rich rules', FIREWALLD, 7],
    ['an empty zone', 'public (active)\n  services: \n  ports: \n  rich rules: \n', 0],
    ['garbage', 'FirewallD is not running', 0],
  ])('%s', (_, text, want) => {
    expect(parseFirewalldList(text)).toBe(want)
  })
})

describe('parseUfwRules', () => {
  test('each numbered line, as port, protocol, source and action', () => {
    const rules = parseUfwRules(UFW_NUMBERED)
    expect(rules.map(({ raw: _, ...r }) => r)).toEqual([
      { port: '22', protocol: 'tcp', source: null, action: 'allow' },
      { port: '80,443', protocol: 'tcp', source: null, action: 'allow' },
      { port: '7080', protocol: 'any', source: '203.0.113.0/24', action: 'allow' },
      { port: '3306', protocol: 'tcp', source: '10.0.0.0/8', action: 'deny' },
      { port: '8000:8100', protocol: 'udp', source: null, action: 'allow' },
      { port: 'Apache Full', protocol: null, source: null, action: 'allow' },
      { port: 'any', protocol: 'any', source: '192.168.1.0/24', action: 'allow' },
      { port: '443', protocol: 'tcp', source: null, action: 'allow' },
      { port: '25', protocol: 'tcp', source: null, action: 'allow out' },
      { port: '2222', protocol: 'tcp', source: null, action: 'limit' },
      { port: '22', protocol: 'tcp', source: null, action: 'allow' },
      { port: '53', protocol: 'any', source: '2001:db8::/32', action: 'deny' },
      { port: '22', protocol: 'tcp', source: null, action: 'allow' },
    ])
    expect(rules[3]!.raw).toBe('3306/tcp DENY IN 10.0.0.0/8 # old app servers')
    expect(rules[10]!.raw).toBe('22/tcp (v6) ALLOW IN Anywhere (v6)')
    expect(parseUfwStatus(UFW_NUMBERED)).toEqual({ active: true, ruleCount: rules.length })
  })

  test('plain `ufw status` reads the same', () => {
    expect(parseUfwRules(UFW_ACTIVE).map((r) => [r.port, r.protocol, r.source, r.action])).toEqual([
      ['22', 'tcp', null, 'allow'],
      ['80,443', 'tcp', null, 'allow'],
      ['7080', 'any', '203.0.113.0/24', 'allow'],
      ['22', 'tcp', null, 'allow'],
      ['80,443', 'tcp', null, 'allow'],
    ])
  })

  test('no rules, inactive, garbage', () => {
    expect(parseUfwRules('Status: active\n')).toEqual([])
    expect(parseUfwRules('Status: inactive\n')).toEqual([])
    expect(parseUfwRules('ERROR: You need to be root to run this script')).toEqual([])
  })
})

describe('parseFirewalldRules', () => {
  test('services, ports, then rich rules', () => {
    expect(parseFirewalldRules(FIREWALLD)).toEqual([
      { port: 'cockpit', protocol: null, source: null, action: 'allow', raw: 'service cockpit' },
      { port: 'dhcpv6-client', protocol: null, source: null, action: 'allow', raw: 'service dhcpv6-client' },
      { port: 'ssh', protocol: null, source: null, action: 'allow', raw: 'service ssh' },
      { port: '8080', protocol: 'tcp', source: null, action: 'allow', raw: 'port 8080/tcp' },
      { port: '7080', protocol: 'tcp', source: null, action: 'allow', raw: 'port 7080/tcp' },
      { port: 'any', protocol: 'any', source: '10.0.0.0/8', action: 'allow', raw: 'rule family="ipv4" source address="10.0.0.0/8" accept' },
      { port: '3306', protocol: 'tcp', source: '2001:db8::/32', action: 'allow', raw: 'rule family="ipv6" source address="2001:db8::/32" port port="3306" protocol="tcp" accept' },
    ])
  })

  test.each([
    ['rule family="ipv4" source address="192.0.2.0/24" port port="8000-8100" protocol="udp" drop', { port: '8000:8100', protocol: 'udp', source: '192.0.2.0/24', action: 'deny' }],
    ['rule service name="http" log prefix="drop http " level="info" reject type="icmp-host-prohibited"', { port: 'http', protocol: null, source: null, action: 'reject' }],
    ['rule port port="23" protocol="tcp" drop', { port: '23', protocol: 'tcp', source: null, action: 'deny' }],
    ['rule family="ipv4" source-port port="53" protocol="udp" accept', { port: 'any', protocol: 'any', source: null, action: 'allow' }],
  ])('%s', (text, want) => {
    expect(parseRichRule(text)).toEqual({ ...want, raw: text })
  })

  test('a range in the zone ports', () => {
    expect(parseFirewalldRules('public (active)\n  ports: 60000-61000/udp\n')[0]).toMatchObject({ port: '60000:61000', protocol: 'udp' })
  })
})

describe('detectFirewall', () => {
  test('ufw active: the count and the rules', async () => {
    const got = await detectFirewall({ run: cannedRun({ 'ufw status numbered': UFW_NUMBERED }) })
    expect(got).toMatchObject({ kind: 'ufw', active: true, ruleCount: 13 })
    expect(got.rules).toHaveLength(13)
  })

  test('firewalld running', async () => {
    const run = cannedRun({ 'firewall-cmd --state': 'running\n', 'firewall-cmd --list-all': FIREWALLD })
    const got = await detectFirewall({ run })
    expect(got).toMatchObject({ kind: 'firewalld', active: true, ruleCount: 7 })
    expect(got.rules).toHaveLength(7)
  })

  test('at most 500 rules are reported; the count is the real one', async () => {
    const many = `Status: active\n\n     To     Action      From\n     --     ------      ----\n${Array.from({ length: 700 }, (_, i) => `[${i + 1}] ${1000 + i}/tcp     ALLOW IN    Anywhere`).join('\n')}\n`
    const got = await detectFirewall({ run: cannedRun({ 'ufw status numbered': many }) })
    expect(got.ruleCount).toBe(700)
    expect(got.rules).toHaveLength(500)
    expect(got.rules![499]!.port).toBe('1499')
  })

  test('firewalld stopped', async () => {
    const run = cannedRun({ 'firewall-cmd --state': { code: 252, stdout: 'not running\n', stderr: '' } })
    expect(await detectFirewall({ run })).toEqual({ kind: 'firewalld', active: false, ruleCount: null, rules: [] })
  })

  test('both installed: the active one is reported', async () => {
    const run = cannedRun({ 'ufw status numbered': 'Status: inactive\n', 'firewall-cmd --state': 'running\n', 'firewall-cmd --list-all': FIREWALLD })
    expect((await detectFirewall({ run })).kind).toBe('firewalld')
  })

  test('ufw installed but inactive and no firewalld', async () => {
    expect(await detectFirewall({ run: cannedRun({ 'ufw status numbered': 'Status: inactive\n' }) })).toEqual({ kind: 'ufw', active: false, ruleCount: null, rules: [] })
  })

  test('neither', async () => {
    expect(await detectFirewall({ run: cannedRun() })).toEqual({ kind: null, active: null, ruleCount: null, rules: [] })
  })
})
